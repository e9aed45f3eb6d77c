/**
 * Security and privacy (docs/security.md): a whole session under the app's Content-Security-Policy, with
 * every request of the page, its workers and any service worker recorded, and hostile file names, EXIF
 * fields and prompts rendered as text.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { CSP_HEADER, CSP_META, isAllowedDestination, MODEL_HOST_SOURCES } from '../build/csp.ts';
import { dropFiles, fileFromDisk, SHARED, sharedBrowser, waitForAnalysis, type DropFile } from './browser';
import { pngWithText } from './pngText';
import { showBidiControls } from '../src/ui/safeName';

const base = inject('baseUrl');
const origin = new URL(base).origin;
const chrome = sharedBrowser();
const REAL = join(SHARED, 'images/real');
const photos = ['clive_1019.jpg', 'clive_1084.jpg', 'clive_1111.jpg', 'clive_1122.jpg', 'clive_1135.jpg', 'clive_545.jpg'];
/** The folder the test server serves (e2e/globalSetup.ts): every same-origin request must be one of its files. */
const served = resolve(import.meta.dirname, '..', process.env.LOUPE_DIST ?? 'dist');

const VIOLATION = '[csp-violation]';

/** Logs each CSP violation of the global it runs in through the console API, which Playwright relays. */
function listenForViolations(): void {
  const scope = globalThis as unknown as EventTarget & { __cspListening?: boolean };
  if (scope.__cspListening) return;
  scope.__cspListening = true;
  scope.addEventListener('securitypolicyviolation', (e) => {
    const v = e as SecurityPolicyViolationEvent;
    const where = (globalThis as unknown as { location?: Location }).location?.pathname;
    console.error(`[csp-violation] in ${where}: ${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'} at ${v.sourceFile}:${v.lineNumber}`);
  });
}

interface Recorded {
  url: string;
  method: string;
  body: Buffer | null;
  navigation: boolean;
  from: string;
}

interface Session {
  requests: Recorded[];
  violations: string[];
  dialogs: string[];
  pageErrors: string[];
}

/**
 * Records every request of the context (Playwright reports those of dedicated workers, their nested workers
 * and service workers at the context level), every CSP violation in the page and in each worker, dialogs
 * and page errors.
 */
function record(context: BrowserContext, page: Page): Session {
  const session: Session = { requests: [], violations: [], dialogs: [], pageErrors: [] };
  context.on('request', (r: Request) => {
    const from = r.serviceWorker() ? 'service worker' : r.resourceType();
    session.requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer(), navigation: r.isNavigationRequest(), from });
  });
  context.on('console', (m) => {
    const text = m.text();
    // The page's own CSP reports come as console errors from Chromium, besides the listener's.
    if (text.startsWith(VIOLATION) || /Content Security Policy/i.test(text)) session.violations.push(text);
  });
  // A worker's listener goes in as soon as Playwright sees the worker; it is not awaited, since a pthread
  // worker blocked in Atomics.wait never answers. The violations that matter (model downloads, wasm
  // compilation, fetches) happen long after a worker starts.
  page.on('worker', (w) => void w.evaluate(listenForViolations).catch(() => undefined));
  context.on('serviceworker', (w) => void w.evaluate(listenForViolations).catch(() => undefined));
  page.on('dialog', (d) => {
    session.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => session.pageErrors.push(e.message));
  return session;
}

async function openSession(query: string, options: { downloads?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; session: Session }> {
  const context = await chrome.browser.newContext({ acceptDownloads: options.downloads ?? false, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(listenForViolations);
  const page = await context.newPage();
  const session = record(context, page);
  const response = await page.goto(new URL(`?${query}`, base).href);
  // Both ways the policy reaches the browser: the header (preview server; the only one workers get) and the meta.
  expect(response!.headers()['content-security-policy']).toBe(CSP_HEADER);
  expect(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')).toBe(CSP_META);
  return { context, page, session };
}

/** `eval` from a task of the page itself: DevTools' own evaluation is exempt from CSP, a timer callback is not. */
const evalInTask = () =>
  new Promise<string>((done) =>
    setTimeout(() => {
      try {
        eval('1');
        done('ran');
      } catch {
        done('blocked');
      }
    }),
  );

/** 64-byte windows of a file, every 4 KiB and at its end: any of them in a request body means image bytes left. */
function windowsOf(bytes: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 64 <= bytes.length; at += 4096) out.push(Buffer.from(bytes.subarray(at, at + 64)));
  out.push(Buffer.from(bytes.subarray(bytes.length - 64)));
  return out;
}

function checkTraffic(session: Session, dropped: DropFile[]): void {
  expect(session.requests.length).toBeGreaterThan(0);
  const windows = dropped.flatMap((f) => windowsOf(f.bytes));
  for (const r of session.requests) {
    // Only the app's origin and the model hosts of the CSP's connect-src; in this session the model is the
    // app's own clip-tiny, so nothing goes to a model host either.
    expect(isAllowedDestination(r.url, origin), `${r.from} ${r.method} ${r.url}`).toBe(true);
    expect(new URL(r.url).origin, `${r.from} ${r.method} ${r.url}`).toBe(origin);
    // Nothing is sent: every request is a GET without a body, for a file the server serves.
    expect(r.method, r.url).toBe('GET');
    expect(r.body, r.url).toBeNull();
    const url = new URL(r.url);
    // Object URLs of the dropped files (thumbnails, the loupe) are read inside the browser.
    if (url.protocol === 'blob:') continue;
    if (!r.navigation) {
      expect(url.search, r.url).toBe('');
      const file = join(served, decodeURIComponent(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname));
      expect(existsSync(file) && statSync(file).isFile(), `${r.url} is a file of the build`).toBe(true);
    }
  }
  // Belt and braces for the rule above: no body and no URL carries any of the dropped files' bytes.
  for (const r of session.requests) {
    const carried = Buffer.concat([Buffer.from(r.url), r.body ?? Buffer.alloc(0)]);
    expect(windows.some((w) => carried.includes(w)), r.url).toBe(false);
  }
}

describe('security and privacy', () => {
  it('the model hosts in the policy are the ones the model catalogue needs', () => {
    expect(MODEL_HOST_SOURCES).toEqual(['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co', 'https://raw.githubusercontent.com']);
    for (const url of [
      'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/d15189d7028b43f1d3e65039190477f6af591c2a/onnx/vision_model.onnx',
      'https://cdn-lfs-us-1.huggingface.co/repos/ab/cd/x',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/x',
      'https://us.aws.cdn.hf.co/xet-bridge-us/x',
      'https://raw.githubusercontent.com/LAION-AI/aesthetic-predictor/6d122adad522ab246644d9dc1c6d7a3810ee255f/sa_0_4_vit_b_32_linear.pth',
      `${origin}/models/clip-tiny/manifest.json`,
    ]) {
      expect(isAllowedDestination(url, origin), url).toBe(true);
    }
    for (const url of ['https://example.com/x', 'http://huggingface.co/x', 'https://huggingface.co.evil.example/x', 'https://hf.co.evil.example/x', 'https://github.com/x']) {
      expect(isAllowedDestination(url, origin), url).toBe(false);
    }
    for (const policy of [CSP_META, CSP_HEADER]) expect(policy).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\bdata:|\*(?!\.)/);
    expect(CSP_META).not.toContain('frame-ancestors');
    expect(CSP_HEADER).toContain("frame-ancestors 'none'");
  });

  it('a whole session sends no image anywhere, contacts only the app, and breaks no rule of the policy', async () => {
    const { context, page, session } = await openSession('model=clip-tiny&backend=wasm', { downloads: true });
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });

    const dropped = photos.map((p) => fileFromDisk(join(REAL, p)));
    await dropFiles(page, dropped);
    await waitForAnalysis(page, dropped.length);

    // A tag, with every image in it, then culling from the keyboard: two picks, two rejects.
    await page.fill('[data-testid="tag-input"]', 'landscape');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    const slider = page.locator('[data-testid="threshold"]');
    await slider.fill((await slider.getAttribute('min'))!);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile"][data-rank]').length === n, dropped.length);
    const first = (await page.getAttribute('[data-testid="tile"][data-rank="1"]', 'data-name'))!;
    await page.click('[data-testid="tile"][data-rank="1"]');
    for (const key of ['p', 'ArrowRight', 'p', 'ArrowRight', 'x', 'ArrowRight', 'x']) await page.keyboard.press(key);
    await page.waitForSelector(`[data-testid="tile"][data-name="${first}"][data-decision="pick"]`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"][data-decision="reject"]').length === 2);

    // Learn my taste: the taste worker loads TF.js and its wasm backend, under the policy too.
    await page.keyboard.press('t');
    await page.waitForSelector('[data-testid="taste"][data-status="ready"][data-enabled="true"]', { timeout: 90_000 });
    expect(page.workers().some((w) => w.url().includes('taste.worker'))).toBe(true);
    // On WASM, not the plain-JS fallback a refused wasm compilation would leave.
    expect(await page.textContent('[data-testid="taste-summary"]')).toContain('decisions on WASM');

    // The loupe shows the original file (an object URL), then the explain panel.
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="loupe"] [data-testid="loupe-image"][data-source="file"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="loupe"]', { state: 'detached' });
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid="explain"] [data-testid="insights"]');
    await page.keyboard.press('e');

    // Export CSV: a download made in the page, not an upload.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    const csv = readFileSync((await dl.path())!, 'utf8');
    expect(csv).toContain(first);

    expect(page.workers().some((w) => w.url().includes('decode.worker'))).toBe(true);
    checkTraffic(session, dropped);
    // Requests from the inference worker are in the record (the model files), so workers are covered.
    expect(session.requests.some((r) => r.url.endsWith('/models/clip-tiny/onnx/vision_model.onnx'))).toBe(true);
    expect(session.violations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.dialogs).toEqual([]);

    // The policy is in force in the page and in the inference worker (the header gives the worker its own
    // copy), and a violation in either is seen: the check above is not vacuous.
    expect(await page.evaluate(evalInTask)).toBe('blocked');
    const inference = page.workers().find((w) => w.url().includes('inference.worker'));
    expect(inference, 'the inference worker').toBeDefined();
    expect(await inference!.evaluate(evalInTask)).toBe('blocked');
    await expect.poll(() => session.violations.filter((v) => v.startsWith(`${VIOLATION} in /:`)).length).toBeGreaterThan(0);
    await expect.poll(() => session.violations.filter((v) => /^\[csp-violation\] in \/assets\/inference\.worker/.test(v)).length).toBeGreaterThan(0);
    await context.close();
  }, 120_000);

  it('the same on WebGPU', async () => {
    const { context, page, session } = await openSession('model=clip-tiny&backend=webgpu');
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="webgpu"]', { timeout: 120_000 });
    const dropped = photos.slice(0, 3).map((p) => fileFromDisk(join(REAL, p)));
    await dropFiles(page, dropped);
    const tiles = await waitForAnalysis(page, dropped.length);
    expect(tiles.every((t) => t.status === 'scored')).toBe(true);
    checkTraffic(session, dropped);
    expect(session.violations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('renders hostile file names, EXIF fields and prompts as text: nothing runs, nothing is injected', async () => {
    const payload = (tag: string) => `<img src=x onerror="window.__pwned='${tag}'"><script>window.__pwned='${tag}-script'</script>`;
    const photo = readFileSync(join(REAL, photos[0]));
    // One photo per name: files with the same content share one tile.
    const names = [
      '<img src=x onerror=alert(1)>.jpg',
      `"><svg onload=alert(2)> it's "quoted" & <b>bold<b>.jpg`,
      'holiday 📷🌅 \u202Egpj.exe.jpg',
      `${payload('name')}.jpg`,
    ];
    const exifJpeg = await sharp(photo)
      .withExif({
        IFD0: {
          Make: `<script>window.__pwned='make'</script> Cam`,
          Model: '<img src=x onerror=alert(4)>',
          Artist: payload('artist'),
          ImageDescription: payload('description'),
        },
        IFD2: { UserComment: `${payload('comment')} a lighthouse at dusk\nNegative prompt: </p><b>bold</b>\nSteps: 20, Sampler: Euler, Seed: 1` },
      })
      .jpeg({ quality: 85 })
      .toBuffer();
    const png = new Uint8Array(await sharp(photo).resize(256).png().toBuffer());
    const files: DropFile[] = [
      ...names.map((name, i) => ({ name, bytes: new Uint8Array(readFileSync(join(REAL, photos[i + 1]))) })),
      { name: 'exif.jpg', bytes: new Uint8Array(exifJpeg) },
      { name: 'prompt.png', bytes: pngWithText(png, 'parameters', `${payload('png')} a red fox\nNegative prompt: <svg onload=alert(5)>\nSteps: 20, Sampler: Euler`) },
    ];

    const { context, page, session } = await openSession('model=clip-tiny&backend=wasm');
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    const scripts = await page.evaluate(() => document.scripts.length);
    await dropFiles(page, files);
    const tiles = await waitForAnalysis(page, files.length);
    expect(tiles.every((t) => t.status === 'scored')).toBe(true);
    expect(tiles.map((t) => t.name).sort()).toEqual(files.map((f) => f.name).sort());

    // Names: as text, exactly as given, except that a bidi control is shown, not obeyed (it could spoof the
    // extension: safeName.ts); the tile's data-name keeps the real name.
    for (const name of names) {
      const caption = page.locator('[data-testid="tile"] figcaption .name').filter({ hasText: showBidiControls(name) });
      expect(await caption.count(), name).toBeGreaterThan(0);
      expect(await caption.first().textContent()).toBe(showBidiControls(name));
    }
    // The explain panel and the loupe name the file in text too.
    const hostile = names[3];
    await page.locator('[data-testid="tile"]').filter({ has: page.locator('figcaption .name', { hasText: showBidiControls(hostile) }) }).first().click();
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid="explain"] [data-testid="insights"]');
    expect(await page.textContent('[data-testid="explain"] strong')).toBe(showBidiControls(hostile));
    await page.keyboard.press('e');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="loupe"] [data-testid="loupe-image"][data-source="file"]');
    expect(await page.getAttribute('[data-testid="loupe-image"]', 'alt')).toBe(showBidiControls(hostile));
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="loupe"]', { state: 'detached' });

    // EXIF: the camera (Make + Model) and the UserComment prompt, literally.
    await page.click('[data-testid="tile"][data-name="exif.jpg"]');
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid="explain"] [data-testid="insights"]');
    await expect.poll(() => page.textContent('[data-testid="explain"]')).toContain(`<script>window.__pwned='make'</script> Cam <img src=x onerror=alert(4)>`);
    expect(await page.textContent('[data-testid="prompt-text"]')).toBe(`${payload('comment')} a lighthouse at dusk`);
    expect(await page.textContent('[data-testid="explain"]')).toContain('Negative: </p><b>bold</b>');
    await page.keyboard.press('e');

    // PNG text chunk: the prompt and its negative, literally.
    await page.click('[data-testid="tile"][data-name="prompt.png"]');
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid="prompt-text"]');
    expect(await page.textContent('[data-testid="prompt-text"]')).toBe(`${payload('png')} a red fox`);
    expect(await page.textContent('[data-testid="explain"]')).toContain('Negative: <svg onload=alert(5)>');

    // Nothing was injected, nothing ran.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length)).toBe(scripts);
    expect(await page.locator('#root img[src="x"], #root svg[onload], #root [onerror], #root [onload], #root b, #root script').count()).toBe(0);
    expect(session.dialogs).toEqual([]);
    expect(session.violations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
