/**
 * Transfer lists for worker results. A method's return value can only be one value, so the buffers to move
 * with it are attached on the side: `return withTransfer(result, [result.embeddings.buffer])`.
 */

const attached = new WeakMap<object, Transferable[]>();

/** Marks `value` so that serve() moves these buffers to the page instead of copying them; returns `value`. */
export function withTransfer<T extends object>(value: T, transfer: Transferable[]): T {
  attached.set(value, transfer);
  return value;
}

/** The buffers marked on `value` (none when unmarked); the mark is used once. */
export function takeTransfer(value: unknown): Transferable[] {
  if (typeof value !== 'object' || value === null) return [];
  const transfer = attached.get(value) ?? [];
  attached.delete(value);
  return transfer;
}
