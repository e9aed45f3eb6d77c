"""AVA metadata loader and the fixed image–tag split (REFERENCE.md §5, docs/training.md "The split").

Reads ../shared/data/ava at run time only: the AVA authors ask that the data not be redistributed, so
nothing derived from it is ever written into the repository (outputs go to the gitignored training/out/).

AVA.csv columns: index, image id, vote counts for scores 1..10, semantic tag id 1, semantic tag id 2
(0 = none), challenge id. tags.txt: "<id> <name>" per line (names contain spaces).
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

# Paper sizes (REFERENCE.md §1): 135,000 training and 1,350 evaluation image–tag pairs.
PAPER_TRAIN_PAIRS = 135_000
PAPER_EVAL_PAIRS = 1_350
# Changing the salt changes the split; it is part of the split's definition, hence versioned.
SPLIT_SALT = 'loupe-ava-split-v1'
DEFAULT_AVA_DIR = Path(__file__).resolve().parent.parent.parent / 'shared' / 'data' / 'ava'


@dataclass(frozen=True)
class AvaImage:
    image_id: int
    counts: tuple[int, ...]  # votes for scores 1..10
    tags: tuple[int, ...]  # non-zero tag ids, 0 to 2 of them, in column order
    challenge_id: int

    @property
    def votes(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float:
        """Mean score = Σ k·count_k / Σ count_k (k = 1..10)."""
        return mean_score(self.counts)


@dataclass(frozen=True)
class ImageTagPair:
    image_id: int
    tag_id: int
    mean: float  # the image's mean score: the ground truth for every one of its tags


@dataclass(frozen=True)
class Split:
    train: list[ImageTagPair]
    eval: list[ImageTagPair]
    available_pairs: int  # image–tag pairs in the metadata before splitting
    requested_train: int
    requested_eval: int

    @property
    def train_shortfall(self) -> int:
        return max(0, self.requested_train - len(self.train))

    @property
    def eval_shortfall(self) -> int:
        return max(0, self.requested_eval - len(self.eval))

    def describe(self) -> str:
        return (
            f'{self.available_pairs} image–tag pairs available; train {len(self.train)} of {self.requested_train} '
            f'requested (short by {self.train_shortfall}), eval {len(self.eval)} of {self.requested_eval} '
            f'requested (short by {self.eval_shortfall})'
        )


def mean_score(counts: tuple[int, ...] | list[int]) -> float:
    total = sum(counts)
    if total == 0:
        raise ValueError('an image with no votes has no mean score')
    return sum((k + 1) * c for k, c in enumerate(counts)) / total


def load_images(ava_dir: Path = DEFAULT_AVA_DIR) -> list[AvaImage]:
    """All rows of AVA.csv in file order; rows without votes are dropped (none in the current copy)."""
    path = Path(ava_dir) / 'AVA.csv'
    images: list[AvaImage] = []
    with path.open(newline='') as f:
        reader = csv.reader(f)
        header = next(reader)
        if len(header) != 15 or header[1] != 'image_id':
            raise ValueError(f'{path}: unexpected header {header}')
        for row in reader:
            counts = tuple(int(v) for v in row[2:12])
            if sum(counts) == 0:
                continue
            # A repeated tag id would make one image–tag pair count twice; keep the first.
            tags = tuple(dict.fromkeys(t for t in (int(row[12]), int(row[13])) if t != 0))
            images.append(AvaImage(int(row[1]), counts, tags, int(row[14])))
    return images


def load_tag_names(ava_dir: Path = DEFAULT_AVA_DIR) -> dict[int, str]:
    """tags.txt: id → name (66 semantic tags; names may contain spaces)."""
    names: dict[int, str] = {}
    for line in (Path(ava_dir) / 'tags.txt').read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        tag_id, name = line.split(' ', 1)
        names[int(tag_id)] = name.strip()
    return names


def load_image_list(ava_dir: Path, name: str) -> set[int]:
    """One of aesthetics_image_lists/*.jpgl (one image id per line), e.g. 'generic_test'."""
    path = Path(ava_dir) / 'aesthetics_image_lists' / f'{name}.jpgl'
    return {int(s) for s in path.read_text().split()}


def image_tag_pairs(images: list[AvaImage]) -> list[ImageTagPair]:
    """One pair per non-zero tag of each image, in file order."""
    return [ImageTagPair(im.image_id, t, im.mean) for im in images for t in im.tags]


def split_key(image_id: int, salt: str = SPLIT_SALT) -> int:
    """Deterministic, platform-independent order of images: the first 8 bytes of sha256(salt:id)."""
    digest = hashlib.sha256(f'{salt}:{image_id}'.encode()).digest()
    return int.from_bytes(digest[:8], 'big')


def split_pairs(
    images: list[AvaImage],
    n_train: int = PAPER_TRAIN_PAIRS,
    n_eval: int = PAPER_EVAL_PAIRS,
    salt: str = SPLIT_SALT,
) -> Split:
    """The split rule, applied to whatever metadata exists.

    Images (not pairs) are split, so no image is seen in training under one tag and evaluated under
    another: a tag-blind model could otherwise memorise the image. Images are visited in split_key order;
    an image's pairs go to eval while they fit in n_eval exactly (an image whose pairs would overshoot is
    skipped, and later single-tag images fill the gap), then every remaining image goes to train, in the
    same order, until n_train pairs. With 35,764 images here (about 50.8k pairs) train falls short of
    135,000; Split.describe() says by how much.
    """
    tagged = sorted((im for im in images if im.tags), key=lambda im: split_key(im.image_id, salt))
    eval_pairs: list[ImageTagPair] = []
    rest: list[AvaImage] = []
    for im in tagged:
        if len(eval_pairs) + len(im.tags) <= n_eval:
            eval_pairs.extend(ImageTagPair(im.image_id, t, im.mean) for t in im.tags)
        else:
            rest.append(im)
    train_pairs: list[ImageTagPair] = []
    for im in rest:
        if len(train_pairs) + len(im.tags) > n_train:
            break
        train_pairs.extend(ImageTagPair(im.image_id, t, im.mean) for t in im.tags)
    available = sum(len(im.tags) for im in tagged)
    return Split(train_pairs, eval_pairs, available, n_train, n_eval)


if __name__ == '__main__':
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_AVA_DIR
    ims = load_images(root)
    split = split_pairs(ims)
    print(f'{len(ims)} images, {len(load_tag_names(root))} tags; {split.describe()}')
