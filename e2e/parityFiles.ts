/**
 * The files the CLI-against-app decode comparison runs on, laid out in one folder the CLI can walk: every shared
 * test image (linked, never copied into the repo), the hostile corpus without its 12000×12000 JPEG (the app
 * decodes that one at a k/8 scale, the CLI at full size: not comparable pixel for pixel), and the decode corpus
 * (BMP, ICO/CUR, CMYK/YCCK, damaged JPEG and PNG).
 */
import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { decodeCorpus, type CorpusFile } from './decodeCorpus';
import { hostileCorpus } from './hostileCorpus';

export interface ParityFile {
  /** Path inside the folder, '/'-separated: the CLI's row key. */
  path: string;
  abs: string;
  /** For decode-corpus files: what Chromium was measured to do with it. */
  chromium?: CorpusFile['chromium'];
}

function sharedImages(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (!/\.(md|csv)$/i.test(name)) out.push(abs); // the licence notes and label tables beside the images
    }
  };
  walk(root);
  return out;
}

export async function parityFolder(dir: string, sharedImagesRoot: string): Promise<ParityFile[]> {
  const files: ParityFile[] = [];
  const put = (path: string, write: (abs: string) => void, chromium?: CorpusFile['chromium']) => {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    write(abs);
    files.push({ path, abs, chromium });
  };
  for (const src of sharedImages(sharedImagesRoot)) put(`shared/${relative(sharedImagesRoot, src)}`, (abs) => symlinkSync(src, abs));
  for (const f of await hostileCorpus({ huge: false })) put(`hostile/${f.relativePath ?? f.name}`, (abs) => writeFileSync(abs, f.bytes));
  for (const f of await decodeCorpus()) put(`decode/${f.name}`, (abs) => writeFileSync(abs, f.bytes), f.chromium);
  return files;
}
