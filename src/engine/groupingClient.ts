/** The page's side of the grouping worker (grouping.worker.ts), started on the first grouping. */
import type { TargetSelection } from '../scoring/cullTarget';
import type { BlockTargetRequest, Grouped, GroupingApi, GroupRequest } from './protocol';
import { Cancelled, connect } from './rpc';

const grouping = connect<GroupingApi>(() => new Worker(new URL('./grouping.worker.ts', import.meta.url), { type: 'module', name: 'loupe-grouping' }), {
  name: 'grouping',
});

/** The call a newer one supersedes. */
let latest: AbortController | null = null;

/**
 * Groups in the grouping worker. Only the latest call's answer counts (a slider moved again meanwhile):
 * earlier calls resolve to null at once. The embeddings buffer is transferred. A crashed worker rejects the
 * calls it had (and the next call starts a fresh one).
 */
export async function groupInWorker(request: GroupRequest): Promise<Grouped | null> {
  latest?.abort();
  const mine = new AbortController();
  latest = mine;
  try {
    return await grouping.remote.group(request, { signal: mine.signal, transfer: request.embeddings.map((b) => b.buffer) });
  } catch (err) {
    if (err instanceof Cancelled) return null;
    throw err;
  } finally {
    if (latest === mine) latest = null;
  }
}

/** The photos a cull to a target keeps (scoring/cullTarget.ts), worked out in the grouping worker (which L2-normalises the rows itself). */
export function selectTargetInWorker(request: BlockTargetRequest, signal?: AbortSignal): Promise<TargetSelection> {
  return grouping.remote.selectTarget(request, { signal, transfer: request.embeddings.map((b) => b.buffer) });
}
