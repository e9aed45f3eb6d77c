/// <reference lib="webworker" />
/** Groups bursts and near-duplicates, and culls to a target, off the main thread: 20,000 images take longer than a frame. */
import { selectTarget, type TargetSelection } from '../scoring/cullTarget';
import { groupNearDuplicates } from '../scoring/groups';
import { joinRowBlocks, normalizeRows } from '../scoring/similarity';
import type { BlockTargetRequest, Grouped, GroupingApi, GroupRequest } from './protocol';
import { serve, withTransfer } from './rpc';

/** The page sends row blocks as the encoder gave them: joining and normalising 20,000 rows is the worker's work. */
const rows = (r: { embeddings: Float32Array[]; count: number; dim: number }) => normalizeRows(joinRowBlocks(r.embeddings, r.count, r.dim), r.count, r.dim);

function group(request: GroupRequest): Grouped {
  const t0 = performance.now();
  const { groups } = groupNearDuplicates({ ...request, embeddings: rows(request) });
  return withTransfer({ groups, ms: performance.now() - t0 }, groups.map((g) => g.buffer));
}

function target(request: BlockTargetRequest): TargetSelection {
  const chosen = selectTarget({ ...request, embeddings: rows(request) });
  return withTransfer(chosen, [chosen.kept.buffer, chosen.round.buffer]);
}

serve<GroupingApi>({ group, selectTarget: target });
