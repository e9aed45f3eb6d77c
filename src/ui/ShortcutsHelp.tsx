import { helpSections } from './actions/registry';
import { Dialog } from './Dialog';
import './overlays.css';

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" closeLabel="Close shortcuts" testId="shortcuts-help" onClose={onClose}>
        <div className="help-groups">
          {helpSections().map(({ group, rows }) => (
            <table key={group} className="help-table" data-group={group}>
              <caption>{group}</caption>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.text} data-testid="shortcut">
                    <th scope="row">
                      {row.caps.map((k, i) => (
                        <span key={k}>
                          {/* A run of digits reads as a range; a pair reads as either-or or as a direction pair. */}
                          {i > 0 && <span className="help-sep">{row.caps.length > 2 ? ' ' : ' / '}</span>}
                          <kbd>{k}</kbd>
                        </span>
                      ))}
                    </th>
                    <td>{row.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        <p className="help-foot" data-testid="help-lightroom">
          Coming from Lightroom Classic: P, X, U, Shift+P/X/U, 0–5, 6–9, C, Z and Ctrl+Z do what they do there. Two
          keys differ: there G shows the grid and E the loupe; here Esc goes back to the grid, Space or Enter opens
          the loupe, E explains a score and G stacks similar photos.
        </p>
        <p className="help-foot">Esc or a click outside closes this list.</p>
    </Dialog>
  );
}
