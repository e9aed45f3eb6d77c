/**
 * "Learn my taste": after the user picks images of one kind and rejects another, a head trained in the
 * taste worker ranks unseen images of the picked kind above the others; it survives a reload, exports as
 * an ONNX model that runs elsewhere, and a reset gives the ranking back. Real clip-tiny embeddings and
 * real TF.js training (WASM backend: the adapter here is SwiftShader).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { mulberry32 } from '../src/scoring/mulberry32';
import { entryData, readCentralDirectory } from '../src/codecs/zipRead';
import { dropFiles, sharedBrowser, waitForAnalysis, type DropFile } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();
const SIZE = 192;
const PER_KIND = 12;
const DECIDED = 8;

/** Warm scenes with round blobs, or cool scenes with stripes: two kinds any image encoder tells apart. */
async function scene(kind: 'warm' | 'cool', seed: number): Promise<DropFile> {
  const random = mulberry32(seed);
  const px = Buffer.alloc(SIZE * SIZE * 3);
  const blobs = Array.from({ length: 4 }, () => ({ x: random() * SIZE, y: random() * SIZE, r: 15 + random() * 30 }));
  const phase = random() * 20;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const i = (y * SIZE + x) * 3;
      const noise = (random() - 0.5) * 30;
      if (kind === 'warm') {
        const inBlob = blobs.some((b) => (x - b.x) ** 2 + (y - b.y) ** 2 < b.r ** 2);
        px[i] = 200 + noise * 0.5 + (inBlob ? 40 : 0);
        px[i + 1] = (inBlob ? 60 : 120) + noise;
        px[i + 2] = 40 + noise;
      } else {
        const stripe = Math.sin((x + y + phase) / 6) > 0;
        px[i] = 30 + noise;
        px[i + 1] = (stripe ? 150 : 90) + noise;
        px[i + 2] = 200 + noise * 0.5;
      }
    }
  const bytes = await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  return { name: `${kind}-${String(seed % 100).padStart(2, '0')}.jpg`, bytes: new Uint8Array(bytes) };
}

interface Ranked {
  name: string;
  rank: number;
  score: number;
  tagScore: number | null;
}

async function ranking(page: Page): Promise<Ranked[]> {
  const tiles = await page.$$eval('[data-testid="tile"][data-rank]', (els) =>
    els.map((e) => ({
      name: e.getAttribute('data-name') ?? '',
      rank: Number(e.getAttribute('data-rank')),
      score: Number(e.getAttribute('data-score')),
      tagScore: e.getAttribute('data-tag-score') ? Number(e.getAttribute('data-tag-score')) : null,
    })),
  );
  return tiles.filter((t) => t.rank > 0).sort((a, b) => a.rank - b.rank);
}

/** Of all (liked, other) pairs among the given names, the fraction where the liked one ranks first. */
function likedFirst(ranked: Ranked[], liked: string[], other: string[]): number {
  const rank = new Map(ranked.map((r) => [r.name, r.rank]));
  let right = 0, total = 0;
  for (const a of liked) for (const b of other) {
    if (!rank.has(a) || !rank.has(b)) continue;
    total++;
    if (rank.get(a)! < rank.get(b)!) right++;
  }
  expect(total).toBeGreaterThan(0);
  return right / total;
}

async function includeEverything(page: Page): Promise<void> {
  const slider = page.locator('[data-testid="threshold"]');
  await slider.fill((await slider.getAttribute('min'))!);
}

describe('a head that learns this user’s taste', () => {
  it('learns from picks and rejects, lifts unseen images of the picked kind, persists, exports and resets', async () => {
    const context = await chrome.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    const files = [
      ...(await Promise.all(Array.from({ length: PER_KIND }, (_, i) => scene('warm', 100 + i)))),
      ...(await Promise.all(Array.from({ length: PER_KIND }, (_, i) => scene('cool', 200 + i)))),
    ];
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    await page.fill('[data-testid="tag-input"]', 'a photo');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    await includeEverything(page);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile"][data-rank]').length === n, files.length);
    await expect.poll(() => page.getAttribute('[data-testid="taste"]', 'data-status')).toBe('none');

    // Like the kind the aesthetic score ranks lower, so the taste has to overturn the prior.
    const before = await ranking(page);
    const meanScore = (kind: string) => {
      const s = before.filter((r) => r.name.startsWith(kind)).map((r) => r.score);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    const liked = meanScore('warm') < meanScore('cool') ? 'warm' : 'cool';
    const other = liked === 'warm' ? 'cool' : 'warm';
    const names = (kind: string, from: number, to: number) => files.map((f) => f.name).filter((n) => n.startsWith(kind)).slice(from, to);
    const unseenLiked = names(liked, DECIDED, PER_KIND);
    const unseenOther = names(other, DECIDED, PER_KIND);
    const priorAccuracy = likedFirst(before, unseenLiked, unseenOther);

    // Cull with the keyboard: pick the liked kind, reject the other.
    for (const [kind, key] of [[liked, 'p'], [other, 'x']] as const) {
      for (const name of names(kind, 0, DECIDED)) {
        await page.click(`[data-testid="tile"][data-name="${name}"]`);
        await page.keyboard.press(key);
        await page.waitForSelector(`[data-testid="tile"][data-name="${name}"][data-decision="${key === 'p' ? 'pick' : 'reject'}"]`);
      }
    }

    // T trains on them; progress shows while it runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { tasteProgressSeen: string[] }).tasteProgressSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="taste-progress"]')?.textContent;
        if (text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.keyboard.press('t');
    await page.waitForSelector('[data-testid="taste"][data-status="ready"][data-enabled="true"]', { timeout: 180_000 });
    await page.waitForFunction(
      (n) => Array.from(document.querySelectorAll('[data-testid="tile"][data-rank]')).filter((t) => t.getAttribute('data-tag-score')).length === n,
      files.length,
      { timeout: 60_000 },
    );
    const progressSeen = await page.evaluate(() => (window as unknown as { tasteProgressSeen: string[] }).tasteProgressSeen);
    expect(progressSeen.some((t) => /Learning your taste for “a photo”: step \d+\/60/.test(t))).toBe(true);
    const summary = (await page.textContent('[data-testid="taste-summary"]'))!;
    // 8 picks and 8 rejects: one of each is held out, so one held-out pair.
    expect(summary).toMatch(/held-out pair accuracy \d+% on 1 pair \(/);
    expect(summary).toContain(`learned from ${2 * DECIDED} decisions`);
    expect(await page.textContent('[data-testid="taste-accuracy"]')).toBe('100%');

    const after = await ranking(page);
    // Every unseen image of the picked kind now ranks above every unseen image of the other.
    expect(likedFirst(after, unseenLiked, unseenOther)).toBe(1);
    expect(priorAccuracy).toBeLessThan(1);

    // The explain panel says which head ranked it.
    await page.click(`[data-testid="tile"][data-name="${unseenLiked[0]}"]`);
    await page.keyboard.press('e');
    await expect.poll(() => page.textContent('[data-testid="explain"]')).toContain('Ranked by your taste head');
    await page.keyboard.press('e');

    // Export: a heads/ folder a model folder can take, whose ONNX runs in onnxruntime-node.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="taste-export"]')]);
    expect(dl.suggestedFilename()).toBe('taste-a-photo.zip');
    const zip = new Uint8Array(readFileSync((await dl.path())!));
    const entries = readCentralDirectory(zip);
    const file = (name: string) => entryData(zip, entries.find((e) => e.name === name)!);
    expect(entries.map((e) => e.name).sort()).toEqual(['heads/head.json', 'heads/info.json', 'heads/taste-a-photo.onnx']);
    const onnx = file('heads/taste-a-photo.onnx');
    const head = JSON.parse(new TextDecoder().decode(file('heads/head.json')));
    expect(head).toMatchObject({ id: 'taste-a-photo', kind: 'tag-head', path: 'heads/taste-a-photo.onnx', bytes: onnx.length, normalizedInputs: true });
    expect(head.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
    const session = await ort.InferenceSession.create(onnx);
    expect([...session.inputNames].sort()).toEqual(['image_embeds', 'tag_embeds']);
    expect(session.outputNames).toEqual(['score']);

    // A reload brings the head back, switched on, ranking the same way.
    await page.reload();
    await page.waitForSelector('[data-testid="tag-chip"][data-tag="a photo"][data-status="ready"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="taste"][data-status="ready"][data-enabled="true"]', { timeout: 60_000 });
    await includeEverything(page);
    await page.waitForFunction(
      (n) => Array.from(document.querySelectorAll('[data-testid="tile"][data-rank]')).filter((t) => t.getAttribute('data-tag-score')).length === n,
      files.length,
      { timeout: 60_000 },
    );
    expect((await ranking(page)).map((r) => r.name)).toEqual(after.map((r) => r.name));

    // Switching it off ranks by the score before; Reset forgets the head and keeps the decisions.
    await page.click('[data-testid="taste-enabled"]');
    await expect.poll(async () => (await ranking(page)).map((r) => r.name)).toEqual(before.map((r) => r.name));
    await page.click('[data-testid="taste-enabled"]');
    await expect.poll(async () => (await ranking(page)).map((r) => r.name)).toEqual(after.map((r) => r.name));
    await page.click('[data-testid="taste-reset"]');
    await expect.poll(() => page.getAttribute('[data-testid="taste"]', 'data-status')).toBe('none');
    expect((await ranking(page)).map((r) => r.name)).toEqual(before.map((r) => r.name));
    expect(await page.locator('[data-testid="tile"][data-decision="pick"]').count()).toBe(DECIDED);
    await context.close();
  }, 420_000);
});
