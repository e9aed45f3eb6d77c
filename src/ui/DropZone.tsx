import { useRef, useState, type ReactNode } from 'react';
import { filesFromDataTransfer, filesFromInput } from '../library/collectFiles';
import { canOpenFolders, filesInFolder, pickFolder, rememberFolder } from '../library/folderAccess';
import { addFiles } from '../state/pipeline';
import { useLibrary } from '../state/libraryStore';

/** With the File System Access API the folder is remembered for reconnecting after a reload. */
async function chooseFolder(fallback: () => void): Promise<void> {
  if (!canOpenFolders()) return fallback();
  const dir = await pickFolder();
  if (!dir) return;
  await rememberFolder(dir);
  await addFiles(await filesInFolder(dir));
}

/** The whole window accepts a drop; the empty state explains what to do and offers pickers. */
export function DropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const empty = useLibrary((s) => s.order.length === 0);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  return (
    <div
      className={`app ${over ? 'drag-over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void filesFromDataTransfer(e.dataTransfer).then(addFiles);
      }}
    >
      {children}
      <div className={empty ? 'empty' : 'pickers'}>
        {empty && <p className="empty-title">Drop a folder of photos anywhere in this window</p>}
        {empty && <p className="empty-sub">Everything stays on this device: nothing is uploaded.</p>}
        <button onClick={() => filesInput.current?.click()} data-testid="pick-files">
          Choose photos…
        </button>
        <button onClick={() => void chooseFolder(() => folderInput.current?.click())} data-testid="pick-folder">
          Choose a folder…
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
      </div>
    </div>
  );
}
