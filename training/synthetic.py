"""The planted benchmark: real AVA metadata, made-up embeddings, a known score function of (image, tag).

Why: CLIP weights and AVA images are not reachable here, yet the pipeline (pairs, loss, heads, metrics,
export) must be shown to work, and to work *because it uses the tag*. So the truth is planted such that a
tag-blind model cannot fit it, and everything else is taken from the real metadata:

- the images, their tags (0–2 per image, hence AVA's real tag frequencies and co-occurrences) and the
  split come from ../shared/data/ava via ava.py;
- each image's base quality b_i is its real AVA mean score, gaussianized by rank;
- each image also has a latent z_i ~ N(0, I_k) and, per tag it carries, a relevance ρ_iT ~ U(0.3, 1);
- each tag has a text embedding t_T (random unit 512-d vector, seeded by tag id) and a taste w_T
  (random unit k-d vector): what that tag's audience likes;
- planted raw score r(i, T) = α·b_i + β·⟨w_T, z_i⟩ + γ·standardized(ρ_iT). The same image scores
  differently under its two tags; the relevance term makes "more CLIP-similar ranks higher", the paper's
  tie-break, true on average (not inside a near-tie: planted scores have no vote noise);
- scores: r is mapped through the empirical quantiles of the real AVA image–tag mean scores, so the
  planted scores have exactly AVA's score distribution (monotone: rankings are unchanged);
- image embedding x_i = normalize(c_common·m + c_signal·A·[b_i, z_i]/√(1+k) + c_tag·Σ_T ρ_iT·t_T
  + c_noise·ε_i), m a shared direction (CLIP embeddings share a large common component), A a random
  512×(1+k) orthonormal basis, ε_i ~ N(0, I/512). So x encodes b, z and the image's tags with noise,
  and cos(x_i, t_T) grows with ρ_iT.

A tag-blind head sees x_i but not which of the image's tags is asked: for the ~89% of pairs that come from
two-tag images it can at best predict the average of the two planted scores. benchmark.py reports that
ceiling next to the trained heads.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

import ava
from dataset import HeadData, items_from_pairs, l2_normalize

EMBED_DIM = 512


@dataclass(frozen=True)
class PlantedConfig:
    latent_dim: int = 8  # k: dimensions of the tag-dependent latent z
    alpha: float = 0.6  # weight of the image's base quality (its real AVA mean, gaussianized)
    beta: float = 0.75  # weight of the tag's taste ⟨w_T, z_i⟩
    gamma: float = 0.3  # weight of the image's relevance to the tag
    c_common: float = 1.0
    c_signal: float = 1.0
    c_tag: float = 0.5
    c_noise: float = 0.3
    seed: int = 0


@dataclass
class Planted:
    """The generator's hidden state, kept for the oracle rows of the report."""

    base: np.ndarray  # [M] b_i
    latent: np.ndarray  # [M, k] z_i
    taste: np.ndarray  # [K, k] w_T per tag row
    raw_train: np.ndarray  # r(i, T) per train item
    raw_eval: np.ndarray
    blind_eval: np.ndarray  # the tag-blind oracle per eval item: mean of r over the image's tags


def _unit_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.standard_normal((n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def build(ava_dir: Path = ava.DEFAULT_AVA_DIR, seed: int = 0, config: PlantedConfig | None = None) -> HeadData:
    data, _ = build_with_truth(ava_dir, config or PlantedConfig(seed=seed))
    return data


def build_with_truth(ava_dir: Path, cfg: PlantedConfig) -> tuple[HeadData, Planted]:
    images = ava.load_images(ava_dir)
    names = ava.load_tag_names(ava_dir)
    split = ava.split_pairs(images)
    pairs = split.train + split.eval

    tag_ids = sorted(names)
    tag_row = {t: i for i, t in enumerate(tag_ids)}
    used = sorted({p.image_id for p in pairs})  # sorted ids: the generator does not depend on file order
    image_row = {im: i for i, im in enumerate(used)}
    by_id = {im.image_id: im for im in images}
    m, k = len(used), cfg.latent_dim

    # Separate streams per kind of quantity so changing one size never reshuffles the others.
    rng_tags = np.random.default_rng([cfg.seed, 1])
    rng_images = np.random.default_rng([cfg.seed, 2])
    rng_embed = np.random.default_rng([cfg.seed, 3])

    text = _unit_rows(rng_tags, len(tag_ids), EMBED_DIM)  # t_T
    taste = _unit_rows(rng_tags, len(tag_ids), k)  # w_T

    real_mean = np.asarray([by_id[im].mean for im in used])
    base = ndtri((rankdata(real_mean) - 0.5) / m)  # gaussianized real quality, N(0, 1) marginal
    latent = rng_images.standard_normal((m, k))
    relevance = {(p.image_id, p.tag_id): r for p, r in zip(pairs, rng_images.uniform(0.3, 1.0, len(pairs)))}

    common = _unit_rows(rng_embed, 1, EMBED_DIM)[0]
    basis, _ = np.linalg.qr(rng_embed.standard_normal((EMBED_DIM, 1 + k)))  # A: orthonormal columns
    # Built in place in float32: [M, 512] float64 temporaries cost more time than the arithmetic.
    x = rng_embed.standard_normal((m, EMBED_DIM), dtype=np.float32)
    x *= cfg.c_noise / np.sqrt(EMBED_DIM)
    x += (cfg.c_common * common).astype(np.float32)
    x += ((cfg.c_signal / np.sqrt(1 + k)) * np.concatenate([base[:, None], latent], axis=1) @ basis.T).astype(np.float32)
    # Σ_T ρ_iT·t_T as a product with the [M, K] relevance matrix (zero where the image lacks the tag).
    pair_image = np.asarray([image_row[p.image_id] for p in pairs])
    pair_tag = np.asarray([tag_row[p.tag_id] for p in pairs])
    rel_matrix = np.zeros((m, len(tag_ids)))
    rel_matrix[pair_image, pair_tag] = [relevance[(p.image_id, p.tag_id)] for p in pairs]
    x += (cfg.c_tag * rel_matrix @ text).astype(np.float32)

    rel_mean, rel_sd = 0.65, 0.7 / np.sqrt(12)  # mean and sd of U(0.3, 1)

    def raw(ps: list[ava.ImageTagPair]) -> np.ndarray:
        i = np.asarray([image_row[p.image_id] for p in ps])
        t = np.asarray([tag_row[p.tag_id] for p in ps])
        rel = np.asarray([relevance[(p.image_id, p.tag_id)] for p in ps])
        return cfg.alpha * base[i] + cfg.beta * np.einsum('ij,ij->i', taste[t], latent[i]) + cfg.gamma * (rel - rel_mean) / rel_sd

    raw_all = raw(pairs)
    # Quantile map onto the real image–tag mean-score distribution (the same pairs' real means).
    # (np.interp on the sorted values is numpy's 'linear' quantile, without one partition per level.)
    real_pair_means = np.sort(np.asarray([p.mean for p in pairs]))
    levels = (rankdata(raw_all) - 0.5) / raw_all.size
    positions = levels * (real_pair_means.size - 1)
    planted = np.interp(positions, np.arange(real_pair_means.size), real_pair_means)
    n_train = len(split.train)

    def planted_pairs(ps: list[ava.ImageTagPair], scores: np.ndarray) -> list[ava.ImageTagPair]:
        return [ava.ImageTagPair(p.image_id, p.tag_id, float(s)) for p, s in zip(ps, scores)]

    train_items = items_from_pairs(planted_pairs(split.train, planted[:n_train]), image_row, tag_row)
    eval_items = items_from_pairs(planted_pairs(split.eval, planted[n_train:]), image_row, tag_row)

    # Tag-blind oracle: knows b, z and relevance of the image for all its tags but not which tag is asked.
    per_image: dict[int, list[float]] = {}
    for p, r in zip(pairs, raw_all):
        per_image.setdefault(p.image_id, []).append(float(r))
    blind_eval = np.asarray([np.mean(per_image[p.image_id]) for p in split.eval])

    data = HeadData(
        image_embeds=l2_normalize(x),
        tag_embeds=text.astype(np.float32),
        tag_ids=tag_ids,
        tag_names=[names[t] for t in tag_ids],
        train=train_items,
        eval=eval_items,
        source='synthetic planted benchmark',
        notes=[split.describe(), f'planted generator {cfg}'],
    )
    truth = Planted(base, latent, taste, raw_all[:n_train], raw_all[n_train:], blind_eval)
    return data, truth
