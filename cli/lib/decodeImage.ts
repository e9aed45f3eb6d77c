/**
 * One image file → its content hash and CLIP input, decoded as PIL does for CLIPImageProcessor: EXIF
 * orientation applied, ICC profiles ignored, alpha dropped without compositing, grey replicated to RGB.
 */
import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { preprocessForClip, type PixelSource } from '../../src/engine/preprocess';
import { contentHash } from '../../src/library/contentHash';
import { SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniffImage } from '../../src/library/sniff';
import { messageOf } from './modelDir';

export interface DecodedImage {
  /** Oriented size, as the app shows it. */
  width: number;
  height: number;
  /** [3, 224, 224] float32, CLIP-normalised. */
  pixels: Float32Array;
}

/** The app's content hash (sha256 of the bytes; size + head + tail above 512 MB). */
export async function hashFile(path: string): Promise<string> {
  // openAsBlob reads lazily, so files over contentHash's full-hash limit are never loaded whole.
  return contentHash((await openAsBlob(path)) as Blob);
}

/** The reason the file cannot be analysed, or null; the same checks and wording as the app. */
export async function sniffFile(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, SNIFF_HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(size, SNIFF_TAIL_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return sniffImage(head, tail, size).problem;
  } finally {
    await handle.close();
  }
}

/** Throws with a reason a person can act on when the file cannot be decoded. */
export async function decodeForClip(path: string): Promise<DecodedImage> {
  const problem = await sniffFile(path);
  if (problem !== null) throw new Error(problem);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // ignoreIcc: sharp otherwise converts ICC-tagged files to sRGB (checked: up to 10 levels on a P3 JPEG),
    // while PIL, CLIP's decoder, ignores the profile (REFERENCE §3).
    decoded = await sharp(path, { ignoreIcc: true }).rotate().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new Error(`cannot decode: ${messageOf(error)}`);
  }
  const source = toPixelSource(decoded.data, decoded.info);
  return { width: source.width, height: source.height, pixels: preprocessForClip(source) };
}

function toPixelSource(data: Buffer, info: OutputInfo): PixelSource {
  const { width, height, channels } = info;
  if (data.length !== width * height * channels) {
    throw new Error(`cannot decode: ${data.length} bytes for ${width}x${height}x${channels} (not 8 bits per channel)`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (channels === 3 || channels === 4) return { data: bytes, width, height, channels };
  // Grey (+ alpha): PIL's convert('RGB') copies the grey value into R, G and B and drops alpha.
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.fill(bytes[i * channels], i * 3, i * 3 + 3);
  return { data: rgb, width, height, channels: 3 };
}
