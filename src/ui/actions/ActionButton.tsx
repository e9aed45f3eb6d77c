import type { Action } from './types';
import { useAction } from './useAction';

/** A button that shows an action's label and tooltip, greys out when it cannot run, and runs it. */
export function ActionButton({ action, testId, className }: { action: Action; testId: string; className?: string }) {
  const { label, title, enabled, run } = useAction(action);
  return (
    <button type="button" className={className} data-testid={testId} title={title} disabled={!enabled} onClick={run}>
      {label}
    </button>
  );
}
