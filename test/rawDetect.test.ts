/** detectRaw: magic bytes first, the extension for the plain-TIFF brands, null for everything else. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRaw } from '../src/library/raw';
import { REQUIRED_FORMATS, writeRawContainer } from './helpers/rawContainers';
import { Layout, T, writeIfd } from './helpers/tiffLayout';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const padded = (b: Uint8Array) => {
  const out = new Uint8Array(64);
  out.set(b.subarray(0, 64));
  return out;
};

describe('detectRaw', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-raw-detect-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names every required format from a generated file of it', async () => {
    for (const format of REQUIRED_FORMATS) {
      const g = await writeRawContainer(dir, format, { rawBytes: 1024 });
      expect(detectRaw(readFileSync(g.path).subarray(0, 64), g.path), format).toBe(format);
      // Upper-case names from a camera card, Windows paths.
      expect(detectRaw(readFileSync(g.path).subarray(0, 64), `C:\\DCIM\\IMG_0001.${g.path.split('.').pop()!.toUpperCase()}`)).toBe(format);
    }
  });

  it('names CRW, MRW, IIQ and ORF/RW2 variants by their magic', () => {
    expect(detectRaw(padded(bytes('II\x1a\0\0\0HEAPCCDR')), 'a.crw')).toBe('CRW');
    expect(detectRaw(padded(bytes('\0MRM\0\0\x0a\x0c\0PRD')), 'a.mrw')).toBe('MRW');
    expect(detectRaw(padded(bytes('II*\0\x08\x0a\0\0IIIICwaR')), 'a.iiq')).toBe('IIQ');
    expect(detectRaw(padded(bytes('IIRS\x08\0\0\0')), 'a.orf')).toBe('ORF');
    expect(detectRaw(padded(bytes('MMOR\0\0\0\x08')), 'a.orf')).toBe('ORF');
    expect(detectRaw(padded(bytes('IIU\0\x18\0\0\0')), 'a.rwl')).toBe('RW2');
    // Magic wins over the name: a CR2 renamed .tif is still a CR2.
    expect(detectRaw(padded(bytes('II*\0\x10\0\0\0CR\x02\0')), 'a.tif')).toBe('CR2');
  });

  it('plain TIFFs are not RAWs unless the name or a DNGVersion says so', async () => {
    const tiff = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).tiff().toBuffer());
    expect(detectRaw(tiff.subarray(0, 64), 'scan.tif')).toBeNull();
    expect(detectRaw(tiff.subarray(0, 64), 'scan.tiff')).toBeNull();
    expect(detectRaw(tiff.subarray(0, 64), 'scan')).toBeNull();
    expect(detectRaw(tiff.subarray(0, 64), 'x.constructor')).toBeNull();
    expect(detectRaw(tiff.subarray(0, 64), 'IMG_1.NEF')).toBe('NEF');

    const L = new Layout(true);
    L.ascii('II').u16(42).u32(8);
    writeIfd(L, [{ tag: 0x100, type: T.LONG, value: [8] }, { tag: 0xc612, type: T.BYTE, value: [1, 4, 0, 0] }]);
    const dngHead = padded(L.flat());
    expect(detectRaw(dngHead, 'converted.tif')).toBe('DNG');
    expect(detectRaw(dngHead, 'no-extension')).toBe('DNG');
  });

  it('other images and short heads are not RAWs', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).jpeg().toBuffer());
    const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer());
    expect(detectRaw(jpeg.subarray(0, 64), 'IMG_1.JPG')).toBeNull();
    expect(detectRaw(jpeg.subarray(0, 64), 'IMG_1.NEF')).toBeNull();
    expect(detectRaw(png.subarray(0, 64), 'a.png')).toBeNull();
    expect(detectRaw(padded(bytes('\0\0\0\x18ftypheic')), 'a.heic')).toBeNull();
    expect(detectRaw(bytes('II*\0'), 'a.nef')).toBeNull();
    expect(detectRaw(new Uint8Array(0), 'a.cr3')).toBeNull();
  });
});
