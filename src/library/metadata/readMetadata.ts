/**
 * What a file says about itself: capture info from EXIF, and the generation prompt of AI images
 * (PNG text chunks, or the EXIF UserComment that AUTOMATIC1111 writes into JPEG and WebP).
 * Runs in the decode worker and in Node; reads only the parts of the file that hold metadata.
 */
import { captureInfoFromTiff, readCaptureInfo, type CaptureInfo } from './exif';
import { generationFromUserComment, parseGenerationText, type GenerationInfo } from './generationPrompt';
import { readPngMetadataChunks } from './pngText';
import { detectFormat, SNIFF_HEAD_BYTES, type ImageFormat } from '../sniff';

export interface ImageMetadata {
  capture: CaptureInfo | null;
  generation: GenerationInfo | null;
}

const FORMATS: ReadonlySet<string> = new Set<ImageFormat>(['jpeg', 'png', 'gif', 'webp', 'bmp', 'avif', 'heic', 'tiff', 'svg']);
const MIME_ALIASES: Record<string, ImageFormat> = { jpg: 'jpeg', heif: 'heic', tif: 'tiff', 'svg+xml': 'svg' };

/** Accepts sniff.ts's format names, and MIME types ("image/png") in case a caller has only those. */
function formatFrom(sniffedType: string | null): ImageFormat | null {
  if (!sniffedType) return null;
  const name = sniffedType.toLowerCase().replace(/^image\//, '');
  const format = Object.hasOwn(MIME_ALIASES, name) ? MIME_ALIASES[name] : name;
  return FORMATS.has(format) ? (format as ImageFormat) : null;
}

function withGenerationFromComment(capture: CaptureInfo | null, generation: GenerationInfo | null): ImageMetadata {
  return { capture, generation: generation ?? (capture?.userComment ? generationFromUserComment(capture.userComment) : null) };
}

/** `sniffedType`: the format sniff.ts found (null: sniff it here). Never throws. */
export async function readImageMetadata(file: Blob, sniffedType: string | null): Promise<ImageMetadata> {
  try {
    const format = formatFrom(sniffedType) ?? detectFormat(new Uint8Array(await file.slice(0, SNIFF_HEAD_BYTES).arrayBuffer()));
    switch (format) {
      case 'png': {
        const { text, exif } = await readPngMetadataChunks(file);
        const capture = exif ? await captureInfoFromTiff(exif) : null;
        return withGenerationFromComment(capture, parseGenerationText(text));
      }
      case 'jpeg':
      case 'webp':
      case 'tiff':
      case 'heic':
      case 'avif':
        return withGenerationFromComment(await readCaptureInfo(file, format), null);
      default:
        return { capture: null, generation: null }; // GIF, BMP, SVG carry no EXIF or prompt we read
    }
  } catch {
    return { capture: null, generation: null };
  }
}
