import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateFolder, numbered, planArchive, rejectsFolderOf, type Keeper } from '../src/library/finish/archivePlan';
import { copyToArchive, type ArchiveFolder } from '../src/library/finish/copyToArchive';
import { finishScript, shellQuote } from '../src/library/finish/finishScript';

const DAY1 = Date.UTC(2026, 11, 3, 14, 0, 0);
const DAY2 = Date.UTC(2027, 0, 1, 0, 0, 1);
const src = (path: string, bytes: number) => ({ path, name: path.slice(path.lastIndexOf('/') + 1), bytes });

const keepers: Keeper[] = [
  { photo: src('card/IMG_0001.JPG', 5), raw: src('card/IMG_0001.CR2', 9), capturedAt: DAY1 },
  { photo: src('card/IMG_0002.JPG', 6), raw: null, capturedAt: DAY2 },
  { photo: src('card/scan.png', 4), raw: null, capturedAt: null },
  // The same name from a second card: numbered, with its RAW and sidecar, when both land in one folder.
  { photo: src('card2/IMG_0001.JPG', 7), raw: src('card2/IMG_0001.CR2', 8), capturedAt: DAY1 },
];

describe('planArchive', () => {
  it('puts each keeper in its capture day’s folder, undated ones apart, and counts what goes where', () => {
    expect(dateFolder(DAY1)).toEqual(['2026', '2026-12-03']);
    expect(dateFolder(null)).toEqual(['undated']);
    // 23:30 on 3 December in New York (-05:00) is 04:30 on the 4th in UTC: the folder is the photo's own day.
    const evening = Date.UTC(2026, 11, 4, 4, 30);
    expect(dateFolder(evening, -300)).toEqual(['2026', '2026-12-03']);
    expect(dateFolder(Date.UTC(2026, 11, 3, 23, 30) - 9 * 3600_000, 540)).toEqual(['2026', '2026-12-03']); // Tokyo, +09:00
    expect(dateFolder(evening)).toEqual(['2026', '2026-12-04']);
    const plan = planArchive(keepers, 'by-date', { rawNaming: 'replace' });
    expect(plan.units.map((u) => [u.folder.join('/'), u.files.map((f) => f.name), u.sidecars])).toEqual([
      ['2026/2026-12-03', ['IMG_0001.JPG', 'IMG_0001.CR2'], ['IMG_0001.xmp']],
      ['2026/2026-12-03', ['IMG_0001 (2).JPG', 'IMG_0001 (2).CR2'], ['IMG_0001 (2).xmp']],
      ['2027/2027-01-01', ['IMG_0002.JPG'], ['IMG_0002.JPG.xmp']],
      ['undated', ['scan.png'], ['scan.png.xmp']],
    ]);
    expect(plan.folders).toEqual([
      { folder: '2026/2026-12-03', photos: 2, files: 4, bytes: 29 },
      { folder: '2027/2027-01-01', photos: 1, files: 1, bytes: 6 },
      { folder: 'undated', photos: 1, files: 1, bytes: 4 },
    ]);
    expect([plan.photos, plan.files, plan.sidecars, plan.bytes]).toEqual([4, 6, 4, 39]);
  });

  it('flat: one folder, names numbered only where they would clash', () => {
    const plan = planArchive(keepers, 'flat', { rawNaming: 'append' });
    expect(plan.folders.map((f) => f.folder)).toEqual(['']);
    expect(plan.units.map((u) => u.files.map((f) => f.name))).toEqual([['IMG_0001.JPG', 'IMG_0001.CR2'], ['IMG_0002.JPG'], ['scan.png'], ['IMG_0001 (2).JPG', 'IMG_0001 (2).CR2']]);
    expect(plan.units[0].sidecars).toEqual(['IMG_0001.CR2.xmp', 'IMG_0001.JPG.xmp']);
    expect(numbered('.hidden', 2)).toBe('.hidden (2)');
    expect(rejectsFolderOf('card/sub/IMG_9.JPG')).toBe('card/sub/_rejects');
  });
});

/** An in-memory folder tree with FileSystemDirectoryHandle's failure names. */
function memoryFolder(name = 'archive'): ArchiveFolder & { files: Map<string, Blob>; dirs: Map<string, ReturnType<typeof memoryFolder>> } {
  const files = new Map<string, Blob>();
  const dirs = new Map<string, ReturnType<typeof memoryFolder>>();
  const notFound = () => Object.assign(new Error('not found'), { name: 'NotFoundError' });
  return {
    name,
    files,
    dirs,
    async getDirectoryHandle(n, options) {
      if (!dirs.has(n)) {
        if (!options?.create) throw notFound();
        dirs.set(n, memoryFolder(n));
      }
      return dirs.get(n)!;
    },
    async getFileHandle(n, options) {
      if (!files.has(n) && !options?.create) throw notFound();
      return {
        getFile: async () => files.get(n) ?? new Blob([]),
        createWritable: async () => {
          const parts: (Blob | string)[] = [];
          return { write: async (d: Blob | string) => void parts.push(d), close: async () => void files.set(n, new Blob(parts)) };
        },
      };
    },
    async removeEntry(n) {
      files.delete(n);
    },
  };
}

const at = async (root: ReturnType<typeof memoryFolder>, path: string) => {
  const parts = path.split('/');
  let dir = root;
  for (const p of parts.slice(0, -1)) dir = dir.dirs.get(p)!;
  const blob = dir?.files.get(parts.at(-1)!);
  return blob ? blob.text() : undefined;
};

describe('copyToArchive', () => {
  const originals = new Map(keepers.flatMap((k) => [k.photo, ...(k.raw ? [k.raw] : [])]).map((f, i) => [f.path, new Blob([String.fromCharCode(65 + i).repeat(f.bytes)])]));
  const plan = planArchive(keepers, 'by-date', { rawNaming: 'replace' });
  const sources = {
    fileOf: (path: string) => originals.get(path),
    sidecarText: (_u: unknown, name: string, before: string | null) => (before === null ? `<x:xmpmeta>${name}</x:xmpmeta>` : `${before}+merged`),
  };

  it('copies and checks every file, writes the sidecars, and a second run finds it all there', async () => {
    const root = memoryFolder();
    const first = await copyToArchive(root, plan, sources);
    expect(first.failed).toEqual([]);
    expect(first.copied).toHaveLength(6);
    expect(first.verifiedBytes).toBe(39);
    expect(await at(root, '2026/2026-12-03/IMG_0001 (2).CR2')).toBe(await originals.get('card2/IMG_0001.CR2')!.text());
    expect(await at(root, '2026/2026-12-03/IMG_0001.xmp')).toBe('<x:xmpmeta>IMG_0001.xmp</x:xmpmeta>');
    expect(first.sidecarsWritten).toHaveLength(4);

    const again = await copyToArchive(root, plan, sources);
    expect([again.copied, again.failed, again.sidecarsWritten]).toEqual([[], [], []]);
    expect(again.alreadyThere).toHaveLength(6);
    // A sidecar already there is merged into, never replaced.
    expect(again.sidecarsMerged).toHaveLength(4);
    expect(await at(root, 'undated/scan.png.xmp')).toBe('<x:xmpmeta>scan.png.xmp</x:xmpmeta>+merged');
  });

  it('leaves a different file of the same name alone, reports a missing original, and goes on', async () => {
    const root = memoryFolder();
    const day = await (await root.getDirectoryHandle('2027', { create: true })).getDirectoryHandle('2027-01-01', { create: true });
    await (async () => {
      const w = await (await day.getFileHandle('IMG_0002.JPG', { create: true })).createWritable();
      await w.write(new Blob(['someone else’s']));
      await w.close();
    })();
    const report = await copyToArchive(root, plan, { ...sources, fileOf: (p) => (p === 'card/scan.png' ? undefined : originals.get(p)) });
    expect(report.failed).toEqual([
      { path: '2027/2027-01-01/IMG_0002.JPG', reason: 'a different file named “IMG_0002.JPG” is already there: left as it is' },
      { path: 'undated/scan.png', reason: 'card/scan.png is not in this tab: drop its folder again first' },
    ]);
    expect(await at(root, '2027/2027-01-01/IMG_0002.JPG')).toBe('someone else’s');
    // No sidecar beside a keeper that did not copy.
    expect(await at(root, '2027/2027-01-01/IMG_0002.JPG.xmp')).toBeUndefined();
    expect(report.copied).toHaveLength(4);
  });

  it('removes a copy that fails its check', async () => {
    const root = memoryFolder();
    const broken = memoryFolder();
    // A disk that loses the last byte of every write.
    const lossy: ArchiveFolder = {
      name: 'lossy',
      getDirectoryHandle: async () => lossy,
      getFileHandle: async (n, o) => {
        const h = await broken.getFileHandle(n, o);
        return { getFile: h.getFile, createWritable: async () => {
          const w = await h.createWritable();
          return { write: async (d: Blob | string) => w.write(typeof d === 'string' ? d.slice(0, -1) : d.slice(0, d.size - 1)), close: w.close };
        } };
      },
      removeEntry: broken.removeEntry,
    };
    const one = planArchive([keepers[1]], 'flat', {});
    const report = await copyToArchive(lossy, one, sources);
    expect(report.failed[0]).toEqual({ path: 'IMG_0002.JPG', reason: 'the copy has 5 bytes, the original 6' });
    expect(broken.files.has('IMG_0002.JPG')).toBe(false);
    expect(root.files.size).toBe(0);
  });
});

describe('finishScript', () => {
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('quotes any name for the shell', () => {
    expect(shellQuote(`it's $(rm -rf x)`)).toBe(`'it'\\''s $(rm -rf x)'`);
  });

  it('run by bash: copies and checks the keepers, writes their sidecars, sets the rejects aside; a second run skips it all', () => {
    const work = mkdtempSync(join(tmpdir(), 'loupe-finish-'));
    const parent = join(work, 'from');
    const dest = join(work, 'archive');
    const odd = `it's $(touch pwned) "q".JPG`;
    const files: Record<string, string> = { 'card/IMG_0001.JPG': 'jpeg-1', 'card/IMG_0001.CR2': 'raw-1-bytes', [`card/${odd}`]: 'odd', 'card/IMG_0009.JPG': 'reject' };
    mkdirSync(join(parent, 'card'), { recursive: true });
    for (const [p, text] of Object.entries(files)) writeFileSync(join(parent, p), text);
    const plan = planArchive(
      [
        { photo: src('card/IMG_0001.JPG', 6), raw: src('card/IMG_0001.CR2', 11), capturedAt: DAY1 },
        { photo: src(`card/${odd}`, 3), raw: null, capturedAt: DAY2 },
      ],
      'by-date',
      { rawNaming: 'replace' },
    );
    const sidecars = new Map([
      ['2026/2026-12-03/IMG_0001.xmp', '<x:xmpmeta a="$HOME `id`">\n</x:xmpmeta>\n'],
      [`2027/2027-01-01/${odd}.xmp`, '<x/>\n'],
    ]);
    const script = join(work, 'finish.sh');
    writeFileSync(script, finishScript({ plan, sidecars, rejects: ['card/IMG_0009.JPG'], sourceName: 'card' }));
    const out = execFileSync('bash', [script, parent, dest], { cwd: work, encoding: 'utf8' });
    expect(out).toContain('Copied 3, already there 0, set aside 1, problems 0.');
    expect(sha(join(dest, '2026/2026-12-03/IMG_0001.CR2'))).toBe(sha(join(parent, 'card/IMG_0001.CR2')));
    expect(readFileSync(join(dest, `2027/2027-01-01/${odd}`), 'utf8')).toBe('odd');
    expect(readFileSync(join(dest, '2026/2026-12-03/IMG_0001.xmp'), 'utf8')).toBe('<x:xmpmeta a="$HOME `id`">\n</x:xmpmeta>\n');
    expect(existsSync(join(parent, 'card/_rejects/IMG_0009.JPG'))).toBe(true);
    expect(existsSync(join(parent, 'card/IMG_0009.JPG'))).toBe(false);
    expect(existsSync(join(work, 'pwned'))).toBe(false);

    // Run again (as after an interruption): nothing is copied twice; a changed file in the archive is left alone.
    writeFileSync(join(dest, `2027/2027-01-01/${odd}`), 'changed');
    let again = '';
    try {
      execFileSync('bash', [script, parent, dest], { cwd: work, encoding: 'utf8' });
    } catch (err) {
      again = String((err as { stdout: string }).stdout);
    }
    expect(again).toContain('Copied 0, already there 2, set aside 0, problems 1.');
    expect(again).toContain('left alone (a different file is already there)');
    expect(readFileSync(join(dest, `2027/2027-01-01/${odd}`), 'utf8')).toBe('changed');
  });
});
