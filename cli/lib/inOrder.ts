/**
 * Maps items through an async function with up to `ahead` calls in flight, yielding results in input order:
 * files are decoded while the encoder works on the previous batch, and rows still come out in sorted order.
 * `fn` must not reject (return failures as values): a rejection nobody awaits yet would be unhandled.
 */
export async function* inOrder<T, R>(items: readonly T[], ahead: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  let next = 0;
  const refill = (): void => {
    while (next < items.length && window.length < ahead) window.push(fn(items[next++]));
  };
  refill();
  while (window.length > 0) {
    const result = await (window.shift() as Promise<R>);
    refill();
    yield result;
  }
}
