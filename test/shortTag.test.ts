import { describe, expect, it } from 'vitest';
import { shortTag } from '../src/ui/format';

describe('shortTag', () => {
  it('leaves a short tag as it is', () => {
    expect(shortTag('a cat on a sofa')).toBe('a cat on a sofa');
  });

  it('ends a long tag between words, without a trailing comma, in "…"', () => {
    const tag = 'a quiet harbour at dawn with fishing boats, moored along the old stone quay while gulls circle above';
    const short = shortTag(tag, 44);
    expect(short).toBe('a quiet harbour at dawn with fishing boats…');
    expect(short.length).toBeLessThanOrEqual(45);
  });

  it('cuts a long run without spaces at the limit', () => {
    expect(shortTag('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
