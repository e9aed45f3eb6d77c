/** Just enough ZIP to read a PyTorch checkpoint: stored (uncompressed) entries, ZIP64, CRC-checked. */
import { PthFormatError } from './pthFormatError';


export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function u64(view: DataView, offset: number): number {
  const v = view.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PthFormatError('ZIP: 64-bit size or offset out of range');
  return Number(v);
}

function checkRange(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new PthFormatError(`ZIP: ${what} lies beyond the end of the file (truncated download?)`);
  }
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, so it sits within the last 65557 bytes.
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === SIG_EOCD) return i;
  }
  if (bytes.length >= 4 && view.getUint32(0, true) === SIG_LOCAL) {
    throw new PthFormatError('ZIP: end-of-central-directory record not found (truncated file?)');
  }
  throw new PthFormatError('not a ZIP file: PyTorch checkpoints saved since torch 1.6 are ZIP archives');
}

export function readCentralDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 22) throw new PthFormatError(`not a ZIP file: only ${bytes.length} bytes`);
  const eocd = findEndOfCentralDirectory(bytes, view);
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: torch writes it for large checkpoints; the locator sits right before the classic record.
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_EOCD64_LOCATOR) {
      throw new PthFormatError('ZIP64: end-of-central-directory locator missing');
    }
    const rec = u64(view, loc + 8);
    checkRange(bytes, rec, 56, 'ZIP64 end-of-central-directory record');
    if (view.getUint32(rec, true) !== SIG_EOCD64) throw new PthFormatError('ZIP64: bad end-of-central-directory record');
    count = u64(view, rec + 32);
    cdSize = u64(view, rec + 40);
    cdOffset = u64(view, rec + 48);
  }
  checkRange(bytes, cdOffset, cdSize, 'central directory');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    checkRange(bytes, p, 46, 'central directory entry');
    if (view.getUint32(p, true) !== SIG_CENTRAL) throw new PthFormatError(`ZIP: bad central directory entry ${i}`);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    checkRange(bytes, p + 46, nameLen + extraLen + commentLen, 'central directory entry');
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));

    // ZIP64 extra field: the 64-bit values appear, in this order, only for fields saturated at 0xffffffff.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new PthFormatError(`ZIP64: short extra field for ${name}`);
          const v = u64(view, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, crc32, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The bytes of a stored entry. Sizes come from the central directory because torch sets the data-descriptor
 * flag and leaves the local header's sizes at zero.
 */
export function entryData(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  if (entry.method !== 0) {
    const how = entry.method === 8 ? 'deflate-compressed' : `compressed with method ${entry.method}`;
    throw new PthFormatError(
      `ZIP entry ${entry.name} is ${how}; PyTorch writes checkpoints uncompressed and only stored entries are supported`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkRange(bytes, entry.localHeaderOffset, 30, `local header of ${entry.name}`);
  if (view.getUint32(entry.localHeaderOffset, true) !== SIG_LOCAL) {
    throw new PthFormatError(`ZIP: bad local header for ${entry.name}`);
  }
  const nameLen = view.getUint16(entry.localHeaderOffset + 26, true);
  const extraLen = view.getUint16(entry.localHeaderOffset + 28, true);
  const start = entry.localHeaderOffset + 30 + nameLen + extraLen;
  checkRange(bytes, start, entry.size, `data of ${entry.name}`);
  const data = bytes.subarray(start, start + entry.size);
  if (crc32(data) !== entry.crc32) throw new PthFormatError(`ZIP: CRC mismatch in ${entry.name} (corrupt file?)`);
  return data;
}
