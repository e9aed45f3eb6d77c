/** Builds PNGs carrying text chunks for tests: a real image's chunks with a tEXt chunk inserted before IDAT. */
import { crc32 } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** `png` must be a valid PNG; the text is written as UTF-8 bytes (tEXt is Latin-1 by the spec: a test may want both). */
export function pngWithText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  const idat = Buffer.from(png).indexOf('IDAT') - 4;
  const payload = new Uint8Array([...new TextEncoder().encode(keyword), 0, ...new TextEncoder().encode(text)]);
  const extra = chunk('tEXt', payload);
  const out = new Uint8Array(png.length + extra.length);
  out.set(png.subarray(0, idat));
  out.set(extra, idat);
  out.set(png.subarray(idat), idat + extra.length);
  return out;
}
