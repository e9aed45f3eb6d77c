/**
 * The life of one HEIC in libheif: bounds first, then the file's primary image handle lent to a callback,
 * and every libheif object freed afterwards whatever happened (the WebAssembly heap is shared by every
 * HEIC the worker sees). Every failure becomes a reason; only an abort rejects.
 */
import { scanTopLevelBoxes } from './heifBoxes';
import {
  NO_IMAGE,
  cutShort,
  decoderFailed,
  decoderUnavailable,
  emptyFile,
  fileUnreadable,
  tooManyBytes,
  unreadable,
} from './heicReasons';
import { discardLibheif, loadLibheif, trimLibheif } from './libheif';
import { isHeifError, type HeifObject, type Libheif } from './libheifApi';

/**
 * No HEIC over this many bytes is read: a 48-MP phone HEIC is about 10 MB, and the file is copied into the
 * WebAssembly heap (twice, by the bindings and by libheif) before anything is known about it.
 */
export const MAX_HEIC_BYTES = 64 * 2 ** 20;

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export async function withPrimaryImage<T>(
  file: Blob,
  signal: AbortSignal | undefined,
  use: (libheif: Libheif, handle: HeifObject) => Promise<Outcome<T>> | Outcome<T>,
): Promise<Outcome<T>> {
  signal?.throwIfAborted();
  if (file.size === 0) return fail(emptyFile());
  if (file.size > MAX_HEIC_BYTES) return fail(tooManyBytes(file.size, MAX_HEIC_BYTES));
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    return fail(fileUnreadable(error));
  }
  signal?.throwIfAborted();
  const boxes = scanTopLevelBoxes(bytes);
  if (boxes.cutShort) return fail(cutShort(boxes.cutShort.box, bytes.length, boxes.cutShort.needs));
  if (boxes.understood && !boxes.hasMeta) return fail(NO_IMAGE);

  let libheif: Libheif;
  try {
    libheif = await loadLibheif();
  } catch (error) {
    return fail(decoderUnavailable(error));
  }
  signal?.throwIfAborted();

  let context: HeifObject | null = null;
  let handle: HeifObject | null = null;
  try {
    context = libheif.heif_context_alloc();
    if (!context) return fail(decoderFailed('no memory for a HEIF context'));
    const read = libheif.heif_context_read_from_memory(context, bytes);
    if (read.code.value !== 0) return fail(unreadable(read));
    if (libheif.heif_context_get_number_of_top_level_images(context) < 1) return fail(NO_IMAGE);
    const primary = libheif.heif_js_context_get_primary_image_handle(context);
    if (!primary) return fail(NO_IMAGE);
    if (isHeifError(primary)) return fail(unreadable(primary));
    handle = primary;
    signal?.throwIfAborted(); // the last point before the long, uninterruptible decode
    return await use(libheif, handle);
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    // A trap (out of memory, a libheif bug on a hostile file) leaves an Emscripten module unusable.
    discardLibheif(libheif);
    return fail(decoderFailed(error));
  } finally {
    const [h, c] = [handle, context];
    if (h) quietly(() => libheif.heif_image_handle_release(h));
    if (c) quietly(() => libheif.heif_context_free(c));
    trimLibheif(libheif);
  }
}

/** Frees after a trap may throw again; the instance is being discarded then anyway. */
function quietly(free: () => void): void {
  try {
    free();
  } catch {
    // nothing more to free
  }
}
