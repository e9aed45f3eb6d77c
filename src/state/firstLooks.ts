/**
 * The grid's first look at files still being read: each file's own small preview (a JPEG's EXIF thumbnail, a
 * RAW's embedded preview), shown after the tiles as soon as it is read from the file's first bytes, before
 * the file is identified (a hash of every byte, which takes far longer: 7 MB per camera JPEG). A look is not a
 * tile: it has no id to keep decisions under, so it cannot be picked or rejected; when its file is identified,
 * the tile takes its thumbnail over and the look goes. Updates are applied with the tile patches
 * (tilePatches.ts), so a tile and the look it replaces change in the same render.
 */
import { create } from 'zustand';

export interface FirstLook {
  /** Unique per dropped file, for this session only. */
  key: string;
  name: string;
  path: string;
  /** The look's own URL, for its place in the grid while the file is read (revoked once identified). */
  thumbUrl: string;
  /** The preview itself: the file's tile shows it until the analysis makes a thumbnail. */
  thumbnail: Blob;
}

interface FirstLooksState {
  items: FirstLook[];
}

export const useFirstLooks = create<FirstLooksState>(() => ({ items: [] }));

const added: FirstLook[] = [];
const removed = new Set<string>();
/** Looks not yet applied, or shown: by key, for `takeFirstLook`. */
const live = new Map<string, FirstLook>();

export function queueFirstLook(look: FirstLook): void {
  added.push(look);
  live.set(look.key, look);
}

/**
 * The look of `key` leaves the grid (with the next flush); it is the caller's now, to give to the file's tile,
 * and its URL the caller's to revoke. null when the file had no look.
 */
export function takeFirstLook(key: string): FirstLook | null {
  const look = live.get(key);
  if (!look) return null;
  live.delete(key);
  removed.add(key);
  return look;
}

/** Applies the queued changes (called by flushTilePatches). */
export function applyFirstLooks(): void {
  if (added.length === 0 && removed.size === 0) return;
  const fresh = added.filter((l) => !removed.has(l.key));
  const kept = useFirstLooks.getState().items.filter((l) => !removed.has(l.key));
  added.length = 0;
  removed.clear();
  useFirstLooks.setState({ items: [...kept, ...fresh] });
}
