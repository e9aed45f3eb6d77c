import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/platform/sha256Hex';

const nodeSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  it('hashes like node:crypto, views and whole buffers alike', async () => {
    const bytes = randomBytes(1234);
    expect(await sha256Hex(bytes)).toBe(nodeSha256(bytes));
    const copy = new Uint8Array(bytes);
    expect(await sha256Hex(copy.buffer)).toBe(nodeSha256(bytes));
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes only the view, not the rest of its buffer', async () => {
    const whole = randomBytes(100);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 10, 50);
    expect(await sha256Hex(view)).toBe(nodeSha256(whole.subarray(10, 60)));
  });

  it("hashes a view on a SharedArrayBuffer (browsers' subtle.digest refuses one as is)", async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64));
    shared.set(randomBytes(64));
    expect(await sha256Hex(shared)).toBe(nodeSha256(new Uint8Array(shared)));
  });
});
