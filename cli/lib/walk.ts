/**
 * The files under an images folder, as the app would list a dropped folder: every file except OS metadata
 * (the app reports non-images as problems rather than hiding them), paths relative with '/' separators.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { keepFile } from '../../src/library/collectFiles';

/**
 * Sorted by UTF-16 code units, not locale: the order (and so row numbers and shard membership) must be the
 * same on every machine. Symlinked folders are not followed, so a link loop cannot make the walk endless.
 * `exclude` holds absolute paths to leave out (the tool's own outputs, when written inside the folder).
 */
export async function listFiles(root: string, exclude: ReadonlySet<string> = new Set()): Promise<string[]> {
  const base = resolve(root);
  const out: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) await visit(abs, `${rel}/`);
      else if (!keepFile(rel) || exclude.has(abs)) continue;
      else if (entry.isFile() || (entry.isSymbolicLink() && (await isFileTarget(abs)))) out.push(rel);
    }
  };
  await visit(base, '');
  return out.sort(compareCodeUnits);
}

/** A link to a file is listed (a broken one too: it is reported as unreadable); a link to a folder is not. */
async function isFileTarget(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => true,
  );
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
