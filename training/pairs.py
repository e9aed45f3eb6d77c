"""Ranking pairs per tag (REFERENCE.md §1): xi above xj for tag T.

Rule: both images carry T. The one with the higher mean score ranks higher; when the two means are closer
than `margin` (a near-tie, where the vote means are too noisy to order them) the one with the higher CLIP
image–tag similarity ranks higher, as in the paper.

Sampling (fresh pairs every step, from a seeded numpy Generator, so a run is reproducible):
- a tag T is drawn with probability ∝ n_T ** balance, n_T = the tag's training items (tags with fewer than
  two items cannot form a pair and are skipped). balance = 1 draws every item equally often (big tags such
  as Nature dominate); balance = 0 gives every tag the same number of pairs (rare tags are repeated over and
  over); the default 0.5 sits between: a tag with 100× the items gets 10× the pairs;
- the two images are drawn uniformly without replacement among the tag's items, then ordered by the rule.
Expected pairs per tag in a run of S steps of B pairs: S·B·p_T (benchmark.py prints them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TagGroups:
    """Items grouped by tag, flattened: members[offsets[g] : offsets[g] + sizes[g]] belong to tags[g]."""

    tags: np.ndarray  # tag rows with at least two items
    members: np.ndarray  # item indices, grouped
    offsets: np.ndarray
    sizes: np.ndarray
    probs: np.ndarray  # sampling probability of each group

    def expected_pairs(self, total_pairs: int) -> dict[int, float]:
        return {int(t): float(p * total_pairs) for t, p in zip(self.tags, self.probs)}


def group_by_tag(tag_rows: np.ndarray, balance: float = 0.5) -> TagGroups:
    if balance < 0:
        raise ValueError('balance must be ≥ 0')
    order = np.argsort(tag_rows, kind='stable')
    tags, starts, sizes = np.unique(tag_rows[order], return_index=True, return_counts=True)
    keep = sizes >= 2
    if not np.any(keep):
        raise ValueError('no tag has two items: no pairs can be formed')
    members = np.concatenate([order[s:s + n] for s, n in zip(starts[keep], sizes[keep])])
    sizes = sizes[keep]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    weights = sizes.astype(np.float64) ** balance
    return TagGroups(tags[keep], members, offsets, sizes, weights / weights.sum())


def order_pairs(
    a: np.ndarray, b: np.ndarray, scores: np.ndarray, sims: np.ndarray, margin: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(winner, loser, tie_broken) for candidate pairs (a, b) of item indices.

    |Δscore| ≥ margin: the higher score wins. Otherwise the higher similarity wins; equal similarity
    falls back to the score (then to a), which only matters for duplicated items.
    """
    ds = scores[a] - scores[b]
    near_tie = np.abs(ds) < margin
    dsim = sims[a] - sims[b]
    a_wins = np.where(near_tie & (dsim != 0), dsim > 0, ds >= 0)
    return np.where(a_wins, a, b), np.where(a_wins, b, a), near_tie


def sample_pairs(
    groups: TagGroups, scores: np.ndarray, sims: np.ndarray, n: int, margin: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n pairs: (winner item, loser item, near-tie flag). Both items share the tag of the drawn group."""
    g = rng.choice(groups.tags.size, size=n, p=groups.probs)
    size = groups.sizes[g]
    i = np.floor(rng.random(n) * size).astype(np.int64)
    j = np.floor(rng.random(n) * (size - 1)).astype(np.int64)
    j += j >= i  # uniform over the other size − 1 items
    a = groups.members[groups.offsets[g] + i]
    b = groups.members[groups.offsets[g] + j]
    return order_pairs(a, b, scores, sims, margin)
