import { useEffect } from 'react';
import { useUi } from '../state/uiStore';
import { showBidiControls } from './safeName';

/** How long a notice stays: 8 s, or its reading time (about 60 ms a character) for a long one, at most 30 s. */
export const noticeMs = (text: string) => Math.min(30_000, Math.max(8000, text.length * 60));

/** A short message at the bottom (bulk actions, undo, storage problems); fades after its reading time. */
export function Notice() {
  const { notice, notify } = useUi();
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => notify(null), noticeMs(notice));
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
