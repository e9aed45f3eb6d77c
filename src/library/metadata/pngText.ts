/**
 * Reads a PNG's text chunks (tEXt, zTXt, iTXt) and its eXIf chunk straight from a Blob, without
 * reading the image data: generators (AUTOMATIC1111, ComfyUI, NovelAI, Fooocus…) keep their prompt there.
 *
 * The file is untrusted. Lengths are checked against the file size before anything is read, compressed
 * text is inflated in small steps with a cap (a few KiB of zTXt can inflate to gigabytes), and bad data
 * ends the walk or skips the chunk: the functions here return what they could read and never throw.
 * CRCs are not checked: a mismatch would only say the bytes are damaged, and the text is treated as
 * untrusted either way; checking would cost a pass over every chunk for nothing the caller can use.
 */

export interface PngTextChunk {
  keyword: string;
  text: string;
}

export interface PngMetadataChunks {
  text: PngTextChunk[];
  /** The eXIf chunk's payload: a TIFF structure (byte order mark first), or null. */
  exif: Uint8Array | null;
}

export const PNG_TEXT_LIMITS = {
  maxTextChunks: 64,
  maxCompressedBytes: 4 * 1024 * 1024,
  maxInflatedBytes: 8 * 1024 * 1024,
  /** Characters of text kept over all chunks. */
  maxTotalChars: 16 * 1024 * 1024,
  maxExifBytes: 1024 * 1024,
} as const;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The PNG spec's cap on a chunk length; anything above it means we have lost sync with the chunk stream. */
const MAX_CHUNK_LENGTH = 0x7fffffff;
/** Bounds the walk over a file made of millions of empty chunks; real PNGs stay far below it. */
const MAX_CHUNKS_WALKED = 1 << 20;
/** Read-ahead for runs of small chunks (libpng writes 8 KiB IDATs): one read then covers many headers. */
const READ_AHEAD = 64 * 1024;
/** Inflate input is fed in pieces this big, since a DecompressionStream materialises all the output of
 *  one input piece at once; deflate's ~1:1032 ratio keeps each burst near 4 MiB. */
const INFLATE_PIECE = 4 * 1024;

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/**
 * tEXt and zTXt are latin-1 by the spec, but several tools write UTF-8 there anyway. Latin-1 text with
 * accents is almost never also valid UTF-8, so valid UTF-8 with high bytes is taken to be UTF-8.
 */
function decodeLatin1Text(bytes: Uint8Array): string {
  if (bytes.some((b) => b >= 0x80)) {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // Not UTF-8: read it as the spec says.
    }
  }
  return latin1(bytes);
}

/** Keeps byte ranges of a Blob, reading ahead so that runs of small chunks cost one read. */
class BlobWindow {
  private buf = new Uint8Array(0);
  private start = 0;

  constructor(private readonly blob: Blob) {}

  async read(offset: number, length: number, readAhead: number): Promise<Uint8Array | null> {
    if (offset < 0 || length < 0 || offset + length > this.blob.size) return null;
    if (offset < this.start || offset + length > this.start + this.buf.length) {
      const end = Math.min(this.blob.size, offset + Math.max(length, readAhead));
      this.buf = new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
      this.start = offset;
      if (this.buf.length < length) return null;
    }
    return this.buf.subarray(offset - this.start, offset - this.start + length);
  }
}

/**
 * Inflates a zlib stream, stopping at `maxBytes` of output: returns the output so far (cut at the cap),
 * or null when the stream is corrupt before any output.
 */
export async function inflateCapped(data: Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream('deflate');
  } catch {
    return null;
  }
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let stop = false;
  // Writes run alongside the reads below: each write waits for its piece to be consumed, so output
  // never runs far ahead of what we have counted.
  const writing = (async () => {
    for (let i = 0; i < data.length && !stop; i += INFLATE_PIECE) await writer.write(data.slice(i, i + INFLATE_PIECE));
    if (!stop) await writer.close();
  })().catch(() => undefined);

  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - total;
      parts.push(value.length > room ? value.subarray(0, room) : value);
      total += Math.min(value.length, room);
      if (value.length >= room) break;
    }
  } catch {
    // Corrupt or truncated stream: keep what was inflated before the error.
  }
  stop = true;
  await reader.cancel().catch(() => undefined);
  await writer.abort().catch(() => undefined);
  await writing;
  if (total === 0 && parts.length === 0) return null;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function indexOfNul(bytes: Uint8Array, from: number): number {
  return bytes.indexOf(0, from);
}

/** Keyword: 1–79 latin-1 bytes ended by a NUL. Returns [keyword, offset after the NUL] or null. */
function readKeyword(data: Uint8Array): [string, number] | null {
  const nul = indexOfNul(data, 0);
  if (nul < 1 || nul > 79) return null;
  return [latin1(data.subarray(0, nul)), nul + 1];
}

async function decodeTextChunk(type: string, data: Uint8Array): Promise<PngTextChunk | null> {
  const head = readKeyword(data);
  if (!head) return null;
  const [keyword, at] = head;
  if (type === 'tEXt') return { keyword, text: decodeLatin1Text(data.subarray(at)) };
  if (type === 'zTXt') {
    if (data[at] !== 0) return null; // compression method: only 0 (zlib) exists
    const inflated = await inflateCapped(data.subarray(at + 1), PNG_TEXT_LIMITS.maxInflatedBytes);
    return inflated ? { keyword, text: decodeLatin1Text(inflated) } : null;
  }
  // iTXt: compression flag, method, language tag NUL, translated keyword NUL, UTF-8 text.
  if (at + 2 > data.length) return null;
  const compressed = data[at] === 1;
  if (compressed && data[at + 1] !== 0) return null;
  const langEnd = indexOfNul(data, at + 2);
  const translatedEnd = langEnd < 0 ? -1 : indexOfNul(data, langEnd + 1);
  if (translatedEnd < 0) return null;
  let body = data.subarray(translatedEnd + 1);
  if (compressed) {
    const inflated = await inflateCapped(body, PNG_TEXT_LIMITS.maxInflatedBytes);
    if (!inflated) return null;
    body = inflated;
  }
  return { keyword, text: utf8.decode(body) };
}

function sameBytes(a: Uint8Array, b: readonly number[]): boolean {
  return a.length === b.length && b.every((v, i) => a[i] === v);
}

const isChunkType = (t: Uint8Array) => t.every((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));

/** One walk over the chunk headers, collecting text chunks and the eXIf payload. */
export async function readPngMetadataChunks(blob: Blob): Promise<PngMetadataChunks> {
  const result: PngMetadataChunks = { text: [], exif: null };
  try {
    const file = new BlobWindow(blob);
    const signature = await file.read(0, 8, READ_AHEAD);
    if (!signature || !sameBytes(signature, SIGNATURE)) return result;
    let offset = 8;
    let lastLength = 0;
    let totalChars = 0;
    for (let n = 0; n < MAX_CHUNKS_WALKED && result.text.length < PNG_TEXT_LIMITS.maxTextChunks; n++) {
      // Small chunks come in runs; after a big one, read just the next header instead of 64 KiB of pixels.
      const header = await file.read(offset, 8, lastLength < READ_AHEAD / 2 ? READ_AHEAD : 8);
      if (!header) break;
      const length = new DataView(header.buffer, header.byteOffset, 8).getUint32(0);
      const typeBytes = header.subarray(4, 8);
      if (length > MAX_CHUNK_LENGTH || !isChunkType(typeBytes)) break;
      const type = String.fromCharCode(...typeBytes);
      const dataStart = offset + 8;
      // A chunk running past the end means a truncated file (or a lying length): nothing after it can be found.
      if (dataStart + length + 4 > blob.size) break;
      if (type === 'IEND') break;
      if ((type === 'tEXt' || type === 'zTXt' || type === 'iTXt') && length <= PNG_TEXT_LIMITS.maxCompressedBytes) {
        const data = await file.read(dataStart, length, 0);
        const chunk = data && (await decodeTextChunk(type, data));
        if (chunk && totalChars + chunk.text.length <= PNG_TEXT_LIMITS.maxTotalChars) {
          result.text.push(chunk);
          totalChars += chunk.text.length;
        }
      } else if (type === 'eXIf' && !result.exif && length <= PNG_TEXT_LIMITS.maxExifBytes) {
        const data = await file.read(dataStart, length, 0);
        if (data) result.exif = data.slice();
      }
      lastLength = length;
      offset = dataStart + length + 4; // + CRC
    }
  } catch {
    // The Blob could not be read (file changed or removed): return what was read.
  }
  return result;
}

export async function readPngText(blob: Blob): Promise<PngTextChunk[]> {
  return (await readPngMetadataChunks(blob)).text;
}
