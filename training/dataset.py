"""What the heads train on: L2-normalized image and tag embeddings plus (image, tag, score) items.

Two sources fill the same structure, so train.py and benchmark.py never know which one they have:
- synthetic.py: the planted benchmark built from the real AVA metadata;
- load_embedded_ava(): real CLIP embeddings written by `npm run embed` (cli/embed.ts) for AVA images,
  mapped to AVA.csv by file name `<image id>.jpg`, plus text embeddings of the 66 tag names.

Embedding files (what cli/embed.ts writes; read with numpy only):
- <prefix>.npy   float32 [N, 512] raw (not normalized) embeddings, one row per image or text;
- <prefix>.jsonl one JSON object per row: images {row, path, contentHash, aesthetic}; tag texts need
  {row, tag} or {row, text} where the value is the AVA tag name as in tags.txt.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import ava


@dataclass
class Items:
    """Parallel arrays, one entry per image–tag pair."""

    image_rows: np.ndarray  # int64 rows of HeadData.image_embeds
    tag_rows: np.ndarray  # int64 rows of HeadData.tag_embeds
    scores: np.ndarray  # float64 ground-truth mean score on the 1–10 scale
    image_ids: np.ndarray  # int64 AVA image ids (for reports; never written into the repository)

    def __len__(self) -> int:
        return int(self.scores.size)


@dataclass
class HeadData:
    image_embeds: np.ndarray  # float32 [M, 512], rows L2-normalized
    tag_embeds: np.ndarray  # float32 [K, 512], rows L2-normalized
    tag_ids: list[int]  # AVA tag id of each tag row
    tag_names: list[str]
    train: Items
    eval: Items
    source: str  # 'synthetic planted benchmark' or 'AVA'
    notes: list[str] = field(default_factory=list)

    def similarities(self, items: Items) -> np.ndarray:
        """CLIP image–tag cosine of each item (both sides unit length), used to break near-ties."""
        return np.einsum('ij,ij->i', self.image_embeds[items.image_rows], self.tag_embeds[items.tag_rows]).astype(np.float64)


def l2_normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError('cannot normalize an all-zero embedding')
    return (x / norms).astype(np.float32)


def items_from_pairs(pairs: list[ava.ImageTagPair], image_row: dict[int, int], tag_row: dict[int, int]) -> Items:
    return Items(
        image_rows=np.asarray([image_row[p.image_id] for p in pairs], dtype=np.int64),
        tag_rows=np.asarray([tag_row[p.tag_id] for p in pairs], dtype=np.int64),
        scores=np.asarray([p.mean for p in pairs], dtype=np.float64),
        image_ids=np.asarray([p.image_id for p in pairs], dtype=np.int64),
    )


def read_embeddings(prefix: str | Path) -> tuple[np.ndarray, list[dict]]:
    prefix = str(prefix)
    emb = np.load(prefix + '.npy')
    if emb.ndim != 2 or emb.dtype != np.float32:
        raise ValueError(f'{prefix}.npy: expected float32 [N, D], got {emb.dtype} {emb.shape}')
    with open(prefix + '.jsonl') as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if len(rows) != emb.shape[0]:
        raise ValueError(f'{prefix}: {emb.shape[0]} embeddings but {len(rows)} index rows')
    return emb, rows


def load_embedded_ava(image_prefix: str | Path, tag_prefix: str | Path | None, ava_dir: Path) -> HeadData:
    """Real data: AVA metadata + image embeddings + tag-name text embeddings."""
    if tag_prefix is None:
        raise SystemExit(
            'real AVA training needs --tag-embeddings <prefix>: <prefix>.npy [66,512] text embeddings of the AVA tag '
            'names (as the app embeds a tag: src/scoring/prompts.ts) and <prefix>.jsonl rows {row, tag: "<name>"}'
        )
    images = ava.load_images(ava_dir)
    names = ava.load_tag_names(ava_dir)
    split = ava.split_pairs(images)

    emb, rows = read_embeddings(image_prefix)
    id_to_row: dict[int, int] = {}
    for r in rows:
        stem = Path(str(r['path'])).name.rsplit('.', 1)[0]
        if stem.isdigit():
            id_to_row[int(stem)] = int(r['row'])

    temb, trows = read_embeddings(tag_prefix)
    by_name = {str(r.get('tag', r.get('text'))): int(r['row']) for r in trows}
    missing_tags = [n for n in names.values() if n not in by_name]
    if missing_tags:
        raise SystemExit(f'{tag_prefix}.jsonl has no embedding for tags: {", ".join(missing_tags)}')
    tag_ids = sorted(names)
    tag_embeds = l2_normalize(temb[[by_name[names[t]] for t in tag_ids]])
    tag_row = {t: i for i, t in enumerate(tag_ids)}

    # Only images that were embedded take part; the split rule is applied first so it never depends on
    # which images happened to be downloaded.
    def present(pairs: list[ava.ImageTagPair]) -> list[ava.ImageTagPair]:
        return [p for p in pairs if p.image_id in id_to_row]

    train, evl = present(split.train), present(split.eval)
    used = sorted({p.image_id for p in train + evl})
    image_row = {im: i for i, im in enumerate(used)}
    image_embeds = l2_normalize(emb[[id_to_row[im] for im in used]])
    notes = [
        split.describe(),
        f'embedded images found for {len(train)} of {len(split.train)} train and {len(evl)} of {len(split.eval)} eval pairs',
    ]
    return HeadData(
        image_embeds=image_embeds,
        tag_embeds=tag_embeds,
        tag_ids=tag_ids,
        tag_names=[names[t] for t in tag_ids],
        train=items_from_pairs(train, image_row, tag_row),
        eval=items_from_pairs(evl, image_row, tag_row),
        source='AVA',
        notes=notes,
    )


def load(embeddings: str, tag_embeddings: str | None, ava_dir: Path, seed: int) -> HeadData:
    """`--embeddings synthetic` builds the planted benchmark; anything else is an embedding prefix."""
    if embeddings == 'synthetic':
        import synthetic

        return synthetic.build(ava_dir, seed=seed)
    return load_embedded_ava(embeddings, tag_embeddings, ava_dir)
