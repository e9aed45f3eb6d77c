import type { ColourLabel } from '../library/persistence';
import './overlays.css';

/** Lightroom's label names, as xmp:Label writes them and the help lists them. */
export const COLOUR_LABEL_NAMES: Record<Exclude<ColourLabel, 'none'>, string> = { red: 'Red', yellow: 'Yellow', green: 'Green', blue: 'Blue' };

/** A colour dot with its name for screen readers and the tooltip; nothing for a photo without a label. */
export function ColourLabelBadge({ label }: { label: ColourLabel | undefined }) {
  if (!label || label === 'none') return null;
  const name = `${COLOUR_LABEL_NAMES[label]} label`;
  return <span className={`colour-label is-${label}`} role="img" aria-label={name} title={name} data-testid="colour-label" data-label={label} />;
}
