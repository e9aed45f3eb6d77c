import { extensionOf } from '../library/rawExtensions';
import { formatBytes } from './format';
import type { Tile } from '../state/libraryStore';
import { showBidiControls } from './safeName';

/** "RAW+JPEG": this photo is two files, and a decision covers both. Small: the screen belongs to the photos. */
export function RawBadge({ tile }: { tile: Tile }) {
  if (!tile.companion) return null;
  const partner = extensionOf(tile.name) === 'heic' || extensionOf(tile.name) === 'heif' ? 'HEIC' : 'JPEG';
  return (
    <span
      className="qflag raw"
      data-testid="raw-badge"
      title={showBidiControls(`Shot as RAW+${partner}: ${tile.companion.path} (${formatBytes(tile.companion.bytes)}) goes with this file. Picks, rejects, stars and exports cover both; the scores come from the ${partner}.`)}
    >
      RAW+{partner}
    </span>
  );
}
