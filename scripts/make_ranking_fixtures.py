#!/usr/bin/python3
"""Writes test/fixtures/ranking/*.json: reference values for the per-tag ranking core (src/scoring/).

Everything is recomputed here with NumPy from the documented rules, sharing no code with the
TypeScript (which loops where this vectorises, and vice versa):

* similarity.json  cosine / relevance of raw image embeddings to a tag, row normalisation
* prompts.json     CLIP prompt ensembling (normalise each, mean, renormalise)
* threshold.json   numpy.histogram, exact Otsu (every split between distinct sorted values),
                   the separability rule, and the other-tags decision stump
* ranking.json     rankByTag's anchored tie clusters, tieBroken by brute force over pairs

Inputs are rounded to 4 decimals and then treated as float32, because that is what the app's
Float32Arrays hold; JSON carries the rounded float64 so both sides round it to the same float32.
Non-finite values travel as null.

    /usr/bin/python3 scripts/make_ranking_fixtures.py [--out test/fixtures/ranking]
"""
import argparse
import json
import math
from pathlib import Path

import numpy as np

SEED = 20240604


def f32(values):
    """The float32 values the TypeScript side will see, as float64 for the arithmetic."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


def rounded(rng_values):
    return np.round(np.asarray(rng_values, dtype=np.float64), 4)


def jsonable(x):
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    return x


# ---------------------------------------------------------------- similarity


def cosine_rows(rows, tag):
    norms = np.linalg.norm(rows, axis=1)
    tag_n = np.linalg.norm(tag)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = rows @ tag / (norms * tag_n)
    out[(norms == 0) | (tag_n == 0)] = np.nan
    return out


def normalize_rows(rows):
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out = np.zeros_like(rows)
    ok = norms[:, 0] > 0
    out[ok] = rows[ok] / norms[ok]
    return out


def similarity_cases(rng):
    cases = []
    for name, n, dim, zero_row in [("clip-dim", 3, 512, None), ("small-with-zero-row", 5, 8, 2)]:
        raw = rounded(rng.normal(0, 1, (n, dim)) * rng.uniform(0.5, 9, (n, 1)))
        if zero_row is not None:
            raw[zero_row] = 0
        tag = rounded(rng.normal(0, 0.3, dim))
        tag[0] += 0.5
        rows = f32(raw)
        t = f32(tag)
        t_unit = t / np.linalg.norm(t)
        cases.append({
            "name": name,
            "n": n,
            "dim": dim,
            "imageEmbeds": raw.ravel(),
            "tag": tag,
            "relevance": cosine_rows(rows, t),
            "cosine01": cosine_rows(rows[0:1], rows[1]).item(),
            "normalizedRows": normalize_rows(rows).ravel() if dim <= 16 else None,
            "tagUnit": t_unit if dim <= 16 else None,
        })
    return cases


# ---------------------------------------------------------------- prompts


def ensemble(raw_rows):
    rows = normalize_rows(raw_rows)
    mean = rows.mean(axis=0)
    norm = np.linalg.norm(mean)
    return mean / norm if norm > 0 else mean


def prompt_cases(rng):
    cases = []
    for name, k, dim, zero_row in [("five-prompts", 5, 64, None), ("one-prompt", 1, 16, None),
                                   ("zero-row-ignored", 4, 16, 1)]:
        raw = rounded(rng.normal(0, 1, (k, dim)) * rng.uniform(0.3, 12, (k, 1)) + rng.normal(0, 0.5, dim))
        if zero_row is not None:
            raw[zero_row] = 0
        cases.append({"name": name, "k": k, "textEmbeds": raw.ravel(), "expected": ensemble(f32(raw))})
    return cases


# ---------------------------------------------------------------- threshold


def otsu(values):
    x = np.sort(values[np.isfinite(values)])
    n = len(x)
    if n < 2 or x[0] == x[-1]:
        return None
    csum = np.cumsum(x)
    total = csum[-1]
    k = np.arange(1, n)
    w0 = k / n
    between = w0 * (1 - w0) * (csum[:-1] / k - (total - csum[:-1]) / (n - k)) ** 2
    between[~(x[:-1] < x[1:])] = -1
    i = int(np.argmax(between))
    var_t = np.mean((x - total / n) ** 2)
    return {"threshold": (x[i] + x[i + 1]) / 2, "separability": min(1.0, between[i] / var_t),
            "below": i + 1, "above": n - i - 1}


def required_separability(n):
    return max(0.75, 2 / math.pi + 0.87 / math.sqrt(n))


def calibrate(values):
    x = np.sort(values[np.isfinite(values)])
    n = len(x)
    if n == 0:
        return {"threshold": -math.inf, "method": "empty", "separability": None, "count": 0}
    split = otsu(x)
    sep = split["separability"] if split else None
    req = required_separability(n)
    if req > 1:
        method, thr = "too-few", x[0]
    elif split is None or sep < req:
        method, thr = "unimodal", x[0]
    else:
        method, thr = "otsu", split["threshold"]
    return {"threshold": thr, "method": method, "separability": sep, "count": n}


def calibrate_against_others(rel, others, margin=None):
    base = calibrate(rel)
    ok = np.isfinite(rel)
    r = rel[ok]
    if margin is None:
        med = np.median(r)
        margin = 1.4826 * np.median(np.abs(r - med))
    o = np.stack(others)[:, ok]
    o = np.where(np.isfinite(o), o, -np.inf)
    label = r >= o.max(axis=0) - margin
    order = np.argsort(r, kind="stable")
    xs, ls = r[order], label[order]
    n = len(xs)
    pos_below = np.concatenate([[0], np.cumsum(ls)])
    neg_below = np.concatenate([[0], np.cumsum(~ls)])
    errors = pos_below + (neg_below[-1] - neg_below)
    valid = np.ones(n + 1, dtype=bool)
    valid[1:n] = xs[:-1] < xs[1:]
    errors = np.where(valid, errors, n + 1)
    k = int(np.argmin(errors))
    if base["method"] == "otsu" or errors[0] - errors[k] < 2.58 * math.sqrt(n):
        thr, method = base["threshold"], base["method"]
        err = int(np.sum((r >= thr) != label))
    else:
        thr = xs[0] if k == 0 else np.nextafter(xs[-1], np.inf) if k == n else (xs[k - 1] + xs[k]) / 2
        method, err = "other-tags", int(errors[k])
    return {"threshold": thr, "method": method, "margin": margin, "agreement": 1 - err / n,
            "labelled": int(label.sum())}


def threshold_cases(rng):
    dists = {
        "bimodal": np.concatenate([rng.normal(0.19, 0.012, 60), rng.normal(0.29, 0.012, 40)]),
        "unimodal-high": rng.normal(0.28, 0.015, 80),
        "uniform": rng.uniform(0.15, 0.3, 200),
        "duplicates": np.array([0.1, 0.1, 0.1, 0.1, 0.3, 0.3, 0.31, 0.1, 0.3, 0.1]),
        "tiny-3": np.array([0.12, 0.31, 0.3]),
        "with-nan": np.concatenate([rng.normal(0.2, 0.01, 30), [np.nan], rng.normal(0.3, 0.01, 30)]),
    }
    cases = []
    for name, raw in dists.items():
        vals = f32(rounded(raw))
        counts, edges = np.histogram(vals[np.isfinite(vals)], bins=16)
        cases.append({
            "name": name,
            "values": rounded(raw),
            "otsu": otsu(vals),
            "required": required_separability(int(np.isfinite(vals).sum())),
            "calibration": calibrate(vals),
            "histogram16": {"counts": counts, "lo": edges[0], "hi": edges[-1]},
        })

    other_cases = []
    # A rare tag: 5 matching images among 150 that fit "landscape" or "portrait" better.
    n_rare = 150
    tag = np.concatenate([rng.normal(0.18, 0.012, n_rare - 5), rng.normal(0.29, 0.01, 5)])
    landscape = np.concatenate([rng.normal(0.25, 0.015, n_rare - 5), rng.normal(0.2, 0.01, 5)])
    portrait = np.concatenate([rng.normal(0.22, 0.02, n_rare - 5), rng.normal(0.19, 0.01, 5)])
    other_cases.append(("rare-tag", tag, [landscape, portrait], None))
    # A rare tag too close to the rest for Otsu: 6 of 200, 3 within-class sd above the others.
    n_close = 200
    tag = np.concatenate([rng.normal(0.18, 0.012, n_close - 6), rng.normal(0.216, 0.006, 6)])
    other = np.concatenate([rng.normal(0.21, 0.012, n_close - 6), rng.normal(0.19, 0.01, 6)])
    other_cases.append(("rare-tag-close", tag, [other], 0.0))
    # Every image fits both tags (dog photos at sunset): one population, the margin keeps them.
    both = rng.normal(0.27, 0.012, 60)
    other_cases.append(("fits-both", both, [both + rng.normal(0.005, 0.01, 60)], None))
    # Bimodal: Otsu wins whatever the other tags say.
    bi = np.concatenate([rng.normal(0.18, 0.01, 50), rng.normal(0.3, 0.01, 50)])
    other_cases.append(("bimodal-otsu-wins", bi, [rng.normal(0.25, 0.02, 100)], None))
    # Three images, explicit margin: defined behaviour for tiny folders.
    other_cases.append(("tiny-3-explicit-margin", np.array([0.21, 0.3, 0.25]),
                        [np.array([0.26, 0.2, 0.24]), np.array([0.1, 0.1, 0.1])], 0.02))
    # No image has the tag as its best: the cut goes above the highest relevance.
    other_cases.append(("none-fit", rng.normal(0.15, 0.01, 20), [rng.normal(0.3, 0.01, 20)], 0.0))

    others_out = []
    for name, rel_raw, others_raw, margin in other_cases:
        rel = f32(rounded(rel_raw))
        others = [f32(rounded(o)) for o in others_raw]
        others_out.append({
            "name": name,
            "relevanceToTag": rounded(rel_raw),
            "relevanceToOthers": [rounded(o) for o in others_raw],
            "margin": margin,
            "expected": calibrate_against_others(rel, others, margin),
        })
    return {"distributions": cases, "otherTags": others_out}


# ---------------------------------------------------------------- ranking


def rank_by_tag(items, threshold, tie_margin):
    excluded = [it["id"] for it in items
                if it["relevance"] is None or not math.isfinite(it["relevance"]) or it["relevance"] < threshold]
    inside = [it for it in items if it["id"] not in set(excluded)]
    scored = [it for it in inside if it["score"] is not None and math.isfinite(it["score"])]
    unscored = [it for it in inside if not (it["score"] is not None and math.isfinite(it["score"]))]
    base = sorted(scored, key=lambda it: (-it["score"], -it["relevance"], it["id"]))
    out = []
    cluster = 0
    i = 0
    while i < len(base):
        j = i + 1
        while j < len(base) and base[i]["score"] - base[j]["score"] < tie_margin:
            j += 1
        members = sorted(base[i:j], key=lambda it: (-it["relevance"], -it["score"], it["id"]))
        for p, m in enumerate(members):
            broken = any(q["score"] > m["score"] for q in members[p + 1:]) or \
                any(q["score"] < m["score"] for q in members[:p])
            out.append({"id": m["id"], "tieBroken": broken, "cluster": cluster})
        cluster += 1
        i = j
    for m in sorted(unscored, key=lambda it: (-it["relevance"], it["id"])):
        out.append({"id": m["id"], "tieBroken": False, "cluster": None})
    return {"ranked": out, "excluded": excluded}


def ranking_cases(rng):
    cases = []
    hand = [
        {"id": "a", "score": 6.2, "relevance": 0.22},
        {"id": "b", "score": 6.15, "relevance": 0.31},
        {"id": "c", "score": 6.12, "relevance": 0.27},
        {"id": "d", "score": 5.0, "relevance": 0.35},
        {"id": "e", "score": None, "relevance": 0.3},
        {"id": "f", "score": 7.0, "relevance": 0.12},
        {"id": "g", "score": 4.99, "relevance": 0.2},
    ]
    cases.append(("hand", hand, 0.2, 0.1))
    chain = [{"id": f"c{i}", "score": 5.0 - 0.07 * i, "relevance": 0.2 + 0.01 * i} for i in range(8)]
    cases.append(("non-transitive-chain", chain, 0.0, 0.1))
    for idx, (n, margin, thr) in enumerate([(40, 0.25, 0.2), (60, 0.0, 0.18), (50, 1e9, 0.0), (80, 0.5, 0.22)]):
        items = []
        for i in range(n):
            score = None if rng.uniform() < 0.1 else float(np.round(rng.uniform(3, 8), 2))
            relevance = float(np.round(rng.normal(0.24, 0.04), 3))
            if rng.uniform() < 0.05:
                relevance = None
            if rng.uniform() < 0.1 and items and items[-1]["score"] is not None:
                score = items[-1]["score"]  # exact score ties
            items.append({"id": f"img-{rng.integers(0, 10**6):06d}-{i}", "score": score, "relevance": relevance})
        cases.append((f"random-{idx}", items, thr, margin))
    return [{"name": name, "items": items, "threshold": thr, "tieMargin": margin,
             "expected": rank_by_tag(items, thr, margin)} for name, items, thr, margin in cases]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "test/fixtures/ranking"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    files = {
        "similarity.json": similarity_cases(rng),
        "prompts.json": prompt_cases(rng),
        "threshold.json": threshold_cases(rng),
        "ranking.json": ranking_cases(rng),
    }
    for name, data in files.items():
        path = out / name
        path.write_text(json.dumps(jsonable(data), separators=(",", ":")) + "\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
