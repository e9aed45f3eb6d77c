import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { defuseFormula, toCsv } from '../src/library/export/csv';
import { dosDateTime } from '../src/codecs/dosDateTime';
import { toJson } from '../src/library/export/json';
import { sidecarFiles } from '../src/library/export/sidecars';
import type { ExportContext, ExportImage } from '../src/library/export/types';
import { escapeXml } from '../src/library/export/xmlEscape';
import { NS_DC, NS_LOUPE, NS_LR, NS_RDF, NS_X, NS_XMP, sidecarName, toXmpSidecar } from '../src/library/export/xmp';
import { createZip, ZipWriteError } from '../src/codecs/zipWrite';
import { entryData, readCentralDirectory } from '../src/codecs/zipRead';

// Outside ZIP checkers: a case whose tool is missing is reported as skipped, never passed without checking.
const HAS_UNZIP = existsSync('/usr/bin/unzip');
const HAS_PYTHON = existsSync('/usr/bin/python3');

const HOSTILE_TAG = 'sunset, "golden" =hour <&>';
const RTL_TAG = 'שקיעה مساء 🌅';
const ctx: ExportContext = {
  appVersion: '0.1.0',
  modelId: 'clip-vit-b32 & "aesthetic" <v2>',
  createdAt: new Date('2024-05-06T07:08:09.500Z'),
  tags: [
    { tag: 'beach', threshold: 0.24, tieMargin: 0.01 },
    { tag: HOSTILE_TAG, threshold: 0.2, tieMargin: 0.005 },
    { tag: RTL_TAG, threshold: 0.3, tieMargin: 0 },
  ],
};

function image(over: Partial<ExportImage> & Pick<ExportImage, 'path'>): ExportImage {
  return {
    name: over.path.split('/').pop() ?? over.path,
    raw: null,
    contentHash: 'ab'.repeat(32),
    width: 4000,
    height: 3000,
    aesthetic: 5.25,
    decision: 'none',
    stars: 0,
    label: 'none',
    flags: [],
    faces: null,
    peopleScore: null,
    tags: [],
    error: null,
    ...over,
  };
}

const picked = image({
  path: 'wedding/a, "b"\nc.JPG',
  decision: 'pick',
  stars: 4,
  flags: ['blurry', 'eyes-closed'],
  faces: 3,
  peopleScore: 0.5,
  aesthetic: 0.1 + 0.2,
  tags: [
    { tag: 'beach', relevance: 0.31234567890123456, rank: 1, score: 6.5 },
    { tag: HOSTILE_TAG, relevance: -1.5, rank: 2, score: null },
    { tag: RTL_TAG, relevance: 0.1, rank: null, score: null },
  ],
});
const rejected = image({
  path: 'party/=HYPERLINK("http://evil.example","x").jpg',
  name: '=HYPERLINK("http://evil.example","x").jpg',
  decision: 'reject',
  stars: 3,
  aesthetic: null,
  width: null,
  height: null,
  tags: [{ tag: RTL_TAG, relevance: 0.4, rank: 1, score: 2 }],
  error: 'decode failed:\r\nline two',
});
const plain = image({ path: 'עברית/👩‍👩‍👧 café ‏RTL.png', stars: 5, tags: [] });
const images = [picked, rejected, plain];

/** RFC 4180, strictly: a quoted field may hold commas, CR/LF and doubled quotes; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote in unquoted field at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
  }
  if (row.length > 0) throw new Error('last record has no CRLF');
  return rows;
}

describe('toCsv', () => {
  const csv = toCsv(images, ctx);
  const rows = parseCsv(csv.slice(1));
  const header = rows[0];
  const cell = (row: number, column: string) => rows[row][header.indexOf(column)];

  it('starts with a BOM by default and leaves it out on request', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(toCsv(images, ctx, { bom: false }).charCodeAt(0)).toBe('p'.charCodeAt(0));
  });

  it('has a header and one equally long row per image', () => {
    expect(header).toEqual([
      'path', 'name', 'raw_path', 'content_hash', 'width', 'height', 'aesthetic', 'decision', 'stars', 'label', 'flags', 'faces', 'people_score',
      'relevance:beach', 'rank:beach', 'score:beach',
      `relevance:${HOSTILE_TAG}`, `rank:${HOSTILE_TAG}`, `score:${HOSTILE_TAG}`,
      `relevance:${RTL_TAG}`, `rank:${RTL_TAG}`, `score:${RTL_TAG}`,
      'error',
    ]);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r).toHaveLength(header.length);
  });

  it('brings hostile names back exactly, formula-like ones behind an apostrophe', () => {
    expect(cell(1, 'path')).toBe(picked.path);
    expect(cell(1, 'name')).toBe(picked.name);
    expect(cell(2, 'path')).toBe(rejected.path);
    expect(cell(2, 'name')).toBe(`'${rejected.name}`);
    expect(cell(2, 'error')).toBe(rejected.error);
    expect(cell(3, 'path')).toBe(plain.path);
  });

  it('writes numbers at full precision with a dot, and empty cells where unknown', () => {
    expect(cell(1, 'aesthetic')).toBe('0.30000000000000004');
    expect(Number(cell(1, 'relevance:beach'))).toBe(0.31234567890123456);
    expect(cell(1, `relevance:${HOSTILE_TAG}`)).toBe('-1.5');
    expect(cell(1, `score:${HOSTILE_TAG}`)).toBe('');
    expect(cell(1, `rank:${RTL_TAG}`)).toBe('');
    expect(cell(2, 'aesthetic')).toBe('');
    expect(cell(2, 'width')).toBe('');
    expect(cell(3, 'relevance:beach')).toBe('');
    expect([cell(1, 'decision'), cell(1, 'stars'), cell(2, 'decision'), cell(2, 'stars')]).toEqual(['pick', '4', 'reject', '3']);
    expect(cell(1, 'error')).toBe('');
    expect([cell(1, 'flags'), cell(1, 'faces'), cell(1, 'people_score')]).toEqual(['blurry eyes-closed', '3', '0.5']);
    expect([cell(2, 'flags'), cell(2, 'faces'), cell(2, 'people_score')]).toEqual(['', '', '']);
  });

  it('defuses formulas but not plain numbers', () => {
    for (const s of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx', '=HYPERLINK("x")']) expect(defuseFormula(s)).toBe(`'${s}`);
    for (const s of ['-1.5', '+3', '-2e-7', '.5', 'beach', "'quoted", '']) expect(defuseFormula(s)).toBe(s);
  });
});

describe('toJson', () => {
  it('round-trips as a versioned document with numbers, nulls and a fixed key order', () => {
    const doc = JSON.parse(toJson(images, ctx));
    expect(Object.keys(doc)).toEqual(['format', 'version', 'createdAt', 'appVersion', 'modelId', 'tags', 'images']);
    expect(doc).toMatchObject({ format: 'loupe-export', version: 1, createdAt: '2024-05-06T07:08:09.500Z', modelId: ctx.modelId });
    expect(doc.tags).toEqual(ctx.tags);
    expect(doc.images).toEqual(images);
    expect(Object.keys(doc.images[0])).toEqual(['path', 'name', 'raw', 'contentHash', 'width', 'height', 'aesthetic', 'decision', 'stars', 'label', 'flags', 'faces', 'peopleScore', 'tags', 'error']);
    expect(Object.keys(doc.images[0].tags[0])).toEqual(['tag', 'relevance', 'rank', 'score']);
  });

  it('writes the same text whatever the input objects key order or extra fields, and nulls non-finite numbers', () => {
    const reversed = Object.fromEntries(Object.entries(picked).reverse()) as unknown as ExportImage;
    const shuffled = { extra: 1, ...reversed };
    expect(toJson([shuffled], ctx)).toBe(toJson([picked], ctx));
    const doc = JSON.parse(toJson([image({ path: 'x.jpg', aesthetic: Number.NaN })], ctx));
    expect(doc.images[0].aesthetic).toBeNull();
  });
});

/** Strict: any warning fails the test, except the one U+FFFD draws when a test writes U+FFFD on purpose. */
function parseXml(text: string, allowReplacementChar = false): Document {
  const parser = new DOMParser({
    onError: (level, msg) => {
      if (allowReplacementChar && level === 'warning' && /replacement character/i.test(msg)) return;
      throw new Error(`${level}: ${msg}`);
    },
  });
  return parser.parseFromString(text, 'text/xml') as unknown as Document;
}

const texts = (doc: Document, ns: string, local: string): string[] =>
  Array.from(doc.getElementsByTagNameNS(ns, local), (e) => e.textContent ?? '');

describe('toXmpSidecar', () => {
  it('is an Adobe-style packet around x:xmpmeta / rdf:RDF / one rdf:Description', () => {
    const xml = toXmpSidecar(picked, ctx);
    expect(xml.startsWith('<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>')).toBe(true);
    expect(xml.trimEnd().endsWith('<?xpacket end="w"?>')).toBe(true);
    const doc = parseXml(xml);
    const root = doc.documentElement;
    expect([root.namespaceURI, root.localName]).toEqual([NS_X, 'xmpmeta']);
    const rdf = doc.getElementsByTagNameNS(NS_RDF, 'RDF');
    expect(rdf).toHaveLength(1);
    expect(rdf[0].parentNode).toBe(root);
    const descriptions = doc.getElementsByTagNameNS(NS_RDF, 'Description');
    expect(descriptions).toHaveLength(1);
    expect(descriptions[0].getAttributeNS(NS_RDF, 'about')).toBe('');
    expect(texts(doc, NS_XMP, 'MetadataDate')).toEqual(['2024-05-06T07:08:09.500Z']);
  });

  it('rates a reject -1, others by their stars, and labels only picks', () => {
    const rating = (img: ExportImage) => texts(parseXml(toXmpSidecar(img, ctx)), NS_XMP, 'Rating');
    const label = (img: ExportImage, pickLabel?: string | null) =>
      texts(parseXml(toXmpSidecar(img, ctx, pickLabel === undefined ? {} : { pickLabel })), NS_XMP, 'Label');
    expect(rating(rejected)).toEqual(['-1']);
    expect(rating(picked)).toEqual(['4']);
    expect(rating(plain)).toEqual(['5']);
    expect(rating(image({ path: 'z.jpg' }))).toEqual(['0']);
    expect(label(picked)).toEqual(['Green']);
    expect(label(picked, 'Purple')).toEqual(['Purple']);
    expect(label(picked, null)).toEqual([]);
    expect(label(rejected)).toEqual([]);
    expect(label(plain)).toEqual([]);
    expect(texts(parseXml(toXmpSidecar(rejected, ctx)), NS_LOUPE, 'Stars')).toEqual(['3']);
  });

  it("writes the user's colour label by Lightroom's name, over the pick label, on any decision", () => {
    const label = (img: ExportImage) => texts(parseXml(toXmpSidecar(img, ctx)), NS_XMP, 'Label');
    expect(label({ ...picked, label: 'red' })).toEqual(['Red']);
    expect(label({ ...rejected, label: 'blue' })).toEqual(['Blue']);
    expect(label({ ...plain, label: 'yellow' })).toEqual(['Yellow']);
    expect(label({ ...plain, label: 'green' })).toEqual(['Green']);
    expect(label({ ...picked, label: 'none' })).toEqual(['Green']);
    const csvCells = toCsv([{ ...plain, label: 'yellow' }, plain], ctx, { bom: false }).split('\r\n');
    const col = csvCells[0].split(',').indexOf('label');
    expect([csvCells[1].split(',')[col], csvCells[2].split(',')[col]]).toEqual(['yellow', '']);
    expect(JSON.parse(toJson([{ ...plain, label: 'blue' }], ctx)).images[0].label).toBe('blue');
  });

  it('lists the same tags in lr:hierarchicalSubject, a "|" written as "/" so Lightroom sees one level', () => {
    const withPipe = image({ path: 'p.jpg', tags: [{ tag: 'sky|blue', relevance: 0.4, rank: 1, score: null }] });
    const bagOf = (img: ExportImage) => {
      const subject = parseXml(toXmpSidecar(img, ctx)).getElementsByTagNameNS(NS_LR, 'hierarchicalSubject');
      return Array.from(subject, (s) => Array.from(s.getElementsByTagNameNS(NS_RDF, 'li'), (li) => li.textContent));
    };
    expect(bagOf(picked)).toEqual([['beach', HOSTILE_TAG]]);
    expect(bagOf(withPipe)).toEqual([['sky/blue']]);
    expect(texts(parseXml(toXmpSidecar(withPipe, ctx)), NS_RDF, 'li').slice(0, 1)).toEqual(['sky|blue']);
    expect(bagOf(plain)).toEqual([]);
  });

  it('lists the tags the image made the cut for in dc:subject, hostile text intact', () => {
    const doc = parseXml(toXmpSidecar(picked, ctx));
    const subject = doc.getElementsByTagNameNS(NS_DC, 'subject');
    expect(subject).toHaveLength(1);
    const bag = subject[0].getElementsByTagNameNS(NS_RDF, 'Bag');
    expect(bag).toHaveLength(1);
    expect(Array.from(bag[0].getElementsByTagNameNS(NS_RDF, 'li'), (li) => li.textContent)).toEqual(['beach', HOSTILE_TAG]);
    expect(doc.getElementsByTagNameNS(NS_DC, 'subject')).toHaveLength(1);
    expect(parseXml(toXmpSidecar(plain, ctx)).getElementsByTagNameNS(NS_DC, 'subject')).toHaveLength(0);
  });

  it("keeps Loupe's own data, exact, in its namespace", () => {
    const doc = parseXml(toXmpSidecar(picked, ctx));
    expect(texts(doc, NS_LOUPE, 'ModelId')).toEqual([ctx.modelId]);
    expect(Number(texts(doc, NS_LOUPE, 'AestheticScore')[0])).toBe(0.1 + 0.2);
    expect(texts(doc, NS_LOUPE, 'Decision')).toEqual(['pick']);
    expect(texts(doc, NS_LOUPE, 'Tag')).toEqual(['beach', HOSTILE_TAG, RTL_TAG]);
    expect(texts(doc, NS_LOUPE, 'Relevance').map(Number)).toEqual([0.31234567890123456, -1.5, 0.1]);
    expect(texts(doc, NS_LOUPE, 'Rank')).toEqual(['1', '2']);
    expect(texts(doc, NS_LOUPE, 'Threshold').map(Number)).toEqual([0.24, 0.2, 0.3]);

    const bad = parseXml(toXmpSidecar(rejected, ctx));
    expect(texts(bad, NS_LOUPE, 'Error')).toEqual([rejected.error]);
    expect(texts(bad, NS_LOUPE, 'AestheticScore')).toEqual([]);
    expect(texts(bad, NS_DC, 'subject').map((s) => s.trim())).toEqual([RTL_TAG]);
  });

  it('survives characters XML cannot carry', () => {
    const nasty = image({ path: 'x.jpg', error: 'bell\u0007 lone\uD800 ok', tags: [{ tag: ']]> \'"', relevance: 1, rank: 1, score: null }] });
    const doc = parseXml(toXmpSidecar(nasty, ctx), true);
    expect(texts(doc, NS_LOUPE, 'Error')).toEqual(['bell\uFFFD lone\uFFFD ok']);
    expect(texts(doc, NS_LOUPE, 'Tag')).toEqual([']]> \'"']);
    expect(escapeXml('👩‍👩‍👧')).toBe('👩‍👩‍👧');
  });
});

describe('sidecarName', () => {
  it('appends by default and replaces the extension on request, keeping folders', () => {
    expect(sidecarName('wedding/IMG_0012.JPG')).toBe('wedding/IMG_0012.JPG.xmp');
    expect(sidecarName('wedding/IMG_0012.JPG', 'replace')).toBe('wedding/IMG_0012.xmp');
    expect(sidecarName('my.trip/IMG', 'replace')).toBe('my.trip/IMG.xmp');
    expect(sidecarName('a/.hidden', 'replace')).toBe('a/.hidden.xmp');
    expect(sidecarName('a/b.tar.gz', 'replace')).toBe('a/b.tar.xmp');
  });

  it('reports sidecars that would overwrite each other instead of writing both', () => {
    const pair = [image({ path: 'f/IMG_1.JPG' }), image({ path: 'f/IMG_1.png' }), image({ path: 'f/img_1.heic' })];
    expect(sidecarFiles(pair, ctx).clashes).toEqual([]);
    const { files, clashes } = sidecarFiles(pair, ctx, { naming: 'replace' });
    expect(files.map((f) => f.path)).toEqual(['f/IMG_1.xmp']);
    expect(clashes).toEqual([
      { path: 'f/IMG_1.png', sidecar: 'f/IMG_1.xmp', keptFor: 'f/IMG_1.JPG' },
      { path: 'f/img_1.heic', sidecar: 'f/img_1.xmp', keptFor: 'f/IMG_1.JPG' },
    ]);
  });
});

describe('createZip', () => {
  const sameName = [
    image({ path: 'wedding/IMG_0012.JPG', decision: 'pick', stars: 5 }),
    image({ path: 'party 🎉/IMG_0012.JPG', decision: 'reject' }),
    picked,
  ];
  const { files } = sidecarFiles(sameName, ctx);
  const zip = createZip(files);

  it('round-trips three sidecars, two of them same-named in different folders, through the pth ZIP reader', () => {
    const entries = readCentralDirectory(zip);
    expect(entries.map((e) => e.name)).toEqual([
      'wedding/IMG_0012.JPG.xmp',
      'party 🎉/IMG_0012.JPG.xmp',
      `${picked.path}.xmp`,
    ]);
    const decoder = new TextDecoder();
    entries.forEach((e, i) => expect(decoder.decode(entryData(zip, e))).toBe(decoder.decode(files[i].data)));
    const ratings = entries.map((e) => texts(parseXml(decoder.decode(entryData(zip, e))), NS_XMP, 'Rating')[0]);
    expect(ratings).toEqual(['5', '-1', '4']);
    const view = new DataView(zip.buffer);
    expect(view.getUint16(6, true) & 0x0800).toBe(0x0800);
  });

  /** Writes the archive to a temporary file for an outside checker, and removes it afterwards. */
  const withZipFile = (check: (file: string) => void): void => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-zip-'));
    try {
      const file = join(dir, 'sidecars.zip');
      writeFileSync(file, zip);
      check(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it.skipIf(!HAS_UNZIP)('passes an independent ZIP checker: unzip -t (skipped: needs /usr/bin/unzip)', () => {
    withZipFile((file) => execFileSync('/usr/bin/unzip', ['-tq', file]));
  });

  it.skipIf(!HAS_PYTHON)("passes an independent ZIP checker: Python's zipfile, names, UTF-8 flag and DOS times (skipped: needs /usr/bin/python3)", () => {
    withZipFile((file) => {
      execFileSync('/usr/bin/python3', ['-m', 'zipfile', '-t', file]);
      const script =
        'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n' +
        'print(json.dumps([[i.filename,i.flag_bits,list(i.date_time),i.compress_type] for i in z.infolist()]))';
      const listed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
      const d = ctx.createdAt;
      const when = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds() & ~1];
      expect(listed).toEqual(files.map((f) => [f.path, 0x0800, when, 0]));
    });
  });

  it('writes an empty archive', () => {
    expect(readCentralDirectory(createZip([]))).toEqual([]);
  });

  it('refuses unsafe paths, duplicates and more files than classic ZIP holds', () => {
    const data = new Uint8Array(1);
    for (const path of ['', '/etc/passwd', '../up.xmp', 'a//b', 'a/./b', 'a\\b']) {
      expect(() => createZip([{ path, data }])).toThrow(ZipWriteError);
    }
    expect(() => createZip([{ path: 'a', data }, { path: 'a', data }])).toThrow(/twice/);
    const many = Array.from({ length: 65535 }, (_, i) => ({ path: `f${i}`, data }));
    expect(() => createZip(many)).toThrow(/at most 65534/);
    expect(readCentralDirectory(createZip(many.slice(1)))).toHaveLength(65534);
  });
});

describe('dosDateTime', () => {
  it('packs local time at 2-second resolution and clamps to 1980–2107', () => {
    const { time, date } = dosDateTime(new Date(2024, 4, 6, 7, 8, 9));
    expect([date >> 9, (date >> 5) & 15, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2]).toEqual([44, 5, 6, 7, 8, 8]);
    expect(dosDateTime(new Date(1970, 0, 1))).toEqual({ time: 0, date: (1 << 5) | 1 });
    expect(dosDateTime(new Date(3000, 0, 1)).date >> 9).toBe(127);
  });
});
