#!/usr/bin/python3
"""Generate random-weight CLIP-like ONNX models with the exact I/O of Xenova/clip-vit-base-patch32.

Models:
  clip-tiny        -> public/models/clip-tiny/        (a few MB; for unit and e2e tests)
  clip-b32-random  -> bench/models/clip-b32-random/   (full ViT-B/32 shapes, fp32; for benchmarks)

Their scores mean nothing: the point is that every loader, runtime and test path runs on a graph with the
real model's names, dtypes, dynamic axes and cost, without downloading 600 MB.

Needs Debian's /usr/bin/python3 (torch 1.13, onnx, numpy). Run via scripts/models-test.sh.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import onnx
import torch
from torch import nn

# Bump when the architecture, init or export changes, so stale folders are regenerated.
GENERATOR_VERSION = 1
OPSET = 14  # what optimum uses for CLIP; LayerNorm is exported decomposed, which every ORT EP handles.

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SHARED_TOKENIZER = SHARED / "models" / "clip-vit-base-patch32" / "tokenizer.json"
SHARED_HEAD = SHARED / "models" / "aesthetic-heads" / "sa_0_4_vit_b_32_linear.pth"
REAL_CATALOGUE = REPO_ROOT / "public" / "models" / "manifest.json"

VOCAB = 49408
CONTEXT = 77
EMBED_DIM = 512
IMAGE_SIZE = 224
PATCH = 32
SOT, EOT = 49406, 49407


@dataclass(frozen=True)
class Config:
    id: str
    default_out: str  # relative to the repo root
    description: str
    vision_width: int
    vision_layers: int
    vision_heads: int
    vision_mlp: int
    text_width: int
    text_layers: int
    text_heads: int
    text_mlp: int
    # Low-rank token embedding (vocab x rank, then rank x width). None = a plain vocab x width table as in CLIP.
    # clip-tiny uses it because a 49408 x 64 fp32 table alone would be 12.6 MB; the I/O is unchanged.
    token_rank: Optional[int]
    seed: int


CONFIGS = {
    "clip-tiny": Config(
        id="clip-tiny",
        default_out="public/models/clip-tiny",
        description=(
            "Synthetic CLIP-like model with RANDOM weights (width 64, 2 layers) and the I/O of "
            "Xenova/clip-vit-base-patch32, for tests only: its embeddings and scores mean nothing"
        ),
        vision_width=64, vision_layers=2, vision_heads=4, vision_mlp=256,
        text_width=64, text_layers=2, text_heads=4, text_mlp=256,
        token_rank=8,
        seed=1234,
    ),
    "clip-b32-random": Config(
        id="clip-b32-random",
        default_out="bench/models/clip-b32-random",
        description=(
            "Synthetic model with RANDOM weights and the full CLIP ViT-B/32 architecture and I/O of "
            "Xenova/clip-vit-base-patch32 (fp32), for benchmarks only: its embeddings and scores mean nothing"
        ),
        vision_width=768, vision_layers=12, vision_heads=12, vision_mlp=3072,
        text_width=512, text_layers=12, text_heads=8, text_mlp=2048,
        token_rank=None,
        seed=4321,
    ),
}


# ---------------------------------------------------------------------------------------------- modules

class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        assert width % heads == 0
        self.heads = heads
        self.head_dim = width // heads
        self.scale = self.head_dim ** -0.5
        self.q = nn.Linear(width, width)
        self.k = nn.Linear(width, width)
        self.v = nn.Linear(width, width)
        self.out = nn.Linear(width, width)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, s = x.shape[0], x.shape[1]
        return x.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
        b, s, w = x.shape[0], x.shape[1], x.shape[2]
        q = self._split(self.q(x) * self.scale)
        k = self._split(self.k(x))
        v = self._split(self.v(x))
        scores = torch.matmul(q, k.transpose(2, 3))
        if mask is not None:
            scores = scores + mask
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, w)
        return self.out(ctx)


class Block(nn.Module):
    def __init__(self, width: int, heads: int, mlp: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(width, eps=1e-5)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width, eps=1e-5)
        self.fc1 = nn.Linear(width, mlp)
        self.act = QuickGELU()
        self.fc2 = nn.Linear(mlp, width)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask)
        return x + self.fc2(self.act(self.fc1(self.ln2(x))))


class VisionEncoder(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        w = c.vision_width
        self.patch = nn.Conv2d(3, w, kernel_size=PATCH, stride=PATCH, bias=False)
        n = (IMAGE_SIZE // PATCH) ** 2 + 1
        self.class_emb = nn.Parameter(torch.empty(w))
        self.pos_emb = nn.Parameter(torch.empty(n, w))
        self.pre_ln = nn.LayerNorm(w, eps=1e-5)
        self.blocks = nn.ModuleList([Block(w, c.vision_heads, c.vision_mlp) for _ in range(c.vision_layers)])
        self.post_ln = nn.LayerNorm(w, eps=1e-5)
        self.proj = nn.Linear(w, EMBED_DIM, bias=False)

    def forward(self, pixel_values: torch.Tensor):
        x = self.patch(pixel_values)  # [B, W, 7, 7]
        b = x.shape[0]
        x = x.flatten(2).transpose(1, 2)  # [B, 49, W]
        cls = self.class_emb.reshape(1, 1, -1).expand(b, 1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_emb
        x = self.pre_ln(x)
        for blk in self.blocks:
            x = blk(x)
        # Like HF: last_hidden_state is the encoder output before post-LN; the embedding pools the class token.
        image_embeds = self.proj(self.post_ln(x[:, 0, :]))
        return image_embeds, x


class TextEncoder(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        w = c.text_width
        if c.token_rank is None:
            self.tok = nn.Embedding(VOCAB, w)
            self.tok_up = None
        else:
            self.tok = nn.Embedding(VOCAB, c.token_rank)
            self.tok_up = nn.Linear(c.token_rank, w, bias=False)
        self.pos_emb = nn.Parameter(torch.empty(CONTEXT, w))
        self.blocks = nn.ModuleList([Block(w, c.text_heads, c.text_mlp) for _ in range(c.text_layers)])
        self.final_ln = nn.LayerNorm(w, eps=1e-5)
        self.proj = nn.Linear(w, EMBED_DIM, bias=False)
        # A constant 77x77 mask sliced to the sequence length: Slice is supported everywhere, whereas
        # building it at run time needs Range/Trilu, which not every onnxruntime-web EP implements.
        causal = torch.full((CONTEXT, CONTEXT), -1e9).triu(1)
        self.register_buffer("causal", causal, persistent=False)

    def forward(self, input_ids: torch.Tensor):
        s = input_ids.shape[1]
        x = self.tok(input_ids)
        if self.tok_up is not None:
            x = self.tok_up(x)
        x = x + self.pos_emb[:s]
        mask = self.causal[:s, :s]
        for blk in self.blocks:
            x = blk(x, mask)
        x = self.final_ln(x)
        # HF pools at input_ids.argmax(-1): the FIRST position holding the largest id (the end token, 49407,
        # which is also the pad token). ArgMax on float keeps the op on GPU EPs (ids < 2^24 are exact in fp32).
        idx = input_ids.to(torch.float32).argmax(dim=-1)  # [B]
        idx = idx.reshape(-1, 1, 1).expand(-1, 1, x.shape[2])
        # [:, 0] rather than squeeze(1): squeeze of a dynamic dim exports as an If node.
        pooled = torch.gather(x, 1, idx)[:, 0]
        return self.proj(pooled), x


# ------------------------------------------------------------------------------------------------- init

def init_weights(module: nn.Module, width: int) -> None:
    """Fixed init: CLIP's std-0.02 family for embeddings, LeCun-normal (std = fan_in^-0.5) for block weights.

    CLIP's own init shrinks the residual branches for training stability; untrained, that leaves the class
    token almost input-independent (cosine 0.997 between different images), which would let tests pass on
    a model that ignores its input. Unit-gain weights keep the embeddings of different inputs clearly apart.
    """
    for m in module.modules():
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, Block):
            for lin in (m.attn.q, m.attn.k, m.attn.v, m.attn.out, m.fc1, m.fc2):
                nn.init.normal_(lin.weight, std=lin.in_features ** -0.5)
                nn.init.normal_(lin.bias, std=0.02)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, std=0.02)
    if isinstance(module, VisionEncoder):
        nn.init.normal_(module.class_emb, std=width ** -0.5)
        nn.init.normal_(module.pos_emb, std=0.02)
        nn.init.normal_(module.proj.weight, std=width ** -0.5)
    if isinstance(module, TextEncoder):
        nn.init.normal_(module.pos_emb, std=0.01)
        nn.init.normal_(module.proj.weight, std=width ** -0.5)
        if module.tok_up is not None:
            # Keeps the token signal at the scale of a full-width 0.02 table.
            nn.init.normal_(module.tok_up.weight, std=module.tok_up.in_features ** -0.5)


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


# ---------------------------------------------------------------------------------------- test inputs

def reference_pixels(batch: int) -> torch.Tensor:
    """A deterministic input that TypeScript can rebuild exactly: every value is k/8 - 1 for an integer k."""
    b = torch.arange(batch).reshape(-1, 1, 1, 1)
    c = torch.arange(3).reshape(1, -1, 1, 1)
    y = torch.arange(IMAGE_SIZE).reshape(1, 1, -1, 1)
    x = torch.arange(IMAGE_SIZE).reshape(1, 1, 1, -1)
    k = (b * 7 + c * 3 + y * 5 + x * 11 + (x // 32) * (y // 32) * (b + 1)) % 17
    return k.to(torch.float32) / 8 - 1


# "a photo of a cat" in CLIP's BPE, padded with the end token as the HF tokenizer does.
REFERENCE_TOKENS = [SOT, 320, 1125, 539, 320, 2368, EOT]


def reference_ids(length: int) -> torch.Tensor:
    ids = REFERENCE_TOKENS + [EOT] * (length - len(REFERENCE_TOKENS))
    return torch.tensor([ids], dtype=torch.int64)


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.nn.functional.cosine_similarity(a.reshape(1, -1), b.reshape(1, -1)).item())


def sanity_check(vision: VisionEncoder, text: TextEncoder) -> dict:
    """Refuse to write a model whose embeddings barely depend on the input: tests built on it would prove nothing."""
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        noise = (torch.rand(2, 3, IMAGE_SIZE, IMAGE_SIZE, generator=g) - 0.5) * 4
        smooth = torch.nn.functional.interpolate(
            (torch.rand(2, 3, 7, 7, generator=g) - 0.5) * 4, size=IMAGE_SIZE, mode="bilinear", align_corners=False)
        e_noise, _ = vision(noise)
        e_smooth, _ = vision(smooth)
        t_ids = torch.tensor([[SOT, 320, 1125, 539, 320, 2368, EOT], [SOT, 320, 1125, 539, 320, 1929, EOT]])
        e_text, _ = text(t_ids)
    checks = {
        "cos_noise_noise": cosine(e_noise[0], e_noise[1]),
        "cos_smooth_smooth": cosine(e_smooth[0], e_smooth[1]),
        "cos_noise_smooth": cosine(e_noise[0], e_smooth[0]),
        "cos_cat_dog": cosine(e_text[0], e_text[1]),
    }
    bad = {k: v for k, v in checks.items() if not v < 0.999}
    if bad:
        raise SystemExit(f"degenerate random model, cosine similarities too close to 1: {bad}")
    return checks


# ------------------------------------------------------------------------------------------------ export

def export(model: nn.Module, args: tuple, path: Path, input_names, output_names, dynamic_axes) -> None:
    tmp = path.with_suffix(".onnx.tmp")
    with torch.no_grad():
        torch.onnx.export(
            model, args, str(tmp),
            input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
            opset_version=OPSET, do_constant_folding=True,
        )
    onnx.checker.check_model(str(tmp))
    os.replace(tmp, path)


def op_list(path: Path) -> list:
    m = onnx.load(str(path), load_external_data=False)
    return sorted({n.op_type for n in m.graph.node})


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(folder: Path, rel: str) -> dict:
    p = folder / rel
    return {"path": rel, "bytes": p.stat().st_size, "sha256": sha256_of(p)}


def real_model_entry() -> Optional[dict]:
    try:
        cat = json.loads(REAL_CATALOGUE.read_text())
        return next(m for m in cat["models"] if not m.get("synthetic"))
    except (OSError, ValueError, KeyError, StopIteration):
        return None


def stamp_for(c: Config) -> dict:
    # The source digest makes any edit of this script regenerate the models, even without a version bump.
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return {"generator": "scripts/make_test_models.py", "version": GENERATOR_VERSION, "source": source,
            "opset": OPSET, "torch": torch.__version__, "config": asdict(c)}


def is_up_to_date(folder: Path, c: Config) -> bool:
    try:
        stamp = json.loads((folder / "generator.json").read_text())
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    want = stamp_for(c)
    if any(stamp.get(k) != v for k, v in want.items() if k != "torch"):
        return False
    # Sizes only: hashing 600 MB on every test run would defeat the point of skipping.
    entries = [manifest["vision"]["fp32"], manifest["text"]["fp32"], manifest["tokenizer"]]
    if "aestheticHead" in manifest:
        entries.append(manifest["aestheticHead"])
    for e in entries:
        p = folder / e["path"]
        if not p.is_file():
            # A remote-only entry (no ../shared at generation time) stays valid until ../shared appears.
            local_source = SHARED_TOKENIZER if e is manifest["tokenizer"] else SHARED_HEAD
            if e.get("urls") and not local_source.is_file():
                continue
            return False
        if "bytes" in e and p.stat().st_size != e["bytes"]:
            return False
    return True


def build(c: Config, folder: Path) -> None:
    t0 = time.time()
    torch.manual_seed(c.seed)
    vision = VisionEncoder(c).eval()
    text = TextEncoder(c).eval()
    init_weights(vision, c.vision_width)
    init_weights(text, c.text_width)
    pv, pt = n_params(vision), n_params(text)
    print(f"[{c.id}] parameters: vision {pv:,} ({pv / 1e6:.2f} M), text {pt:,} ({pt / 1e6:.2f} M)")
    checks = sanity_check(vision, text)
    print(f"[{c.id}] cosine checks: " + ", ".join(f"{k}={v:.4f}" for k, v in checks.items()))

    # A failed run must not leave a folder that looks current: drop the stamp before touching anything.
    (folder / "generator.json").unlink(missing_ok=True)
    (folder / "onnx").mkdir(parents=True, exist_ok=True)

    vpath = folder / "onnx" / "vision_model.onnx"
    tpath = folder / "onnx" / "text_model.onnx"
    print(f"[{c.id}] exporting {vpath.relative_to(folder)} ...", flush=True)
    export(vision, (reference_pixels(1),), vpath, ["pixel_values"], ["image_embeds", "last_hidden_state"],
           {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
            "last_hidden_state": {0: "batch_size"}})
    print(f"[{c.id}] exporting {tpath.relative_to(folder)} ...", flush=True)
    export(text, (reference_ids(CONTEXT),), tpath, ["input_ids"], ["text_embeds", "last_hidden_state"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"}, "text_embeds": {0: "batch_size"},
            "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})

    real = real_model_entry()
    if SHARED_TOKENIZER.is_file():
        shutil.copyfile(SHARED_TOKENIZER, folder / "tokenizer.json")
        tokenizer = file_entry(folder, "tokenizer.json")
    elif real is not None:
        # Same tokenizer as the real model: let the loader fetch it from the hub and verify it.
        print(f"[{c.id}] warning: {SHARED_TOKENIZER} missing; manifest points at the hub copy", file=sys.stderr)
        tokenizer = dict(real["tokenizer"])
        tokenizer.setdefault("urls", [f"https://huggingface.co/{real['hub']['repo']}/resolve/"
                                      f"{real['hub']['revision']}/{tokenizer['path']}"])
    else:
        raise SystemExit(f"neither {SHARED_TOKENIZER} nor {REAL_CATALOGUE} is readable: no tokenizer")

    head: Optional[dict] = None
    real_head = real.get("aestheticHead") if real else None
    if SHARED_HEAD.is_file():
        shutil.copyfile(SHARED_HEAD, folder / SHARED_HEAD.name)
        head = file_entry(folder, SHARED_HEAD.name)
        head["format"] = "pth-linear"
        head["scale"] = real_head["scale"] if real_head else "LAION aesthetic predictor V1 (linear), 1–10 scale"
        if real_head and "urls" in real_head:
            head["urls"] = real_head["urls"]
    elif real_head is not None:
        print(f"[{c.id}] warning: {SHARED_HEAD} missing; manifest points at the public copy", file=sys.stderr)
        head = dict(real_head)

    manifest = {
        "schema": 1,
        "id": c.id,
        "description": c.description,
        "synthetic": True,
        "embedDim": EMBED_DIM,
        "imageSize": IMAGE_SIZE,
        "contextLength": CONTEXT,
        "vision": {"fp32": file_entry(folder, "onnx/vision_model.onnx")},
        "text": {"fp32": file_entry(folder, "onnx/text_model.onnx")},
        "tokenizer": tokenizer,
    }
    if head is not None:
        manifest["aestheticHead"] = head
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")

    # Torch outputs for fixed inputs, so tests can check the ONNX graph computes the same thing.
    with torch.no_grad():
        img, _ = vision(reference_pixels(2))
        txt77, _ = text(reference_ids(CONTEXT))
        txt7, _ = text(reference_ids(len(REFERENCE_TOKENS)))
    stamp = stamp_for(c)
    stamp.update({
        "parameters": {"vision": pv, "text": pt},
        "ops": {"vision": op_list(vpath), "text": op_list(tpath)},
        "cosineChecks": checks,
        "reference": {
            "pixels": "pixel_values[b,c,y,x] = ((7b + 3c + 5y + 11x + floor(x/32)*floor(y/32)*(b+1)) mod 17)/8 - 1",
            "imageEmbeds": img.tolist(),
            "inputIds": REFERENCE_TOKENS,
            "textEmbeds77": txt77[0].tolist(),
            "textEmbeds7": txt7[0].tolist(),
        },
    })
    (folder / "generator.json").write_text(json.dumps(stamp) + "\n")
    print(f"[{c.id}] ops vision: {' '.join(stamp['ops']['vision'])}")
    print(f"[{c.id}] ops text:   {' '.join(stamp['ops']['text'])}")
    print(f"[{c.id}] done in {time.time() - t0:.1f} s")


def describe_sizes(c: Config, folder: Path) -> None:
    total = 0
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            total += p.stat().st_size
            print(f"  {p.relative_to(folder)}: {p.stat().st_size:,} B")
    print(f"[{c.id}] {folder}: {total / 1e6:.1f} MB in all")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=sorted(CONFIGS), action="append",
                    help="generate only this model (repeatable); default: all")
    ap.add_argument("--out", type=Path,
                    help="output folder (only with a single --only); default: the model's folder in the repo")
    ap.add_argument("--force", action="store_true", help="regenerate even if the stamp says it is current")
    a = ap.parse_args()
    names = a.only or list(CONFIGS)
    if a.out is not None and len(names) != 1:
        ap.error("--out needs exactly one --only")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in names:
        c = CONFIGS[name]
        folder = (a.out if a.out is not None else REPO_ROOT / c.default_out).resolve()
        if not a.force and is_up_to_date(folder, c):
            print(f"[{c.id}] up to date in {folder} (generator v{GENERATOR_VERSION}); --force to rebuild")
        else:
            build(c, folder)
        describe_sizes(c, folder)


if __name__ == "__main__":
    main()
