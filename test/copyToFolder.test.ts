import { describe, expect, it } from 'vitest';
import { copyFilesToFolder, numberedName, type WritableDirectory } from '../src/library/copyToFolder';

function memoryFolder(existing: string[] = [], failOn = ''): WritableDirectory & { files: Map<string, string> } {
  const files = new Map<string, string>(existing.map((n) => [n, 'old']));
  return {
    name: 'keepers',
    files,
    async getFileHandle(name, options) {
      if (!files.has(name) && !options?.create) throw Object.assign(new Error('not found'), { name: 'NotFoundError' });
      return {
        async createWritable() {
          if (name === failOn) throw new Error('disk full');
          let data = '';
          return {
            async write(blob: Blob) {
              data = await blob.text();
            },
            async close() {
              files.set(name, data);
            },
          };
        },
      };
    },
  };
}

describe('copyFilesToFolder', () => {
  it('copies the files and never overwrites what is there', async () => {
    const dir = memoryFolder(['a.jpg']);
    const report = await copyFilesToFolder(dir, [
      { path: 'x/a.jpg', name: 'a.jpg', file: new Blob(['first']) },
      { path: 'y/a.jpg', name: 'a.jpg', file: new Blob(['second']) },
      { path: 'b.png', name: 'b.png', file: new Blob(['third']) },
    ]);
    expect(dir.files.get('a.jpg')).toBe('old');
    expect(dir.files.get('a (2).jpg')).toBe('first');
    expect(dir.files.get('a (3).jpg')).toBe('second');
    expect(dir.files.get('b.png')).toBe('third');
    expect(report.copied.map((c) => c.to)).toEqual(['a (2).jpg', 'a (3).jpg', 'b.png']);
  });

  it('reports a file that cannot be written and goes on', async () => {
    const dir = memoryFolder([], 'bad.jpg');
    const report = await copyFilesToFolder(dir, [
      { path: 'bad.jpg', name: 'bad.jpg', file: new Blob(['x']) },
      { path: 'good.jpg', name: 'good.jpg', file: new Blob(['y']) },
    ]);
    expect(report.failed).toEqual([{ from: 'bad.jpg', reason: 'disk full' }]);
    expect(dir.files.get('good.jpg')).toBe('y');
  });

  it('numbers names before the extension', () => {
    expect(numberedName('IMG_1.JPG', 2)).toBe('IMG_1 (2).JPG');
    expect(numberedName('README', 3)).toBe('README (3)');
    expect(numberedName('.hidden', 2)).toBe('.hidden (2)');
  });
});
