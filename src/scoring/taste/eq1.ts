/**
 * Eq. (1) on scores the head already gave, with its gradient with respect to those scores:
 * L = −mean log σ(f_i − f_j) + λ·mean (f_i − s_i)² over pairs (i above j), the regression on each pair's
 * winner as in training/train.py. The trainer back-propagates this gradient through the head, so the
 * pair bookkeeping stays in plain JS (no gather kernel, which TF.js's WASM backend cannot differentiate).
 */
export interface Eq1 {
  loss: number;
  rank: number;
  reg: number;
  /** dL/df, one value per score. */
  grad: Float32Array;
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function eq1(scores: ArrayLike<number>, pairs: Int32Array, targets: ArrayLike<number>, lambda: number): Eq1 {
  const n = pairs.length / 2;
  const grad = new Float32Array(scores.length);
  if (n === 0) return { loss: 0, rank: 0, reg: 0, grad };
  let rank = 0;
  let reg = 0;
  for (let p = 0; p < pairs.length; p += 2) {
    const i = pairs[p];
    const j = pairs[p + 1];
    const d = scores[i] - scores[j];
    rank += softplus(-d); // −log σ(d)
    const pull = sigmoid(-d) / n; // d(−log σ(d))/dd, averaged
    grad[i] -= pull;
    grad[j] += pull;
    const r = scores[i] - targets[i];
    reg += r * r;
    grad[i] += (lambda * 2 * r) / n;
  }
  rank /= n;
  reg /= n;
  return { loss: rank + lambda * reg, rank, reg, grad };
}
