import { useEffect } from 'react';
import { useUi } from '../state/uiStore';
import { showBidiControls } from './safeName';

/** A short message at the bottom (bulk actions, undo, storage problems); fades after a while. */
export function Notice() {
  const { notice, notify } = useUi();
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => notify(null), 8000);
    return () => clearTimeout(t);
  }, [notice, notify]);
  if (!notice) return null;
  return (
    <div className="notice" role="status" data-testid="notice">
      {/* Notices quote file and folder names (copied picks, folders without access). */}
      {showBidiControls(notice)}
    </div>
  );
}
