import { describe, expect, it } from 'vitest';
import { detectFormat } from '../src/library/sniff';

/** An ftyp box: size, 'ftyp', major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]) => {
  const text = `ftyp${major}\0\0\0\0${compatible.join('')}`;
  const size = 4 + text.length;
  return new Uint8Array([0, 0, 0, size, ...[...text].map((c) => c.charCodeAt(0)), 0, 0, 0, 8]);
};

describe('detectFormat on HEIF-family brands', () => {
  it('tells AVIF from HEIC by the compatible brands when the major brand is generic', () => {
    expect(detectFormat(ftyp('avif', 'mif1', 'avif', 'miaf'))).toBe('avif');
    expect(detectFormat(ftyp('mif1', 'mif1', 'avif', 'miaf'))).toBe('avif');
    expect(detectFormat(ftyp('miaf', 'avis'))).toBe('avif');
    expect(detectFormat(ftyp('heic', 'mif1', 'heic'))).toBe('heic');
    expect(detectFormat(ftyp('mif1', 'mif1', 'heic'))).toBe('heic');
    expect(detectFormat(ftyp('msf1', 'msf1', 'hevc'))).toBe('heic');
  });

  it('reads compatible brands only inside the ftyp box', () => {
    // 'avif' right after a 16-byte ftyp box is the next box's bytes, not a brand.
    const box = ftyp('mif1');
    expect(detectFormat(new Uint8Array([...box.subarray(0, 16), ...new TextEncoder().encode('avif')]))).toBe('heic');
  });
});
