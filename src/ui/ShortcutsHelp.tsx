import { Overlay } from './Overlay';
import './overlays.css';

export interface Shortcut {
  /** What the key caps say; alternatives that do the same thing are separate entries. */
  keys: string[];
  action: string;
  group: string;
}

/** The one list of shortcuts: the help view renders it and tests check the keyboard handler against it. */
export const SHORTCUTS: Shortcut[] = [
  { group: 'Flag', keys: ['P'], action: 'Pick' },
  { group: 'Flag', keys: ['X'], action: 'Reject' },
  { group: 'Flag', keys: ['U'], action: 'Unflag' },
  { group: 'Rate', keys: ['1', '2', '3', '4', '5'], action: '1 to 5 stars' },
  { group: 'Rate', keys: ['0'], action: 'No stars' },
  { group: 'Move', keys: ['←', '→'], action: 'Previous / next image' },
  { group: 'Move', keys: ['↑', '↓'], action: 'Row above / below' },
  { group: 'Move', keys: ['Home', 'End'], action: 'First / last image' },
  { group: 'View', keys: ['Space', 'Enter'], action: 'Open the focused image in the loupe' },
  { group: 'View', keys: ['Z'], action: 'Zoom 100 % / fit (in the loupe)' },
  { group: 'View', keys: ['C'], action: 'Compare the 2–4 selected (Ctrl/Cmd-click to select), else the focused and the next' },
  { group: 'View', keys: ['E'], action: 'Explain why the focused image ranks where it does' },
  { group: 'View', keys: ['G'], action: 'Stacks: show each group of similar images as its best one' },
  { group: 'View', keys: ['?'], action: 'Show this list' },
  { group: 'View', keys: ['Esc'], action: 'Close the open view' },
  { group: 'Edit', keys: ['Ctrl+Z', '⌘Z'], action: 'Undo' },
  { group: 'Flag', keys: ['K'], action: 'Keep the best (★) of each group of similar images, reject the rest' },
  { group: 'Rank', keys: ['T'], action: 'Learn my taste for the active tag from my picks, rejects and stars' },
];

function groups(list: Shortcut[]): [string, Shortcut[]][] {
  const byGroup = new Map<string, Shortcut[]>();
  for (const s of list) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);
  return [...byGroup];
}

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Overlay label="Keyboard shortcuts" className="overlay-centered" data-testid="shortcuts-help" onBackdropClick={onClose}>
      <div className="help-panel">
        <header className="overlay-header">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="overlay-close" aria-label="Close shortcuts" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="help-groups">
          {groups(SHORTCUTS).map(([group, items]) => (
            <table key={group} className="help-table" data-group={group}>
              <caption>{group}</caption>
              <tbody>
                {items.map((s) => (
                  <tr key={s.action} data-testid="shortcut">
                    <th scope="row">
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {/* A run of digits reads as a range; a pair reads as either-or or as a direction pair. */}
                          {i > 0 && <span className="help-sep">{s.keys.length > 2 ? ' ' : ' / '}</span>}
                          <kbd>{k}</kbd>
                        </span>
                      ))}
                    </th>
                    <td>{s.action}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        <p className="help-foot">Esc or a click outside closes this list.</p>
      </div>
    </Overlay>
  );
}
