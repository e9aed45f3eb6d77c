/**
 * Canon CR3 (ISO-BMFF, ftyp "crx "). Its JPEGs, as ExifTool reads them (QuickTime.pm, Canon.pm):
 * - PreviewImage: a top-level uuid box eaf42b5e-1c98-4b88-b9fb-b7dc406e4d16 holding, after 8 bytes, a
 *   'PRVW' box: u32 0, u16 1, u16 width, u16 height, u16 1, u32 JPEG length, then the JPEG (1620×1080);
 * - ThumbnailImage: 'THMB' in moov's Canon uuid box 85c0b687-820f-11e0-8111-f4ce462b6a48: u32 version/flags,
 *   u16 width, u16 height, u32 JPEG length, u32, then the JPEG (160×120);
 * - JpgFromRaw: the full-size JPEG that is the sample of a 'vide' track whose sample entry holds a 'JPEG' box
 *   (track 1), located by the track's stsz and stco/co64 tables.
 * The same Canon uuid box holds CMT1 (a TIFF: IFD0, with Make, Model, Orientation) and CMT2 (a TIFF whose
 * first IFD is the EXIF IFD).
 */
import { readBoxes, child, type Box } from './bmff';
import type { Candidate } from './jpegHead';
import { RangeReader, ascii, u32 } from './rangeReader';

const CANON_UUID = '85c0b687820f11e08111f4ce462b6a48';
const PREVIEW_UUID = 'eaf42b5e1c984b88b9fbb7dc406e4d16';
/** Boxes per level: a CR3 has ~5 at the top, ~8 in moov, ~10 in the Canon box. */
const MAX_BOXES = 64;
const MAX_TRACKS = 8;
/** CMT1 and CMT2 are 0.3-2 KB; more means this is not the box we think. */
const MAX_CMT_BYTES = 256 * 1024;

export interface Cr3Scan {
  candidates: Candidate[];
  cmt1: Uint8Array | null;
  cmt2: Uint8Array | null;
}

async function preview(r: RangeReader, uuidBox: Box): Promise<Candidate | null> {
  const prvw = (await readBoxes(r, uuidBox.start + 8, uuidBox.end, 4)).find((b) => b.type === 'PRVW');
  if (!prvw) return null;
  const h = await r.bytes(prvw.start, 16);
  if (h.length < 16) return null;
  return { offset: prvw.start + 16, length: u32(h, 12, false), source: 'CR3 PRVW' };
}

async function thumbnail(r: RangeReader, thmb: Box): Promise<Candidate | null> {
  const h = await r.bytes(thmb.start, 16);
  if (h.length < 16) return null;
  // The JPEG fills the rest of the box; the declared length can only shorten it.
  const room = thmb.end - thmb.start - 16;
  const declared = u32(h, 8, false);
  return { offset: thmb.start + 16, length: declared > 0 && declared < room ? declared : room, source: 'CR3 THMB' };
}

/** The JPEG sample of a track whose sample description holds a 'JPEG' box. */
async function trackJpeg(r: RangeReader, trak: Box): Promise<Candidate | null> {
  const mdia = await child(r, trak, 'mdia');
  const hdlr = mdia && (await child(r, mdia, 'hdlr'));
  if (!mdia || !hdlr || ascii(await r.bytes(hdlr.start + 8, 4), 0, 4) !== 'vide') return null;
  const minf = await child(r, mdia, 'minf');
  const stbl = minf && (await child(r, minf, 'stbl'));
  if (!stbl) return null;
  const tables = await readBoxes(r, stbl.start, stbl.end, MAX_BOXES);
  const stsd = tables.find((b) => b.type === 'stsd');
  const stsz = tables.find((b) => b.type === 'stsz');
  const chunks = tables.find((b) => b.type === 'co64' || b.type === 'stco');
  if (!stsd || !stsz || !chunks) return null;
  // The first sample entry (CRAW) has its child boxes after a variable header: look for a 'JPEG' box header.
  const entry = await r.bytes(stsd.start + 8, Math.min(stsd.end - stsd.start - 8, 1024));
  let isJpeg = false;
  for (let i = 12; i + 4 <= entry.length && !isJpeg; i++) {
    isJpeg = ascii(entry, i, 4) === 'JPEG' && u32(entry, i - 4, false) >= 8 && u32(entry, i - 4, false) <= 64;
  }
  if (!isJpeg) return null;
  const sz = await r.bytes(stsz.start, 16);
  const length = u32(sz, 4, false) || u32(sz, 12, false); // fixed sample size, else the first entry
  const co = await r.bytes(chunks.start, 16);
  if (u32(co, 4, false) === 0) return null;
  const offset = chunks.type === 'co64' ? u32(co, 8, false) * 0x100000000 + u32(co, 12, false) : u32(co, 8, false);
  return { offset, length, source: 'CR3 JPEG track' };
}

async function payload(r: RangeReader, box: Box): Promise<Uint8Array | null> {
  const n = box.end - box.start;
  return n > 8 && n <= MAX_CMT_BYTES ? r.bytes(box.start, n) : null;
}

/** Null when the file does not start with an ftyp box. */
export async function scanCr3(r: RangeReader): Promise<Cr3Scan | null> {
  const top = await readBoxes(r, 0, r.size, MAX_BOXES);
  if (top[0]?.type !== 'ftyp') return null;
  const scan: Cr3Scan = { candidates: [], cmt1: null, cmt2: null };
  const add = (c: Candidate | null) => {
    if (c && c.length > 0) scan.candidates.push(c);
  };
  for (const box of top) {
    if (box.type === 'uuid' && box.uuid === PREVIEW_UUID) add(await preview(r, box));
    if (box.type !== 'moov') continue;
    let tracks = 0;
    for (const m of await readBoxes(r, box.start, box.end, MAX_BOXES)) {
      if (m.type === 'trak' && tracks++ < MAX_TRACKS) add(await trackJpeg(r, m));
      if (m.type !== 'uuid' || m.uuid !== CANON_UUID) continue;
      for (const c of await readBoxes(r, m.start, m.end, MAX_BOXES)) {
        if (c.type === 'CMT1') scan.cmt1 ??= await payload(r, c);
        if (c.type === 'CMT2') scan.cmt2 ??= await payload(r, c);
        if (c.type === 'THMB') add(await thumbnail(r, c));
      }
    }
  }
  return scan;
}
