import { useShallow } from 'zustand/react/shallow';
import { useUi } from '../../state/uiStore';
import { useView } from '../useView';
import { actionContext } from './context';
import { performIfEnabled, tooltipOf } from './registry';
import type { Action } from './types';

export interface ActionButton {
  label: string;
  /** The detail and the shortcut, for the button's title. */
  title: string;
  enabled: boolean;
  run(): void;
}

/** One action for a button: its words and enabled state now, and a run that reads the state of the click. */
export function useAction(action: Action): ActionButton {
  const view = useView();
  // enabled() reads the focus, selection and open overlay besides the view: re-render when they change.
  useUi(useShallow((s) => [s.focusedId, s.selection, s.overlay, s.zoom]));
  return {
    label: action.label,
    title: tooltipOf(action),
    enabled: action.enabled(actionContext(view)),
    run: () => performIfEnabled(action, actionContext(view)),
  };
}
