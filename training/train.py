"""Train one head with the paper's loss, eq. (1) of REFERENCE.md §1:

    L(θ) = −mean( log σ( f(T, xi) − f(T, xj) ) ) + λ · mean( ( f(T, xi) − si )² )

over a batch of pairs (xi ranked above xj for tag T, pairs.py), si the ground-truth mean score of xi.
log σ is computed as F.logsigmoid, which stays finite for large negative differences.

CLI (one model; benchmark.py trains all three and writes the report):
  python3 training/train.py --model tag|mlp|linear --embeddings synthetic|<prefix> [--tag-embeddings <prefix>]
                            [--out training/out] [--steps N] [--lambda 1.0] [--margin 0.1] [--seed 0] [--resume]
Writes <out>/<model>/: checkpoint.pt (model, optimizer and RNG states: --resume continues bit-for-bit),
loss_curve.png, metrics.json, eval_predictions.json (re-scorable with training/metrics.py).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ava  # noqa: E402
import metrics  # noqa: E402
import pairs  # noqa: E402
from dataset import HeadData, Items, load  # noqa: E402
from heads import LABELS, build_head  # noqa: E402
from plot import plot_history  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / 'out'


@dataclass
class TrainConfig:
    model: str = 'tag'
    steps: int = 3000
    batch_size: int = 256  # pairs per step (2× images through the head)
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup: float = 0.05  # fraction of steps with a linear warm-up, then cosine decay to 5% of lr
    lam: float = 1.0  # λ of eq. (1)
    margin: float = 0.1  # near-tie margin on the mean score (pairs.py)
    balance: float = 0.5  # tag sampling exponent (pairs.py)
    dropout: float = 0.1
    seed: int = 0
    log_every: int = 50
    eval_every: int = 500
    checkpoint_every: int = 1000


def set_seeds(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def eq1_loss(f_i: torch.Tensor, f_j: torch.Tensor, s_i: torch.Tensor, lam: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(total, ranking term, regression term) of eq. (1)."""
    rank = -F.logsigmoid(f_i - f_j).mean()
    reg = ((f_i - s_i) ** 2).mean()
    return rank + lam * reg, rank, reg


@torch.no_grad()
def predict(model: nn.Module, data: HeadData, items: Items, batch: int = 4096) -> np.ndarray:
    was_training = model.training
    model.eval()
    img = torch.from_numpy(data.image_embeds)
    tag = torch.from_numpy(data.tag_embeds)
    out = []
    for s in range(0, len(items), batch):
        ir = torch.from_numpy(items.image_rows[s:s + batch])
        tr = torch.from_numpy(items.tag_rows[s:s + batch])
        out.append(model.forward_indexed(img[ir], tag, tr).double().numpy())
    model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0)


def evaluate_items(model: nn.Module, data: HeadData, items: Items) -> tuple[dict[str, Any], np.ndarray]:
    pred = predict(model, data, items)
    tags = [data.tag_names[t] for t in items.tag_rows]
    return metrics.evaluate(pred, items.scores, tags), pred


def lr_factor(step: int, cfg: TrainConfig) -> float:
    warm = max(1, int(cfg.warmup * cfg.steps))
    if step < warm:
        return (step + 1) / warm
    progress = (step - warm) / max(1, cfg.steps - warm)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def make_model(cfg: TrainConfig, data: HeadData) -> nn.Module:
    return build_head(cfg.model, dropout=cfg.dropout, score_mean=float(data.train.scores.mean()))


def save_checkpoint(path: Path, model: nn.Module, opt: torch.optim.Optimizer, cfg: TrainConfig, step: int,
                    rng: np.random.Generator, history: list, evals: list, source: str) -> None:
    tmp = path.with_suffix('.tmp')
    torch.save({
        'kind': cfg.model, 'hparams': getattr(model, 'hparams', {}), 'model': model.state_dict(),
        'optimizer': opt.state_dict(), 'config': asdict(cfg), 'step': step, 'rng': rng.bit_generator.state,
        'torch_rng': torch.get_rng_state(), 'history': history, 'evals': evals, 'source': source,
    }, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint behind


def load_head(path: Path) -> tuple[nn.Module, dict[str, Any]]:
    """A trained head from a checkpoint, in eval mode."""
    ckpt = torch.load(path, map_location='cpu')
    model = build_head(ckpt['kind'], **ckpt['hparams'])
    model.load_state_dict(ckpt['model'])
    model.eval()
    return model, ckpt


def train_model(data: HeadData, cfg: TrainConfig, out_dir: Path, resume: bool = False,
                log: Callable[[str], None] = print) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    set_seeds(cfg.seed)
    model = make_model(cfg, data)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    rng = np.random.default_rng([cfg.seed, 7])  # the pair-sampling stream
    history: list[dict[str, Any]] = []
    evals: list[dict[str, Any]] = []
    start = 0
    ckpt_path = out_dir / 'checkpoint.pt'
    if resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location='cpu')
        model.load_state_dict(ckpt['model'])
        opt.load_state_dict(ckpt['optimizer'])
        rng.bit_generator.state = ckpt['rng']
        torch.set_rng_state(ckpt['torch_rng'])
        start, history, evals = ckpt['step'], ckpt['history'], ckpt['evals']
        log(f'[{cfg.model}] resumed at step {start}')

    groups = pairs.group_by_tag(data.train.tag_rows, cfg.balance)
    sims = data.similarities(data.train)
    img = torch.from_numpy(data.image_embeds)
    tag = torch.from_numpy(data.tag_embeds)
    scores = torch.from_numpy(data.train.scores.astype(np.float32))
    image_rows = torch.from_numpy(data.train.image_rows)
    tag_rows = torch.from_numpy(data.train.tag_rows)

    t0 = time.time()
    window: dict[str, float] = {'loss': 0.0, 'rank': 0.0, 'reg': 0.0, 'ties': 0.0, 'n': 0}
    model.train()
    for step in range(start, cfg.steps):
        for group in opt.param_groups:
            group['lr'] = cfg.lr * lr_factor(step, cfg)
        win, lose, tie = pairs.sample_pairs(groups, data.train.scores, sims, cfg.batch_size, cfg.margin, rng)
        win_t, lose_t = torch.from_numpy(win), torch.from_numpy(lose)
        both = torch.cat([win_t, lose_t])
        # One forward over the 2B images; xi and xj share the tag by construction.
        f = model.forward_indexed(img[image_rows[both]], tag, tag_rows[both])
        f_i, f_j = f[: cfg.batch_size], f[cfg.batch_size:]
        loss, rank, reg = eq1_loss(f_i, f_j, scores[win_t], cfg.lam)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

        window['loss'] += float(loss)
        window['rank'] += float(rank)
        window['reg'] += float(reg)
        window['ties'] += float(tie.mean())
        window['n'] += 1
        done = step + 1
        if done % cfg.log_every == 0 or done == cfg.steps:
            n = window['n']
            history.append({'step': done, 'loss': window['loss'] / n, 'rank': window['rank'] / n,
                            'reg': window['reg'] / n, 'lambda': cfg.lam, 'nearTieFraction': window['ties'] / n,
                            'lr': opt.param_groups[0]['lr']})
            window = {'loss': 0.0, 'rank': 0.0, 'reg': 0.0, 'ties': 0.0, 'n': 0}
        if done % cfg.eval_every == 0 or done == cfg.steps:
            m, _ = evaluate_items(model, data, data.eval)
            evals.append({'step': done, 'srcc': m['srcc'], 'lcc': m['lcc'], 'errorMean': m['errorMean']})
            # The latest logged window, or the one still filling when eval_every < log_every.
            recent = window['loss'] / window['n'] if window['n'] else (history[-1]['loss'] if history else float('nan'))
            log(f'[{cfg.model}] step {done}/{cfg.steps} loss {recent:.4f} eval SRCC {m["srcc"]:.4f} '
                f'LCC {m["lcc"]:.4f} ({time.time() - t0:.1f}s)')
        if done % cfg.checkpoint_every == 0 or done == cfg.steps:
            save_checkpoint(ckpt_path, model, opt, cfg, done, rng, history, evals, data.source)

    seconds = time.time() - t0
    model.eval()
    final, pred = evaluate_items(model, data, data.eval)
    plot_history(out_dir / 'loss_curve.png', history, evals,
                 f'{LABELS[cfg.model]} on {data.source}: eq. (1), lambda = {cfg.lam}, margin = {cfg.margin}')
    result = {
        'model': cfg.model, 'label': LABELS[cfg.model], 'source': data.source, 'config': asdict(cfg),
        'params': sum(p.numel() for p in model.parameters()), 'trainSeconds': seconds,
        'trainItems': len(data.train), 'evalItems': len(data.eval), 'metrics': final,
        'expectedPairsPerTag': {data.tag_names[t]: round(v, 1) for t, v in
                                groups.expected_pairs(cfg.steps * cfg.batch_size).items()},
        'checkpoint': str(ckpt_path), 'lossCurve': str(out_dir / 'loss_curve.png'),
    }
    (out_dir / 'metrics.json').write_text(json.dumps(result, indent=2) + '\n')
    (out_dir / 'eval_predictions.json').write_text(json.dumps({
        'pred': pred.tolist(), 'true': data.eval.scores.tolist(),
        'tags': [data.tag_names[t] for t in data.eval.tag_rows],
    }) + '\n')
    result['modelObject'] = model
    return result


def add_common_args(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    p.add_argument('--embeddings', default='synthetic',
                   help="'synthetic' (the planted benchmark) or an embedding prefix: <prefix>.npy + <prefix>.jsonl")
    p.add_argument('--tag-embeddings', default=None, help='prefix of the tag-name text embeddings (real data only)')
    p.add_argument('--ava', type=Path, default=ava.DEFAULT_AVA_DIR, help='AVA metadata folder (AVA.csv, tags.txt)')
    p.add_argument('--out', type=Path, default=DEFAULT_OUT)
    p.add_argument('--steps', type=int, default=d.steps)
    p.add_argument('--batch-size', type=int, default=d.batch_size)
    p.add_argument('--lr', type=float, default=d.lr)
    p.add_argument('--weight-decay', type=float, default=d.weight_decay)
    p.add_argument('--lambda', dest='lam', type=float, default=d.lam, help='λ of eq. (1)')
    p.add_argument('--margin', type=float, default=d.margin, help='near-tie margin on mean scores')
    p.add_argument('--balance', type=float, default=d.balance, help='tag sampling ∝ n_T ** balance')
    p.add_argument('--dropout', type=float, default=d.dropout)
    p.add_argument('--seed', type=int, default=d.seed)
    p.add_argument('--eval-every', type=int, default=d.eval_every)
    p.add_argument('--checkpoint-every', type=int, default=d.checkpoint_every)
    # One thread by default: these matmuls are small (512-d), and on a shared or busy machine more threads
    # than free cores made a step several times slower here; pass --threads N on a dedicated machine.
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads (0 = all cores; default 1)')


def config_from_args(args: argparse.Namespace, model: str) -> TrainConfig:
    return TrainConfig(model=model, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                       weight_decay=args.weight_decay, lam=args.lam, margin=args.margin, balance=args.balance,
                       dropout=args.dropout, seed=args.seed, eval_every=args.eval_every,
                       checkpoint_every=args.checkpoint_every)


def set_threads(n: int) -> None:
    torch.set_num_threads(n if n > 0 else (len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', choices=['tag', 'mlp', 'linear'], default='tag')
    p.add_argument('--resume', action='store_true', help='continue from <out>/<model>/checkpoint.pt')
    add_common_args(p)
    args = p.parse_args(argv)
    set_threads(args.threads)
    data = load(args.embeddings, args.tag_embeddings, args.ava, args.seed)
    for note in data.notes:
        print(f'[data] {note}')
    res = train_model(data, config_from_args(args, args.model), args.out / args.model, resume=args.resume)
    m = res['metrics']
    print(f'[{args.model}] eval: Error {m["errorMean"]:.3f} (±{m["errorSd"]:.3f}) LCC {m["lcc"]:.3f} '
          f'SRCC {m["srcc"]:.3f} KL {m["kl"]:.3f} EMD {m["emd"]:.3f}; wrote {args.out / args.model}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
