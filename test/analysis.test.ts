import { describe, expect, it } from 'vitest';
import { AnalysisFeed, runAnalysis, type AnalysisDeps, type AnalysisItem } from '../src/state/analysisScheduler';

const P = 4; // pixels per image in these fakes
const D = 2; // embedding size

function items(n: number): AnalysisItem[] {
  return Array.from({ length: n }, (_, i) => ({ id: `f${i}`, file: new Blob([String(i)]), name: `f${i}.jpg` }));
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function fakeDeps(opts: { failIds?: Set<string>; embedDelay?: number; decodeDelay?: number } = {}) {
  let decoding = 0;
  let maxDecoding = 0;
  const batches: number[] = [];
  const deps: AnalysisDeps = {
    decodeConcurrency: 3,
    async decode(item) {
      decoding++;
      maxDecoding = Math.max(maxDecoding, decoding);
      await tick(opts.decodeDelay ?? 0);
      decoding--;
      if (opts.failIds?.has(item.id)) return { ok: false, reason: `bad ${item.name}` };
      const v = Number(item.id.slice(1));
      return { ok: true, pixels: new Float32Array(P).fill(v), thumbnail: null, width: 1, height: 1, decodeMs: 0 };
    },
    async embed(images) {
      const count = images.length;
      batches.push(count);
      await tick(opts.embedDelay ?? 0);
      const embeddings = new Float32Array(count * D);
      const scores = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        // The fake "model" echoes the image's pixel value, so a mix-up between images would show.
        embeddings[i * D] = images[i][0];
        scores[i] = images[i][0] / 10;
      }
      return { embeddings, scores };
    },
  };
  return { deps, batches, maxDecoding: () => maxDecoding };
}

const options = { batchSize: 4, maxBatchesAhead: 2, embedDim: D };

describe('runAnalysis', () => {
  it('scores every image with its own result, in batches', async () => {
    const { deps, batches } = fakeDeps();
    const scored = new Map<string, number | null>();
    const result = await runAnalysis(items(10), deps, { onScored: (id, e, s) => scored.set(id, s) }, options, new AbortController().signal);
    expect(result.scored).toBe(10);
    expect(result.done).toBe(10);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    for (let i = 0; i < 10; i++) expect(scored.get(`f${i}`)).toBeCloseTo(i / 10);
  });

  it('never holds more than maxBatchesAhead batches of decoded images', async () => {
    const { deps, maxDecoding } = fakeDeps({ embedDelay: 20 });
    let backlog = 0;
    await runAnalysis(items(40), deps, { onBacklog: (n) => (backlog = Math.max(backlog, n)) }, options, new AbortController().signal);
    expect(backlog).toBeLessThanOrEqual(options.batchSize * options.maxBatchesAhead);
    expect(backlog).toBeGreaterThan(0);
    expect(maxDecoding()).toBeLessThanOrEqual(3);
  });

  it('reports bad files by name and goes on with the rest', async () => {
    const { deps } = fakeDeps({ failIds: new Set(['f2', 'f7']) });
    const failed = new Map<string, string>();
    const result = await runAnalysis(items(9), deps, { onFailed: (id, r) => failed.set(id, r) }, options, new AbortController().signal);
    expect(result.scored).toBe(7);
    expect(result.failed).toBe(2);
    expect(failed.get('f2')).toBe('bad f2.jpg');
  });

  it('marks a batch failed when the encoder throws, and continues', async () => {
    const { deps } = fakeDeps();
    const embed = deps.embed!;
    let calls = 0;
    deps.embed = (images, s) => (++calls === 1 ? Promise.reject(new Error('GPU lost')) : embed(images, s));
    const failed: string[] = [];
    const result = await runAnalysis(items(8), deps, { onFailed: (_id, r) => failed.push(r) }, options, new AbortController().signal);
    expect(result.failed).toBe(4);
    expect(result.scored).toBe(4);
    expect(failed[0]).toContain('GPU lost');
  });

  it('takes chunks that join its feed, decoding them while the batch before is on the encoder', async () => {
    const { deps, batches } = fakeDeps({ embedDelay: 40 });
    const events: string[] = [];
    const decode = deps.decode;
    deps.decode = (item, s) => {
      events.push(`decode ${item.id}`);
      return decode(item, s);
    };
    const embed = deps.embed!;
    deps.embed = async (images, s) => {
      events.push(`embed ${images.length}`);
      const out = await embed(images, s);
      events.push('embedded');
      return out;
    };
    const all = items(10);
    const feed = new AnalysisFeed(all.slice(0, 4), true);
    const run = runAnalysis(feed, deps, {}, options, new AbortController().signal);
    await tick(10);
    feed.add(all.slice(4, 9));
    await tick(10);
    feed.add(all.slice(9));
    feed.close();
    const result = await run;
    expect(result.total).toBe(10);
    expect(result.scored).toBe(10);
    // Full batches across the chunks, the last one partial once the feed closed.
    expect(batches).toEqual([4, 4, 2]);
    // The second chunk was decoded while the first batch was on the encoder, not after it.
    expect(events.indexOf('decode f4')).toBeLessThan(events.indexOf('embedded'));
    expect(() => feed.add(items(1))).toThrow(/closed/);
  });

  it('waits on an open feed with a partial batch, and flushes it when the feed closes', async () => {
    const { deps, batches } = fakeDeps();
    const feed = new AnalysisFeed(items(3), true);
    let finished = false;
    const run = runAnalysis(feed, deps, {}, options, new AbortController().signal).then((r) => {
      finished = true;
      return r;
    });
    await tick(20);
    expect(batches).toEqual([]);
    expect(finished).toBe(false);
    feed.close();
    expect((await run).scored).toBe(3);
    expect(batches).toEqual([3]);
  });

  it('decodes without scoring when no model is loaded', async () => {
    const { deps } = fakeDeps();
    deps.embed = null;
    let decoded = 0;
    const result = await runAnalysis(items(5), deps, { onDecoded: () => decoded++ }, options, new AbortController().signal);
    expect(decoded).toBe(5);
    expect(result.done).toBe(5);
    expect(result.scored).toBe(0);
  });

  it('stops promptly when aborted', async () => {
    const { deps } = fakeDeps({ embedDelay: 10, decodeDelay: 5 });
    const ac = new AbortController();
    let scored = 0;
    const run = runAnalysis(items(200), deps, { onScored: () => scored++ }, options, ac.signal);
    await tick(30);
    ac.abort();
    const result = await run;
    expect(result.done).toBeLessThan(200);
    expect(scored).toBe(result.scored);
  });
});

describe('runAnalysis with kept results', () => {
  it('uses a lookup hit without decoding or encoding, and analyses the rest', async () => {
    const { deps, batches } = fakeDeps();
    const decoded: string[] = [];
    const decode = deps.decode;
    deps.decode = (item, s) => {
      decoded.push(item.id);
      return decode(item, s);
    };
    deps.lookup = async (item) => (Number(item.id.slice(1)) % 2 === 0 ? { embedding: new Float32Array(D).fill(7), score: 7 } : null);
    const scores = new Map<string, number | null>();
    const result = await runAnalysis(items(6), deps, { onScored: (id, _e, s) => scores.set(id, s) }, options, new AbortController().signal);
    expect(result.scored).toBe(6);
    expect(decoded.sort()).toEqual(['f1', 'f3', 'f5']);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(3);
    expect(scores.get('f0')).toBe(7);
    expect(scores.get('f3')).toBeCloseTo(0.3);
  });
});

describe('runAnalysis and a long-lived signal', () => {
  it('leaves no abort listener behind: one signal serves many runs', async () => {
    const { deps } = fakeDeps();
    const ac = new AbortController();
    let listeners = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((type: string, l: EventListener, o?: AddEventListenerOptions) => {
      if (type === 'abort') listeners++;
      add(type, l, o);
    }) as typeof ac.signal.addEventListener;
    ac.signal.removeEventListener = ((type: string, l: EventListener, o?: EventListenerOptions) => {
      if (type === 'abort') listeners--;
      remove(type, l, o);
    }) as typeof ac.signal.removeEventListener;
    for (let run = 0; run < 5; run++) await runAnalysis(items(5), deps, {}, options, ac.signal);
    expect(listeners).toBe(0);
  });
});
