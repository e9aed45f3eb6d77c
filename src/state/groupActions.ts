import { keepBestPlan } from '../scoring/groups';
import { decide } from './decisions';
import { useUi } from './uiStore';
import type { View } from './view';

/**
 * "Keep the best of every group": rejects every other member of each burst / near-duplicate group, as the
 * view ranks them (so the ★ the user sees is what is kept). One decision batch: Ctrl+Z undoes it whole.
 */
export async function keepBestOfGroups(view: View): Promise<{ groups: number; rejected: number }> {
  const groups = view.groups ?? [];
  const ids = groups.flatMap((g) => g.members);
  const index = new Map(ids.map((id, i) => [id, i]));
  const plan = keepBestPlan(
    groups.map((g) => Int32Array.from(g.members, (id) => index.get(id)!)),
    Int32Array.from(groups, (g) => index.get(g.best)!),
  );
  const reject = plan.reject.map((i) => ids[i]);
  if (reject.length > 0) await decide(reject, { decision: 'reject' });
  return { groups: groups.length, rejected: reject.length };
}

export async function keepBestAndSay(view: View): Promise<void> {
  const { groups, rejected } = await keepBestOfGroups(view);
  useUi.getState().notify(
    groups === 0 ? 'No groups of similar images to cull.' : `Kept the best of ${groups} group${groups === 1 ? '' : 's'}: rejected ${rejected}. Ctrl+Z undoes.`,
  );
}
