import type { GroupRequest, GroupResponse } from './protocol';

let worker: Worker | null = null;
let nextId = 1;
let latest = 0;

/**
 * Groups in the grouping worker. Only the latest call's answer counts (a slider moved again meanwhile):
 * earlier calls resolve to null. The embeddings buffer is transferred.
 */
export function groupInWorker(req: Omit<GroupRequest, 'id'>): Promise<{ groups: Int32Array[]; ms: number } | null> {
  worker ??= new Worker(new URL('./grouping.worker.ts', import.meta.url), { type: 'module', name: 'loupe-grouping' });
  const w = worker;
  const id = nextId++;
  latest = id;
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent<GroupResponse>) => {
      if (e.data.id !== id) return;
      w.removeEventListener('message', onMessage);
      if (id !== latest) return resolve(null);
      if (e.data.type === 'grouped') resolve({ groups: e.data.groups, ms: e.data.ms });
      else reject(new Error(e.data.message));
    };
    w.addEventListener('message', onMessage);
    w.postMessage({ ...req, id } satisfies GroupRequest, [req.embeddings.buffer]);
  });
}
