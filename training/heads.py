"""The three heads of Table I, all f(image, tag) → one score on the 1–10 scale.

Inputs: L2-NORMALIZED 512-d CLIP embeddings, image_embeds [N, 512] and tag_embeds [N, 512]; the output is
[N] (unbounded; the final bias starts at the training mean score so training begins on the right scale).
The baselines take the tag argument and ignore it, so one training loop serves all three.

TagHead (the paper's "cross-attention between image and tag embeddings → one 512-d feature per pair → MLP"):
- CLIP gives a single vector per image and per tag, and attention over one key is a no-op (its softmax is
  always 1). So each embedding is first expanded into T = 8 tokens of width d = 64 by a learned linear map
  512 → T·d, reshaped to T×d ("a learned reshape": each token is a different learned view of the vector).
- The TAG tokens are the queries; the IMAGE tokens are the keys and values: the tag attends to the image
  and picks, per head and per tag token, which image views matter for this tag. The attention logits
  ⟨W_q t, W_k x⟩ are bilinear in (tag, image), exactly the interaction a tag-dependent score needs.
- One pre-norm transformer-decoder block: h = tag_tokens + Wo·MHA(LN(tag_tokens), LN(image_tokens)),
  h = h + FFN(LN(h)); 4 heads of 16 dims, FFN 64 → 128 → 64 with GELU, dropout on attention weights and
  in the FFN and MLP. The residual keeps the tag's own tokens in h, so the MLP sees the tag and what it
  retrieved from the image.
- Flattening h (8 × 64) gives the one 512-d feature per (image, tag); MLP 512 → 256 → 1 with GELU.
The graph is written with explicit reshapes (-1 for N) and matmuls so its ONNX export uses only ops the
onnxruntime-web WASM and WebGPU EPs run (export_onnx.py checks the list).
"""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

EMBED_DIM = 512


class TagHead(nn.Module):
    def __init__(
        self,
        embed_dim: int = EMBED_DIM,
        tokens: int = 8,
        width: int = 64,
        heads: int = 4,
        ffn: int = 128,
        mlp_hidden: int = 256,
        dropout: float = 0.1,
        score_mean: float = 5.5,
    ) -> None:
        super().__init__()
        if width % heads:
            raise ValueError('width must be a multiple of heads')
        self.hparams: dict[str, Any] = dict(
            embed_dim=embed_dim, tokens=tokens, width=width, heads=heads, ffn=ffn, mlp_hidden=mlp_hidden,
            dropout=dropout, score_mean=score_mean,
        )
        self.tokens, self.width, self.heads = tokens, width, heads
        self.head_dim = width // heads
        self.image_tokens = nn.Linear(embed_dim, tokens * width)
        self.tag_tokens = nn.Linear(embed_dim, tokens * width)
        self.norm_q = nn.LayerNorm(width)
        self.norm_kv = nn.LayerNorm(width)
        self.q = nn.Linear(width, width)
        self.k = nn.Linear(width, width)
        self.v = nn.Linear(width, width)
        self.o = nn.Linear(width, width)
        self.attn_drop = nn.Dropout(dropout)
        self.norm_ffn = nn.LayerNorm(width)
        self.ffn = nn.Sequential(nn.Linear(width, ffn), nn.GELU(), nn.Dropout(dropout), nn.Linear(ffn, width))
        self.mlp = nn.Sequential(
            nn.Linear(tokens * width, mlp_hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_hidden, 1)
        )
        nn.init.constant_(self.mlp[-1].bias, score_mean)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        # [N, T, width] → [N, heads, T, head_dim]
        return x.reshape(-1, self.tokens, self.heads, self.head_dim).transpose(1, 2)

    def features(self, image: torch.Tensor, tag: torch.Tensor) -> torch.Tensor:
        """The one 512-d (tokens × width) feature per (image, tag) pair."""
        return self._features(image, self.tag_tokens(tag))

    def _features(self, image: torch.Tensor, tag_projected: torch.Tensor) -> torch.Tensor:
        img = self.image_tokens(image).reshape(-1, self.tokens, self.width)
        tg = tag_projected.reshape(-1, self.tokens, self.width)
        kv = self.norm_kv(img)
        q = self._split_heads(self.q(self.norm_q(tg)))
        k = self._split_heads(self.k(kv))
        v = self._split_heads(self.v(kv))
        att = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(self.head_dim)), dim=-1)
        ctx = torch.matmul(self.attn_drop(att), v).transpose(1, 2).reshape(-1, self.tokens, self.width)
        h = tg + self.o(ctx)
        h = h + self.ffn(self.norm_ffn(h))
        return h.reshape(-1, self.tokens * self.width)

    def forward(self, image: torch.Tensor, tag: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.features(image, tag)).reshape(-1)

    def forward_indexed(self, image: torch.Tensor, tag_table: torch.Tensor, tag_index: torch.Tensor) -> torch.Tensor:
        """forward(image, tag_table[tag_index]), projecting each distinct tag once: a batch holds at most 66
        tags, so training skips a [2B, 512] × [512, 512] matmul per step. Same function, same gradients."""
        return self.mlp(self._features(image, self.tag_tokens(tag_table)[tag_index])).reshape(-1)


class ClipMlpHead(nn.Module):
    """Tag-blind baseline "CLIP + MLP": 512 → 512 → 256 → 1 on the image embedding alone."""

    def __init__(self, embed_dim: int = EMBED_DIM, hidden: int = 512, hidden2: int = 256, dropout: float = 0.1,
                 score_mean: float = 5.5) -> None:
        super().__init__()
        self.hparams: dict[str, Any] = dict(embed_dim=embed_dim, hidden=hidden, hidden2=hidden2, dropout=dropout,
                                            score_mean=score_mean)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden2), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden2, 1),
        )
        nn.init.constant_(self.mlp[-1].bias, score_mean)

    def forward(self, image: torch.Tensor, tag: torch.Tensor | None = None) -> torch.Tensor:
        return self.mlp(image).reshape(-1)

    def forward_indexed(self, image: torch.Tensor, tag_table: torch.Tensor, tag_index: torch.Tensor) -> torch.Tensor:
        return self.forward(image)


class LinearHead(nn.Module):
    """Tag-blind linear baseline (the LAION-predictor shape): one nn.Linear(512, 1) on the image embedding."""

    def __init__(self, embed_dim: int = EMBED_DIM, score_mean: float = 5.5) -> None:
        super().__init__()
        self.hparams: dict[str, Any] = dict(embed_dim=embed_dim, score_mean=score_mean)
        self.linear = nn.Linear(embed_dim, 1)
        nn.init.constant_(self.linear.bias, score_mean)

    def forward(self, image: torch.Tensor, tag: torch.Tensor | None = None) -> torch.Tensor:
        return self.linear(image).reshape(-1)

    def forward_indexed(self, image: torch.Tensor, tag_table: torch.Tensor, tag_index: torch.Tensor) -> torch.Tensor:
        return self.forward(image)


MODELS: dict[str, type[nn.Module]] = {'tag': TagHead, 'mlp': ClipMlpHead, 'linear': LinearHead}
LABELS = {
    'tag': 'CLIP + tag cross-attention + MLP',
    'mlp': 'CLIP + MLP (no tag)',
    'linear': 'CLIP + linear (no tag)',
}


def build_head(kind: str, **hparams: Any) -> nn.Module:
    if kind not in MODELS:
        raise ValueError(f'unknown model {kind!r}; choose one of {", ".join(MODELS)}')
    if kind == 'linear':
        hparams.pop('dropout', None)
    return MODELS[kind](**hparams)
