import type { Stars } from '../library/persistence';
import './overlays.css';

export interface StarsBadgeProps {
  stars: Stars;
  /** For tiles: nothing at 0 stars and only the filled stars, on a dark pill so it reads over a thumbnail. */
  compact?: boolean;
}

export function StarsBadge({ stars, compact = false }: StarsBadgeProps) {
  if (compact && stars === 0) return null;
  const label = `${stars} ${stars === 1 ? 'star' : 'stars'}`;
  return (
    // role="img": a plain span's aria-label is ignored by screen readers, and "★★★☆☆" read aloud is noise.
    <span className={`stars-badge${compact ? ' is-compact' : ''}`} role="img" aria-label={label} title={label} data-stars={stars}>
      <span className="stars-on">{'★'.repeat(stars)}</span>
      {!compact && <span className="stars-off">{'☆'.repeat(5 - stars)}</span>}
    </span>
  );
}
