/**
 * A progress bar on stderr: one line redrawn in place on a terminal, plain lines in logs (CI, pipes, files),
 * where carriage returns would pile up into one unreadable line.
 */

export interface ProgressCounts {
  /** Files finished one way or another. */
  done: number;
  total: number;
  /** Images that went through the encoder (the rate counts these: skipped files cost almost nothing). */
  embedded: number;
  skipped: number;
  failed: number;
}

export interface ProgressOptions {
  /** Default: whether the stream is a terminal. */
  tty?: boolean;
  now?: () => number;
}

export interface ProgressBar {
  update(counts: ProgressCounts): void;
  /** Draws the final state and ends the line. */
  finish(counts: ProgressCounts): void;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

// Redrawing faster than this costs more terminal time than it tells; a log line every few seconds is enough.
const TTY_INTERVAL_MS = 200;
const LOG_INTERVAL_MS = 5_000;
const BAR_WIDTH = 24;

export function createProgressBar(label: string, stream: ProgressStream, options: ProgressOptions = {}): ProgressBar {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const start = now();
  let last = tty ? -Infinity : start;
  let drawn = false;

  const line = (c: ProgressCounts): string => {
    const seconds = Math.max((now() - start) / 1000, 1e-3);
    const rate = c.embedded / seconds;
    // ETA from the pace over all finished files: skipped files are fast, so early estimates run high, not low.
    const pace = c.done / seconds;
    const eta = c.done < c.total && pace > 0 ? formatDuration((c.total - c.done) / pace) : c.done >= c.total ? '0s' : '?';
    const share = c.total > 0 ? c.done / c.total : 1;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
    const extra = [c.skipped > 0 ? `${c.skipped} skipped` : '', c.failed > 0 ? `${c.failed} failed` : '']
      .filter((s) => s !== '')
      .join(', ');
    return `${label} ${bar}${c.done}/${c.total}  ${rate.toFixed(1)} img/s  ETA ${eta}${extra ? `  (${extra})` : ''}`;
  };

  const draw = (c: ProgressCounts): void => {
    stream.write(tty ? `\r${line(c)}\x1b[K` : `${line(c)}\n`);
    drawn = true;
  };

  return {
    update(counts) {
      const t = now();
      if (t - last < (tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
      last = t;
      draw(counts);
    },
    finish(counts) {
      draw(counts);
      if (tty && drawn) stream.write('\n');
    },
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
