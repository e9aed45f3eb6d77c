import { useCallback, useSyncExternalStore } from 'react';
import { thumbnailUrl, watchThumbnail } from '../state/thumbnails';

/**
 * The object URL of a tile's thumbnail while this view is mounted (state/thumbnails.ts makes it from storage
 * and revokes it once it is off screen long enough); null for a frame or so, and when the tile has none.
 */
export function useThumbnailUrl(id: string | null | undefined, has: boolean): string | null {
  const key = id && has ? id : null;
  const subscribe = useCallback((onChange: () => void) => (key ? watchThumbnail(key, onChange) : () => undefined), [key]);
  return useSyncExternalStore(subscribe, () => (key ? thumbnailUrl(key) : null));
}
