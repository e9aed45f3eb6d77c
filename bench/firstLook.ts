/**
 * `npm run bench:firstlook`: how long until N camera-like 24-MP JPEGs (6000×4000, 7.4 MB, each with an EXIF
 * thumbnail; bench/images.ts) all have a tile with a thumbnail in the grid: the first look, made from each
 * file's EXIF thumbnail while it is identified (sha256 of every byte, in the decode workers), before any score.
 * The app runs as a user has it (clip-tiny on WASM, people checks on, analysis starting behind the first
 * chunk). N distinct files are made in the page from the 48 generated ones by appending a few bytes after the
 * JPEG's end (distinct content hashes, the same pixels; Blob parts share the bytes, so memory stays at 48 files).
 * Writes bench/firstlook-results.json. `--count N` (default 1000).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../e2e/browser';
import { imageUrls } from './browser';
import { ensureCameraImages } from './images';
import { ROOT, serve, viteBuild, distStaleReason } from './server';

const countArg = process.argv.indexOf('--count');
const COUNT = countArg > 0 ? Number(process.argv[countArg + 1]) : 1000;

async function main(): Promise<void> {
  const set = await ensureCameraImages(48, 6000, 4000, (line) => console.log(line));
  if (distStaleReason()) viteBuild();
  const { server, baseUrl } = await serve();
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', baseUrl).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    const urls = imageUrls(set).map((u) => new URL(u, baseUrl).href);
    await page.evaluate(
      async ({ urls, count }) => {
        const bases = await Promise.all(
          urls.map(async (u) => {
            const res = await fetch(u);
            if (!res.ok) throw new Error(`${u}: HTTP ${res.status}`);
            return res.blob();
          }),
        );
        const files = Array.from({ length: count }, (_, i) => new File([bases[i % bases.length], `#${i}`], `IMG_${String(i).padStart(4, '0')}.JPG`, { type: 'image/jpeg' }));
        (window as unknown as { staged: File[] }).staged = files;
      },
      { urls, count: COUNT },
    );
    const t0 = Date.now();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      for (const f of (window as unknown as { staged: File[] }).staged) dt.items.add(f);
      document.querySelector('[data-testid="drop-zone"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    // Tiles are made with their first look in the same patch: "N shown" means N tiles with a thumbnail.
    let firstTileMs = 0;
    for (;;) {
      const shown = Number(/^(\d+) shown/.exec((await page.textContent('[data-testid="shown-count"]').catch(() => '')) ?? '')?.[1] ?? 0);
      if (shown > 0 && !firstTileMs) firstTileMs = Date.now() - t0;
      if (shown >= COUNT) break;
      await page.waitForTimeout(100);
    }
    const allMs = Date.now() - t0;
    const withThumbs = await page.$$eval('[data-testid="tile"]', (els) => els.filter((e) => e.querySelector('img')).length);
    const visible = await page.$$eval('[data-testid="tile"]', (els) => els.length);
    if (withThumbs < visible) throw new Error(`only ${withThumbs} of the ${visible} tiles on screen show a thumbnail`);
    const result = {
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, load1: loadavg()[0] },
      files: COUNT,
      fileMB: set.totalBytes / set.files.length / 1e6,
      firstTileMs,
      allTilesMs: allMs,
      visibleTilesWithThumbnail: `${withThumbs}/${visible}`,
    };
    writeFileSync(join(ROOT, 'bench/firstlook-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(result);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
