#!/usr/bin/python3
"""Generate small synthetic images and NumPy reference figures for test/technicalQuality.test.ts.

Run with Debian's interpreter (it has numpy, scipy and PIL): /usr/bin/python3 scripts/make_quality_fixtures.py

Everything is drawn here from a fixed seed; no external file is read. The images are saved as lossless PNG in
test/fixtures/quality/, and reference.json holds every TechnicalQuality field for each of them, computed by
an implementation written independently of src/scoring/technicalQuality.ts from the same definitions
(vectorised NumPy and scipy.signal.convolve2d instead of hand-rolled loops over integer numerators), so the
test checks the TypeScript against a second reading of the definitions, not against itself.
"""

import json
import math
import os

import numpy as np
from PIL import Image, ImageDraw
from scipy.ndimage import gaussian_filter
from scipy.signal import convolve2d

SEED = 20250611
W, H = 96, 64
GRID = 4
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "quality")

LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)


# ---------------------------------------------------------------- images


def to_u8(a):
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def scene(rng):
    """Gradient background, hard-edged shapes, one-pixel 'text' stripes and mild noise: lots of edges."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    base = np.stack([60 + 120 * x / (W - 1), 90 + 60 * y / (H - 1), 170 - 80 * x / (W - 1)], axis=-1)
    base += rng.normal(0.0, 1.5, base.shape)
    im = Image.fromarray(to_u8(base), "RGB")
    draw = ImageDraw.Draw(im)
    draw.rectangle([6, 6, 30, 26], fill=(220, 40, 30))
    draw.ellipse([52, 8, 84, 36], fill=(30, 160, 60))
    draw.rectangle([60, 40, 90, 58], fill=(245, 245, 240))
    draw.ellipse([10, 36, 34, 60], fill=(8, 6, 10))  # just above the shadow clip; halved, below it
    # Text-like stripes: thin dark bars of varying width on a light band.
    draw.rectangle([36, 30, 56, 52], fill=(235, 230, 220))
    xs = 38
    while xs < 55:
        wbar = int(rng.integers(1, 3))
        draw.rectangle([xs, 33, xs + wbar - 1, 49], fill=(25, 25, 25))
        xs += wbar + int(rng.integers(1, 3))
    return np.asarray(im).astype(np.float64)


def blur(img, sigma):
    return np.stack([gaussian_filter(img[..., c], sigma) for c in range(3)], axis=-1)


def luma601(img):
    return 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]


def images():
    rng = np.random.default_rng(SEED)
    sharp = scene(rng)
    out = {
        "scene": to_u8(sharp),
        "blur1": to_u8(blur(sharp, 1.0)),
        "blur2": to_u8(blur(sharp, 2.0)),
        "blur4": to_u8(blur(sharp, 4.0)),
        "noisy": to_u8(sharp + rng.normal(0.0, 10.0, sharp.shape)),
        "dark": to_u8(sharp * 0.5),
        "bright": to_u8(sharp * 1.8),
    }
    m = luma601(sharp).mean()
    out["lowcontrast"] = to_u8(m + 0.3 * (sharp - m))
    # Colourful vs grey: the same saturated patchwork, and its luma replicated to three channels.
    patches = np.zeros((H, W, 3))
    palette = np.array([[230, 30, 40], [30, 200, 50], [40, 60, 230], [240, 220, 20], [200, 30, 210], [20, 210, 220]])
    for j in range(0, H, 16):
        for i in range(0, W, 16):
            patches[j : j + 16, i : i + 16] = palette[int(rng.integers(0, len(palette)))]
    out["colourful"] = to_u8(patches)
    out["grey"] = to_u8(np.repeat(luma601(out["colourful"].astype(np.float64))[..., None], 3, axis=-1))
    # A sharp subject on a soft background: blurred (σ 4) everywhere except one whole tile of the 4×4 grid
    # (plus a margin, so the tile's Laplacian never sees the seam), where 30 % of the detail the blur removed
    # is put back. The full detail would be so strong that this one tile alone lifts the whole-image
    # sharpness above the blurry threshold; at 30 % the whole image reads as soft (≈ 60) and the tile as
    # sharp (≈ 600), the case the sharpest-tile figure exists for.
    soft = blur(sharp, 4.0)
    subject = soft.copy()
    patch = (slice(H // 4 - 2, H // 2 + 2), slice(W // 4 - 2, W // 2 + 2))
    subject[patch] += 0.3 * (sharp[patch] - soft[patch])
    out["subject"] = to_u8(subject)
    # Odd size (tile boundaries that are not multiples of 4) and the smallest accepted image.
    out["odd37x23"] = to_u8(rng.uniform(0, 255, (23, 37, 3)))
    out["tiny3x3"] = to_u8(rng.uniform(0, 255, (3, 3, 3)))
    return out


# ---------------------------------------------------------------- reference figures


def tile_index(size):
    """Tile of each coordinate: k with floor(k·size/4) ≤ c < floor((k+1)·size/4)."""
    bounds = [(k * size) // GRID for k in range(GRID + 1)]
    idx = np.empty(size, dtype=np.int64)
    for k in range(GRID):
        idx[bounds[k] : bounds[k + 1]] = k
    return idx


def reference(u8):
    rgb = u8.astype(np.float64)
    h, w = rgb.shape[:2]
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = luma601(rgb)
    # The clipping tests are on the exact rational luma: float 0.299·250 + … lands just below 250.
    y_num = 299 * u8[..., 0].astype(np.int64) + 587 * u8[..., 1].astype(np.int64) + 114 * u8[..., 2].astype(np.int64)

    rg = r - g
    yb = 0.5 * (r + g) - b
    colorfulness = math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean())

    lap = convolve2d(y, LAPLACIAN, mode="valid")  # (h-2, w-2): interior centres only
    resp = convolve2d(y, IMMERKAER, mode="valid")
    noise = math.sqrt(math.pi / 2) / (6 * (w - 2) * (h - 2)) * np.abs(resp).sum()

    ty = tile_index(h)[1 : h - 1]
    tx = tile_index(w)[1 : w - 1]
    tile = ty[:, None] * GRID + tx[None, :]
    peak = max(float(lap[tile == t].var()) for t in np.unique(tile))

    return {
        "width": int(w),
        "height": int(h),
        "meanLuma": float(y.mean() / 255),
        "clippedHighlights": float((y_num >= 250_000).mean()),
        "clippedShadows": float((y_num <= 5_000).mean()),
        "contrast": float(y.std() / 255),
        "colorfulness": float(colorfulness),
        "noise": float(noise),
        "sharpness": float(lap.var()),
        "sharpnessPeak": peak,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    refs = {}
    for name, u8 in images().items():
        Image.fromarray(u8, "RGB").save(os.path.join(OUT, f"{name}.png"), optimize=True)
        refs[name] = reference(u8)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"generator": "scripts/make_quality_fixtures.py", "seed": SEED, "images": refs}, f, indent=1)
        f.write("\n")
    for name, ref in refs.items():
        print(f"{name:12s} " + " ".join(f"{k}={v:.4g}" for k, v in ref.items() if k not in ("width", "height")))


if __name__ == "__main__":
    main()
