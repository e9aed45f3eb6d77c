/**
 * The analysis scheduler: decode files in a pool, gather decoded tensors into batches, embed and score
 * each batch. Pure orchestration with injected workers so that its back-pressure and failure rules are
 * tested in Node; state/analyse.ts wires it to the decode pool (library) and the inference worker (engine).
 */
import type { PixelOrigin } from '../library/decodeApi';
import type { ImageMetadata } from '../library/metadata/readMetadata';
import type { TechnicalQuality } from '../scoring/technicalQuality';

export interface AnalysisItem {
  id: string;
  file: Blob;
  name: string;
}

export type Decoded =
  | {
      ok: true;
      pixels: Float32Array;
      thumbnail: Blob | null;
      width: number;
      height: number;
      decodeMs: number;
      quality?: TechnicalQuality | null;
      metadata?: ImageMetadata | null;
      origin?: PixelOrigin;
      /** The photo at the people checks' size, for the caller to hand on or close. */
      faceImage?: ImageBitmap | null;
    }
  | { ok: false; reason: string };

export interface Embedded {
  embeddings: Float32Array;
  scores: Float32Array | null;
}

export interface AnalysisDeps {
  /** Results kept from an earlier run (same file, same model): a hit skips decoding and the encoder. */
  lookup?(item: AnalysisItem, signal: AbortSignal): Promise<{ embedding: Float32Array; score: number | null } | null>;
  decode(item: AnalysisItem, signal: AbortSignal): Promise<Decoded>;
  /**
   * Null when no model is loaded: images are decoded (thumbnails, checks) but not scored. Takes each image's
   * own tensor: joining them into one batch buffer is the worker's work, not the page's.
   */
  embed: ((images: Float32Array[], signal: AbortSignal) => Promise<Embedded>) | null;
  decodeConcurrency: number;
}

export interface AnalysisProgress {
  total: number;
  /** Finished one way or another: scored, failed, or decoded when there is no model. */
  done: number;
  scored: number;
  failed: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

export interface AnalysisEvents {
  onDecoded?(id: string, d: Extract<Decoded, { ok: true }>): void;
  onFailed?(id: string, reason: string): void;
  onScored?(id: string, embedding: Float32Array, score: number | null): void;
  onProgress?(p: AnalysisProgress): void;
  /** Largest number of decoded images waiting for the encoder at any moment (for tests and benches). */
  onBacklog?(waiting: number): void;
}

export interface AnalysisOptions {
  batchSize: number;
  /** Decoded-but-not-embedded images never exceed this many batches. */
  maxBatchesAhead: number;
  embedDim: number;
  now?: () => number;
}

/**
 * A run's items: a fixed list, or one that grows while files are still being read. A drop is identified in
 * chunks (state/ingest.ts); if each chunk were its own run, the encoder would idle at every chunk's end
 * until the next chunk's first batch was decoded. Chunks join the open feed instead, and the run decodes
 * across them; it ends once the feed is closed and drained.
 */
export class AnalysisFeed {
  readonly items: AnalysisItem[];
  private open: boolean;
  private listener: (() => void) | null = null;

  constructor(items: readonly AnalysisItem[], open = false) {
    this.items = [...items];
    this.open = open;
  }

  get closed(): boolean {
    return !this.open;
  }

  add(items: readonly AnalysisItem[]): void {
    if (!this.open) throw new Error('the analysis feed is closed');
    this.items.push(...items);
    this.listener?.();
  }

  /** Items that go before those already given (a run's own, known only when it starts), before the run reads any. */
  prepend(items: readonly AnalysisItem[]): void {
    this.items.unshift(...items);
  }

  /** No more items will come: the run flushes its last, partial batch. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.listener?.();
  }

  /** The run's wake-up when items arrive or the feed closes (one run per feed). */
  watch(listener: (() => void) | null): void {
    this.listener = listener;
  }
}

export async function runAnalysis(
  items: readonly AnalysisItem[] | AnalysisFeed,
  deps: AnalysisDeps,
  events: AnalysisEvents,
  options: AnalysisOptions,
  signal: AbortSignal,
): Promise<AnalysisProgress> {
  const now = options.now ?? (() => performance.now());
  const { batchSize, embedDim } = options;
  const cap = Math.max(1, options.maxBatchesAhead) * batchSize;
  const ready: { id: string; pixels: Float32Array }[] = [];
  const feed = items instanceof AnalysisFeed ? items : new AnalysisFeed(items);
  const progress: AnalysisProgress = {
    total: feed.items.length,
    done: 0,
    scored: 0,
    failed: 0,
    imagesPerSecond: 0,
    etaSeconds: null,
  };
  const started = now();
  let cursor = 0;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const report = () => {
    const seconds = (now() - started) / 1000;
    progress.imagesPerSecond = seconds > 0 ? progress.done / seconds : 0;
    progress.etaSeconds =
      progress.imagesPerSecond > 0 ? (progress.total - progress.done) / progress.imagesPerSecond : null;
    events.onProgress?.({ ...progress });
  };
  const fail = (id: string, reason: string) => {
    progress.failed++;
    progress.done++;
    events.onFailed?.(id, reason);
  };

  const startDecodes = () => {
    while (
      !signal.aborted &&
      cursor < feed.items.length &&
      inFlight < deps.decodeConcurrency &&
      ready.length + inFlight < cap
    ) {
      const item = feed.items[cursor++];
      inFlight++;
      const kept = deps.lookup ? deps.lookup(item, signal).catch(() => null) : Promise.resolve(null);
      kept
        .then((hit) => {
          if (!hit) return deps.decode(item, signal);
          progress.scored++;
          progress.done++;
          events.onScored?.(item.id, hit.embedding, hit.score);
          return null;
        })
        .then(
          (d) => {
            if (d === null) return;
            if (!d.ok) return fail(item.id, d.reason);
            events.onDecoded?.(item.id, d);
            if (deps.embed) {
              ready.push({ id: item.id, pixels: d.pixels });
              events.onBacklog?.(ready.length);
            } else {
              progress.done++;
            }
          },
          (err: unknown) => {
            if (!signal.aborted) fail(item.id, `decoding failed: ${err instanceof Error ? err.message : String(err)}`);
          },
        )
        .finally(() => {
          inFlight--;
          report();
          notify();
        });
    }
  };

  // The signal outlives this run (one per analysis, many runs): the listener goes when the run ends.
  signal.addEventListener('abort', notify, { once: true });
  feed.watch(() => {
    progress.total = feed.items.length;
    // Joined items start decoding now, even while a batch is on the encoder.
    startDecodes();
    notify();
  });
  try {
    return await drain();
  } finally {
    signal.removeEventListener('abort', notify);
    feed.watch(null);
  }

  async function drain(): Promise<AnalysisProgress> {
    report();
    while (!signal.aborted) {
      startDecodes();
      const allDecoded = feed.closed && cursor >= feed.items.length && inFlight === 0;
      if (ready.length >= batchSize || (allDecoded && ready.length > 0)) {
        const batch = ready.splice(0, batchSize);
        // Room freed: let decoding run while this batch is on the encoder.
        startDecodes();
        try {
          const out = await deps.embed!(batch.map((b) => b.pixels), signal);
          batch.forEach((b, i) => {
            progress.scored++;
            progress.done++;
            events.onScored?.(b.id, out.embeddings.slice(i * embedDim, (i + 1) * embedDim), out.scores ? out.scores[i] : null);
          });
        } catch (err) {
          if (signal.aborted) break;
          const reason = `scoring failed: ${err instanceof Error ? err.message : String(err)}`;
          batch.forEach((b) => fail(b.id, reason));
        }
        report();
        continue;
      }
      if (allDecoded) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    return { ...progress };
  }
}
