import { afterAll, beforeAll, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// REFERENCE §6: these flags give headless Chromium a (SwiftShader) WebGPU adapter on http://127.0.0.1.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export const SHARED = new URL('../../shared/', import.meta.url).pathname;

export interface DropFile {
  name: string;
  bytes: Uint8Array;
  type?: string;
  /** Path inside a dropped folder ("trip/IMG_1.jpg"); the file's name must be its last part. */
  relativePath?: string;
}

export function fileFromDisk(path: string, name = basename(path)): DropFile {
  return { name, bytes: new Uint8Array(readFileSync(path)) };
}

/**
 * Drops files on the page the way a user does: a DataTransfer on a `drop` event. When some files have a
 * `relativePath`, the drop is a folder drop: a page cannot build real FileSystemEntry objects, so the event
 * carries a DataTransfer stand-in whose items give entries with Chromium's shape (isFile/isDirectory, file(),
 * createReader().readEntries() in batches of at most 100), and the app walks them as it walks a dropped folder.
 */
export async function dropFiles(page: Page, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? '', path: f.relativePath ?? null, b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((list) => {
    // Under tsx (esbuild's keepNames) the named arrows below are wrapped in __name(), which pages lack.
    (globalThis as { __name?: unknown }).__name ??= (f: unknown) => f;
    const made = list.map((f) => {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return { file: new File([bytes], f.name, { type: f.type }), path: f.path };
    });
    const zone = document.querySelector('[data-testid="drop-zone"]');
    if (!zone) throw new Error('no drop zone');
    if (made.every((m) => m.path === null)) {
      const dt = new DataTransfer();
      for (const m of made) dt.items.add(m.file);
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      return;
    }
    interface Dir {
      name: string;
      fullPath: string;
      children: (Dir | File)[];
    }
    const fileEntry = (file: File, fullPath: string) => ({
      isFile: true,
      isDirectory: false,
      name: file.name,
      fullPath,
      file: (ok: (f: File) => void) => setTimeout(() => ok(file)),
    });
    const dirEntry = (dir: Dir): unknown => ({
      isFile: false,
      isDirectory: true,
      name: dir.name,
      fullPath: dir.fullPath,
      createReader: () => {
        let at = 0;
        return {
          readEntries: (ok: (entries: unknown[]) => void) =>
            setTimeout(() => {
              const batch = dir.children.slice(at, at + 100);
              at += batch.length;
              ok(batch.map((c) => (c instanceof File ? fileEntry(c, `${dir.fullPath}/${c.name}`) : dirEntry(c))));
            }),
        };
      },
    });
    const root: Dir = { name: '', fullPath: '', children: [] };
    for (const m of made) {
      const parts = (m.path ?? m.file.name).split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        let next = dir.children.find((c): c is Dir => !(c instanceof File) && c.name === part);
        if (!next) {
          next = { name: part, fullPath: `${dir.fullPath}/${part}`, children: [] };
          dir.children.push(next);
        }
        dir = next;
      }
      dir.children.push(m.file);
    }
    const items = root.children.map((c) => ({
      kind: 'file',
      type: c instanceof File ? c.type : '',
      getAsFile: () => (c instanceof File ? c : null),
      webkitGetAsEntry: () => (c instanceof File ? fileEntry(c, `/${c.name}`) : dirEntry(c)),
    }));
    const dataTransfer = { items, files: root.children.filter((c): c is File => c instanceof File), types: ['Files'], dropEffect: 'copy', effectAllowed: 'all' };
    const event = new DragEvent('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(event, 'dataTransfer', { value: dataTransfer });
    zone.dispatchEvent(event);
  }, payload);
}

export interface TileState {
  name: string;
  status: string;
  score: number | null;
  error: string | null;
}

export async function readTiles(page: Page): Promise<TileState[]> {
  return page.$$eval('[data-testid="tile"]', (els) =>
    els.map((el) => ({
      name: el.getAttribute('data-name') ?? '',
      status: el.getAttribute('data-status') ?? '',
      score: el.getAttribute('data-score') ? Number(el.getAttribute('data-score')) : null,
      error: el.querySelector('[data-testid="tile-error"]')?.textContent ?? null,
    })),
  );
}

/** Waits until no tile is queued and the tile count is `count`. */
export async function waitForAnalysis(page: Page, count: number, timeoutMs = 240_000): Promise<TileState[]> {
  await page.waitForFunction(
    (n) => {
      const tiles = document.querySelectorAll('[data-testid="tile"]');
      return tiles.length === n && Array.from(tiles).every((t) => t.getAttribute('data-status') !== 'queued');
      // 'cancelled' counts as settled too: the analysis is not running for it.
    },
    count,
    { timeout: timeoutMs, polling: 250 },
  );
  return readTiles(page);
}

/** A page in a fresh browser context: its own IndexedDB and Cache Storage, so tests never share a session. */
export async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('close', () => void context.close().catch(() => undefined));
  return page;
}

/** One Chromium per test file: launched before its tests, closed after them. */
export function sharedBrowser(): { readonly browser: Browser } {
  const holder: { browser: Browser | null } = { browser: null };
  beforeAll(async () => {
    holder.browser = await launchChromium();
  });
  afterAll(async () => {
    await holder.browser?.close();
  });
  return {
    get browser(): Browser {
      if (!holder.browser) throw new Error('the browser is not launched yet');
      return holder.browser;
    },
  };
}

/** The lab page (engine parts as `window.loupeLab`) in one Chromium for the whole test file. */
export function sharedLabPage(): { readonly page: Page } {
  const chrome = sharedBrowser();
  let page: Page | null = null;
  beforeAll(async () => {
    page = await freshPage(chrome.browser);
    await page.goto(new URL('lab.html', inject('baseUrl')).href);
    await page.waitForSelector('body[data-ready="true"]');
  });
  return {
    get page(): Page {
      if (!page) throw new Error('the lab page is not open yet');
      return page;
    },
  };
}

/**
 * The files in an origin-private folder (the stand-in for a folder the user chose) once Chromium has written
 * each of `names`: it creates a file empty, then writes it through a temporary .crswap.
 */
export async function copiedFiles(page: Page, folder: string, names: string[]): Promise<Record<string, number>> {
  for (let i = 0; i < 100; i++) {
    const listing = await page.evaluate(async (folder) => {
      try {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder);
        const out: Record<string, number> = {};
        for await (const [name, h] of dir as unknown as AsyncIterable<[string, FileSystemFileHandle]>) {
          if (name.endsWith('.crswap')) return null;
          out[name] = (await h.getFile()).size;
        }
        return out;
      } catch {
        return null;
      }
    }, folder);
    if (listing && names.every((n) => listing[n] > 0)) return listing;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the copy never finished');
}

/**
 * The native folder dialog cannot be driven headless: an origin-private folder of this name stands in for
 * it, a real FileSystemDirectoryHandle with the same File System Access API behind it.
 */
export async function stubFolderPicker(context: BrowserContext, folder: string): Promise<void> {
  await context.addInitScript((name) => {
    (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () =>
      (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true });
  }, folder);
}
