import { useMemo } from 'react';
import { useEngine } from '../state/engineStore';
import { sortTiles, useLibrary, type Tile } from '../state/libraryStore';
import { formatBytes, formatScore } from './format';

function TileView({ tile, scale }: { tile: Tile; scale: string | null }) {
  return (
    <figure className={`tile tile-${tile.status}`} data-testid="tile" data-name={tile.name} data-status={tile.status} data-score={tile.score ?? ''}>
      <div className="thumb">
        {tile.thumbUrl ? <img src={tile.thumbUrl} alt={tile.name} loading="lazy" /> : <div className="thumb-empty" />}
        {tile.status === 'scored' && (
          <span className="score" data-testid="score" title={scale ?? 'Aesthetic score'}>
            {formatScore(tile.score)}
          </span>
        )}
      </div>
      <figcaption>
        <span className="name" title={tile.path}>
          {tile.path}
        </span>
        {tile.status === 'failed' ? (
          <span className="error" data-testid="tile-error" role="note">
            {tile.error}
          </span>
        ) : (
          <span className="meta">
            {tile.width && tile.height ? `${tile.width}×${tile.height} · ` : ''}
            {formatBytes(tile.bytes)}
            {tile.status === 'queued'
              ? ' · waiting'
              : tile.status === 'decoded'
                ? ' · not scored (no model)'
                : tile.status === 'cancelled'
                  ? ' · cancelled'
                  : ''}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

export function Grid() {
  const { tiles, order, sort } = useLibrary();
  const scale = useEngine((s) => s.ready?.headScale ?? null);
  const sorted = useMemo(() => sortTiles(order.map((id) => tiles[id]), sort), [tiles, order, sort]);
  if (sorted.length === 0) return null;
  return (
    <main className="grid" data-testid="grid">
      {sorted.map((t) => (
        <TileView key={t.id} tile={t} scale={scale} />
      ))}
    </main>
  );
}
