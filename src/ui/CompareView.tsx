import type { Tile } from '../state/libraryStore';
import { DecisionBadge } from './DecisionBadge';
import { formatScore } from './format';
import { Overlay } from './Overlay';
import { StarsBadge } from './StarsBadge';
import { ColourLabelBadge } from './ColourLabelBadge';
import { FileName } from './FileName';
import { showBidiControls } from './safeName';
import './overlays.css';
import { useThumbnailUrl } from './useThumbnailUrl';

export interface CompareViewProps {
  /** 2–4 images, in the order they are shown. */
  tiles: Tile[];
  /** The one P/X/U/0–5 apply to. */
  focusedId: string | null;
  /** Object URL of the original file, or null to show the thumbnail. */
  fileUrlOf(id: string): string | null;
  onFocus(id: string): void;
  onClose(): void;
}

function CompareCell({ tile, index, focused, url, onFocus }: { tile: Tile; index: number; focused: boolean; url: string | null; onFocus(id: string): void }) {
  const thumbUrl = useThumbnailUrl(tile.id, tile.hasThumb);
  const src = url ?? thumbUrl;
  return (
    <button
      type="button"
      className={`compare-cell${focused ? ' is-focused' : ''}`}
      data-testid="compare-cell"
      data-id={tile.id}
      data-focused={focused ? 'true' : undefined}
      aria-pressed={focused}
      aria-label={`${index + 1}: ${showBidiControls(tile.name)}`}
      onClick={() => onFocus(tile.id)}
    >
      <span className="compare-frame">
        {src ? (
          <img src={src} alt={showBidiControls(tile.name)} decoding="async" draggable={false} data-source={url ? 'file' : 'thumbnail'} />
        ) : (
          <span className="compare-missing">No preview</span>
        )}
        {!url && src && <span className="compare-thumb-note">thumbnail</span>}
        <span className="compare-index" aria-hidden="true">
          {index + 1}
        </span>
      </span>
      <span className="compare-caption">
        <span className="compare-name" title={showBidiControls(tile.path)}>
          <FileName text={tile.name} />
        </span>
        <span className="compare-score" title="Aesthetic score">
          {formatScore(tile.score)}
        </span>
        <DecisionBadge decision={tile.decision} />
        <StarsBadge stars={tile.stars} />
        <ColourLabelBadge label={tile.label} />
      </span>
    </button>
  );
}

export function CompareView({ tiles, focusedId, fileUrlOf, onFocus, onClose }: CompareViewProps) {
  const shown = tiles.slice(0, 4);
  return (
    <Overlay label={`Compare ${shown.length} images`} className="compare" data-testid="compare" data-count={shown.length}>
      <header className="overlay-header compare-header">
        <h2>Compare {shown.length} images</h2>
        <span className="overlay-hint">Click an image to choose it; P, X, U and 0–5 apply to the highlighted one.</span>
        <button type="button" className="overlay-close" aria-label="Close compare" onClick={onClose}>
          ×
        </button>
      </header>
      <div className={`compare-grid compare-grid-${shown.length}`}>
        {shown.map((t, i) => (
          <CompareCell key={t.id} tile={t} index={i} focused={t.id === focusedId} url={fileUrlOf(t.id)} onFocus={onFocus} />
        ))}
      </div>
    </Overlay>
  );
}
