/**
 * One image file → its content hash and CLIP input, decoded as the app's decode worker decodes it for the model
 * (src/library/openImage.ts on the exact path: Chromium's createImageBitmap with colorSpaceConversion 'none',
 * EXIF orientation applied, ICC profiles ignored, alpha dropped without compositing, grey replicated to RGB), so
 * that the CLI and the app give the same embeddings (e2e/parity.e2e.ts compares them file by file). The same
 * sniff, RAW detection and size rules (decodePlan.ts) decide what is refused, with the same wording. Where sharp
 * decodes differently from Chromium, the CLI does what Chromium does:
 * - CMYK/YCCK JPEGs: Chromium's naive conversion (cmykToRgb.ts), not sharp's ICC one;
 * - JPEGs with damaged scan data: decoded as far as libjpeg gets (sharp would refuse them on the warning);
 * - BMP, ICO and CUR, which sharp does not read: decodeBmp.ts and decodeIco.ts.
 * Camera RAWs and HEIC go through the app's own readers: the RAW's largest embedded JPEG preview, its EXIF
 * stripped and the RAW's orientation applied once (openRaw.ts); HEIC through libheif, whose output is already
 * upright (openHeic.ts).
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import sharp, { type OutputInfo, type SharpOptions } from 'sharp';
import { preprocessForClip, type PixelSource } from '../../src/engine/preprocess';
import { contentHash } from '../../src/library/contentHash';
import { MAX_DECODE_PIXELS, planDecode } from '../../src/library/decodePlan';
import { decodeHeic } from '../../src/library/heic';
import { jpegWithoutExif } from '../../src/library/jpegWithoutExif';
import { rawNamed, readSize } from '../../src/library/openImage';
import { detectRaw, readRawPreview, type RawFormat } from '../../src/library/raw';
import { SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniffImage, type ImageFormat } from '../../src/library/sniff';
import { cmykToRgb } from './cmykToRgb';
import { decodeBmp } from './decodeBmp';
import { decodeIco } from './decodeIco';
import { messageOf } from './modelDir';
import { orientPixels } from './orientPixels';

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

/** Throws with a reason a person can act on when the file cannot be decoded. */
export async function decodeForClip(path: string): Promise<DecodedImage> {
  const source = await openForClip((await openAsBlob(path)) as Blob, basename(path));
  return { width: source.width, height: source.height, pixels: preprocessForClip(source) };
}

const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

/** openImage.ts's order: RAW by its marks and name, then the sniff, then HEIC or a format the browser reads. */
async function openForClip(file: Blob, name: string): Promise<PixelSource> {
  const head = await bytesOf(file.slice(0, SNIFF_HEAD_BYTES));
  const tail = await bytesOf(file.slice(Math.max(0, file.size - SNIFF_TAIL_BYTES)));
  const raw = file.size > 0 ? detectRaw(head, name) : null;
  if (raw) return openRaw(file, raw);
  const sniff = sniffImage(head, tail, file.size);
  if (sniff.problem) throw new Error(rawNamed(name, sniff.problem));
  if (sniff.format === 'heic') return openHeic(file);
  return openBrowserFormat(file, sniff.format);
}

/** The app's bound: what it refuses (too large, too thin, no size in the header), the CLI refuses. */
async function openBrowserFormat(file: Blob, format: ImageFormat): Promise<PixelSource> {
  // JPEGs over the bound, which the app decodes at a k/8 scale, are decoded here at full size.
  const plan = planDecode(format, await readSize(file, format), true);
  if (plan.kind === 'refuse') throw new Error(plan.reason);
  try {
    return await decodePixels(await bytesOf(file), format);
  } catch (error) {
    throw new Error(`cannot decode this ${format.toUpperCase()} file: it is damaged or uses a variant the browser does not read (${messageOf(error)})`);
  }
}

async function openRaw(file: Blob, format: RawFormat): Promise<PixelSource> {
  const found = await readRawPreview(file, format);
  if (!found.ok) throw new Error(found.reason);
  const { preview } = found;
  const jpeg = await jpegWithoutExif(file.slice(preview.offset, preview.offset + preview.length));
  let pixels: PixelSource;
  try {
    pixels = await openBrowserFormat(jpeg, 'jpeg');
  } catch (error) {
    throw new Error(`${format}: its embedded preview (${preview.width}×${preview.height}) could not be opened: ${messageOf(error)}`);
  }
  return orientPixels(pixels, preview.orientation);
}

async function openHeic(file: Blob): Promise<PixelSource> {
  const decoded = await decodeHeic(file, { maxPixels: MAX_DECODE_PIXELS });
  if (!decoded.ok) throw new Error(decoded.reason);
  const { rgba, width, height } = decoded.image;
  return { data: rgba, width, height, channels: 4 };
}

/**
 * ignoreIcc: sharp otherwise converts ICC-tagged files to sRGB (checked: up to 10 levels on a P3 JPEG), while
 * the app decodes the model's input without colour conversion, as PIL does (REFERENCE §3).
 */
const SHARP_OPTIONS: SharpOptions = { ignoreIcc: true };

async function decodePixels(bytes: Uint8Array, format: ImageFormat): Promise<PixelSource> {
  switch (format) {
    case 'bmp':
      return { ...decodeBmp(bytes), channels: 4 };
    case 'ico':
      return decodeIco(bytes, async (png) => toPixelSource(await sharp(png, SHARP_OPTIONS).raw().toBuffer({ resolveWithObject: true })));
    case 'jpeg':
      return decodeJpeg(bytes);
    default:
      return toPixelSource(await sharp(bytes, SHARP_OPTIONS).rotate().raw().toBuffer({ resolveWithObject: true }));
  }
}

async function decodeJpeg(bytes: Uint8Array): Promise<PixelSource> {
  // failOn 'none': libjpeg's "corrupt data" warnings do not stop Chromium, which shows what it decoded (the
  // rest grey); an error that stops libjpeg still fails here as there.
  const options: SharpOptions = { ...SHARP_OPTIONS, failOn: 'none' };
  const { space } = await sharp(bytes, options).metadata();
  if (space !== 'cmyk') return toPixelSource(await sharp(bytes, options).rotate().raw().toBuffer({ resolveWithObject: true }));
  // Keep the samples as CMYK (no ICC conversion to sRGB) and convert them as Chromium does.
  const { data, info } = await sharp(bytes, options).pipelineColourspace('cmyk').toColourspace('cmyk').rotate().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`a CMYK JPEG came out with ${info.channels} channels`);
  return { data: cmykToRgb(data, info.width * info.height), width: info.width, height: info.height, channels: 3 };
}

function toPixelSource({ data, info }: { data: Buffer; info: OutputInfo }): PixelSource {
  const { width, height, channels } = info;
  if (data.length !== width * height * channels) {
    throw new Error(`${data.length} bytes for ${width}x${height}x${channels} (not 8 bits per channel)`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (channels === 3 || channels === 4) return { data: bytes, width, height, channels };
  // Grey (+ alpha): PIL's convert('RGB') copies the grey value into R, G and B and drops alpha.
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.fill(bytes[i * channels], i * 3, i * 3 + 3);
  return { data: rgb, width, height, channels: 3 };
}
