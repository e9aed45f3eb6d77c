/**
 * One TIFF image file directory (IFD), read with its bounds checked. Offsets inside a RAW are relative to
 * a base (the TIFF header: 0 in most files, the maker note's own header in Nikon and Olympus notes, the
 * TTW block in MRW); every position returned here is absolute in the file.
 */
import { RangeReader, ascii, u16, u32 } from './rangeReader';

/** Bytes per value of each TIFF field type (0: unknown type, whose entry is skipped). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** More entries than any camera writes (DNG IFD0s have ~100): a larger count means we are not at an IFD. */
export const MAX_ENTRIES = 1000;

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Bytes of the value: count × the type's size. */
  size: number;
  /** Absolute position of the value: inside the entry when it fits in 4 bytes, else base + the offset field. */
  valueAt: number;
  /** The entry's 4-byte value/offset field. */
  field: Uint8Array;
}

export interface Ifd {
  at: number;
  /** Entries in the table (some may be missing from `entries`: unknown types, duplicates). */
  count: number;
  le: boolean;
  base: number;
  entries: Map<number, IfdEntry>;
  /** Absolute position of the next IFD in the chain, 0 for none. */
  next: number;
}

/** The IFD at absolute `at`; null when it does not fit in the file or its count is implausible. */
export async function readIfd(r: RangeReader, at: number, le: boolean, base: number): Promise<Ifd | null> {
  if (at < 0 || at + 2 > r.size) return null;
  const count = u16(await r.bytes(at, 2), 0, le);
  if (count === 0 || count > MAX_ENTRIES) return null;
  const table = await r.bytes(at + 2, count * 12 + 4);
  if (table.length < count * 12) return null; // truncated file
  const entries = new Map<number, IfdEntry>();
  for (let i = 0; i < count; i++) {
    const e = i * 12;
    const tag = u16(table, e, le);
    const type = u16(table, e + 2, le);
    const n = u32(table, e + 4, le);
    const unit = TYPE_SIZE[type] ?? 0;
    if (unit === 0 || entries.has(tag)) continue; // unknown type; a duplicate tag keeps its first entry
    const size = n * unit;
    const field = table.subarray(e + 8, e + 12);
    const valueAt = size <= 4 ? at + 2 + e + 8 : base + u32(field, 0, le);
    entries.set(tag, { tag, type, count: n, size, valueAt, field });
  }
  const next = table.length >= count * 12 + 4 ? u32(table, count * 12, le) : 0;
  return { at, count, le, base, entries, next: next ? base + next : 0 };
}

const UNSIGNED = new Set([1, 3, 4, 7, 13]); // BYTE, SHORT, LONG, UNDEFINED (as bytes), IFD

function unsignedAt(b: Uint8Array, i: number, type: number, le: boolean): number {
  if (type === 3) return u16(b, i, le);
  if (type === 4 || type === 13) return u32(b, i, le);
  return b[i];
}

/** The single unsigned value of a tag stored in its entry (SHORT, LONG, IFD or BYTE); null otherwise. */
export function single(ifd: Ifd, tag: number): number | null {
  const e = ifd.entries.get(tag);
  if (!e || e.count !== 1 || !UNSIGNED.has(e.type)) return null;
  return unsignedAt(e.field, 0, e.type, ifd.le);
}

/** Up to `max` unsigned values of a tag, read from the file when they do not fit in the entry. */
export async function values(r: RangeReader, ifd: Ifd, tag: number, max: number): Promise<number[]> {
  const e = ifd.entries.get(tag);
  if (!e || !UNSIGNED.has(e.type) || e.count === 0) return [];
  const n = Math.min(e.count, max);
  const unit = TYPE_SIZE[e.type];
  const b = e.size <= 4 ? e.field : await r.bytes(e.valueAt, n * unit);
  const out: number[] = [];
  for (let i = 0; i < n && (i + 1) * unit <= b.length; i++) out.push(unsignedAt(b, i * unit, e.type, ifd.le));
  return out;
}

/** An ASCII tag's text up to its first NUL, trimmed; null when absent or empty. */
export async function text(r: RangeReader, ifd: Ifd, tag: number, max = 128): Promise<string | null> {
  const e = ifd.entries.get(tag);
  if (!e || (e.type !== 2 && e.type !== 7) || e.count === 0) return null;
  const n = Math.min(e.count, max);
  const b = e.size <= 4 ? e.field.subarray(0, n) : await r.bytes(e.valueAt, n);
  const s = ascii(b, 0, b.length).split('\0')[0].trim();
  return s === '' ? null : s;
}

/** A TIFF header at `base`: byte order and the absolute position of IFD0; null when it is not one. */
export async function readTiffHeader(r: RangeReader, base: number): Promise<{ le: boolean; ifd0: number } | null> {
  const h = await r.bytes(base, 8);
  if (h.length < 8) return null;
  const order = ascii(h, 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const off = u32(h, 4, le);
  return off >= 8 ? { le, ifd0: base + off } : null;
}
