/// <reference lib="webworker" />
/** Groups bursts and near-duplicates off the main thread: 20,000 images take longer than a frame. */
import { groupNearDuplicates } from '../scoring/groups';
import type { GroupRequest, GroupResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (event: MessageEvent<GroupRequest>) => {
  const req = event.data;
  try {
    const t0 = performance.now();
    const { groups } = groupNearDuplicates(req);
    const message: GroupResponse = { type: 'grouped', id: req.id, groups, ms: performance.now() - t0 };
    self.postMessage(message, groups.map((g) => g.buffer));
  } catch (err) {
    self.postMessage({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) } satisfies GroupResponse);
  }
};
