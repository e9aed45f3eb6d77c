import { useRef } from 'react';
import { filesFromInput } from '../library/collectFiles';
import { canOpenFolders, filesInFolder, pickFolder, rememberFolder } from '../library/folderAccess';
import { addFiles } from '../state/pipeline';

/** With the File System Access API the folder is remembered for reconnecting after a reload. */
async function chooseFolder(fallback: () => void): Promise<void> {
  if (!canOpenFolders()) return fallback();
  const dir = await pickFolder();
  if (!dir) return;
  await rememberFolder(dir);
  await addFiles(await filesInFolder(dir));
}

/**
 * "Choose photos…" and "Choose a folder…": large in the empty window, compact in the header once photos are
 * in (only one set is on the page at a time).
 */
export function Pickers({ compact = false }: { compact?: boolean }) {
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  return (
    <span className={compact ? 'pickers compact' : 'pickers'}>
      <button type="button" onClick={() => filesInput.current?.click()} data-testid="pick-files" title="Add photos">
        {compact ? 'Add photos…' : 'Choose photos…'}
      </button>
      <button type="button" onClick={() => void chooseFolder(() => folderInput.current?.click())} data-testid="pick-folder" title="Add a folder">
        {compact ? 'Add folder…' : 'Choose a folder…'}
      </button>
      <input
        ref={filesInput}
        data-testid="file-input"
        type="file"
        multiple
        accept="image/*"
        hidden
        onChange={(e) => {
          addFiles(filesFromInput(e.target.files));
          e.target.value = '';
        }}
      />
      <input
        ref={folderInput}
        type="file"
        hidden
        // @ts-expect-error webkitdirectory is not in React's typings but Chromium and Firefox support it
        webkitdirectory=""
        onChange={(e) => {
          addFiles(filesFromInput(e.target.files));
          e.target.value = '';
        }}
      />
    </span>
  );
}
