"""Table I metrics (REFERENCE.md §1) plus per-tag pairwise ranking accuracy.

The exact definitions live here and in src/scoring/metrics.ts, which must give the same numbers
(test/metrics.test.ts runs this file as a CLI on the same predictions):

- Error: |pred − true| per item; mean and population standard deviation (ddof = 0).
- LCC: Pearson correlation (two-pass: centre first, then sum products). None when either side is constant.
- SRCC: Pearson correlation of the 1-based ranks, tied values sharing the average of their ranks.
- Histograms for KL and EMD: 10 bins of width 1 centred on the integer scores 1..10; bin k holds
  [k − 0.5, k + 0.5). Values below 1.5 fall into bin 1 and values at or above 9.5 into bin 10 (so a head's
  unbounded output outside [0.5, 10.5) is clamped into the end bins). Counts are divided by n.
- KL = KL(P_true ‖ P_pred) = Σ_k p_k · ln(p_k / q_k), natural log, after smoothing both histograms with
  ε = 1e-6: p_k ← (p_k + ε) / (1 + 10ε), so empty predicted bins give a large but finite value.
- EMD: NIMA's earth mover's distance with r = 2 on the unsmoothed histograms:
  sqrt( (1/10) Σ_k (CDF_true(k) − CDF_pred(k))² ).
- Pairwise accuracy, per tag: over unordered pairs of eval items sharing the tag whose true scores differ,
  1 when the predictions order them the same way, 0.5 when the predictions tie, 0 otherwise. Reported per
  tag, pooled over all pairs (micro) and averaged over tags with at least one pair (macro).

CLI: python3 training/metrics.py <predictions.json>  (keys: pred, true, optional tags) → JSON on stdout.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any, Sequence

import numpy as np

N_BINS = 10
KL_EPSILON = 1e-6


def _as_array(values: Sequence[float] | np.ndarray) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(a)):
        raise ValueError('metrics need finite numbers')
    return a


def abs_error(pred: Sequence[float] | np.ndarray, true: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Mean and population sd of |pred − true|."""
    e = np.abs(_as_array(pred) - _as_array(true))
    mean = float(np.sum(e) / e.size)
    sd = math.sqrt(float(np.sum((e - mean) ** 2) / e.size))
    return mean, sd


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float | None:
    a, b = _as_array(x), _as_array(y)
    if a.size != b.size or a.size < 2:
        raise ValueError('pearson needs two equally long series of at least 2 values')
    da = a - np.sum(a) / a.size
    db = b - np.sum(b) / b.size
    saa, sbb = float(np.sum(da * da)), float(np.sum(db * db))
    if saa == 0.0 or sbb == 0.0:
        return None
    return float(np.sum(da * db)) / math.sqrt(saa * sbb)


def average_ranks(x: Sequence[float] | np.ndarray) -> np.ndarray:
    """1-based ranks; a run of equal values gets the mean of the ranks it spans."""
    a = _as_array(x)
    order = np.argsort(a, kind='stable')
    ranks = np.empty(a.size, dtype=np.float64)
    i = 0
    while i < a.size:
        j = i
        while j + 1 < a.size and a[order[j + 1]] == a[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1  # mean of the 1-based ranks i+1 .. j+1
        i = j + 1
    return ranks


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float | None:
    return pearson(average_ranks(x), average_ranks(y))


def score_histogram(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Fractions in the 10 unit bins centred on 1..10, end bins open (see module doc)."""
    a = _as_array(values)
    idx = np.clip(np.floor(a + 0.5), 1, N_BINS).astype(np.int64) - 1
    return np.bincount(idx, minlength=N_BINS).astype(np.float64) / a.size


def kl_divergence(p_true: np.ndarray, q_pred: np.ndarray, eps: float = KL_EPSILON) -> float:
    p = (p_true + eps) / (1 + p_true.size * eps)
    q = (q_pred + eps) / (1 + q_pred.size * eps)
    return float(np.sum(p * np.log(p / q)))


def emd(p_true: np.ndarray, q_pred: np.ndarray) -> float:
    d = np.cumsum(p_true) - np.cumsum(q_pred)
    return math.sqrt(float(np.sum(d * d)) / d.size)


def pairwise_accuracy(
    pred: Sequence[float] | np.ndarray, true: Sequence[float] | np.ndarray, tags: Sequence[Any]
) -> dict[str, Any]:
    p, t = _as_array(pred), _as_array(true)
    groups: dict[str, list[int]] = {}
    for i, tag in enumerate(tags):
        groups.setdefault(str(tag), []).append(i)
    per_tag: dict[str, dict[str, float | int | None]] = {}
    total_pairs = 0
    total_correct = 0.0
    for tag in sorted(groups):
        idx = np.asarray(groups[tag], dtype=np.int64)
        dp = p[idx][:, None] - p[idx][None, :]
        dt = t[idx][:, None] - t[idx][None, :]
        upper = np.triu(np.ones((idx.size, idx.size), dtype=bool), k=1) & (dt != 0)
        n_pairs = int(np.count_nonzero(upper))
        correct = float(np.count_nonzero((dp * dt > 0) & upper)) + 0.5 * float(np.count_nonzero((dp == 0) & upper))
        per_tag[tag] = {'items': int(idx.size), 'pairs': n_pairs, 'accuracy': correct / n_pairs if n_pairs else None}
        total_pairs += n_pairs
        total_correct += correct
    accs = [v['accuracy'] for v in per_tag.values() if v['accuracy'] is not None]
    return {
        'micro': total_correct / total_pairs if total_pairs else None,
        'macro': float(sum(accs) / len(accs)) if accs else None,
        'pairs': total_pairs,
        'perTag': per_tag,
    }


def evaluate(
    pred: Sequence[float] | np.ndarray, true: Sequence[float] | np.ndarray, tags: Sequence[Any] | None = None
) -> dict[str, Any]:
    """All metrics as one JSON-ready dict (same keys as metrics.ts's evaluate)."""
    p, t = _as_array(pred), _as_array(true)
    if p.size != t.size or p.size == 0:
        raise ValueError('pred and true must be non-empty and equally long')
    err_mean, err_sd = abs_error(p, t)
    h_true, h_pred = score_histogram(t), score_histogram(p)
    out: dict[str, Any] = {
        'n': int(p.size),
        'errorMean': err_mean,
        'errorSd': err_sd,
        'lcc': pearson(p, t),
        'srcc': spearman(p, t),
        'kl': kl_divergence(h_true, h_pred),
        'emd': emd(h_true, h_pred),
        'histTrue': h_true.tolist(),
        'histPred': h_pred.tolist(),
    }
    if tags is not None:
        if len(tags) != p.size:
            raise ValueError('tags must be as long as pred')
        out['pairwise'] = pairwise_accuracy(p, t, tags)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print('usage: python3 training/metrics.py <predictions.json>   (keys: pred, true, optional tags)', file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        data = json.load(f)
    json.dump(evaluate(data['pred'], data['true'], data.get('tags')), sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
