/// <reference lib="webworker" />
/** Groups bursts and near-duplicates, and culls to a target, off the main thread: 20,000 images take longer than a frame. */
import { selectTarget, type TargetRequest, type TargetSelection } from '../scoring/cullTarget';
import { groupNearDuplicates } from '../scoring/groups';
import type { Grouped, GroupingApi, GroupRequest } from './protocol';
import { serve, withTransfer } from './rpc';

function group(request: GroupRequest): Grouped {
  const t0 = performance.now();
  const { groups } = groupNearDuplicates(request);
  return withTransfer({ groups, ms: performance.now() - t0 }, groups.map((g) => g.buffer));
}

function target(request: TargetRequest): TargetSelection {
  const chosen = selectTarget(request);
  return withTransfer(chosen, [chosen.kept.buffer, chosen.round.buffer]);
}

serve<GroupingApi>({ group, selectTarget: target });
