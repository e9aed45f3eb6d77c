import type { Decision } from '../library/persistence';
import './overlays.css';

const LABEL: Record<Exclude<Decision, 'none'>, string> = { pick: 'Pick', reject: 'Reject' };

export function DecisionBadge({ decision }: { decision: Decision }) {
  if (decision === 'none') return null;
  return (
    <span className={`decision-badge is-${decision}`} data-testid="decision" data-decision={decision}>
      {LABEL[decision]}
    </span>
  );
}
