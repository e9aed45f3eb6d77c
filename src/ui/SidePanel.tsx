import { useLayout } from '../state/layout';
import { GroupBar } from './GroupBar';
import { Settings } from './Settings';
import { TagDetails } from './TagDetails';
import { Toolbar } from './Toolbar';

/**
 * The controls that are set now and then (the active tag's sliders and taste, filters, bulk actions, export,
 * grouping, settings), beside the photos rather than above them: a column on a wide screen, a drawer on a
 * phone. Shift+B or the header's "Controls" button shows and hides it; the choice is remembered on this device.
 */
export function SidePanel() {
  const open = useLayout((s) => s.panelOpen);
  const setOpen = useLayout((s) => s.setPanelOpen);
  if (!open) return null;
  return (
    <aside className="side-panel" data-testid="side-panel" aria-label="Controls">
      <header className="side-panel-head">
        <h3>Controls</h3>
        <button type="button" className="link" aria-label="Hide the controls (Shift+B)" data-testid="side-panel-close" onClick={() => setOpen(false)}>
          ×
        </button>
      </header>
      <TagDetails />
      <Toolbar />
      <GroupBar />
      <Settings />
    </aside>
  );
}
