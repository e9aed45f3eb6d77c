/**
 * Generated camera RAW containers for the tests and the benchmark: each follows its format's published
 * layout (as ExifTool reads it, lib/Image/ExifTool/*.pm; the tests check every file with ExifTool) with
 * real JPEGs made by sharp (previewJpegs.ts), a realistic IFD0 and EXIF IFD, maker notes where the brand
 * keeps a preview there, and dummy raw data (a sparse hole, or noise for the benchmark). Written into a
 * temporary folder; never committed.
 */
import { join } from 'node:path';
import type { RawFormat } from '../../src/library/raw/rawFormat';
import { writeCr3 } from './cr3Container';
import { exifTiff, previewJpegs, withExif, type PreviewJpegs } from './previewJpegs';
import { Layout, T, exifFields, ifd0Fields, rel, writeIfd, type CaptureSpec, type Field } from './tiffLayout';

export const REQUIRED_FORMATS: readonly RawFormat[] = ['CR2', 'CR3', 'NEF', 'NRW', 'ARW', 'DNG', 'RAF', 'ORF', 'RW2', 'PEF', 'SRW'];

export interface ContainerOptions {
  /** Bytes of dummy raw data (default 64 KB). */
  rawBytes?: number;
  /** Put the largest preview after the raw data, near the end of the file (TIFF formats and RAF). */
  previewAfterRaw?: boolean;
  /** Raw data as a sparse hole (default) or as written pseudo-random bytes (the benchmark). */
  sparse?: boolean;
}

export interface Generated {
  format: RawFormat;
  path: string;
  size: number;
  capture: CaptureSpec;
  /** Stored size of the JPEG that should be chosen. */
  largest: { width: number; height: number };
}

/** Camera, orientation and time per format: orientations differ so a wrong source shows. */
export const CAPTURE: Record<RawFormat, CaptureSpec> = Object.fromEntries(
  (
    [
      ['CR2', 'Canon', 'Canon EOS 5D Mark IV', 6],
      ['CR3', 'Canon', 'Canon EOS R5', 8],
      ['CRW', 'Canon', 'Canon EOS D60', 1],
      ['NEF', 'NIKON CORPORATION', 'NIKON D850', 3],
      ['NRW', 'NIKON CORPORATION', 'COOLPIX P7000', 1],
      ['ARW', 'SONY', 'ILCE-7M3', 6],
      ['DNG', 'Canon', 'Canon EOS 6D', 8],
      ['RAF', 'FUJIFILM', 'X-T3', 6],
      ['ORF', 'OLYMPUS CORPORATION', 'E-M1MarkII', 3],
      ['RW2', 'Panasonic', 'DC-GH5', 6],
      ['PEF', 'PENTAX', 'PENTAX K-5', 8],
      ['SRW', 'SAMSUNG', 'NX300', 6],
      ['MRW', 'KONICA MINOLTA', 'DiMAGE A2', 1],
      ['IIQ', 'Phase One', 'IQ180', 1],
    ] as const
  ).map(([format, make, model, orientation], i) => [
    format,
    {
      make,
      model,
      orientation,
      dateTimeOriginal: `2024:05:${String(10 + i).padStart(2, '0')} 14:${String(20 + i)}:${String(30 + i)}`,
      subSec: String(100 + i * 37),
      iso: 100 * (i + 1),
      exposure: [1, 250],
      fNumber: [56, 10],
      focalLength: [50, 1],
      lens: 'RF24-105mm F4 L IS USM',
    } satisfies CaptureSpec,
  ]),
) as Record<RawFormat, CaptureSpec>;

const EXTENSION: Record<RawFormat, string> = {
  CR2: 'cr2', CR3: 'cr3', CRW: 'crw', NEF: 'nef', NRW: 'nrw', ARW: 'arw', DNG: 'dng',
  RAF: 'raf', ORF: 'orf', RW2: 'rw2', PEF: 'pef', SRW: 'srw', MRW: 'mrw', IIQ: 'iiq',
};

// --- pieces shared by the formats ----------------------------------------------------------------------

let noise: Uint8Array | null = null;

/** Pseudo-random bytes (raw data does not compress or repeat in 16 KB blocks). */
function noiseBytes(n: number): Uint8Array {
  if (!noise) {
    noise = new Uint8Array(1 << 20);
    let x = 2463534242;
    for (let i = 0; i < noise.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      noise[i] = x & 0xff;
    }
  }
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += noise.length) out.set(noise.subarray(0, Math.min(noise.length, n - o)), o);
  return out;
}

/** The head of a lossless JPEG (SOF3), as CR2 and DNG store raw data under Compression 6/7. */
function losslessJpegHead(width: number, height: number): Uint8Array {
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xc3, 0, 14, 14, height >> 8, height & 0xff, width >> 8, width & 0xff, 2, 1, 0x11, 0, 2, 0x11, 0]);
}

function rawData(L: Layout, o: ContainerOptions, head?: Uint8Array): void {
  const n = o.rawBytes ?? 64 * 1024;
  L.align(2).mark('raw');
  if (head) L.bytes(head);
  const rest = Math.max(0, n - (head?.length ?? 0));
  if (o.sparse === false) L.bytes(noiseBytes(rest));
  else L.gap(rest);
  L.markEnd('raw');
}

/** Previews and raw data, in the order the options ask for. */
function payload(L: Layout, o: ContainerOptions, previews: Array<[string, Uint8Array]>, rawHead?: Uint8Array): void {
  const blobs = () => previews.forEach(([label, bytes]) => L.align(2).blob(label, bytes));
  if (o.previewAfterRaw) {
    rawData(L, o, rawHead);
    blobs();
  } else {
    blobs();
    rawData(L, o, rawHead);
  }
  L.align(2);
}

const jpegPair = (L: Layout, label: string, base = 0): Field[] => [
  { tag: 0x201, type: T.LONG, value: rel(L.start(label), base) },
  { tag: 0x202, type: T.LONG, value: L.length(label) },
];

const strip = (L: Layout, label: string): Field[] => [
  { tag: 0x111, type: T.LONG, value: rel(L.start(label)) },
  { tag: 0x117, type: T.LONG, value: L.length(label) },
];

/** A CFA raw image IFD (the data itself is the 'raw' label). */
const rawIfd = (L: Layout, compression: number, width = 6000, height = 4000, bits = 14): Field[] => [
  { tag: 0xfe, type: T.LONG, value: [0] },
  { tag: 0x100, type: T.LONG, value: [width] },
  { tag: 0x101, type: T.LONG, value: [height] },
  { tag: 0x102, type: T.SHORT, value: [bits] },
  { tag: 0x103, type: T.SHORT, value: [compression] },
  { tag: 0x106, type: T.SHORT, value: [32803] },
  { tag: 0x115, type: T.SHORT, value: [1] },
  { tag: 0x116, type: T.LONG, value: [height] },
  ...strip(L, 'raw'),
];

/** An uncompressed RGB thumbnail IFD (NEF's and DNG's IFD0). */
const rgbIfd = (L: Layout, width: number, height: number): Field[] => [
  { tag: 0xfe, type: T.LONG, value: [1] },
  { tag: 0x100, type: T.LONG, value: [width] },
  { tag: 0x101, type: T.LONG, value: [height] },
  { tag: 0x102, type: T.SHORT, value: [8, 8, 8] },
  { tag: 0x103, type: T.SHORT, value: [1] },
  { tag: 0x106, type: T.SHORT, value: [2] },
  { tag: 0x115, type: T.SHORT, value: [3] },
  { tag: 0x116, type: T.LONG, value: [height] },
  ...strip(L, 'rgb'),
];

const tiffHeader = (L: Layout) => L.ascii(L.le ? 'II' : 'MM').u16(42).u32(8);

// --- formats --------------------------------------------------------------------------------------------

type Writer = (L: Layout, j: PreviewJpegs, c: CaptureSpec, o: ContainerOptions) => void;

/** CR2: "CR" v2 after the TIFF header; IFD0 = full JPEG (strip, Compression 6), IFD1 thumbnail, IFD2 RGB, IFD3 raw (lossless JPEG). */
const cr2: Writer = (L, j, c, o) => {
  L.ascii('II').u16(42).u32(16).ascii('CR').u8(2).u8(0).later32(L.start('ifd3'));
  writeIfd(
    L,
    [
      { tag: 0x100, type: T.SHORT, value: [1620] },
      { tag: 0x101, type: T.SHORT, value: [1080] },
      { tag: 0x102, type: T.SHORT, value: [8, 8, 8] },
      { tag: 0x103, type: T.SHORT, value: [6] },
      ...strip(L, 'big'),
      ...ifd0Fields(c, L.start('exif')),
    ],
    { next: L.start('ifd1') },
  );
  writeIfd(L, exifFields(c), { label: 'exif' });
  writeIfd(L, [{ tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'thumb')], { label: 'ifd1', next: L.start('ifd2') });
  writeIfd(L, rgbIfd(L, 160, 120), { label: 'ifd2', next: L.start('ifd3') });
  writeIfd(L, [{ tag: 0x103, type: T.SHORT, value: [6] }, ...strip(L, 'raw')], { label: 'ifd3' });
  L.blob('rgb', new Uint8Array(160 * 120 * 3));
  payload(L, o, [['thumb', j.thumb], ['big', j.big]], losslessJpegHead(6720, 4480));
};

/** Nikon maker note (type 2): "Nikon\0" 2.10, an inner big-endian TIFF header, PreviewIFD (0x11) with the 640×424 preview. */
function nikonMakerNote(L: Layout, j: PreviewJpegs): void {
  L.align(2).mark('mn').ascii('Nikon\0').u8(2).u8(0x10).u16(0);
  const inner = L.pos;
  L.ascii('MM').u16(42, false).u32(8, false);
  writeIfd(
    L,
    [
      { tag: 0x1, type: T.UNDEFINED, value: Uint8Array.from('0210', (ch) => ch.charCodeAt(0)) },
      { tag: 0x11, type: T.IFD, value: rel(L.start('pifd'), inner) },
    ],
    { base: inner, le: false },
  );
  writeIfd(
    L,
    [
      { tag: 0x103, type: T.SHORT, value: [6] },
      { tag: 0x11a, type: T.RATIONAL, value: [300, 1] },
      { tag: 0x11b, type: T.RATIONAL, value: [300, 1] },
      { tag: 0x128, type: T.SHORT, value: [2] },
      ...jpegPair(L, 'mid', inner),
      { tag: 0x213, type: T.SHORT, value: [2] },
    ],
    { base: inner, le: false, label: 'pifd' },
  );
  L.blob('mid', j.mid).markEnd('mn');
}

/** NEF: IFD0 = 160×120 RGB thumbnail; SubIFD0 = JpgFromRaw; SubIFD1 = raw; maker-note PreviewIFD. */
const nef: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(L, [...rgbIfd(L, 160, 120), { tag: 0x14a, type: T.LONG, value: [L.start('sub0'), L.start('sub1')] }, ...ifd0Fields(c, L.start('exif'))]);
  writeIfd(L, [{ tag: 0xfe, type: T.LONG, value: [1] }, { tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'big')], { label: 'sub0' });
  writeIfd(L, rawIfd(L, 34713, 8288, 5520), { label: 'sub1' });
  writeIfd(L, exifFields(c, 'mn'), { label: 'exif' });
  nikonMakerNote(L, j);
  L.blob('rgb', new Uint8Array(160 * 120 * 3));
  payload(L, o, [['big', j.big]]);
};

/** NRW (Coolpix): IFD0 holds a JPEG thumbnail (Compression 6 + 0x201), SubIFD0 JpgFromRaw, SubIFD1 raw. */
const nrw: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(L, [
    { tag: 0xfe, type: T.LONG, value: [1] },
    { tag: 0x100, type: T.LONG, value: [160] },
    { tag: 0x101, type: T.LONG, value: [120] },
    { tag: 0x103, type: T.SHORT, value: [6] },
    ...jpegPair(L, 'thumb'),
    { tag: 0x14a, type: T.LONG, value: [L.start('sub0'), L.start('sub1')] },
    ...ifd0Fields(c, L.start('exif')),
  ]);
  writeIfd(L, [{ tag: 0xfe, type: T.LONG, value: [1] }, { tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'big')], { label: 'sub0' });
  writeIfd(L, rawIfd(L, 34713, 3664, 2744, 12), { label: 'sub1' });
  writeIfd(L, exifFields(c, 'mn'), { label: 'exif' });
  nikonMakerNote(L, j);
  payload(L, o, [['thumb', j.thumb], ['big', j.big]]);
};

/** ARW: IFD0's 0x201/0x202 = PreviewImage; IFD1 = thumbnail; SubIFD0 = raw (Sony compressed). */
const arw: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(
    L,
    [
      { tag: 0xfe, type: T.LONG, value: [1] },
      { tag: 0x103, type: T.SHORT, value: [6] },
      { tag: 0x10e, type: T.ASCII, value: '                               ' },
      ...jpegPair(L, 'big'),
      { tag: 0x14a, type: T.LONG, value: [L.start('sub0')] },
      ...ifd0Fields(c, L.start('exif')),
    ],
    { next: L.start('ifd1') },
  );
  writeIfd(L, [{ tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'thumb')], { label: 'ifd1' });
  writeIfd(L, rawIfd(L, 32767, 6048, 4024), { label: 'sub0' });
  writeIfd(L, exifFields(c), { label: 'exif' });
  payload(L, o, [['thumb', j.thumb], ['big', j.big]]);
};

/** DNG (big-endian): IFD0 = 256×171 RGB thumbnail; SubIFD0 = raw as lossless JPEG (Compression 7, SOF3); SubIFD1 = JPEG preview (Compression 7, YCbCr). */
const dng: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(L, [
    ...rgbIfd(L, 256, 171),
    { tag: 0x14a, type: T.LONG, value: [L.start('sub0'), L.start('sub1')] },
    ...ifd0Fields(c, L.start('exif')),
    { tag: 0xc612, type: T.BYTE, value: [1, 4, 0, 0] },
    { tag: 0xc613, type: T.BYTE, value: [1, 1, 0, 0] },
    { tag: 0xc614, type: T.ASCII, value: c.model },
  ]);
  writeIfd(L, rawIfd(L, 7, 5496, 3670, 16), { label: 'sub0' });
  writeIfd(
    L,
    [
      { tag: 0xfe, type: T.LONG, value: [1] },
      { tag: 0x100, type: T.LONG, value: [1620] },
      { tag: 0x101, type: T.LONG, value: [1080] },
      { tag: 0x102, type: T.SHORT, value: [8, 8, 8] },
      { tag: 0x103, type: T.SHORT, value: [7] },
      { tag: 0x106, type: T.SHORT, value: [6] },
      { tag: 0x115, type: T.SHORT, value: [3] },
      { tag: 0x116, type: T.LONG, value: [1080] },
      ...strip(L, 'big'),
    ],
    { label: 'sub1' },
  );
  writeIfd(L, exifFields(c), { label: 'exif' });
  L.blob('rgb', new Uint8Array(256 * 171 * 3));
  payload(L, o, [['big', j.big]], losslessJpegHead(5496, 3670));
};

/** ORF: "IIRO"; IFD0 = raw; Olympus maker note ("OLYMPUS\0II", 0x100 thumbnail inline, 0x2020 CameraSettings IFD with the preview). */
const orf: Writer = (L, j, c, o) => {
  L.ascii('IIRO').u32(8);
  writeIfd(L, [...rawIfd(L, 1, 5240, 3912, 16), ...ifd0Fields(c, L.start('exif'))]);
  writeIfd(L, exifFields(c, 'mn'), { label: 'exif' });
  L.align(2).mark('mn');
  const base = L.pos;
  L.ascii('OLYMPUS\0II').u16(3);
  writeIfd(
    L,
    [
      { tag: 0x0, type: T.UNDEFINED, value: Uint8Array.from('0100', (ch) => ch.charCodeAt(0)) },
      { tag: 0x100, type: T.UNDEFINED, value: j.thumb },
      { tag: 0x2020, type: T.IFD, value: rel(L.start('cs'), base) },
    ],
    { base },
  );
  writeIfd(
    L,
    [
      { tag: 0x0, type: T.UNDEFINED, value: Uint8Array.from('0100', (ch) => ch.charCodeAt(0)) },
      { tag: 0x100, type: T.LONG, value: [1] },
      { tag: 0x101, type: T.LONG, value: rel(L.start('big'), base) },
      { tag: 0x102, type: T.LONG, value: L.length('big') },
    ],
    { base, label: 'cs' },
  );
  L.align(2).blob('big', j.big).markEnd('mn');
  payload(L, o, []);
};

/** RW2: "IIU\0" + Panasonic magic; IFD0 of Panasonic tags with 0x2E JpgFromRaw (a JPEG with its own EXIF) stored as the value. */
const rw2: Writer = (L, j, c, o) => {
  L.ascii('IIU\0').u32(0x18).bytes(Uint8Array.from([0x88, 0xe7, 0x74, 0xd8, 0xf8, 0x25, 0x1d, 0x4d, 0x94, 0x7a, 0x6e, 0x77, 0x82, 0x2b, 0x5d, 0x6a]));
  const s = (tag: number, v: number): Field => ({ tag, type: T.SHORT, value: [v] });
  writeIfd(L, [
    { tag: 0x1, type: T.UNDEFINED, value: Uint8Array.from('0300', (ch) => ch.charCodeAt(0)) },
    s(0x2, 5200), s(0x3, 3888), s(0x4, 4), s(0x5, 8), s(0x6, 3884), s(0x7, 5192), s(0x9, 1), s(0xa, 12), s(0xb, 34316), s(0x17, c.iso),
    { tag: 0x2e, type: T.UNDEFINED, value: { span: 'big' } },
    ...ifd0Fields(c, L.start('exif')),
    ...strip(L, 'raw'),
    s(0x116, 3888),
    { tag: 0x118, type: T.LONG, value: rel(L.start('raw')) },
  ]);
  writeIfd(L, exifFields(c), { label: 'exif' });
  payload(L, o, [['big', withExif(j.big, exifTiff(c, j.thumb))]]);
};

/** PEF (big-endian): IFD0 = raw; IFD1 = thumbnail; IFD2 = JpgFromRaw; Pentax maker note ("AOC\0MM") with the 640×424 preview at an absolute offset. */
const pef: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(L, [...rawIfd(L, 65535, 4928, 3264, 12), ...ifd0Fields(c, L.start('exif'))], { next: L.start('ifd1') });
  writeIfd(L, exifFields(c, 'mn'), { label: 'exif' });
  L.align(2).mark('mn').ascii('AOC\0MM');
  writeIfd(L, [
    { tag: 0x0, type: T.BYTE, value: [4, 0, 0, 0] },
    { tag: 0x2, type: T.SHORT, value: [640, 424] },
    { tag: 0x3, type: T.LONG, value: L.length('mid') },
    { tag: 0x4, type: T.LONG, value: rel(L.start('mid')) },
  ]);
  L.markEnd('mn');
  writeIfd(L, [{ tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'thumb')], { label: 'ifd1', next: L.start('ifd2') });
  writeIfd(
    L,
    [{ tag: 0x100, type: T.LONG, value: [1620] }, { tag: 0x101, type: T.LONG, value: [1080] }, { tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'big')],
    { label: 'ifd2' },
  );
  payload(L, o, [['mid', j.mid], ['thumb', j.thumb], ['big', j.big]]);
};

/** SRW: IFD0 = raw (Samsung compressed) with SubIFD0 = JpgFromRaw; IFD1 = thumbnail. */
const srw: Writer = (L, j, c, o) => {
  tiffHeader(L);
  writeIfd(L, [...rawIfd(L, 32770, 5472, 3648, 12), { tag: 0x14a, type: T.LONG, value: [L.start('sub0')] }, ...ifd0Fields(c, L.start('exif'))], {
    next: L.start('ifd1'),
  });
  writeIfd(L, [{ tag: 0xfe, type: T.LONG, value: [1] }, { tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'big')], { label: 'sub0' });
  writeIfd(L, [{ tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'thumb')], { label: 'ifd1' });
  writeIfd(L, exifFields(c), { label: 'exif' });
  payload(L, o, [['thumb', j.thumb], ['big', j.big]]);
};

/** RAF: fixed big-endian header (JPEG offset/length at 0x54/0x58, CFA header and data after), the JPEG carrying the EXIF. */
const raf: Writer = (L, j, c, o) => {
  const name = new Uint8Array(32);
  name.set(Uint8Array.from(c.model, (ch) => ch.charCodeAt(0)));
  L.ascii('FUJIFILMCCD-RAW ').ascii('0201').ascii('FF383501').bytes(name).ascii('0100').zeros(20);
  L.later32(L.start('big'), false).later32(L.length('big'), false);
  L.later32(L.start('cfa'), false).later32(L.length('cfa'), false);
  L.later32(L.start('raw'), false).later32(L.length('raw'), false);
  L.zeros(0x94 - L.pos);
  // The RAF directory: u32 entry count, then (u16 tag, u16 size, data); 0x100 = RawImageFullSize.
  const cfa = new Uint8Array([0, 0, 0, 1, 0x01, 0x00, 0, 4, 0x0f, 0x30, 0x17, 0x40]);
  const jpg = withExif(j.big, exifTiff(c, j.thumb, false));
  if (o.previewAfterRaw) {
    L.blob('cfa', cfa);
    rawData(L, o);
    L.blob('big', jpg);
  } else {
    L.blob('big', jpg).blob('cfa', cfa);
    rawData(L, o);
  }
};

const WRITERS: Partial<Record<RawFormat, Writer>> = { CR2: cr2, NEF: nef, NRW: nrw, ARW: arw, DNG: dng, ORF: orf, RW2: rw2, PEF: pef, SRW: srw, RAF: raf };
const LITTLE_ENDIAN: Partial<Record<RawFormat, boolean>> = { DNG: false, PEF: false };

/** Writes `dir/sample.<ext>` for a required format. */
export async function writeRawContainer(dir: string, format: RawFormat, options: ContainerOptions = {}, name = 'sample'): Promise<Generated> {
  const j = await previewJpegs();
  const capture = CAPTURE[format];
  const path = join(dir, `${name}.${EXTENSION[format]}`);
  if (format === 'CR3') {
    const size = writeCr3(path, j, capture, options);
    return { format, path, size, capture, largest: { width: 2400, height: 1600 } };
  }
  const writer = WRITERS[format];
  if (!writer) throw new Error(`no generator for ${format}`);
  const L = new Layout(LITTLE_ENDIAN[format] ?? true);
  writer(L, j, capture, options);
  const size = L.write(path);
  return { format, path, size, capture, largest: { width: 1620, height: 1080 } };
}
