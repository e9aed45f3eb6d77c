/// <reference lib="webworker" />
import { readBitmapRgba } from '../engine/bitmapPixels';
import { preprocessForClip } from '../engine/preprocess';
import { serve, withTransfer } from '../engine/rpc';
import { contentHash } from './contentHash';
import type { DecodeApi, DecodeOutcome, DecodeRequest, HashOutcome, UnreadableFile } from './decodeApi';
import { readImageMetadata } from './metadata/readMetadata';
import { technicalQuality, WORKING_LONG_SIDE, type TechnicalQuality } from '../scoring/technicalQuality';
import { headerSize, jpegSize, MAX_DECODE_PIXELS, planDecode, type DecodePlan, type ImageSize } from './decodePlan';
import { SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniffImage, type ImageFormat } from './sniff';

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

/** The stored size from the file's header, read before decoding; null when the header does not say. */
async function readSize(file: Blob, format: ImageFormat): Promise<ImageSize | null> {
  if (format !== 'jpeg') return headerSize(format, new Uint8Array(await file.slice(0, 65536).arrayBuffer()));
  // A JPEG's frame header comes after its APP segments (EXIF, ICC…): read further until it is in.
  let have = Math.min(file.size, 131072);
  for (;;) {
    const found = jpegSize(new Uint8Array(await file.slice(0, have).arrayBuffer()));
    if (!found || !('needBytes' in found)) return found;
    if (have >= file.size) return null;
    have = Math.min(file.size, Math.max(found.needBytes, have * 2));
  }
}

interface Opened {
  bitmap: ImageBitmap;
  /** The image's full displayed size (after EXIF orientation), whatever size it was decoded at. */
  width: number;
  height: number;
}

/**
 * A JPEG over the pixel bound, decoded by the JPEG decoder itself at plan.numerator/8 (WebCodecs' desired size),
 * so the full-size bitmap never exists. createImageBitmap(blob, { resizeWidth }) would not do: Chromium decodes
 * at full size first (≈ 1.1 GB for 12000×12000, measured; docs/reliability.md).
 */
async function openScaledJpeg(file: Blob, size: ImageSize, plan: Extract<DecodePlan, { kind: 'scaled' }>): Promise<Opened> {
  const decoder = new ImageDecoder({
    data: file.stream(),
    type: 'image/jpeg',
    desiredWidth: plan.width,
    desiredHeight: plan.height,
    colorSpaceConversion: 'none',
    preferAnimation: false,
  });
  try {
    const { image } = await decoder.decode({ frameIndex: 0 });
    try {
      // Should the browser ever ignore the desired size, say so rather than go on past the bound.
      if (image.codedWidth * image.codedHeight > MAX_DECODE_PIXELS) {
        throw new Error(`the browser decoded it at ${image.codedWidth}×${image.codedHeight}, not the ${plan.width}×${plan.height} asked for`);
      }
      // The frame carries the EXIF orientation as a rotation/flip, which createImageBitmap applies.
      const rotation = (image as VideoFrame & { rotation?: number }).rotation ?? 0;
      const swapped = rotation === 90 || rotation === 270;
      const bitmap = await createImageBitmap(image, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
      return { bitmap, width: swapped ? size.height : size.width, height: swapped ? size.width : size.height };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

async function decode(req: DecodeRequest): Promise<DecodeOutcome> {
  const file = req.file;
  const head = new Uint8Array(await file.slice(0, SNIFF_HEAD_BYTES).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - SNIFF_TAIL_BYTES)).arrayBuffer());
  const sniff = sniffImage(head, tail, file.size);
  if (sniff.problem) return unreadable(sniff.problem);

  // The size comes from the header, before anything is decoded: the plan keeps every bitmap under the bound.
  const size = await readSize(file, sniff.format);
  const plan = planDecode(sniff.format, size, typeof ImageDecoder === 'function');
  if (plan.kind === 'refuse') return unreadable(plan.reason);

  const t0 = performance.now();
  let opened: Opened;
  try {
    if (plan.kind === 'scaled') {
      opened = await openScaledJpeg(file, size!, plan);
    } else {
      // Model input ignores ICC profiles, as PIL does in CLIP's training pipeline (REFERENCE §3).
      const bitmap = await createImageBitmap(file, {
        colorSpaceConversion: 'none',
        premultiplyAlpha: 'none',
        imageOrientation: 'from-image',
      });
      opened = { bitmap, width: bitmap.width, height: bitmap.height };
    }
  } catch (err) {
    return unreadable(
      `cannot decode this ${sniff.format.toUpperCase()} file: it is damaged or uses a variant the browser does not read (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const { bitmap, width, height } = opened;
  try {
    const decodeMs = performance.now() - t0;
    const t1 = performance.now();
    // JPEG has no alpha; the others may, and need the exact (WebGL2) read-back.
    const { pixels: rgba } = await readBitmapRgba(bitmap, sniff.format !== 'jpeg');
    const pixels = preprocessForClip(rgba);
    const preprocessMs = performance.now() - t1;
    const thumbnail = await thumbnailOf(bitmap, req.thumbSize);
    // Neither is worth failing the image for: a photo without figures or metadata still gets scored.
    const quality = await qualityOf(bitmap).catch(() => null);
    const metadata = await readImageMetadata(file, sniff.format).catch(() => ({ capture: null, generation: null }));
    return withTransfer({ type: 'decoded', pixels, thumbnail, width, height, decodeMs, preprocessMs, quality, metadata }, [pixels.buffer]);
  } finally {
    bitmap.close();
  }
}

async function hash(file: Blob): Promise<HashOutcome> {
  return { type: 'hashed', contentHash: await contentHash(file) };
}

/** A file that breaks a step not foreseen above still gets a reason on its tile, never an error. */
function failedAs(step: string) {
  return (err: unknown) => unreadable(`${step} failed: ${err instanceof Error ? err.message : String(err)}`);
}

serve<DecodeApi>({
  decode: (req) => decode(req).catch(failedAs('decoding')),
  hash: (file) => hash(file).catch(failedAs('reading')),
});
