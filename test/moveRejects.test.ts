import { describe, expect, it } from 'vitest';
import { moveRejects, type SourceFile, type SourceFolder } from '../src/library/finish/moveRejects';

/** An in-memory folder tree with the File System Access calls moveRejects uses; `canMove` gives files move(). */
class MemFolder implements SourceFolder {
  readonly kind = 'directory' as const;
  readonly entries = new Map<string, MemFolder | MemFile>();
  removed: string[] = [];
  constructor(readonly name: string, readonly canMove: boolean) {}
  async getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<MemFolder> {
    const e = this.entries.get(name);
    if (e instanceof MemFolder) return e;
    if (e || !options?.create) throw Object.assign(new Error(`${name} not found`), { name: 'NotFoundError' });
    const dir = new MemFolder(name, this.canMove);
    this.entries.set(name, dir);
    return dir;
  }
  async getFileHandle(name: string, options?: { create?: boolean }): Promise<MemFile> {
    const e = this.entries.get(name);
    if (e instanceof MemFile) return e;
    if (e || !options?.create) throw Object.assign(new Error(`${name} not found`), { name: 'NotFoundError' });
    return this.put(name, new Blob([]));
  }
  async removeEntry(name: string): Promise<void> {
    this.removed.push(name);
    this.entries.delete(name);
  }
  put(name: string, data: Blob): MemFile {
    const f = new MemFile(name, data, this);
    this.entries.set(name, f);
    return f;
  }
  /** Every file below, path → text. */
  async listing(prefix = ''): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, e] of this.entries) {
      if (e instanceof MemFolder) Object.assign(out, await e.listing(`${prefix}${name}/`));
      else out[prefix + name] = await e.data.text();
    }
    return out;
  }
}

class MemFile implements SourceFile {
  readonly kind = 'file' as const;
  move?: (to: SourceFolder) => Promise<void>;
  /** Corrupts what a write stores (a failing disk), to see the check catch it. */
  static corrupt = false;
  constructor(public name: string, public data: Blob, public parent: MemFolder) {
    if (parent.canMove) {
      this.move = async (to) => {
        this.parent.entries.delete(this.name);
        (to as MemFolder).entries.set(this.name, this);
        this.parent = to as MemFolder;
      };
    }
  }
  async getFile(): Promise<File> {
    return new File([this.data], this.name);
  }
  async createWritable() {
    const chunks: Blob[] = [];
    return {
      write: async (d: Blob) => void chunks.push(d),
      close: async () => void (this.data = MemFile.corrupt ? new Blob(['bad']) : new Blob(chunks)),
    };
  }
}

function shoot(canMove: boolean): MemFolder {
  const root = new MemFolder('shoot', canMove);
  root.put('IMG_1.JPG', new Blob(['keeper']));
  root.put('IMG_2.JPG', new Blob(['reject 2']));
  root.put('IMG_2.CR2', new Blob(['raw 2']));
  const day = new MemFolder('day2', canMove);
  root.entries.set('day2', day);
  day.put('IMG_9.JPG', new Blob(['reject 9']));
  return root;
}

const REJECTS = ['shoot/IMG_2.JPG', 'shoot/IMG_2.CR2', 'shoot/day2/IMG_9.JPG'];

describe('moveRejects', () => {
  it('moves each reject into _rejects in its own folder, deleting nothing, and finds them there when run again', async () => {
    const root = shoot(true);
    const report = await moveRejects(root, REJECTS, { copyThenDelete: false });
    expect(report).toEqual({ moved: REJECTS, alreadyAside: [], failed: [] });
    expect(await root.listing()).toEqual({
      'IMG_1.JPG': 'keeper',
      '_rejects/IMG_2.JPG': 'reject 2',
      '_rejects/IMG_2.CR2': 'raw 2',
      'day2/_rejects/IMG_9.JPG': 'reject 9',
    });
    expect(root.removed).toEqual([]);
    const again = await moveRejects(root, REJECTS, { copyThenDelete: false });
    expect(again).toEqual({ moved: [], alreadyAside: REJECTS, failed: [] });
  });

  it('without move(), deletes an original only after a second confirmation and a checked copy', async () => {
    const root = shoot(false);
    const refused = await moveRejects(root, REJECTS, { copyThenDelete: false });
    expect(refused.moved).toEqual([]);
    expect(refused.failed.map((f) => f.reason)).toEqual(REJECTS.map(() => expect.stringMatching(/needs your confirmation/)));
    expect(root.removed).toEqual([]);
    expect(await root.listing()).toMatchObject({ 'IMG_2.JPG': 'reject 2' });

    const confirmed = await moveRejects(root, REJECTS, { copyThenDelete: true });
    expect(confirmed.moved).toEqual(REJECTS);
    expect(await root.listing()).toEqual({
      'IMG_1.JPG': 'keeper',
      '_rejects/IMG_2.JPG': 'reject 2',
      '_rejects/IMG_2.CR2': 'raw 2',
      'day2/_rejects/IMG_9.JPG': 'reject 9',
    });
  });

  it('keeps the original when the copy does not check out, and leaves a different file in _rejects alone', async () => {
    const root = shoot(false);
    MemFile.corrupt = true;
    try {
      const r = await moveRejects(root, ['shoot/IMG_2.JPG'], { copyThenDelete: true });
      expect(r.failed).toEqual([{ path: 'shoot/IMG_2.JPG', reason: expect.stringMatching(/did not match/) }]);
    } finally {
      MemFile.corrupt = false;
    }
    expect(await root.listing()).toMatchObject({ 'IMG_2.JPG': 'reject 2' });
    expect(root.removed).toEqual([]);

    const moving = shoot(true);
    (await moving.getDirectoryHandle('_rejects', { create: true }) as MemFolder).put('IMG_2.JPG', new Blob(['another photo']));
    const r = await moveRejects(moving, ['shoot/IMG_2.JPG', 'elsewhere/IMG_5.JPG', 'shoot/IMG_404.JPG', 'shoot/gone/IMG_7.JPG'], { copyThenDelete: true });
    expect(r.failed.map((f) => [f.path, f.reason])).toEqual([
      ['shoot/IMG_2.JPG', expect.stringMatching(/different file of the same name/)],
      ['elsewhere/IMG_5.JPG', expect.stringMatching(/not in the folder “shoot”/)],
      ['shoot/IMG_404.JPG', expect.stringMatching(/not found/)],
      ['shoot/gone/IMG_7.JPG', expect.stringMatching(/not found/)],
    ]);
    // A folder with no _rejects yet: a missing file does not make one.
    const plain = shoot(true);
    expect((await moveRejects(plain, ['shoot/IMG_404.JPG'], { copyThenDelete: false })).failed).toHaveLength(1);
    expect(plain.entries.has('_rejects')).toBe(false);
    expect(await moving.listing()).toMatchObject({ 'IMG_2.JPG': 'reject 2', '_rejects/IMG_2.JPG': 'another photo' });
  });
});
