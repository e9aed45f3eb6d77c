/// <reference lib="webworker" />
import { readBitmapRgba } from '../engine/bitmapPixels';
import { preprocessReducedForClip } from '../engine/preprocess';
import { serve, withTransfer } from '../engine/rpc';
import { contentHash } from './contentHash';
import type { DecodeApi, DecodeOutcome, DecodeRequest, FaceImageOutcome, FaceImageRequest, FirstLooksOutcome, FirstLooksRequest, HashOutcome, UnreadableFile } from './decodeApi';
import { firstLook } from './firstLook';
import { readImageMetadata } from './metadata/readMetadata';
import { openImage } from './openImage';
import { technicalQuality, WORKING_LONG_SIDE, type TechnicalQuality } from '../scoring/technicalQuality';
import { workingSize } from '../scoring/faces/measure';

const unreadable = (reason: string): UnreadableFile => ({ type: 'failed', reason });

async function thumbnailOf(bitmap: ImageBitmap, size: number): Promise<Blob | null> {
  if (size <= 0) return null;
  const scale = Math.min(1, size / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const small = await createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' });
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(small, 0, 0);
  small.close();
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.82 });
}

/** The technical figures on a copy scaled to the working resolution (long side ≤ 512, never enlarged). */
async function qualityOf(bitmap: ImageBitmap): Promise<TechnicalQuality | null> {
  const scale = Math.min(1, WORKING_LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  if (w < 3 || h < 3) return null;
  const small = await createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
  try {
    const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(small, 0, 0);
    return technicalQuality(ctx.getImageData(0, 0, w, h).data, w, h);
  } finally {
    small.close();
  }
}

/** `bitmap` scaled (never up) so its long side is at most `longSide`, for the people checks. */
async function faceImageOf(bitmap: ImageBitmap, longSide: number): Promise<ImageBitmap> {
  const { width, height } = workingSize(bitmap.width, bitmap.height, longSide);
  return createImageBitmap(bitmap, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
}

async function decode(req: DecodeRequest): Promise<DecodeOutcome> {
  const file = req.file;
  const t0 = performance.now();
  const opened = await openImage(file, req.name, { exact: req.exact, faceLongSide: req.faceLongSide });
  if ('reason' in opened) return unreadable(opened.reason);
  const { bitmap, width, height, format, origin } = opened;
  try {
    const decodeMs = performance.now() - t0;
    const t1 = performance.now();
    // JPEG has no alpha; the others may, and need the exact (WebGL2) read-back.
    const { pixels: rgba } = await readBitmapRgba(bitmap, format !== 'jpeg');
    // The output size is the photo's, whatever size its pixels were decoded at (preprocess.ts).
    const pixels = preprocessReducedForClip(rgba, { width, height });
    const preprocessMs = performance.now() - t1;
    const thumbnail = await thumbnailOf(bitmap, req.thumbSize);
    // Neither is worth failing the image for: a photo without figures or metadata still gets scored.
    const quality = await qualityOf(bitmap).catch(() => null);
    const metadata = opened.metadata ?? (await readImageMetadata(file, format).catch(() => ({ capture: null, generation: null })));
    const faceImage = req.faceLongSide > 0 ? await faceImageOf(bitmap, req.faceLongSide) : null;
    const transfer: Transferable[] = faceImage ? [pixels.buffer, faceImage] : [pixels.buffer];
    return withTransfer({ type: 'decoded', origin, faceImage, pixels, thumbnail, width, height, decodeMs, preprocessMs, quality, metadata }, transfer);
  } finally {
    bitmap.close();
  }
}

async function faceImage(req: FaceImageRequest): Promise<FaceImageOutcome | UnreadableFile> {
  const opened = await openImage(req.file, req.name, { exact: false, faceLongSide: req.longSide });
  if ('reason' in opened) return unreadable(opened.reason);
  try {
    const bitmap = await faceImageOf(opened.bitmap, req.longSide);
    return withTransfer({ type: 'face-image', bitmap, width: opened.width, height: opened.height }, [bitmap]);
  } finally {
    opened.bitmap.close();
  }
}

async function hash(file: Blob): Promise<HashOutcome> {
  return { type: 'hashed', contentHash: await contentHash(file) };
}

async function firstLooks(req: FirstLooksRequest): Promise<FirstLooksOutcome> {
  const looks: (Blob | null)[] = [];
  // A missing or broken preview is no look: the file's tile fills in when it is analysed.
  for (const { file, name } of req.files) looks.push(await firstLook(file, name, req.size).catch(() => null));
  return { type: 'first-looks', looks };
}

/** A file that breaks a step not foreseen above still gets a reason on its tile, never an error. */
function failedAs(step: string) {
  return (err: unknown) => unreadable(`${step} failed: ${err instanceof Error ? err.message : String(err)}`);
}

serve<DecodeApi>({
  decode: (req) => decode(req).catch(failedAs('decoding')),
  hash: (file) => hash(file).catch(failedAs('reading')),
  firstLooks: (req) => firstLooks(req).catch(() => ({ type: 'first-looks' as const, looks: req.files.map(() => null) })),
  faceImage: (req) => faceImage(req).catch(failedAs('decoding')),
});
