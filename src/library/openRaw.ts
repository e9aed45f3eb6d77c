/**
 * A camera RAW opened through its largest embedded JPEG preview (raw/), the way Photo Mechanic culls: the raw
 * data is never developed. Only the preview's bytes are read (a slice of the file), and its own EXIF is
 * stripped so that the RAW's orientation is the one applied, once.
 */
import { openBrowserImage, type OpenOptions, type OpenOutcome } from './openImage';
import { orientBitmap, swapsSides } from './orientation';
import { jpegWithoutExif } from './jpegWithoutExif';
import { readRawPreview, type RawFormat } from './raw';

export async function openRaw(file: Blob, format: RawFormat, options: OpenOptions): Promise<OpenOutcome> {
  const found = await readRawPreview(file, format);
  if (!found.ok) return { reason: found.reason };
  const { preview } = found;
  const jpeg = await jpegWithoutExif(file.slice(preview.offset, preview.offset + preview.length, 'image/jpeg'));
  const opened = await openBrowserImage(jpeg, 'jpeg', { ...options, inPreview: true });
  if ('reason' in opened) return { reason: `${format}: its embedded preview (${preview.width}×${preview.height}) could not be opened: ${opened.reason}` };
  const swap = swapsSides(preview.orientation);
  return {
    bitmap: orientBitmap(opened.bitmap, preview.orientation),
    width: swap ? opened.height : opened.width,
    height: swap ? opened.width : opened.height,
    format: 'jpeg',
    origin: { kind: 'raw-preview', format, width: preview.width, height: preview.height },
    metadata: { capture: found.capture, generation: null },
  };
}
