import { describe, expect, it } from 'vitest';
import { detectFormat, sniffImage } from '../src/library/sniff';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

const jpegHead = bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF');
const pngHead = bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]);

describe('sniffImage', () => {
  it('names formats by their magic bytes', () => {
    expect(detectFormat(jpegHead)).toBe('jpeg');
    expect(detectFormat(pngHead)).toBe('png');
    expect(detectFormat(bytes('GIF89a'))).toBe('gif');
    expect(detectFormat(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(detectFormat(bytes([0, 0, 0, 24], 'ftypheic'))).toBe('heic');
    expect(detectFormat(bytes([0, 0, 0, 24], 'ftypavif'))).toBe('avif');
    expect(detectFormat(bytes('II*', [0]))).toBe('tiff');
    expect(detectFormat(bytes('  <svg xmlns'))).toBe('svg');
    expect(detectFormat(bytes('hello'))).toBe('unknown');
  });

  it('gives a reason a person can act on', () => {
    expect(sniffImage(new Uint8Array(0), new Uint8Array(0), 0).problem).toBe('empty file (0 bytes)');
    expect(sniffImage(bytes('hello'), bytes('hello'), 5).problem).toMatch(/not an image/);
    // HEIC is read by libheif in the decode worker, so the sniff lets it through.
    expect(sniffImage(bytes([0, 0, 0, 24], 'ftypheic'), new Uint8Array(4), 100)).toEqual({ format: 'heic', problem: null });
  });

  it('catches a JPEG without its end marker, and accepts one with a trailer after it', () => {
    expect(sniffImage(jpegHead, bytes([1, 2, 3, 4]), 100).problem).toMatch(/truncated JPEG/);
    expect(sniffImage(jpegHead, bytes([1, 2, 0xff, 0xd9]), 100).problem).toBeNull();
    expect(sniffImage(jpegHead, bytes([1, 0xff, 0xd9], 'TRAILER DATA'), 100).problem).toBeNull();
  });

  it('catches a PNG without IEND', () => {
    expect(sniffImage(pngHead, bytes('IDATxxxx'), 100).problem).toMatch(/truncated PNG/);
    expect(sniffImage(pngHead, bytes([0, 0, 0, 0], 'IEND', [0xae, 0x42, 0x60, 0x82]), 100).problem).toBeNull();
  });
});
