/**
 * src/scoring/metrics.ts against hand-computed values, against scipy (test/fixtures/metrics/reference.json,
 * written by training/make_metrics_fixture.py), and against training/metrics.py run on the same predictions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  absError,
  averageRanks,
  emd,
  evaluate,
  type EvalMetrics,
  klDivergence,
  pairwiseAccuracy,
  pearson,
  scoreBin,
  scoreHistogram,
  spearman,
} from '../src/scoring/metrics';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const TOL = 1e-9;

interface Case {
  name: string;
  pred: number[];
  true: number[];
  tags: string[];
  expected: EvalMetrics;
}

function expectSameMetrics(got: EvalMetrics, want: EvalMetrics): void {
  expect(got.n).toBe(want.n);
  for (const key of ['errorMean', 'errorSd', 'lcc', 'srcc', 'kl', 'emd'] as const) {
    const g = got[key];
    const w = want[key];
    if (w === null) expect(g, key).toBeNull();
    else expect(Math.abs((g as number) - w), `${key}: ${g} vs ${w}`).toBeLessThanOrEqual(TOL);
  }
  expect(got.histTrue.length).toBe(10);
  got.histTrue.forEach((v, i) => expect(Math.abs(v - want.histTrue[i])).toBeLessThanOrEqual(TOL));
  got.histPred.forEach((v, i) => expect(Math.abs(v - want.histPred[i])).toBeLessThanOrEqual(TOL));
  if (want.pairwise) {
    const gp = got.pairwise!;
    expect(gp.pairs).toBe(want.pairwise.pairs);
    expect(Math.abs(gp.micro! - want.pairwise.micro!)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(gp.macro! - want.pairwise.macro!)).toBeLessThanOrEqual(TOL);
    expect(Object.keys(gp.perTag)).toEqual(Object.keys(want.pairwise.perTag));
    for (const [tag, w] of Object.entries(want.pairwise.perTag)) {
      const g = gp.perTag[tag];
      expect(g.items).toBe(w.items);
      expect(g.pairs).toBe(w.pairs);
      if (w.accuracy === null) expect(g.accuracy).toBeNull();
      else expect(Math.abs(g.accuracy! - w.accuracy)).toBeLessThanOrEqual(TOL);
    }
  }
}

describe('metrics: hand-computed cases', () => {
  it('ranks ties by their average rank', () => {
    expect([...averageRanks([10, 20, 20, 30])]).toEqual([1, 2.5, 2.5, 4]);
    expect([...averageRanks([3, 1, 2])]).toEqual([3, 1, 2]);
    expect([...averageRanks([7, 7, 7])]).toEqual([2, 2, 2]);
  });

  it('Pearson, Spearman and the error', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 15);
    // ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5 / √22.5
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 15);
    const e = absError([1, 2, 3], [2, 2, 5]); // |e| = 1, 0, 2
    expect(e.mean).toBe(1);
    expect(e.sd).toBeCloseTo(Math.sqrt(2 / 3), 15);
  });

  it('bins scores into unit bins centred on 1..10 with open end bins', () => {
    expect([1.49, 1.5, 0.1, -5, 5, 9.49, 9.5, 12].map(scoreBin)).toEqual([0, 1, 0, 0, 4, 8, 9, 9]);
    expect(scoreHistogram([5, 5.2, 6, 11])).toEqual([0, 0, 0, 0, 0.5, 0.25, 0, 0, 0, 0.25]);
  });

  it('KL and EMD of one-bin distributions', () => {
    const five = scoreHistogram([5, 5]);
    const six = scoreHistogram([6, 6]);
    expect(klDivergence(five, five)).toBeCloseTo(0, 15);
    expect(emd(five, five)).toBe(0);
    // CDFs differ by 1 at bin 5 only → √(1/10)
    expect(emd(five, six)).toBeCloseTo(Math.sqrt(0.1), 15);
    // p = (1+ε)/(1+10ε) at bin 5 vs ε/(1+10ε), and the mirror image at bin 6; the other bins cancel
    const eps = 1e-6;
    expect(klDivergence(five, six)).toBeCloseTo(Math.log((1 + eps) / eps) / (1 + 10 * eps), 12);
  });

  it('pairwise accuracy per tag: wrong order 0, predicted tie ½, true ties skipped', () => {
    const r = pairwiseAccuracy([1, 3, 2, 4, 4, 3, 3], [1, 2, 3, 5, 5, 1, 2], ['a', 'a', 'a', 'b', 'b', 'c', 'c']);
    expect(r.perTag.a).toEqual({ items: 3, pairs: 3, accuracy: 2 / 3 });
    expect(r.perTag.b).toEqual({ items: 2, pairs: 0, accuracy: null });
    expect(r.perTag.c).toEqual({ items: 2, pairs: 1, accuracy: 0.5 });
    expect(r.pairs).toBe(4);
    expect(r.micro).toBeCloseTo(2.5 / 4, 15);
    expect(r.macro).toBeCloseTo((2 / 3 + 0.5) / 2, 15);
  });

  it('refuses non-finite or mismatched input', () => {
    expect(() => evaluate([1, Number.NaN], [1, 2])).toThrow(RangeError);
    expect(() => evaluate([1, 2], [1])).toThrow(RangeError);
    expect(() => evaluate([], [])).toThrow(RangeError);
  });
});

describe('metrics: scipy reference (test/fixtures/metrics/reference.json)', () => {
  const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/metrics/reference.json'), 'utf8')) as { cases: Case[] };
  it.each(doc.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectSameMetrics(evaluate(c.pred, c.true, c.tags), c.expected);
  });
});

/** Deterministic made-up predictions: mulberry32, rounded so both sides have ties, a few out of range. */
function madeUpPredictions(n: number, seed: number): { pred: number[]; true: number[]; tags: string[] } {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const names = ['Nature', 'Macro', 'Black and White', 'Still Life', 'Abstract', 'Études'];
  const truth: number[] = [];
  const pred: number[] = [];
  const tags: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.round((3 + 4.5 * rand()) * 100) / 100;
    truth.push(t);
    pred.push(i % 97 === 0 ? 11 + rand() : i % 89 === 0 ? -rand() : Math.round((t + (rand() - 0.5) * 2) * 10) / 10);
    tags.push(names[Math.floor(rand() * names.length)]);
  }
  return { pred, true: truth, tags };
}

function pythonWithNumpy(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? null : `numpy is not importable by ${PYTHON}`;
}

describe('metrics: TypeScript and training/metrics.py agree', () => {
  it('on the same predictions, within 1e-9', (ctx) => {
    const missing = pythonWithNumpy();
    if (missing) {
      ctx.skip(`skipped: ${missing} (the scipy fixture above still checks the TypeScript side)`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'loupe-metrics-'));
    try {
      for (const [n, seed] of [
        [800, 1],
        [37, 2],
      ]) {
        const input = madeUpPredictions(n, seed);
        const file = join(dir, `predictions-${seed}.json`);
        writeFileSync(file, JSON.stringify(input));
        const r = spawnSync(PYTHON, [join(ROOT, 'training/metrics.py'), file], { encoding: 'utf8', timeout: 60_000 });
        expect(r.status, r.stderr).toBe(0);
        const py = JSON.parse(r.stdout) as EvalMetrics;
        expectSameMetrics(evaluate(input.pred, input.true, input.tags), py);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
