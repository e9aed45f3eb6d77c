import { describe, expect, inject, it } from 'vitest';
import { sharedBrowser } from './browser';

const base = inject('baseUrl');
const BADGE_SET = '[data-testid="backend-badge"][data-backend]:not([data-backend=""])';
const chrome = sharedBrowser();

describe('model loading in the browser', () => {
  it('refuses a model file that fails its checksum, and says which and why', async () => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    await page.route('**/models/clip-tiny/onnx/vision_model.onnx', async (route) => {
      const real = await route.fetch();
      const body = Buffer.from(await real.body());
      body[body.length - 10] ^= 0xff; // same size, one byte flipped
      await route.fulfill({ response: real, body });
    });
    await page.goto(new URL('?model=clip-tiny', base).href);
    const problem = await page.waitForSelector('[data-testid="engine-problem"]', { timeout: 60_000 });
    const text = (await problem.textContent()) ?? '';
    expect(text).toContain('onnx/vision_model.onnx');
    expect(text).toMatch(/sha256/);
    expect(await page.textContent('[data-testid="backend-badge"]')).toBe('no model');
    await context.close();
  });

  it('keeps a loaded model in Cache Storage: the next visit works without the server copy', async () => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny', base).href);
    await page.waitForSelector(BADGE_SET, { timeout: 120_000 });
    // Second visit: the server no longer has the encoder or the head (as when offline).
    await page.route('**/models/clip-tiny/onnx/**', (route) => route.abort('internetdisconnected'));
    await page.route('**/models/clip-tiny/*.pth', (route) => route.abort('internetdisconnected'));
    await page.reload();
    await page.waitForSelector(BADGE_SET, { timeout: 120_000 });
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'data-backend')).toBe('wasm');
    await context.close();
  });

  it('offers the hub download and reports plainly when the hub cannot be reached', async () => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    const hubRequests: string[] = [];
    // Deterministic on machines that do have internet access: no 350 MB download from a test.
    await page.route('https://huggingface.co/**', (route) => {
      hubRequests.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await page.goto(base);
    await page.waitForSelector('[data-testid="engine-problem"]', { timeout: 60_000 });
    expect(hubRequests).toEqual([]); // nothing is downloaded without asking
    await page.click('text=Download from Hugging Face');
    await page.waitForFunction(
      () => /cannot reach huggingface\.co/.test(document.querySelector('[data-testid="engine-problem"]')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    expect(hubRequests[0]).toContain('/Xenova/clip-vit-base-patch32/resolve/d15189d7028b43f1d3e65039190477f6af591c2a/onnx/vision_model.onnx');
    await context.close();
  });
});
