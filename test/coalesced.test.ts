import { describe, expect, it } from 'vitest';
import { coalesced } from '../src/state/coalesced';

describe('coalesced', () => {
  it('runs one pass at a time, and one more after calls that came during it', async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const run = coalesced(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
    }, () => undefined);
    const first = run();
    await Promise.all([run(), run(), run()]);
    expect(passes).toBe(1);
    release();
    await first;
    expect(passes).toBe(2);
    await run();
    expect(passes).toBe(3);
  });

  it('hands an error to onError and is ready to run again', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const run = coalesced(async () => {
      if (fail) throw new Error('boom');
    }, (e) => errors.push(e));
    await run();
    fail = false;
    await run();
    expect(errors.map(String)).toEqual(['Error: boom']);
  });
});
