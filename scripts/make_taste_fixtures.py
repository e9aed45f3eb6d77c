#!/usr/bin/python3
"""Writes test/fixtures/taste-head-small.json: a small training/heads.py TagHead and PyTorch's answers for it,
the reference for the app's own tag-head code (src/scoring/taste/: the ONNX writer, the TF.js trainer).

* hparams      camelCase, as src/scoring/taste/tagHeadSpec.ts TagHeadHparams
* weights      {state_dict name: flat float32 values}, state_dict order and layout (Linear is [out, in]);
               LayerNorm weights and biases are moved away from 1 and 0 so a LayerNorm mistake shows
* images/tags  n rows each, flat [n, embedDim], random unit-length float32
* scores       model.eval()(images, tags), float32 [n]
* pairs, targets, lambda, loss, grads
               eq. (1) of training/train.py on those scores: -mean(logsigmoid(f[i] - f[j]))
               + lambda * mean((f[i] - targets[i])^2) over the pairs (i the winner), and d loss / d parameter,
               in float64 (the model converted with .double(), eval mode: no dropout); "dtype" says so

Deterministic (torch.manual_seed). Values go through float32 → Python float, which json writes exactly.

    /usr/bin/python3 scripts/make_taste_fixtures.py [--out test/fixtures/taste-head-small.json]
"""
import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))

from heads import TagHead  # noqa: E402

SEED = 7
HPARAMS = {"embedDim": 16, "tokens": 2, "width": 8, "heads": 2, "ffn": 12, "mlpHidden": 10}
N = 6
PAIRS = [[0, 1], [2, 3], [0, 4], [5, 2], [3, 1]]
LAMBDA = 0.5


def flat(t):
    return t.detach().reshape(-1).tolist()


def unit_rows(n, dim):
    x = torch.randn(n, dim)
    return x / x.norm(dim=1, keepdim=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "test/fixtures/taste-head-small.json"))
    args = parser.parse_args()

    torch.manual_seed(SEED)
    h = HPARAMS
    model = TagHead(embed_dim=h["embedDim"], tokens=h["tokens"], width=h["width"], heads=h["heads"], ffn=h["ffn"],
                    mlp_hidden=h["mlpHidden"], dropout=0.0)
    with torch.no_grad():
        for name in ("norm_q", "norm_kv", "norm_ffn"):
            norm = getattr(model, name)
            norm.weight.add_(0.3 * torch.randn_like(norm.weight))
            norm.bias.add_(0.2 * torch.randn_like(norm.bias))
    model.eval()

    images = unit_rows(N, h["embedDim"])
    tags = unit_rows(N, h["embedDim"])
    targets = torch.rand(N) * 5 + 3
    with torch.no_grad():
        scores = model(images, tags)
    weights = {name: flat(p) for name, p in model.state_dict().items()}

    # The training reference, in float64 so the TF.js side is compared with the exact function.
    model64 = model.double()
    f = model64(images.double(), tags.double())
    i = torch.tensor([p[0] for p in PAIRS])
    j = torch.tensor([p[1] for p in PAIRS])
    loss = -F.logsigmoid(f[i] - f[j]).mean() + LAMBDA * ((f[i] - targets.double()[i]) ** 2).mean()
    model64.zero_grad()
    loss.backward()

    fixture = {
        "hparams": h,
        "weights": weights,
        "n": N,
        "images": flat(images),
        "tags": flat(tags),
        "scores": flat(scores),
        "dtype": "float64",
        "pairs": PAIRS,
        "targets": flat(targets),
        "lambda": LAMBDA,
        "loss": loss.item(),
        "grads": {name: flat(p.grad) for name, p in model64.named_parameters()},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
