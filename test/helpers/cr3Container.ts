/**
 * A generated Canon CR3 (ISO-BMFF, layout of ExifTool's CanonRaw.cr3 sample and QuickTime.pm/Canon.pm):
 * ftyp "crx "; moov with the Canon uuid box (CNCV, CMT1 = IFD0 TIFF, CMT2 = EXIF TIFF, THMB 160×120),
 * mvhd and a 'vide' track whose CRAW sample entry holds a 'JPEG' box (the full-size JPEG, in mdat); a
 * top-level PRVW uuid box with the 1620×1080 preview; mdat with the JPEG and dummy raw data.
 */
import type { PreviewJpegs } from './previewJpegs';
import type { ContainerOptions } from './rawContainers';
import { Layout, T, exifFields, writeIfd, type CaptureSpec } from './tiffLayout';

const CANON_UUID = '85c0b687820f11e08111f4ce462b6a48';
const PREVIEW_UUID = 'eaf42b5e1c984b88b9fbb7dc406e4d16';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

function be(bits: 16 | 32 | 64, v: number): Uint8Array {
  const b = new Uint8Array(bits / 8);
  const view = new DataView(b.buffer);
  if (bits === 16) view.setUint16(0, v);
  else if (bits === 32) view.setUint32(0, v >>> 0);
  else view.setBigUint64(0, BigInt(v));
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const box = (type: string, ...parts: Uint8Array[]): Uint8Array => {
  const body = concat(parts);
  return concat([be(32, 8 + body.length), enc(type), body]);
};
const fullBox = (type: string, flags: number, ...parts: Uint8Array[]) => box(type, be(32, flags), ...parts);
const zeros = (n: number) => new Uint8Array(n);
const MATRIX = concat([be(32, 0x10000), zeros(12), be(32, 0x10000), zeros(12), be(32, 0x40000000)]);

function cmt1(c: CaptureSpec): Uint8Array {
  const L = new Layout(true);
  L.ascii('II').u16(42).u32(8);
  writeIfd(L, [
    { tag: 0x100, type: T.LONG, value: [8192] },
    { tag: 0x101, type: T.LONG, value: [5464] },
    { tag: 0x102, type: T.SHORT, value: [8, 8, 8] },
    { tag: 0x103, type: T.SHORT, value: [6] },
    { tag: 0x10f, type: T.ASCII, value: c.make },
    { tag: 0x110, type: T.ASCII, value: c.model },
    { tag: 0x112, type: T.SHORT, value: [c.orientation] },
    { tag: 0x11a, type: T.RATIONAL, value: [72, 1] },
    { tag: 0x11b, type: T.RATIONAL, value: [72, 1] },
    { tag: 0x128, type: T.SHORT, value: [2] },
    { tag: 0x132, type: T.ASCII, value: c.dateTimeOriginal },
  ]);
  return L.flat();
}

function cmt2(c: CaptureSpec): Uint8Array {
  const L = new Layout(true);
  L.ascii('II').u16(42).u32(8);
  writeIfd(L, exifFields(c));
  return L.flat();
}

function track(id: number, entry: Uint8Array, sampleSize: number, chunkOffset: number, width: number, height: number): Uint8Array {
  const tkhd = fullBox('tkhd', 7, be(32, 0), be(32, 0), be(32, id), zeros(4), be(32, 1), zeros(8), zeros(8), MATRIX, be(32, width << 16), be(32, height << 16));
  const mdhd = fullBox('mdhd', 0, be(32, 0), be(32, 0), be(32, 1), be(32, 1), be(16, 0x55c4), zeros(2));
  const hdlr = fullBox('hdlr', 0, zeros(4), enc('vide'), zeros(12), zeros(1));
  const vmhd = fullBox('vmhd', 1, zeros(8));
  const dinf = box('dinf', fullBox('dref', 0, be(32, 1), fullBox('url ', 1)));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, be(32, 1), entry),
    fullBox('stts', 0, be(32, 1), be(32, 1), be(32, 1)),
    fullBox('stsc', 0, be(32, 1), be(32, 1), be(32, 1), be(32, 1)),
    fullBox('stsz', 0, be(32, sampleSize), be(32, 1)),
    fullBox('co64', 0, be(32, 1), be(64, chunkOffset)),
  );
  return box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf, stbl)));
}

/** A CRAW visual sample entry (86-byte header) with one child box. */
function crawEntry(width: number, height: number, child: Uint8Array): Uint8Array {
  const name = zeros(32);
  return box('CRAW', zeros(6), be(16, 1), zeros(16), be(16, width), be(16, height), be(32, 0x480000), be(32, 0x480000), zeros(4), be(16, 1), name, be(16, 24), be(16, 0xffff), child);
}

function moov(j: PreviewJpegs, c: CaptureSpec, jpegOffset: number, rawOffset: number, rawBytes: number): Uint8Array {
  const thmb = box('THMB', be(32, 0), be(16, 160), be(16, 120), be(32, j.thumb.length), be(32, 0x10000), j.thumb);
  const canon = box('uuid', hex(CANON_UUID), box('CNCV', enc('CanonCR3_001/00.09.00/00.00.00')), box('CMT1', cmt1(c)), box('CMT2', cmt2(c)), thmb);
  const mvhd = fullBox('mvhd', 0, be(32, 0), be(32, 0), be(32, 1), be(32, 1), be(32, 0x10000), be(16, 0x100), zeros(10), MATRIX, zeros(24), be(32, 3));
  const jpegTrack = track(1, crawEntry(2400, 1600, box('JPEG', zeros(4))), j.full.length, jpegOffset, 2400, 1600);
  const rawTrack = track(2, crawEntry(8192, 5464, box('CMP1', zeros(60))), rawBytes, rawOffset, 8192, 5464);
  return box('moov', canon, mvhd, jpegTrack, rawTrack);
}

/** Writes the CR3; returns its size. */
export function writeCr3(path: string, j: PreviewJpegs, c: CaptureSpec, o: ContainerOptions): number {
  const rawBytes = o.rawBytes ?? 64 * 1024;
  const ftyp = box('ftyp', enc('crx '), be(32, 1), enc('crx isom'));
  const prvw = box('uuid', hex(PREVIEW_UUID), be(32, 0), be(32, 1),
    box('PRVW', be(32, 0), be(16, 1), be(16, 1620), be(16, 1080), be(16, 1), be(32, j.big.length), j.big));
  // moov's size does not depend on the offsets it holds: lay it out once to learn where mdat's data lands.
  const moovSize = moov(j, c, 0, 0, rawBytes).length;
  const mdatAt = ftyp.length + moovSize + prvw.length;
  const jpegAt = mdatAt + 16; // 64-bit mdat header
  const rawAt = jpegAt + j.full.length;
  const L = new Layout(false);
  L.bytes(ftyp).bytes(moov(j, c, jpegAt, rawAt, rawBytes)).bytes(prvw);
  L.u32(1).ascii('mdat').later64(() => 16 + j.full.length + rawBytes);
  L.bytes(j.full);
  if (o.sparse === false) L.bytes(new Uint8Array(rawBytes).map((_, i) => (i * 2654435761) >>> 24));
  else L.gap(rawBytes);
  return L.write(path);
}
