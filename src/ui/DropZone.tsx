import { useState, type ReactNode } from 'react';
import { filesFromDataTransfer } from '../library/collectFiles';
import { addFiles } from '../state/pipeline';
import { useLibrary } from '../state/libraryStore';
import { Pickers } from './Pickers';

/** The whole window accepts a drop. */
export function DropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
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
    </div>
  );
}

/** Before any photo: what to do, and the pickers (large; the header's compact ones appear once photos are in). */
export function EmptyState() {
  const empty = useLibrary((s) => s.order.length === 0);
  if (!empty) return null;
  return (
    <div className="empty">
      <p className="empty-title">Drop a folder of photos anywhere in this window</p>
      <p className="empty-sub">Everything stays on this device: nothing is uploaded.</p>
      <Pickers />
    </div>
  );
}
