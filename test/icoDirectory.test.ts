/** ICO/CUR: recognised by the sniff, sized from the best entry before decoding (what Chromium shows). */
import { describe, expect, it } from 'vitest';
import { headerSize, planDecode } from '../src/library/decodePlan';
import { bestIcoEntry, readIcoDirectory } from '../src/library/icoDirectory';
import { detectFormat, sniffImage } from '../src/library/sniff';

const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [...le16(v & 0xffff), ...le16(v >>> 16)];

/** A directory of [width byte, height byte, colour count, bit count] entries, images following it. */
function directory(type: 1 | 2, entries: [number, number, number, number][]): Uint8Array {
  const end = 6 + 16 * entries.length;
  const dir = entries.flatMap(([w, h, colors, bits], i) => [w, h, colors, 0, ...le16(1), ...le16(bits), ...le32(40), ...le32(end + 40 * i)]);
  return Uint8Array.from([0, 0, type, 0, ...le16(entries.length), ...dir, ...new Array(40 * entries.length).fill(0)]);
}

describe('ICO and CUR', () => {
  it('are sniffed as ico (icons and cursors), and an empty directory is not', () => {
    expect(detectFormat(directory(1, [[16, 16, 0, 32]]))).toBe('ico');
    expect(detectFormat(directory(2, [[32, 32, 2, 0]]))).toBe('ico');
    expect(detectFormat(Uint8Array.from([0, 0, 1, 0, 0, 0]))).toBe('unknown');
    expect(detectFormat(Uint8Array.from([0, 0, 3, 0, 1, 0]))).toBe('unknown');
    const file = directory(1, [[16, 16, 0, 32]]);
    expect(sniffImage(file.subarray(0, 64), file, file.length)).toEqual({ format: 'ico', problem: null });
  });

  it('take their size from the largest entry (0 meaning 256), whatever its place in the file', () => {
    expect(headerSize('ico', directory(1, [[16, 16, 0, 32], [0, 0, 0, 32], [48, 48, 0, 32]]))).toEqual({ width: 256, height: 256 });
    expect(headerSize('ico', directory(1, [[32, 16, 0, 8]]))).toEqual({ width: 32, height: 16 });
    expect(planDecode('ico', headerSize('ico', directory(1, [[0, 0, 0, 32]])), false)).toEqual({ kind: 'full' });
    // A directory cut short, or an entry pointing into the directory: no size, refused as damaged.
    expect(headerSize('ico', directory(1, [[16, 16, 0, 32]]).subarray(0, 12))).toBeNull();
    const bad = directory(1, [[16, 16, 0, 32]]);
    bad.set(le32(4), 18);
    expect(headerSize('ico', bad)).toBeNull();
  });

  it('rank equal areas by bit depth, taken from the colour count when the bit count is 0 (always, in cursors)', () => {
    const icon = readIcoDirectory(directory(1, [[64, 64, 0, 24], [64, 64, 0, 32], [64, 64, 16, 0]]))!;
    expect(icon.map((e) => e.bitCount)).toEqual([24, 32, 4]);
    expect(bestIcoEntry(icon)).toBe(icon[1]);
    const cursor = readIcoDirectory(directory(2, [[32, 32, 2, 0], [32, 32, 0, 0]]))!;
    expect(cursor.map((e) => e.bitCount)).toEqual([1, 8]);
    expect(bestIcoEntry(cursor)).toBe(cursor[1]);
    expect(bestIcoEntry([])).toBeNull();
  });
});
