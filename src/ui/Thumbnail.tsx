import type { ReactNode } from 'react';
import type { Tile } from '../state/libraryStore';
import { showBidiControls } from './safeName';
import { useThumbnailUrl } from './useThumbnailUrl';

/** A tile's thumbnail, its URL made while it is on screen (state/thumbnails.ts); `fallback` until then or without one. */
export function Thumbnail({ tile, fallback = null, title, testId }: { tile: Tile | undefined; fallback?: ReactNode; title?: string; testId?: string }) {
  const url = useThumbnailUrl(tile?.id, !!tile?.hasThumb);
  if (!tile || !url) return <>{fallback}</>;
  return <img src={url} alt={showBidiControls(tile.name)} title={title} decoding="async" data-testid={testId} data-id={testId ? tile.id : undefined} />;
}
