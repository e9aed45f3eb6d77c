/**
 * Screenshots of the real app for the README: builds nothing, serves dist/ (run `npm run build` first),
 * drops synthetic scenes made here (no third-party photos end up in the repo) and captures the views.
 * Usage: npx tsx scripts/screenshots.ts [--out docs/img]
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { preview } from 'vite';
import { dropFiles, launchChromium, waitForAnalysis, type DropFile } from '../e2e/browser';
import { pngWithText } from '../e2e/pngText';

const out = resolve(process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'docs/img');
mkdirSync(out, { recursive: true });

function scene(i: number): string {
  const hue = (i * 47) % 360;
  const sunX = 80 + ((i * 53) % 480);
  const hill = 260 + ((i * 29) % 80);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},60%,${30 + (i % 4) * 10}%)"/>
      <stop offset="1" stop-color="hsl(${(hue + 40) % 360},70%,80%)"/></linearGradient></defs>
    <rect width="640" height="480" fill="url(#sky)"/>
    <circle cx="${sunX}" cy="${120 + (i % 3) * 30}" r="${30 + (i % 5) * 8}" fill="hsl(${(hue + 180) % 360},90%,70%)"/>
    <path d="M0 ${hill} Q 160 ${hill - 90} 320 ${hill} T 640 ${hill - 20} V 480 H 0 Z" fill="hsl(${(hue + 90) % 360},35%,25%)"/>
    <path d="M0 ${hill + 60} Q 200 ${hill + 10} 420 ${hill + 70} T 640 ${hill + 40} V 480 H 0 Z" fill="hsl(${(hue + 120) % 360},30%,15%)"/>
  </svg>`;
}

const files: DropFile[] = [];
for (let i = 0; i < 18; i++) {
  files.push({ name: `scene-${String(i + 1).padStart(2, '0')}.jpg`, bytes: new Uint8Array(await sharp(Buffer.from(scene(i))).jpeg({ quality: 88 }).toBuffer()) });
}
// A burst (the same scene, nudged) and an "AI" image whose prompt is made up here.
for (let i = 0; i < 3; i++) {
  const svg = scene(3).replace(/cx="(\d+)"/, (_, x) => `cx="${Number(x) + 6 * (i + 1)}"`);
  files.push({ name: `burst-${i + 1}.jpg`, bytes: new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer()) });
}
files.push({
  name: 'generated.png',
  bytes: pngWithText(
    new Uint8Array(await sharp(Buffer.from(scene(9))).png().toBuffer()),
    'parameters',
    'a quiet valley at dusk, (warm light:1.2), rolling hills, sun low on the horizon\nNegative prompt: text, watermark\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42',
  ),
});
files.push({ name: 'notes.txt', bytes: new TextEncoder().encode('not a photo') });
files.push({ name: 'empty.jpg', bytes: new Uint8Array(0) });

const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const base = server.resolvedUrls!.local[0];
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(new URL('?model=no-such-model', base).href);
  await page.waitForSelector('[data-testid="engine-problem"]');
  await page.screenshot({ path: resolve(out, 'no-model.png') });

  await page.goto(new URL('?model=clip-tiny', base).href);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
  await page.screenshot({ path: resolve(out, 'empty.png') });
  await dropFiles(page, files);
  await waitForAnalysis(page, files.length);
  await page.screenshot({ path: resolve(out, 'scores.png') });
  // Culling mode on the burst: its best large, the frames in the strip.
  await page.waitForSelector('[data-testid="tile"][data-group-best="true"]', { timeout: 60_000 });
  await page.keyboard.press('m');
  await page.waitForSelector('[data-testid="culling"][data-kind="group"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'culling.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'culling-phone.png') });
  await page.keyboard.press('Escape');
  // The phone's first screen: the photos, the controls' drawer closed (it opens from the header).
  await page.click('[data-testid="side-panel-close"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'phone.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('[data-testid="panel-toggle"]');
  await page.waitForSelector('[data-testid="folder-tag"]', { timeout: 60_000 });
  await page.click('[data-testid="tile"][data-name="generated.png"]');
  await page.keyboard.press('e');
  await page.waitForSelector('[data-testid="insights-prompt"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'insights.png') });
  await page.keyboard.press('e');

  await page.fill('[data-testid="tag-input"]', 'sunset over hills');
  await page.press('[data-testid="tag-input"]', 'Enter');
  await page.waitForSelector('[data-testid="tile"][data-rank="1"]');
  await page.click('[data-testid="tile"][data-rank="1"]');
  for (const key of ['p', '5', 'ArrowRight', 'p', '4', 'ArrowRight', 'x', 'ArrowRight', 'ArrowRight', 'x', 'ArrowLeft', '3']) {
    await page.keyboard.press(key);
  }
  await page.keyboard.press('e');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'ranked.png') });
  await page.keyboard.press('e');
  await page.keyboard.press('Space');
  await page.waitForSelector('[data-testid="loupe-image"][data-loaded="ok"]');
  await page.screenshot({ path: resolve(out, 'loupe.png') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('c');
  await page.waitForSelector('[data-testid="compare"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, 'compare.png') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid="shortcuts-help"]');
  await page.screenshot({ path: resolve(out, 'shortcuts.png') });
  await page.keyboard.press('Escape');
  // Cull to a target, then Finish with the picks made above.
  await page.keyboard.press('Shift+K');
  await page.waitForSelector('[data-testid="target-summary"]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: resolve(out, 'cull-target.png') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('f');
  await page.waitForSelector('[data-testid="finish-summary"]');
  await page.screenshot({ path: resolve(out, 'finish.png') });
  await page.keyboard.press('Escape');
  // Two picks and two rejects above: enough for T to learn a taste head for the tag.
  await page.keyboard.press('t');
  await page.waitForSelector('[data-testid="taste"][data-status="ready"]', { timeout: 120_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: resolve(out, 'taste.png') });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.close();
}
