import { describe, expect, it } from 'vitest';
import type { AnalysisProgress } from '../src/state/analysisScheduler';
import { OverallProgress } from '../src/state/overallProgress';

const run = (total: number, done: number, failed = 0): AnalysisProgress => ({ total, done, scored: done - failed, failed, imagesPerSecond: 0, etaSeconds: null });

describe('OverallProgress', () => {
  it('adds consecutive runs into one line with one rate and ETA', () => {
    let t = 0;
    const o = new OverallProgress(() => t);
    o.queued(256);
    o.queued(256);
    o.queued(88);
    t = 10_000;
    expect(o.combine(run(256, 100))).toEqual({ total: 600, done: 100, scored: 100, failed: 0, imagesPerSecond: 10, etaSeconds: 50 });
    expect(o.finished(run(256, 256, 6), 256)).toBe(false);
    t = 30_000;
    expect(o.combine(run(256, 44))).toEqual({ total: 600, done: 300, scored: 294, failed: 6, imagesPerSecond: 10, etaSeconds: 30 });
  });

  it('drops images a run skipped or a cancel left, and starts afresh once the queue is empty', () => {
    let t = 0;
    const o = new OverallProgress(() => t);
    o.queued(256);
    o.queued(100);
    o.skipped(6);
    expect(o.finished(run(250, 40), 256)).toBe(false); // cancelled after 40
    expect(o.finished(run(100, 0), 100)).toBe(true);
    t = 5000;
    o.queued(10);
    expect(o.combine(run(10, 5)).total).toBe(10);
    expect(o.combine(run(10, 5)).done).toBe(5);
    expect(o.finished(null, 10)).toBe(true);
  });

  it('goes on across chunks while files are still being read, even if the queue runs dry between two', () => {
    let t = 0;
    const o = new OverallProgress(() => t);
    o.reading();
    o.queued(256);
    expect(o.finished(run(256, 256), 256)).toBe(false); // analysis outran reading
    o.queued(100);
    t = 10_000;
    expect(o.combine(run(100, 50))).toMatchObject({ total: 356, done: 306 });
    expect(o.finished(run(100, 100), 100)).toBe(false);
    expect(o.readDone()).toBe(true);
    o.queued(5);
    expect(o.combine(run(5, 0)).total).toBe(5);
  });
});

