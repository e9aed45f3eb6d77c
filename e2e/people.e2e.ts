/**
 * People checks as a new user meets them (issue 8): a folder of portraits and group shots from
 * ../shared/images/faces (labelled), three photos without people, and three shots gone wrong made here from
 * real ones — the faces of a group blurred (focus behind the people; with the sharp original as a burst), and
 * a portrait cropped through the face. The real face models run in the app's face worker, after the CLIP pass
 * (the encoder runs on the CPU here, whose cores they would share).
 * Closed eyes, soft faces and cut faces are flagged on the tiles, filterable, and explained face by face;
 * everything survives a reload; a burst's best frame is the one with sharp faces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, SHARED, sharedBrowser, waitForAnalysis, type DropFile } from './browser';
import { FACES, readLabels } from './faceLabels';

const base = inject('baseUrl');
const chrome = sharedBrowser();
// The 1927 group photo's eyes are labelled "unknown" (counting only): it is left out of a test of eye flags.
const labels = readLabels().filter((l) => l.eyes !== 'unknown');
const CLOSED = labels.filter((l) => l.eyes === 'closed' || l.eyes === 'mixed').map((l) => l.file.split('/').pop()!);

/**
 * human-group-3.jpg with each face blurred alone (σ = 2 % of the face's size), as when focus lands behind
 * the people: the face boxes are those the face worker found on the original (fractions of the image), grown
 * by a tenth. At σ 2 % the faces measured 0.00–0.08 of the background's sharpness (docs/faces.md).
 */
async function groupWithSoftFaces(sigmaFraction = 0.02): Promise<Buffer> {
  const path = join(FACES, 'human-group-3.jpg');
  const { width = 0, height = 0 } = await sharp(path).metadata();
  const boxes = [
    [0.31, 0.2, 0.2, 0.25],
    [0.73, 0.16, 0.19, 0.24],
    [0.56, 0.18, 0.19, 0.24],
    [0.09, 0.3, 0.19, 0.23],
  ];
  const blurred = await sharp(path).blur(Math.max(1, sigmaFraction * 0.2 * width)).toBuffer();
  const parts = await Promise.all(
    boxes.map(async ([x, y, w, h]) => {
      const left = Math.max(0, Math.round((x - 0.05 * w) * width));
      const top = Math.max(0, Math.round((y - 0.05 * h) * height));
      const region = { left, top, width: Math.min(width - left, Math.round(1.1 * w * width)), height: Math.min(height - top, Math.round(1.1 * h * height)) };
      return { input: await sharp(blurred).extract(region).toBuffer(), left, top };
    }),
  );
  return sharp(path).composite(parts).jpeg({ quality: 92 }).toBuffer();
}

const exif = (seconds: number) => ({ IFD0: { Make: 'Loupe', Model: 'Test Cam' }, IFD2: { DateTimeOriginal: `2026:06:01 12:00:${String(seconds).padStart(2, '0')}` } });

/** A burst of two: the group as shot and the same moment with the faces soft, a second apart. */
async function burst(): Promise<DropFile[]> {
  return [
    { name: 'burst-sharp.jpg', bytes: new Uint8Array(await sharp(join(FACES, 'human-group-3.jpg')).withExif(exif(1)).jpeg({ quality: 92 }).toBuffer()) },
    { name: 'burst-soft-faces.jpg', bytes: new Uint8Array(await sharp(await groupWithSoftFaces()).withExif(exif(2)).jpeg({ quality: 92 }).toBuffer()) },
  ];
}

async function folder(): Promise<DropFile[]> {
  const files = labels.map((l) => fileFromDisk(l.path));
  // A burst of two: the group as shot and the same moment with the faces soft.
  files.push(...(await burst()));
  // Vlado's portrait with the frame's left edge through his face (his face spans 0.44–0.73 of the width).
  const vlado = join(FACES, 'human-person-vlado.jpg');
  const { width = 0, height = 0 } = await sharp(vlado).metadata();
  const left = Math.round(0.55 * width);
  files.push({ name: 'cut-face.jpg', bytes: new Uint8Array(await sharp(vlado).extract({ left, top: 0, width: width - left, height }).jpeg({ quality: 92 }).toBuffer()) });
  return files;
}

interface PeopleTile {
  name: string;
  faces: number | null;
  flags: string[];
  labels: string[];
  group: string;
  best: boolean;
}

async function tiles(page: Page): Promise<PeopleTile[]> {
  return page.$$eval('[data-testid="tile"]', (els) =>
    els.map((e) => ({
      name: e.getAttribute('data-name') ?? '',
      faces: e.hasAttribute('data-people') ? Number(e.getAttribute('data-people')) : null,
      flags: (e.getAttribute('data-flags') ?? '').split(' ').filter(Boolean),
      labels: Array.from(e.querySelectorAll('[data-testid="people-flag"]'), (f) => f.textContent ?? ''),
      group: e.getAttribute('data-group') ?? '',
      best: e.getAttribute('data-group-best') === 'true',
    })),
  );
}

const shown = async (page: Page) => (await tiles(page)).map((t) => t.name).sort();

async function explain(page: Page, name: string): Promise<string> {
  await page.click(`[data-testid="tile"][data-name="${name}"]`);
  if (!(await page.$('[data-testid="explain"]'))) await page.keyboard.press('e');
  await page.waitForSelector('[data-testid="explain"] [data-testid="insights-people"][data-state="checked"]');
  return (await page.textContent('[data-testid="insights-people"]'))!;
}

async function peopleDone(page: Page, total: number): Promise<void> {
  await page.waitForSelector('[data-testid="people-progress"][data-state="done"]', { timeout: 240_000 });
  const line = await page.$eval('[data-testid="people-progress"]', (e) => ({ done: e.getAttribute('data-done'), total: e.getAttribute('data-total'), text: e.textContent }));
  expect(line).toMatchObject({ done: String(total), total: String(total) });
}

describe('people checks', () => {
  it('flags closed eyes, soft and cut faces, filters and explains them, and keeps it all on reload', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => void requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => void errors.push(e.message));
    // On the CPU the checks wait for the CLIP pass: recorded as it happens, from the first verdict on a tile.
    await page.addInitScript(() => {
      const seen = { waiting: false, queuedAtFirstVerdict: null as number | null };
      (window as unknown as { __peopleOrder: typeof seen }).__peopleOrder = seen;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="people-progress"][data-waiting="true"]')) seen.waiting = true;
        if (seen.queuedAtFirstVerdict === null && document.querySelector('[data-testid="tile"][data-people]')) {
          seen.queuedAtFirstVerdict = document.querySelectorAll('[data-testid="tile"][data-status="queued"]').length;
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    expect(await page.isChecked('[data-testid="people-toggle"]')).toBe(true);
    // Lazy: nothing face-related is fetched before a folder is analysed.
    expect(requests.filter((u) => u.includes('/human/'))).toEqual([]);

    const files = await folder();
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    await peopleDone(page, files.length);
    // The line said the checks wait for the scores, and no verdict came while an image still waited for its score.
    expect(await page.evaluate(() => (window as unknown as { __peopleOrder: unknown }).__peopleOrder)).toEqual({ waiting: true, queuedAtFirstVerdict: 0 });
    const all = new Map((await tiles(page)).map((t) => [t.name, t]));
    console.log([...all.values()].map((t) => `${t.name}: ${t.faces} faces [${t.labels.join(', ')}] group ${t.group}${t.best ? ' ★' : ''}`).join('\n'));

    // Every photo checked; faces counted as labelled.
    for (const l of labels) expect({ file: l.file, faces: all.get(l.file.split('/').pop()!)?.faces }).toEqual({ file: l.file, faces: l.faces });

    // The flags: closed eyes exactly on the labelled closed and winking faces.
    const withFlag = (flag: string) => [...all.values()].filter((t) => t.flags.includes(flag)).map((t) => t.name).sort();
    expect(withFlag('eyes-closed')).toEqual([...CLOSED].sort());
    expect(withFlag('face-soft')).toEqual(['burst-soft-faces.jpg']);
    expect(withFlag('face-cut-off')).toEqual(['cut-face.jpg']);
    expect(all.get('human-stock-emotions-b-1.jpg')!.labels).toEqual(['eyes closed']);
    expect(all.get('burst-soft-faces.jpg')!.labels).toEqual(['face soft']);

    // The filter shows exactly those images, from the Flags menu.
    await page.selectOption('[data-testid="filter-flag"]', 'eyes-closed');
    await expect.poll(() => shown(page)).toEqual([...CLOSED].sort());
    await page.selectOption('[data-testid="filter-flag"]', 'face-soft');
    await expect.poll(() => shown(page)).toEqual(['burst-soft-faces.jpg']);
    await page.selectOption('[data-testid="filter-flag"]', 'face-cut-off');
    await expect.poll(() => shown(page)).toEqual(['cut-face.jpg']);
    await page.selectOption('[data-testid="filter-flag"]', 'all');
    await expect.poll(() => shown(page)).toHaveLength(files.length);

    // The explain panel names the face and the reason.
    const wink = await explain(page, 'human-stock-emotions-b-8.jpg');
    expect(wink).toContain("eyes closed: face 1 (");
    expect(wink).toMatch(/the subject's right eye closed \(openness 0\.\d\d, closed below 0\.22; the other 0\.\d\d\)/);
    const soft = await explain(page, 'burst-soft-faces.jpg');
    expect(soft).toMatch(/face soft: face 1 \([a-z ]+, \d+ px\): 0\.\d\d× the sharpness of the rest of the picture, under 0\.10×/);
    expect(soft).toContain('4 faces');
    const cut = await explain(page, 'cut-face.jpg');
    expect(cut).toMatch(/face cut off: face 1 \([a-z ]+, \d+ px\): cut off by the left edge of the frame/);
    const none = await explain(page, 'clive_1019.jpg');
    expect(none).toContain('No face found.');
    await page.keyboard.press('Escape');

    // The JSON export carries the flags and face counts.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
    const exported = JSON.parse(readFileSync((await dl.path())!, 'utf8')) as { images: { name: string; flags: string[]; faces: number | null }[] };
    const row = (name: string) => exported.images.find((i) => i.name === name)!;
    expect(row('human-stock-emotions-b-8.jpg').flags).toContain('eyes-closed');
    expect(row('human-group-2.jpg').faces).toBe(3);
    expect(exported.images.filter((i) => i.flags.includes('eyes-closed')).map((i) => i.name).sort()).toEqual([...CLOSED].sort());

    // Only the app's own origin was asked for anything, the face models included.
    const origin = new URL(base).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(requests.some((u) => u.includes('/human/models/facemesh.bin'))).toBe(true);

    // A reload brings every verdict back from IndexedDB, with no face model run.
    const before = await tiles(page);
    const faceRequests = requests.length;
    await page.reload();
    await page.waitForSelector('[data-testid="tile"]');
    await expect.poll(async () => (await tiles(page)).length).toBe(files.length);
    const after = await tiles(page);
    const facts = (ts: PeopleTile[]) => ts.map((t) => [t.name, t.faces, t.flags.join(' ')]).sort();
    expect(facts(after)).toEqual(facts(before));
    expect(requests.slice(faceRequests).filter((u) => u.includes('/human/models/'))).toEqual([]);
    await page.selectOption('[data-testid="filter-flag"]', 'eyes-closed');
    await expect.poll(() => shown(page)).toEqual([...CLOSED].sort());
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switched off, runs nothing and says so; switched on, checks what was already analysed', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => void requests.push(r.url()));
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await page.uncheck('[data-testid="people-toggle"]');
    const files = ['human-stock-emotions-b-1.jpg', 'human-group-2.jpg'].map((f) => fileFromDisk(join(FACES, f)));
    files.push(fileFromDisk(join(SHARED, 'images/real/clive_811.jpg')));
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    await page.waitForTimeout(500);
    expect(requests.filter((u) => u.includes('/human/'))).toEqual([]);
    expect((await tiles(page)).every((t) => t.faces === null)).toBe(true);
    await page.click('[data-testid="tile"][data-name="human-group-2.jpg"]');
    await page.keyboard.press('e');
    expect(await page.textContent('[data-testid="insights-people"]')).toContain('people checks are off');
    await page.keyboard.press('Escape');

    // The choice is saved: a reload keeps it off.
    await page.reload();
    await page.waitForSelector('[data-testid="tile"]');
    expect(await page.isChecked('[data-testid="people-toggle"]')).toBe(false);
    // Drop again (a reload keeps no files), then switch on: the images already analysed are checked.
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    await page.check('[data-testid="people-toggle"]');
    await peopleDone(page, files.length);
    const byName = new Map((await tiles(page)).map((t) => [t.name, t]));
    expect(byName.get('human-stock-emotions-b-1.jpg')!.flags).toContain('eyes-closed');
    expect(byName.get('human-group-2.jpg')!.faces).toBe(3);
    expect(byName.get('clive_811.jpg')!.faces).toBe(0);
    await context.close();
  });

  it("makes a burst's best the frame with sharp faces, even when a soft-faced frame scores higher", async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    // One sharp frame and four with the faces soft (a little more each time), a second apart.
    const files = [(await burst())[0]];
    for (const [i, sigma] of [0.02, 0.025, 0.03, 0.035].entries()) {
      files.push({ name: `burst-soft-${i + 1}.jpg`, bytes: new Uint8Array(await sharp(await groupWithSoftFaces(sigma)).withExif(exif(2 + i)).jpeg({ quality: 92 }).toBuffer()) });
    }
    await dropFiles(page, files);
    const scored = await waitForAnalysis(page, files.length);
    await peopleDone(page, files.length);
    await expect.poll(async () => new Set((await tiles(page)).map((t) => t.group))).toEqual(new Set(['0']));
    const frames = new Map((await tiles(page)).map((t) => [t.name, t]));
    const score = new Map(scored.map((t) => [t.name, t.score!]));
    console.log(`burst scores: ${scored.map((t) => `${t.name} ${t.score?.toFixed(4)}${frames.get(t.name)!.best ? ' ★' : ''}`).join(', ')}`);
    // The rule has something to overrule: some soft-faced frame scores above the sharp one.
    expect(Math.max(...files.slice(1).map((f) => score.get(f.name)!))).toBeGreaterThan(score.get('burst-sharp.jpg')!);
    for (const f of files.slice(1)) expect(frames.get(f.name)!.flags).toContain('face-soft');
    expect([...frames.values()].filter((t) => t.best).map((t) => t.name)).toEqual(['burst-sharp.jpg']);
    await page.click('[data-testid="tile"][data-name="burst-sharp.jpg"]');
    await page.keyboard.press('e');
    expect(await page.textContent('[data-testid="insights-group"]')).toContain('the best of them');
    await context.close();
  });
});
