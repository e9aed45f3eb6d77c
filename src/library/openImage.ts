/**
 * A file opened as one upright ImageBitmap, by the cheapest path that still gives every consumer (CLIP's
 * exact bicubic, the thumbnail, the technical figures, the people checks) the pixels it needs, and never a
 * bitmap over the pixel bound (decodePlan.ts). Runs in the decode worker.
 *
 * - Browser formats: the file itself. JPEGs on the fast path come from the large preview the camera
 *   embedded (MPF, jpegPreview.ts) where it has one big enough, else are decoded by libjpeg at a k/8 scale
 *   (WebCodecs' desired size), so a 24-MP photo never exists at full size; the exact path decodes at full
 *   size, as PIL does.
 * - Camera RAW: its largest embedded JPEG preview (openRaw.ts), the way Photo Mechanic works.
 * - HEIC/HEIF: libheif in WebAssembly (openHeic.ts), loaded with the first HEIC.
 */
import type { PixelOrigin } from './decodeApi';
import type { ImageMetadata } from './metadata/readMetadata';
import { FAST_SHORT_SIDE, headerSize, jpegSize, MAX_DECODE_PIXELS, planDecode, type DecodePlan, type ImageSize } from './decodePlan';
import { displayedSize, openJpegPreview } from './jpegPreview';
import { openHeic } from './openHeic';
import { openRaw } from './openRaw';
import { detectRaw } from './raw';
import { extensionOf, isRawPath } from './rawExtensions';
import { SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniffImage, type ImageFormat } from './sniff';

export interface OpenOptions {
  /** The exact path: JPEGs decoded at full size (up to the bound). */
  exact: boolean;
  /** The long side the people checks need (0: none); the fast path keeps at least this much. */
  faceLongSide: number;
  /** Opening an embedded preview: its own MPF list, if any, is not followed. */
  inPreview?: boolean;
}

export interface OpenedImage {
  bitmap: ImageBitmap;
  /** The image's full displayed size (after orientation), whatever size it was decoded at. */
  width: number;
  height: number;
  /** The format whose decoder made the pixels ('jpeg' for a RAW's preview). */
  format: ImageFormat;
  origin: PixelOrigin;
  /** The file's metadata when the opener read it (a RAW's own EXIF); absent: read from the file as its format. */
  metadata?: ImageMetadata;
}

export type OpenOutcome = OpenedImage | { reason: string };

/** The stored size from the file's header, read before decoding; null when the header does not say. */
export async function readSize(file: Blob, format: ImageFormat): Promise<ImageSize | null> {
  return (await readHeader(file, format)).size;
}

/** The stored size and the header bytes it was read from (a JPEG's reach its frame header, past EXIF and MPF). */
async function readHeader(file: Blob, format: ImageFormat): Promise<{ size: ImageSize | null; head: Uint8Array }> {
  if (format !== 'jpeg') {
    const head = new Uint8Array(await file.slice(0, 65536).arrayBuffer());
    return { size: headerSize(format, head), head };
  }
  // A JPEG's frame header comes after its APP segments (EXIF, ICC…): read further until it is in.
  let have = Math.min(file.size, 131072);
  for (;;) {
    const head = new Uint8Array(await file.slice(0, have).arrayBuffer());
    const found = jpegSize(head);
    if (!found || !('needBytes' in found)) return { size: found, head };
    if (have >= file.size) return { size: null, head };
    have = Math.min(file.size, Math.max(found.needBytes, have * 2));
  }
}

/**
 * A JPEG decoded by the JPEG decoder itself at plan.numerator/8 (WebCodecs' desired size), so the full-size
 * bitmap never exists. createImageBitmap(blob, { resizeWidth }) would not do: Chromium decodes at full size
 * first (≈ 1.1 GB for 12000×12000, measured; docs/reliability.md).
 */
async function openScaledJpeg(file: Blob, size: ImageSize, plan: Extract<DecodePlan, { kind: 'scaled' }>): Promise<Omit<OpenedImage, 'format'>> {
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
      return {
        bitmap,
        width: swapped ? size.height : size.width,
        height: swapped ? size.width : size.height,
        origin: { kind: 'reduced', width: image.codedWidth, height: image.codedHeight },
      };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/**
 * A file the browser decodes (JPEG, PNG, WebP, AVIF, GIF, BMP, ICO), `size` read from its header. The
 * fast path applies to JPEGs only: the other decoders ignore a desired size.
 */
export async function openBrowserImage(file: Blob, format: ImageFormat, options: OpenOptions): Promise<OpenOutcome> {
  const { size, head } = await readHeader(file, format);
  const fast = options.exact ? undefined : { shortSide: FAST_SHORT_SIDE, longSide: options.faceLongSide };
  if (fast && size && format === 'jpeg' && !options.inPreview) {
    const opened = await openJpegPreview(file, head, size, fast, (jpeg) => openPreviewBitmap(jpeg, options));
    if (opened) {
      const { width, height } = displayedSize(size, head);
      const { preview } = opened;
      return { bitmap: opened.bitmap, width, height, format, origin: { kind: 'jpeg-preview', width: preview.width, height: preview.height } };
    }
  }
  const plan = planDecode(format, size, typeof ImageDecoder === 'function', MAX_DECODE_PIXELS, fast);
  if (plan.kind === 'refuse') return { reason: plan.reason };
  try {
    if (plan.kind === 'scaled') return { ...(await openScaledJpeg(file, size!, plan)), format };
    // Model input ignores ICC profiles, as PIL does in CLIP's training pipeline (REFERENCE §3).
    const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
    return { bitmap, width: bitmap.width, height: bitmap.height, format, origin: { kind: 'file' } };
  } catch (err) {
    return {
      reason: `cannot decode this ${format.toUpperCase()} file: it is damaged or uses a variant the browser does not read (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

/** An embedded preview decoded as its own JPEG (at its fast scale); null when it cannot be. */
async function openPreviewBitmap(jpeg: Blob, options: OpenOptions): Promise<ImageBitmap | null> {
  const opened = await openBrowserImage(jpeg, 'jpeg', { ...options, inPreview: true });
  return 'reason' in opened ? null : opened.bitmap;
}

/**
 * A file named like a RAW that is not one by its bytes (empty, cut short, or renamed): the reason names the
 * format it claims to be, and is never the TIFF decoder's.
 */
export function rawNamed(name: string, problem: string): string {
  if (!isRawPath(name)) return problem;
  const format = extensionOf(name).toUpperCase();
  return problem.startsWith('empty file') ? `${format}: ${problem}` : `${format}: not a readable ${format} file (it does not start like one: cut short, or renamed?)`;
}

/** Sniffs the file and opens it by its format's path; a file that cannot be opened gets the reason. */
export async function openImage(file: Blob, name: string, options: OpenOptions): Promise<OpenOutcome> {
  const head = new Uint8Array(await file.slice(0, SNIFF_HEAD_BYTES).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - SNIFF_TAIL_BYTES)).arrayBuffer());
  // Most RAWs start like a TIFF: they are told apart (by their own marks and the name) before the sniff.
  const raw = file.size > 0 ? detectRaw(head, name) : null;
  if (raw) return openRaw(file, raw, options);
  const sniff = sniffImage(head, tail, file.size);
  if (sniff.problem) return { reason: rawNamed(name, sniff.problem) };
  if (sniff.format === 'heic') return openHeic(file);
  return openBrowserImage(file, sniff.format, options);
}
