/**
 * One progress line for everything queued since the queue was last empty. A drop of 20,000 files is
 * identified and queued in chunks, each analysed by its own run; the user should see 1,234/20,000, not
 * 34/256 restarting eighty times.
 */
import type { AnalysisProgress } from './analysisScheduler';

export class OverallProgress {
  private total = 0;
  private done = 0;
  private scored = 0;
  private failed = 0;
  private started = 0;
  private runs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  private readers = 0;

  /** Files are being read and will be queued in chunks: the line goes on across them, even if the queue runs dry between two. */
  reading(): void {
    this.startIfIdle();
    this.readers++;
  }

  /** Returns true when nothing is queued or being read any more. */
  readDone(): boolean {
    this.readers--;
    return this.idle();
  }

  /** A chunk of `count` images joins the queue as a run of its own. */
  queued(count: number): void {
    this.startIfIdle();
    this.runs++;
    this.total += count;
  }

  /** A chunk of `count` images joins a run already queued; `skipped` of them need nothing. */
  joined(count: number, skipped: number): void {
    this.total += count - skipped;
  }

  /** Whether a drop is still being read (more chunks may come). */
  isReading(): boolean {
    return this.readers > 0;
  }

  private idle(): boolean {
    return this.runs === 0 && this.readers === 0;
  }

  private startIfIdle(): void {
    if (!this.idle()) return;
    this.total = this.done = this.scored = this.failed = 0;
    this.started = this.now();
  }

  /** Some of a chunk's images turned out to need nothing (their file is gone, or they were removed). */
  skipped(count: number): void {
    this.total -= count;
  }

  /** A run's own progress, as the whole queue's. */
  combine(p: AnalysisProgress): AnalysisProgress {
    const done = this.done + p.done;
    const seconds = (this.now() - this.started) / 1000;
    const imagesPerSecond = seconds > 0 ? done / seconds : 0;
    return {
      total: this.total,
      done,
      scored: this.scored + p.scored,
      failed: this.failed + p.failed,
      imagesPerSecond,
      etaSeconds: imagesPerSecond > 0 ? (this.total - done) / imagesPerSecond : null,
    };
  }

  /**
   * A run ended with `final` (null: it failed as a whole); `chunkSize`: the images it was given, joined chunks
   * included. Returns true when nothing is queued or being read any more.
   */
  finished(final: AnalysisProgress | null, chunkSize: number): boolean {
    if (final) {
      this.done += final.done;
      this.scored += final.scored;
      this.failed += final.failed;
      // A cancelled run leaves images undone: they leave the total rather than hold the bar short of full.
      this.total -= final.total - final.done;
    } else {
      this.total -= chunkSize;
    }
    this.runs--;
    return this.idle();
  }
}
