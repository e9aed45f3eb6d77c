"""Writes test/fixtures/metrics/reference.json: seeded made-up predictions (no AVA data) and their metrics
computed independently of training/metrics.py, with scipy where scipy has the function:

- LCC: scipy.stats.pearsonr; SRCC: scipy.stats.spearmanr (average ranks for ties);
- histograms: np.histogram with edges (−inf, 1.5, 2.5, …, 9.5, +inf) (the documented unit bins, end bins open);
- KL: scipy.stats.entropy(p, q) on the ε-smoothed histograms (it renormalizes; the smoothing already sums to 1);
- EMD: r = 2 on the cumulative histograms; Error: np.mean / np.std (ddof = 0);
- pairwise accuracy: plain Python over itertools.combinations.

So test/metrics.test.ts has a reference even where Python is missing. Rerun after changing a definition:
  /usr/bin/python3 training/make_metrics_fixture.py
"""
from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
from scipy import stats

OUT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'metrics' / 'reference.json'
EDGES = np.concatenate([[-np.inf], np.arange(1.5, 10.0, 1.0), [np.inf]])
EPS = 1e-6


def reference(pred: list[float], true: list[float], tags: list[str]) -> dict:
    p, t = np.asarray(pred), np.asarray(true)
    err = np.abs(p - t)
    h_true = np.histogram(t, bins=EDGES)[0] / t.size
    h_pred = np.histogram(p, bins=EDGES)[0] / p.size
    ps = (h_true + EPS) / (1 + 10 * EPS)
    qs = (h_pred + EPS) / (1 + 10 * EPS)
    per_tag = {}
    total_pairs, total_correct, accs = 0, 0.0, []
    for tag in sorted(set(tags)):
        idx = [i for i, x in enumerate(tags) if x == tag]
        pairs, correct = 0, 0.0
        for a, b in itertools.combinations(idx, 2):
            if true[a] == true[b]:
                continue
            pairs += 1
            if pred[a] == pred[b]:
                correct += 0.5
            elif (pred[a] > pred[b]) == (true[a] > true[b]):
                correct += 1
        acc = correct / pairs if pairs else None
        per_tag[tag] = {'items': len(idx), 'pairs': pairs, 'accuracy': acc}
        total_pairs += pairs
        total_correct += correct
        if acc is not None:
            accs.append(acc)
    return {
        'n': len(pred),
        'errorMean': float(np.mean(err)),
        'errorSd': float(np.std(err)),
        'lcc': float(stats.pearsonr(p, t)[0]),
        'srcc': float(stats.spearmanr(p, t)[0]),
        'kl': float(stats.entropy(ps, qs)),
        'emd': math.sqrt(float(np.mean((np.cumsum(h_true) - np.cumsum(h_pred)) ** 2))),
        'histTrue': h_true.tolist(),
        'histPred': h_pred.tolist(),
        'pairwise': {'micro': total_correct / total_pairs, 'macro': sum(accs) / len(accs), 'pairs': total_pairs,
                     'perTag': per_tag},
    }


def cases() -> list[dict]:
    rng = np.random.default_rng(20240501)
    names = ['Abstract', 'Black and White', 'Landscape', 'Macro', 'Still Life']
    out = []
    # Continuous-ish scores rounded so both sides have ties; a few predictions outside [0.5, 10.5).
    true = np.round(rng.normal(5.4, 0.8, 300), 2)
    pred = np.round(true * 0.6 + 2.2 + rng.normal(0, 0.5, 300), 1)
    pred[:3] = [-0.3, 11.2, 10.5]
    out.append({'name': 'rounded scores with ties and out-of-range predictions', 'pred': pred.tolist(),
                'true': true.tolist(), 'tags': [names[i] for i in rng.integers(0, 5, 300)]})
    # Integer scores: heavy ties on both sides, empty bins (KL smoothing matters).
    true = rng.integers(3, 9, 60).astype(float)
    pred = np.clip(true + rng.integers(-1, 2, 60), 1, 10).astype(float)
    out.append({'name': 'integer scores, heavy ties', 'pred': pred.tolist(), 'true': true.tolist(),
                'tags': [names[i] for i in rng.integers(0, 3, 60)]})
    # Unrounded floats: no ties.
    true = rng.normal(5.3, 0.7, 120)
    pred = true + rng.normal(0, 0.4, 120)
    out.append({'name': 'continuous scores, no ties', 'pred': pred.tolist(), 'true': true.tolist(),
                'tags': [names[i] for i in rng.integers(0, 5, 120)]})
    for c in out:
        c['expected'] = reference(c['pred'], c['true'], c['tags'])
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        'about': 'Made-up predictions (seeded, no AVA data) and metrics computed with scipy/numpy by '
                 'training/make_metrics_fixture.py, independently of training/metrics.py.',
        'cases': cases(),
    }
    OUT.write_text(json.dumps(doc, indent=1) + '\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
