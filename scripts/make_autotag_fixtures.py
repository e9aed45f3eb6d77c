#!/usr/bin/env python3
"""Reference values for src/scoring/autoTags.ts and src/scoring/qualityPrompts.ts, computed independently
with NumPy/SciPy: auto-tag weights as scipy.special.softmax(cosines / τ) over the vocabulary, and zero-shot
antonym probabilities as softmax over each (positive, negative) pair of 100 · cosine.

Writes test/fixtures/autotags.json. Run: /usr/bin/python3 scripts/make_autotag_fixtures.py
"""
import json
from pathlib import Path

import numpy as np
from scipy.special import softmax

OUT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'autotags.json'
DIM = 16
TAGS = ['portrait', 'landscape', 'cat', 'dog', 'city', 'food', 'macro']
PAIRS = 6  # src/scoring/qualityPrompts.ts ANTONYM_PAIRS


def unit_rows(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    rng = np.random.default_rng(11)
    tags = unit_rows(rng.standard_normal((len(TAGS), DIM)))
    # Images near a tag (so the softmax is peaked) and some far from all of them (flat).
    images = unit_rows(np.vstack([
        tags[1] + 0.3 * rng.standard_normal(DIM), tags[2] + 0.5 * rng.standard_normal(DIM),
        0.6 * tags[0] + 0.6 * tags[4] + 0.2 * rng.standard_normal(DIM), rng.standard_normal(DIM), rng.standard_normal(DIM),
    ]))
    cos = images.astype(np.float64) @ tags.astype(np.float64).T
    weights = {str(t): softmax(cos / t, axis=1).tolist() for t in (0.01, 0.05)}
    prompts = unit_rows(rng.standard_normal((2 * PAIRS, DIM)))
    zs = []
    for img in images.astype(np.float64):
        c = prompts.astype(np.float64) @ img
        zs.append([float(softmax(100.0 * c[2 * k: 2 * k + 2])[0]) for k in range(PAIRS)])
    OUT.write_text(json.dumps({
        'dim': DIM, 'tags': TAGS, 'tagEmbeds': tags.ravel().tolist(), 'images': images.ravel().tolist(),
        'cosines': cos.tolist(), 'weights': weights, 'promptEmbeds': prompts.ravel().tolist(), 'zeroShot': zs,
    }) + '\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
