/**
 * Merging the cull into sidecars other tools wrote. The existing sidecars are made by ExifTool (a Lightroom
 * one with camera-raw develop settings and a keyword hierarchy; a darktable one with a processing history, its
 * namespace declared to ExifTool by a user config) and the merged file is read back by ExifTool, the
 * independent reader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportContext, ExportImage } from '../src/library/export/types';
import { NS_LOUPE, NS_XMP } from '../src/library/export/xmp';
import { mergeXmpSidecar, XmpMergeError, type XmlTools } from '../src/library/export/xmpMerge';
import { writeSidecarsIntoFolder, type SidecarFolder } from '../src/library/export/sidecarsIntoFolder';
import { EXIFTOOL, HAS_EXIFTOOL } from './helpers/exiftool';

const xml: XmlTools = {
  parse: (text) => {
    let error: string | null = null;
    const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && (error ??= msg)) }).parseFromString(text, 'text/xml') as unknown as Document;
    if (error) throw new Error(error);
    return doc;
  },
  serialize: (doc) => new XMLSerializer().serializeToString(doc as unknown as Parameters<XMLSerializer['serializeToString']>[0]),
};

const ctx: ExportContext = { appVersion: '0.1.0', modelId: 'clip-tiny', createdAt: new Date('2026-12-04T05:00:00Z'), tags: [{ tag: 'beach', threshold: 0.2, tieMargin: 0 }, { tag: 'sunset', threshold: 0.2, tieMargin: 0 }] };
const photo = (over: Partial<ExportImage> = {}): ExportImage => ({
  path: 'shoot/IMG_0001.CR2', name: 'IMG_0001.CR2', contentHash: 'ab'.repeat(32), width: 6000, height: 4000, aesthetic: 5.5,
  decision: 'pick', stars: 4, label: 'red', flags: [], faces: null, peopleScore: null, error: null,
  tags: [{ tag: 'beach', relevance: 0.3, rank: 1, score: null }, { tag: 'sunset', relevance: 0.25, rank: 2, score: null }],
  ...over,
});

const dir = mkdtempSync(join(tmpdir(), 'loupe-xmp-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** darktable's namespace is not among ExifTool's tables: a user config declares it, history as a Seq of structs. */
const DARKTABLE_CONFIG = `%Image::ExifTool::UserDefined = (
  'Image::ExifTool::XMP::Main' => { darktable => { SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::darktable' } } },
);
%Image::ExifTool::UserDefined::darktable = (
  GROUPS => { 0 => 'XMP', 1 => 'XMP-darktable', 2 => 'Image' },
  NAMESPACE => { 'darktable' => 'http://darktable.sf.net/' },
  WRITABLE => 'string',
  xmp_version => { }, history_end => { },
  history => { List => 'Seq', Struct => { NAMESPACE => { 'darktable' => 'http://darktable.sf.net/' }, operation => { }, enabled => { }, params => { } } },
);
1;
`;
const config = join(dir, 'darktable.config');
writeFileSync(config, DARKTABLE_CONFIG);

function exiftoolWrite(name: string, args: string[]): string {
  const out = join(dir, name);
  execFileSync(EXIFTOOL, ['-config', config, '-o', out, ...args]);
  return readFileSync(out, 'utf8');
}

function exiftoolRead(name: string, text: string): Record<string, unknown> {
  const path = join(dir, name);
  writeFileSync(path, text);
  return (JSON.parse(execFileSync(EXIFTOOL, ['-config', config, '-j', '-G1', '-struct', path], { encoding: 'utf8' })) as Record<string, unknown>[])[0];
}

/** What ExifTool reads that is not the file's own facts nor a property Loupe writes: what must survive a merge. */
function othersFields(read: Record<string, unknown>): Record<string, unknown> {
  const ours = /^(SourceFile|System:|File:|ExifTool:|XMP-x:|XMP-loupe:)|^XMP-xmp:(Rating|Label|MetadataDate)$|^XMP-dc:Subject$|^XMP-lr:HierarchicalSubject$/;
  return Object.fromEntries(Object.entries(read).filter(([k]) => !ours.test(k)));
}

const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

describe.skipIf(!HAS_EXIFTOOL)('merging into sidecars ExifTool wrote (skipped without exiftool)', () => {
  const lightroom = () =>
    exiftoolWrite(`lr-${Math.random()}.xmp`, ['-XMP-xmp:Rating=3', '-XMP-xmp:Label=Purple', '-XMP-dc:Subject=family', '-XMP-dc:Subject=beach', '-XMP-lr:HierarchicalSubject=places|beach', '-XMP-crs:Exposure2012=+0.50', '-XMP-crs:ProcessVersion=11.0']);
  const darktable = () =>
    exiftoolWrite(`dt-${Math.random()}.xmp`, ['-XMP-darktable:xmp_version=5', '-XMP-darktable:history_end=2', '-XMP-darktable:history=[{operation=exposure,enabled=1,params=0000a0bf},{operation=colorbalancergb,enabled=1,params=abcd}]', '-XMP-xmp:Rating=1']);

  it("writes rating, label and keywords into Lightroom's sidecar and keeps its develop settings and keywords", () => {
    const existing = lightroom();
    const before = exiftoolRead('lr-before.xmp', existing);
    const read = exiftoolRead('lr-merged.xmp', mergeXmpSidecar(existing, photo(), ctx, {}, xml));
    expect(read['XMP-xmp:Rating']).toBe(4);
    expect(read['XMP-xmp:Label']).toBe('Red');
    expect(list(read['XMP-dc:Subject'])).toEqual(['family', 'beach', 'sunset']);
    expect(list(read['XMP-lr:HierarchicalSubject'])).toEqual(['places|beach', 'beach', 'sunset']);
    expect(read['XMP-crs:Exposure2012']).toBe('+0.50');
    expect(othersFields(read)).toEqual(othersFields(before));
    expect(Object.keys(othersFields(before))).toEqual(['XMP-crs:Exposure2012', 'XMP-crs:ProcessVersion']);
    expect(mergeXmpSidecar(existing, photo(), ctx, {}, xml)).toContain(NS_LOUPE);
  });

  it("keeps darktable's history whole, and replaces its rating", () => {
    const existing = darktable();
    const before = exiftoolRead('dt-before.xmp', existing);
    const read = exiftoolRead('dt-merged.xmp', mergeXmpSidecar(existing, photo({ decision: 'reject', label: 'none' }), ctx, {}, xml));
    expect(othersFields(read)).toEqual(othersFields(before));
    expect(read['XMP-xmp:Rating']).toBe(-1);
    expect(read['XMP-xmp:Label']).toBeUndefined();
    expect(read['XMP-darktable:History']).toEqual([
      { Enabled: 1, Operation: 'exposure', Params: '0000a0bf' },
      { Enabled: 1, Operation: 'colorbalancergb', Params: 'abcd' },
    ]);
    expect(read['XMP-darktable:History_end']).toBe(2);
    expect(read['XMP-darktable:Xmp_version']).toBe(5);
  });

  it('leaves the rating and label alone for a photo not flagged or starred here, and adds its keywords', () => {
    const read = exiftoolRead('lr-unrated.xmp', mergeXmpSidecar(lightroom(), photo({ decision: 'none', stars: 0, label: 'none' }), ctx, {}, xml));
    expect([read['XMP-xmp:Rating'], read['XMP-xmp:Label']]).toEqual([3, 'Purple']);
    expect(list(read['XMP-dc:Subject'])).toEqual(['family', 'beach', 'sunset']);
  });

  it('an unstarred pick keeps the rating given elsewhere, but lifts a reject to 0', () => {
    const rejectedThere = exiftoolWrite(`rej-${Math.random()}.xmp`, ['-XMP-xmp:Rating=-1']);
    const unstarredPick = photo({ stars: 0, label: 'none' });
    expect(exiftoolRead('pick-kept.xmp', mergeXmpSidecar(lightroom(), unstarredPick, ctx, {}, xml))['XMP-xmp:Rating']).toBe(3);
    expect(exiftoolRead('pick-lifted.xmp', mergeXmpSidecar(rejectedThere, unstarredPick, ctx, {}, xml))['XMP-xmp:Rating']).toBe(0);
  });

  it('merged twice gives the same file: no keyword, rating or Loupe block written twice', () => {
    const once = mergeXmpSidecar(lightroom(), photo(), ctx, {}, xml);
    const twice = mergeXmpSidecar(once, photo(), ctx, {}, xml);
    expect(twice).toBe(once);
    expect(twice.match(/<loupe:Decision>/g)).toHaveLength(1);
  });
});

describe('merging, the forms XMP allows', () => {
  it('reads properties written as attributes of rdf:Description (as darktable writes them) and replaces them', () => {
    const existing = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:darktable="http://darktable.sf.net/" xmp:Rating="2" xmp:Label="Blue" darktable:xmp_version="5"/>
</rdf:RDF></x:xmpmeta>`;
    const doc = xml.parse(mergeXmpSidecar(existing, photo({ label: 'yellow' }), ctx, {}, xml));
    const description = doc.getElementsByTagNameNS('http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'Description')[0];
    expect(description.hasAttributeNS(NS_XMP, 'Rating')).toBe(false);
    expect(description.getAttributeNS('http://darktable.sf.net/', 'xmp_version')).toBe('5');
    expect(Array.from(doc.getElementsByTagNameNS(NS_XMP, 'Rating'), (e) => e.textContent)).toEqual(['4']);
    expect(Array.from(doc.getElementsByTagNameNS(NS_XMP, 'Label'), (e) => e.textContent)).toEqual(['Yellow']);
  });

  it('refuses a file that is not XMP, so it is left alone', () => {
    expect(() => mergeXmpSidecar('not xml at all <', photo(), ctx, {}, xml)).toThrow(XmpMergeError);
    expect(() => mergeXmpSidecar('<a>no rdf</a>', photo(), ctx, {}, xml)).toThrow(XmpMergeError);
  });
});

/** An in-memory folder tree with the File System Access API's shape (NotFoundError for what is missing). */
class MemoryFolder implements SidecarFolder {
  files = new Map<string, string>();
  folders = new Map<string, MemoryFolder>();
  constructor(readonly name: string) {}
  async getDirectoryHandle(name: string): Promise<MemoryFolder> {
    const f = this.folders.get(name);
    if (!f) throw Object.assign(new Error(`${name} not found`), { name: 'NotFoundError' });
    return f;
  }
  async getFileHandle(name: string, options?: { create?: boolean }) {
    if (!this.files.has(name)) {
      if (!options?.create) throw Object.assign(new Error(`${name} not found`), { name: 'NotFoundError' });
      this.files.set(name, '');
    }
    return {
      getFile: async () => new Blob([this.files.get(name)!]),
      createWritable: async () => {
        let text = '';
        return { write: async (data: string) => void (text += data), close: async () => void this.files.set(name, text) };
      },
    };
  }
}

describe('writing sidecars beside the photos', () => {
  it('creates, merges, leaves a non-XMP file alone, and writes nothing beside a photo that is not there', async () => {
    const shoot = new MemoryFolder('shoot');
    for (const n of ['IMG_0001.CR2', 'IMG_0001.JPG', 'IMG_0002.JPG', 'IMG_0003.JPG']) shoot.files.set(n, 'bytes');
    const theirs = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:Exposure2012="+0.50"/></rdf:RDF></x:xmpmeta>`;
    shoot.files.set('IMG_0001.xmp', theirs);
    shoot.files.set('IMG_0003.JPG.xmp', 'a note, not XMP');
    const pair = photo({ path: 'shoot/IMG_0001.JPG', name: 'IMG_0001.JPG', raw: { path: 'shoot/IMG_0001.CR2', name: 'IMG_0001.CR2', bytes: 5 } });
    const single = photo({ path: 'shoot/IMG_0002.JPG', name: 'IMG_0002.JPG', label: 'none' });
    const notXmp = photo({ path: 'shoot/IMG_0003.JPG', name: 'IMG_0003.JPG' });
    const elsewhere = photo({ path: 'shoot/IMG_0009.JPG', name: 'IMG_0009.JPG' });
    const report = await writeSidecarsIntoFolder(shoot, [pair, single, notXmp, elsewhere], ctx, {}, xml);
    expect(report.merged).toEqual(['shoot/IMG_0001.xmp']);
    expect(report.created).toEqual(['shoot/IMG_0002.JPG.xmp']);
    expect(report.skipped.map((s) => s.path)).toEqual(['shoot/IMG_0003.JPG.xmp', 'shoot/IMG_0009.JPG']);
    expect(shoot.files.get('IMG_0003.JPG.xmp')).toBe('a note, not XMP');
    expect(shoot.files.has('IMG_0009.JPG.xmp')).toBe(false);
    const merged = xml.parse(shoot.files.get('IMG_0001.xmp')!);
    const description = merged.getElementsByTagNameNS('http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'Description')[0];
    expect(description.getAttributeNS('http://ns.adobe.com/camera-raw-settings/1.0/', 'Exposure2012')).toBe('+0.50');
    expect(Array.from(merged.getElementsByTagNameNS(NS_XMP, 'Label'), (e) => e.textContent)).toEqual(['Red']);
    // The parent folder picked instead: the photos are found in its "shoot" subfolder.
    const parent = new MemoryFolder('card');
    parent.folders.set('shoot', shoot);
    const again = await writeSidecarsIntoFolder(parent, [single], ctx, {}, xml);
    expect(again.merged).toEqual(['shoot/IMG_0002.JPG.xmp']);
  });
});
