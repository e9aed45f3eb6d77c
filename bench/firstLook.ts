/**
 * `npm run bench:firstlook`: how long until N camera-like 24-MP JPEGs (6000×4000, 7.4 MB, each with an EXIF
 * thumbnail; bench/images.ts) all show a thumbnail in the grid: the first look, made from each file's EXIF
 * thumbnail (state/firstLooks.ts) before it is identified, and then how long until all are identified (sha256
 * of every byte, in the decode workers): tiles that can be culled, still before any score.
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
    // The grid counts its tiles (data-count) and the first looks after them (data-first-looks); a first look
    // always has a thumbnail, and an identified tile takes its look's over in the same patch.
    let firstTileMs = 0;
    let allLooksMs = 0;
    let withThumbs = 0;
    let visible = 0;
    for (;;) {
      const counts = await page
        .$eval('[data-testid="grid"]', (g) => ({ tiles: Number(g.getAttribute('data-count')), looks: Number(g.getAttribute('data-first-looks')) }))
        .catch(() => ({ tiles: 0, looks: 0 }));
      if (counts.tiles + counts.looks > 0 && !firstTileMs) firstTileMs = Date.now() - t0;
      if (counts.tiles + counts.looks >= COUNT && !allLooksMs) {
        allLooksMs = Date.now() - t0;
        const cells = await page.$$eval('[data-testid="tile"], [data-testid="first-look"]', (els) => els.map((e) => !!e.querySelector('img')));
        visible = cells.length;
        withThumbs = cells.filter(Boolean).length;
      }
      if (counts.tiles >= COUNT) break;
      await page.waitForTimeout(100);
    }
    const allMs = Date.now() - t0;
    if (withThumbs < visible) throw new Error(`only ${withThumbs} of the ${visible} cells on screen show a thumbnail`);
    const result = {
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, load1: loadavg()[0] },
      files: COUNT,
      fileMB: set.totalBytes / set.files.length / 1e6,
      firstTileMs,
      /** Every file shows a thumbnail: a first look or its tile. */
      allThumbnailsMs: allLooksMs,
      /** Every file is identified: a tile that can be culled. */
      allTilesMs: allMs,
      visibleCellsWithThumbnail: `${withThumbs}/${visible}`,
    };
    writeFileSync(join(ROOT, 'bench/firstlook-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(result);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
