import { crc32 } from './zipRead';
import { dosDateTime } from './dosDateTime';

export interface ZipInputFile {
  /** Relative path with "/" separators; folders are implied by it, no directory entries are written. */
  path: string;
  data: Uint8Array;
  /** Defaults to the time createZip is called. */
  modified?: Date;
}

/** The archive cannot be written as asked: too big for classic ZIP, or a path that would be unsafe to extract. */
export class ZipWriteError extends Error {
  override name = 'ZipWriteError';
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const EOCD = 22;
/** 2.0 is what most tools expect for a plain stored entry; nothing here needs a later feature. */
const VERSION_NEEDED = 20;
/** High byte 3 = Unix, so extractors honour the permission bits below instead of creating mode-0000 files. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
/** Regular file, rw-r--r--, in the high half of the external attributes as Info-ZIP stores Unix modes. */
const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0;
/** General-purpose bit 11: the names are UTF-8, not code page 437. */
const FLAG_UTF8 = 0x0800;
/** 0xFFFF and 0xFFFFFFFF are the markers that send readers to ZIP64 records, which this writer does not emit. */
const MAX_ENTRIES = 0xfffe;
const MAX_32 = 0xfffffffe;

function checkPath(path: string): void {
  const problem =
    path === ''
      ? 'is empty'
      : path.includes('\\')
        ? 'contains a backslash (ZIP paths use "/", and Windows would split the name there)'
        : path.startsWith('/')
          ? 'is absolute'
          : path.split('/').some((s) => s === '' || s === '.' || s === '..')
            ? 'has an empty, "." or ".." segment'
            : path.includes('\u0000')
              ? 'contains a NUL character'
              : null;
  // Refused rather than cleaned up: extracting such a name could write outside the target folder, and a silently
  // renamed sidecar would no longer sit beside its image.
  if (problem) throw new ZipWriteError(`cannot add ${JSON.stringify(path)} to a zip: the path ${problem}`);
}

interface Prepared {
  name: Uint8Array;
  data: Uint8Array;
  crc: number;
  time: number;
  date: number;
  offset: number;
}

function prepare(files: readonly ZipInputFile[]): { entries: Prepared[]; centralOffset: number; centralSize: number } {
  if (files.length > MAX_ENTRIES) {
    throw new ZipWriteError(`a zip without ZIP64 holds at most ${MAX_ENTRIES} files; asked for ${files.length}`);
  }
  const encoder = new TextEncoder();
  const seen = new Set<string>();
  const now = new Date();
  let offset = 0;
  let centralSize = 0;
  const entries = files.map((file) => {
    checkPath(file.path);
    if (seen.has(file.path)) throw new ZipWriteError(`${JSON.stringify(file.path)} appears twice in the zip`);
    seen.add(file.path);
    const name = encoder.encode(file.path);
    if (name.length > 0xffff) throw new ZipWriteError(`the path ${JSON.stringify(file.path.slice(0, 40))}… is too long for a zip`);
    if (file.data.length > MAX_32) throw new ZipWriteError(`${file.path} is 4 GiB or larger; ZIP64 is not supported`);
    if (offset > MAX_32) throw new ZipWriteError('the zip would reach 4 GiB; ZIP64 is not supported, export fewer files');
    const entry = { name, data: file.data, crc: crc32(file.data), ...dosDateTime(file.modified ?? now), offset };
    offset += LOCAL_HEADER + name.length + file.data.length;
    centralSize += CENTRAL_HEADER + name.length;
    return entry;
  });
  if (offset > MAX_32 || centralSize > MAX_32 || offset + centralSize > MAX_32) {
    throw new ZipWriteError('the zip would reach 4 GiB; ZIP64 is not supported, export fewer files');
  }
  return { entries, centralOffset: offset, centralSize };
}

/** Fields shared, in the same order, by the local header (from offset 4) and the central header (from offset 6). */
function writeCommon(view: DataView, at: number, e: Prepared): void {
  view.setUint16(at, VERSION_NEEDED, true);
  view.setUint16(at + 2, FLAG_UTF8, true);
  view.setUint16(at + 4, 0, true); // method 0: stored
  view.setUint16(at + 6, e.time, true);
  view.setUint16(at + 8, e.date, true);
  view.setUint32(at + 10, e.crc, true);
  view.setUint32(at + 14, e.data.length, true);
  view.setUint32(at + 18, e.data.length, true);
  view.setUint16(at + 22, e.name.length, true);
  view.setUint16(at + 24, 0, true); // no extra field
}

/**
 * A store-only ZIP: images and sidecars are already compressed or tiny, so deflate would cost time for little
 * gain and a second codec to trust. Throws ZipWriteError beyond 65,534 files or 4 GiB instead of writing a
 * corrupt archive.
 */
export function createZip(files: readonly ZipInputFile[]): Uint8Array<ArrayBuffer> {
  const { entries, centralOffset, centralSize } = prepare(files);
  const out = new Uint8Array(centralOffset + centralSize + EOCD);
  const view = new DataView(out.buffer);

  for (const e of entries) {
    view.setUint32(e.offset, SIG_LOCAL, true);
    writeCommon(view, e.offset + 4, e);
    out.set(e.name, e.offset + LOCAL_HEADER);
    out.set(e.data, e.offset + LOCAL_HEADER + e.name.length);
  }

  let p = centralOffset;
  for (const e of entries) {
    view.setUint32(p, SIG_CENTRAL, true);
    view.setUint16(p + 4, VERSION_MADE_BY, true);
    writeCommon(view, p + 6, e);
    // comment length, disk number, internal attributes: all zero, already.
    view.setUint32(p + 38, EXTERNAL_ATTRS, true);
    view.setUint32(p + 42, e.offset, true);
    out.set(e.name, p + CENTRAL_HEADER);
    p += CENTRAL_HEADER + e.name.length;
  }

  view.setUint32(p, SIG_EOCD, true);
  view.setUint16(p + 8, entries.length, true);
  view.setUint16(p + 10, entries.length, true);
  view.setUint32(p + 12, centralSize, true);
  view.setUint32(p + 16, centralOffset, true);
  return out;
}
