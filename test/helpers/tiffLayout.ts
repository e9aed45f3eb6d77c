/**
 * Test-only writer for the byte layouts of generated RAW containers: a file is written front to back,
 * with labelled blobs, holes (zeros that can stay sparse on disk) and 16/32-bit fields patched at the end
 * (offsets to things written later). `writeIfd` lays out one TIFF IFD and its out-of-line values.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

type Later = () => number;

export class Layout {
  private segments: Array<{ at: number; parts: Uint8Array[]; length: number }> = [];
  private patches: Array<{ at: number; size: 2 | 4 | 8; le: boolean; value: Later }> = [];
  private labels = new Map<string, { start: number; end?: number }>();
  private position = 0;

  constructor(public le: boolean) {
    this.segments.push({ at: 0, parts: [], length: 0 });
  }

  get pos(): number {
    return this.position;
  }

  bytes(b: Uint8Array): this {
    const seg = this.segments[this.segments.length - 1];
    seg.parts.push(b);
    seg.length += b.length;
    this.position += b.length;
    return this;
  }

  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }

  u16(v: number, le = this.le): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, le);
    return this.bytes(b);
  }

  u32(v: number, le = this.le): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, le);
    return this.bytes(b);
  }

  ascii(s: string): this {
    return this.bytes(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  }

  zeros(n: number): this {
    return this.bytes(new Uint8Array(n));
  }

  /** `n` bytes of zeros that are never materialised (a sparse hole when written to disk). */
  gap(n: number): this {
    this.position += n;
    this.segments.push({ at: this.position, parts: [], length: 0 });
    return this;
  }

  align(n = 2): this {
    return this.position % n ? this.zeros(n - (this.position % n)) : this;
  }

  mark(label: string): this {
    this.labels.set(label, { start: this.position });
    return this;
  }

  markEnd(label: string): this {
    this.labels.get(label)!.end = this.position;
    return this;
  }

  blob(label: string, b: Uint8Array): this {
    return this.mark(label).bytes(b).markEnd(label);
  }

  start(label: string): Later {
    return () => {
      const l = this.labels.get(label);
      if (!l) throw new Error(`no label ${label}`);
      return l.start;
    };
  }

  length(label: string): Later {
    return () => {
      const l = this.labels.get(label);
      if (l?.end === undefined) throw new Error(`label ${label} has no end`);
      return l.end - l.start;
    };
  }

  later32(value: Later, le = this.le): this {
    this.patches.push({ at: this.position, size: 4, le, value });
    return this.zeros(4);
  }

  /** Fills a 4-byte placeholder already written at `at`. */
  patch32(at: number, value: Later, le = this.le): this {
    this.patches.push({ at, size: 4, le, value });
    return this;
  }

  later64(value: Later): this {
    this.patches.push({ at: this.position, size: 8, le: false, value });
    return this.zeros(8);
  }

  /** Segments with their bytes, patches applied, and the total size. */
  finish(): { size: number; segments: Array<{ at: number; bytes: Uint8Array }> } {
    const segments = this.segments
      .filter((s) => s.length > 0)
      .map((s) => {
        const bytes = new Uint8Array(s.length);
        let o = 0;
        for (const p of s.parts) {
          bytes.set(p, o);
          o += p.length;
        }
        return { at: s.at, bytes };
      });
    for (const p of this.patches) {
      const seg = segments.find((s) => p.at >= s.at && p.at + p.size <= s.at + s.bytes.length)!;
      const view = new DataView(seg.bytes.buffer);
      const v = p.value();
      if (p.size === 2) view.setUint16(p.at - seg.at, v, p.le);
      else if (p.size === 4) view.setUint32(p.at - seg.at, v >>> 0, p.le);
      else view.setBigUint64(p.at - seg.at, BigInt(v), p.le);
    }
    return { size: this.position, segments };
  }

  /** All bytes in one array (holes as zeros): for small structures (an APP1 TIFF, a maker note). */
  flat(): Uint8Array {
    const { size, segments } = this.finish();
    const out = new Uint8Array(size);
    for (const s of segments) out.set(s.bytes, s.at);
    return out;
  }

  /** Writes the file; holes stay sparse. */
  write(path: string): number {
    const { size, segments } = this.finish();
    const fd = openSync(path, 'w');
    try {
      for (const s of segments) writeSync(fd, s.bytes, 0, s.bytes.length, s.at);
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    return size;
  }
}

// --- TIFF IFDs ---------------------------------------------------------------------------------------

export const T = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5, UNDEFINED: 7, SLONG: 9, SRATIONAL: 10, IFD: 13 } as const;
const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8, 13: 4 };

/**
 * A field's value: numbers (rationals as numerator, denominator pairs), text (NUL added), raw bytes,
 * values resolved later and written as given (offsets: subtract the base yourself, see `rel`; several:
 * SubIFDs), or a labelled span (offset from the IFD's base + byte count: a maker note, RW2's JpgFromRaw).
 */
export type FieldValue = number[] | string | Uint8Array | Later | Later[] | { span: string };

/** An offset relative to `base`, resolved when the file is finished. */
export const rel = (at: Later, base = 0): Later => () => at() - base;

export interface Field {
  tag: number;
  type: number;
  value: FieldValue;
}

function countOf(f: Field, L: Layout): Later {
  const v = f.value;
  if (typeof v === 'string') return () => v.length + 1;
  if (v instanceof Uint8Array) return () => v.length;
  if (typeof v === 'function') return () => 1;
  if (Array.isArray(v)) return () => (f.type === T.RATIONAL || f.type === T.SRATIONAL ? v.length / 2 : v.length);
  return L.length(v.span);
}

function writeValue(L: Layout, f: Field, le: boolean): void {
  const v = f.value;
  if (typeof v === 'string') L.ascii(v + '\0');
  else if (v instanceof Uint8Array) L.bytes(v);
  else if (typeof v === 'function') L.later32(v, le);
  else if (Array.isArray(v)) {
    for (const x of v as Array<number | Later>) {
      if (typeof x === 'function') L.later32(x, le);
      else if (f.type === T.SHORT) L.u16(x, le);
      else if (f.type === T.BYTE || f.type === T.UNDEFINED) L.u8(x);
      else L.u32(x, le);
    }
  }
}

/**
 * Writes an IFD at the current position (word-aligned), then its out-of-line values. Offsets are written
 * relative to `base`; `next` is the next IFD's position (absolute) or none.
 */
export function writeIfd(L: Layout, fields: Field[], opts: { base?: number; le?: boolean; next?: Later; label?: string } = {}): number {
  const base = opts.base ?? 0;
  const le = opts.le ?? L.le;
  L.align(2);
  if (opts.label) L.mark(opts.label);
  const at = L.pos;
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  L.u16(sorted.length, le);
  const deferred: Array<{ field: Field; slot: number }> = [];
  for (const f of sorted) {
    L.u16(f.tag, le).u16(f.type, le);
    L.later32(countOf(f, L), le);
    const v = f.value;
    if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      const span = v.span;
      L.later32(() => L.start(span)() - base, le);
      continue;
    }
    const n = countOf(f, L)();
    if (n * SIZE[f.type] <= 4) {
      const before = L.pos;
      writeValue(L, f, le);
      L.zeros(4 - (L.pos - before));
    } else {
      deferred.push({ field: f, slot: L.pos });
      L.zeros(4);
    }
  }
  if (opts.next) L.later32(() => opts.next!() - base, le);
  else L.u32(0, le);
  for (const { field, slot } of deferred) {
    L.align(2);
    const valueAt = L.pos;
    writeValue(L, field, le);
    L.patch32(slot, () => valueAt - base, le);
  }
  return at;
}

// --- common IFD0 / EXIF fields of a camera file -------------------------------------------------------

export interface CaptureSpec {
  make: string;
  model: string;
  orientation: number;
  /** "YYYY:MM:DD HH:MM:SS" */
  dateTimeOriginal: string;
  subSec: string;
  iso: number;
  exposure: [number, number];
  fNumber: [number, number];
  focalLength: [number, number];
  lens: string;
}

export function ifd0Fields(c: CaptureSpec, exifIfd: Later): Field[] {
  return [
    { tag: 0x10f, type: T.ASCII, value: c.make },
    { tag: 0x110, type: T.ASCII, value: c.model },
    { tag: 0x112, type: T.SHORT, value: [c.orientation] },
    { tag: 0x11a, type: T.RATIONAL, value: [300, 1] },
    { tag: 0x11b, type: T.RATIONAL, value: [300, 1] },
    { tag: 0x128, type: T.SHORT, value: [2] },
    { tag: 0x131, type: T.ASCII, value: 'Ver.1.00' },
    { tag: 0x132, type: T.ASCII, value: c.dateTimeOriginal },
    { tag: 0x8769, type: T.LONG, value: exifIfd },
  ];
}

export function exifFields(c: CaptureSpec, makerNote?: string): Field[] {
  const fields: Field[] = [
    { tag: 0x829a, type: T.RATIONAL, value: c.exposure },
    { tag: 0x829d, type: T.RATIONAL, value: c.fNumber },
    { tag: 0x8827, type: T.SHORT, value: [c.iso] },
    { tag: 0x9000, type: T.UNDEFINED, value: Uint8Array.from('0231', (ch) => ch.charCodeAt(0)) },
    { tag: 0x9003, type: T.ASCII, value: c.dateTimeOriginal },
    { tag: 0x9004, type: T.ASCII, value: c.dateTimeOriginal },
    { tag: 0x920a, type: T.RATIONAL, value: c.focalLength },
    { tag: 0x9291, type: T.ASCII, value: c.subSec },
    { tag: 0x9292, type: T.ASCII, value: c.subSec },
    { tag: 0xa434, type: T.ASCII, value: c.lens },
  ];
  if (makerNote) fields.push({ tag: 0x927c, type: T.UNDEFINED, value: { span: makerNote } });
  return fields;
}
