import { useEffect, useState } from 'react';
import { filesInFolder, regainAccess, rememberedFolders, type FolderHandle } from '../library/folderAccess';
import { addFiles } from '../state/pipeline';
import { useLibrary } from '../state/libraryStore';
import { librarySummary } from '../state/librarySummary';
import { useUi } from '../state/uiStore';
import { FileName } from './FileName';

/** After a reload: one click gives the session its files back from the folders it came from. */
export function ReconnectBanner() {
  const detached = useLibrary((s) => librarySummary(s).detached);
  const [folders, setFolders] = useState<FolderHandle[]>([]);
  useEffect(() => {
    if (detached > 0) void rememberedFolders().then(setFolders);
  }, [detached > 0]); // eslint-disable-line react-hooks/exhaustive-deps
  if (detached === 0 || folders.length === 0) return null;

  const reconnect = async () => {
    for (const dir of folders) {
      if (!(await regainAccess(dir))) {
        useUi.getState().notify(`No access to “${dir.name}”: drop the folder instead.`);
        continue;
      }
      await addFiles(await filesInFolder(dir));
    }
  };
  return (
    <div className="banner banner-info" data-testid="reconnect-banner">
      {detached} image{detached === 1 ? '' : 's'} from your last session need their files for the full-size view and
      for analysis.{' '}
      <button onClick={() => void reconnect()} data-testid="reconnect">
        Reconnect{' '}
        {folders.map((f, i) => (
          <span key={i}>
            {i > 0 && ', '}“<FileName text={f.name} />”
          </span>
        ))}
      </button>{' '}
      <span className="hint">or drop the folder again.</span>
    </div>
  );
}
