/**
 * The user's decisions as training pairs for the taste head. An image's preference is its decision first
 * (reject < none < pick) and its stars second, so a 2-star pick is above a 5-star image with no decision;
 * images with neither a decision nor stars say nothing and are left out. A pair (i above j) joins two images
 * of different preference. Images, not pairs, are split off for the held-out check, per preference level,
 * so no held-out image is ever trained on.
 */
export interface TasteItem {
  id: string;
  decision: 'pick' | 'reject' | 'none';
  stars: number;
}

export interface TastePairs {
  /** The images that appear in any pair, in a fixed order; pairs index into it. */
  ids: string[];
  /** Flat [winner, loser, winner, loser, …] indices into `ids`. */
  train: Int32Array;
  heldOut: Int32Array;
  /** Ids held out (never trained on). */
  heldOutIds: string[];
  counts: { picks: number; rejects: number; starred: number };
}

export const HELD_OUT_FRACTION = 0.2;
/** Cap on training pairs: k picks × m rejects grows fast, and a few thousand pairs already say it all. */
export const MAX_PAIRS = 20000;

const DECISION_LEVEL = { reject: 0, none: 1, pick: 2 } as const;

export function preferenceLevel(item: TasteItem): number | null {
  if (item.decision === 'none' && item.stars <= 0) return null;
  return DECISION_LEVEL[item.decision] * 10 + item.stars;
}

/** FNV-1a of the id: the split depends on which images there are, not on the order they came in. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function pairsWithin(members: { index: number; level: number }[], cap: number): Int32Array {
  const out: number[] = [];
  let seen = 0;
  // Deterministic thinning when over the cap: keep every k-th pair in a fixed enumeration.
  let total = 0;
  for (const a of members) for (const b of members) if (a.level > b.level) total++;
  const stride = Math.max(1, Math.ceil(total / cap));
  for (const a of members)
    for (const b of members)
      if (a.level > b.level && seen++ % stride === 0) out.push(a.index, b.index);
  return Int32Array.from(out);
}

export function buildTastePairs(items: readonly TasteItem[], heldOutFraction = HELD_OUT_FRACTION, cap = MAX_PAIRS): TastePairs {
  const rated = items
    .map((item) => ({ item, level: preferenceLevel(item) }))
    .filter((x): x is { item: TasteItem; level: number } => x.level !== null);
  const byLevel = new Map<number, typeof rated>();
  for (const r of rated) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r]);
  const heldOutIds = new Set<string>();
  for (const group of byLevel.values()) {
    const take = Math.floor(group.length * heldOutFraction);
    [...group].sort((a, b) => idHash(a.item.id) - idHash(b.item.id) || (a.item.id < b.item.id ? -1 : 1))
      .slice(0, take)
      .forEach((r) => heldOutIds.add(r.item.id));
  }
  const ids = rated.map((r) => r.item.id);
  const members = rated.map((r, index) => ({ index, level: r.level, heldOut: heldOutIds.has(r.item.id) }));
  return {
    ids,
    train: pairsWithin(members.filter((m) => !m.heldOut), cap),
    heldOut: pairsWithin(members.filter((m) => m.heldOut), cap),
    heldOutIds: ids.filter((id) => heldOutIds.has(id)),
    counts: {
      picks: rated.filter((r) => r.item.decision === 'pick').length,
      rejects: rated.filter((r) => r.item.decision === 'reject').length,
      starred: rated.filter((r) => r.item.stars > 0).length,
    },
  };
}

/** Fraction of pairs (flat winner, loser) the scores order correctly; a tie counts half. Null without pairs. */
export function pairAccuracy(pairs: Int32Array, scores: ArrayLike<number>): number | null {
  if (pairs.length === 0) return null;
  let right = 0;
  for (let p = 0; p < pairs.length; p += 2) {
    const d = scores[pairs[p]] - scores[pairs[p + 1]];
    right += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  }
  return right / (pairs.length / 2);
}

/** Why training cannot start yet, in words for the user; null when it can. */
export function notEnoughDecisions(pairs: TastePairs): string | null {
  if (pairs.train.length / 2 >= 4) return null;
  return 'Pick (or star) at least 2 images and reject (or star lower) at least 2 others, so there are pairs to learn from.';
}
