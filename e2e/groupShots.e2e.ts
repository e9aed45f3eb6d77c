/**
 * Group shots (issue 16, item 3): the worst prominent face decides a frame's people score. Two frames of a
 * "group of six" are composed from the labelled portraits of ../shared/images/faces, a second apart from one
 * camera (a burst): in one everybody's eyes are open, in the other one of the six (a labelled closed-eyes
 * portrait) blinks. The real face models run in the app's face worker. The frame where nobody blinks is the
 * burst's best; the blink frame's people score is set by the blinking face (a mean of six would give it 5/6),
 * and the explain panel names that face. Then culling mode (issue 16, item 1) on the same folder: the burst
 * first, its best shown large, each face lined up across the two frames with its verdict; Enter keeps the
 * shown frame and rejects the other in one undo step, and moves on to the photos of no group.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, SHARED, sharedBrowser, waitForAnalysis, type DropFile } from './browser';
import { FACES } from './faceLabels';

const base = inject('baseUrl');
const chrome = sharedBrowser();

const OPEN = ['human-stock-emotions-a-1', 'human-stock-emotions-a-2', 'human-stock-emotions-a-4', 'human-stock-emotions-b-2', 'human-stock-emotions-b-5', 'human-stock-teen-4'];
/** Labelled "laughing, both eyes closed". */
const BLINK = 'human-stock-emotions-b-4';
const CELL_W = 400;
const CELL_H = 500;

const exif = (seconds: number) => ({ IFD0: { Make: 'Loupe', Model: 'Group Cam' }, IFD2: { DateTimeOriginal: `2026:06:01 15:00:${String(seconds).padStart(2, '0')}` } });

/** Six portraits in a 3×2 grid, each whole in its cell: one "group" frame. */
async function groupFrame(portraits: string[], seconds: number): Promise<Uint8Array> {
  const parts = await Promise.all(
    portraits.map(async (p, i) => ({
      input: await sharp(join(FACES, `${p}.jpg`)).resize(CELL_W, CELL_H, { fit: 'cover', position: 'top' }).toBuffer(),
      left: (i % 3) * CELL_W,
      top: Math.floor(i / 3) * CELL_H,
    })),
  );
  const frame = await sharp({ create: { width: 3 * CELL_W, height: 2 * CELL_H, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .composite(parts)
    .jpeg({ quality: 92 })
    .toBuffer();
  return new Uint8Array(await sharp(frame).withExif(exif(seconds)).jpeg({ quality: 92 }).toBuffer());
}

interface FrameTile {
  name: string;
  faces: number | null;
  flags: string[];
  group: string;
  best: boolean;
}

const frameTiles = (page: Page): Promise<FrameTile[]> =>
  page.$$eval('[data-testid="tile"]', (els) =>
    els.map((e) => ({
      name: e.getAttribute('data-name') ?? '',
      faces: e.hasAttribute('data-people') ? Number(e.getAttribute('data-people')) : null,
      flags: (e.getAttribute('data-flags') ?? '').split(' ').filter(Boolean),
      group: e.getAttribute('data-group') ?? '',
      best: e.getAttribute('data-group-best') === 'true',
    })),
  );

describe('group shots', () => {
  it('the frame where one of six blinks loses to the one where nobody does, and says which face decided', async () => {
    const files: DropFile[] = [
      { name: 'group-everyone.jpg', bytes: await groupFrame(OPEN, 1) },
      { name: 'group-one-blinks.jpg', bytes: await groupFrame([...OPEN.slice(0, 3), BLINK, ...OPEN.slice(4)], 2) },
      // Two photos of no group, for culling mode's second part.
      fileFromDisk(join(SHARED, 'images/real/clive_1084.jpg')),
      fileFromDisk(join(SHARED, 'images/real/clive_1111.jpg')),
    ];
    // hasTouch: a phone's coarse pointer, so culling mode shows its tap buttons.
    const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 1000 }, hasTouch: true });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=on', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    await page.waitForSelector('[data-testid="people-progress"][data-state="done"]', { timeout: 240_000 });

    const tiles = new Map((await frameTiles(page)).map((t) => [t.name, t]));
    const everyone = tiles.get('group-everyone.jpg')!;
    const blink = tiles.get('group-one-blinks.jpg')!;
    expect([everyone.faces, blink.faces]).toEqual([6, 6]);
    expect(everyone.flags).not.toContain('eyes-closed');
    expect(blink.flags).toContain('eyes-closed');
    // One burst, and its best is the frame where nobody blinks.
    expect(everyone.group).not.toBe('');
    expect(blink.group).toBe(everyone.group);
    expect([everyone.best, blink.best]).toEqual([true, false]);

    // The blink frame's people score is its worst face's: 0.5 for a laughing squint read as one eye closed (0
    // for both), plus a hundredth of the mean as a tie-break. A mean of the six would be 5.5/6 ≈ 0.92 or more.
    // The explain panel names that face.
    await page.click('[data-testid="tile"][data-name="group-one-blinks.jpg"]');
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid="explain"] [data-testid="insights-people"][data-state="checked"]');
    const heading = (await page.textContent('[data-testid="insights-people"] h4')) ?? '';
    const score = Number(/people score ([\d.]+)/.exec(heading)?.[1]);
    expect(score).toBeLessThanOrEqual(0.51);
    const deciding = (await page.textContent('[data-testid="people-deciding"]')) ?? '';
    expect(deciding).toMatch(/The worst face sets the people score/);
    expect(deciding).toMatch(/closed/);
    await page.keyboard.press('Escape');

    // Culling mode: the burst first, its suggested best (the open-eyed frame) shown.
    await page.keyboard.press('m');
    await page.waitForSelector('[data-testid="culling"][data-kind="group"]');
    const shownName = () => page.getAttribute('[data-testid="culling"]', 'data-shown');
    const idOf = async (name: string) => (await page.getAttribute(`[data-testid="tile"][data-name="${name}"]`, 'data-id'))!;
    const [everyoneId, blinkId] = [await idOf('group-everyone.jpg'), await idOf('group-one-blinks.jpg')];
    expect(await shownName()).toBe(everyoneId);
    expect(await page.getAttribute('[data-testid="cull-frame"][data-best="true"]', 'data-id')).toBe(everyoneId);
    expect(await page.locator('[data-testid="cull-frame"]').count()).toBe(2);
    // Each person a row of crops, one per frame. The blinker (who, composed, sits apart from the person he
    // replaces) gets a row of his own: six rows from the shown frame, one more from the other.
    expect(await page.locator('[data-testid="cull-face-row"]').count()).toBe(7);
    const verdicts = await page.$$eval('[data-testid="cull-face-row"]', (rows) =>
      rows.map((r) => Object.fromEntries(Array.from(r.querySelectorAll('[data-testid="cull-face-crop"]'), (c) => [c.getAttribute('data-id') ?? '', c.getAttribute('data-verdict') ?? '']))),
    );
    expect(verdicts.filter((row) => row[everyoneId] !== undefined && row[blinkId] !== undefined), JSON.stringify(verdicts)).toHaveLength(5);
    expect(verdicts.filter((row) => /closed/.test(row[blinkId])), JSON.stringify(verdicts)).toHaveLength(1);
    expect(verdicts.filter((row) => /closed/.test(row[everyoneId]))).toHaveLength(0);
    // The strip starts with the best, so → reaches the other frame and ← comes back.
    await page.keyboard.press('ArrowRight');
    await expect.poll(shownName).toBe(blinkId);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shownName).toBe(everyoneId);
    // Enter: keep the shown frame, reject the rest, and go on to the photos of no group.
    await page.keyboard.press('Enter');
    const decisionOf = (name: string) => page.getAttribute(`[data-testid="tile"][data-name="${name}"]`, 'data-decision');
    await expect.poll(() => decisionOf('group-everyone.jpg')).toBe('pick');
    expect(await decisionOf('group-one-blinks.jpg')).toBe('reject');
    await expect.poll(() => page.getAttribute('[data-testid="culling"]', 'data-kind')).toBe('single');
    expect(await page.textContent('[data-testid="notice"]')).toContain('Kept 1, rejected 1');
    // One Ctrl+Z takes both decisions back.
    await page.keyboard.press('Control+z');
    await expect.poll(() => decisionOf('group-everyone.jpg')).toBe('none');
    expect(await decisionOf('group-one-blinks.jpg')).toBe('none');
    // ↑ returns to the burst; P there picks the shown frame, as everywhere.
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.getAttribute('[data-testid="culling"]', 'data-kind')).toBe('group');
    await page.keyboard.press('p');
    await expect.poll(() => decisionOf('group-everyone.jpg')).toBe('pick');

    // On a phone: a swipe to the left over the shown frame goes to the next frame; Reject is a button to tap.
    await page.setViewportSize({ width: 390, height: 844 });
    const box = (await page.locator('[data-testid="cull-main"]').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 0.8 * box.width, y);
    await page.mouse.down();
    await page.mouse.move(box.x + 0.2 * box.width, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(shownName).toBe(blinkId);
    await page.click('[data-testid="cull-reject"]');
    await expect.poll(() => decisionOf('group-one-blinks.jpg')).toBe('reject');
    expect(await decisionOf('group-everyone.jpg')).toBe('pick');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="culling"]').count()).toBe(0);
    await context.close();
  }, 400_000);
});
