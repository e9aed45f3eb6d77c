/** Cull to a target: the dialog (Shift+K, beside K's "keep best of each group") and its Apply. */
import { applyTarget, useCullTarget } from '../../state/cullTarget';
import { shifted } from './keys';
import { toggle } from './viewActions';
import { EVERYWHERE, type Action } from './types';

export const cullToTarget: Action = {
  id: 'cull-to-target',
  label: 'Cull to a target…',
  detail: 'keep the best N or N % of the photos shown, each group’s best first, with a slider for variety; shows what it keeps before it acts',
  group: 'Cull',
  keys: [shifted('k')],
  scopes: EVERYWHERE,
  enabled: (ctx) => ctx.view.items.length > 0 || ctx.ui.overlay === 'target',
  perform: (ctx) => toggle(ctx, 'target'),
};

export const applyCullTarget: Action = {
  id: 'cull-to-target-apply',
  label: 'Mark them',
  detail: 'pick the photos shown in the preview (and reject the rest, if ticked), in one change that Ctrl+Z undoes',
  group: 'Cull',
  keys: [],
  scopes: ['target'],
  enabled: () => (useCullTarget.getState().preview?.keep.length ?? 0) > 0,
  perform: async (ctx) => {
    const { preview, rejectRest } = useCullTarget.getState();
    if (!preview || preview.keep.length === 0) return;
    if (!(await applyTarget(preview, rejectRest))) return;
    const rejected = rejectRest ? preview.candidates.length - preview.keep.length : 0;
    ctx.ui.open(null);
    ctx.ui.notify(`Picked ${preview.keep.length}${rejected ? `, rejected ${rejected}` : ''}. Ctrl+Z undoes.`);
  },
};
