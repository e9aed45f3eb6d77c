"""Loss-curve PNG drawn with PIL.ImageDraw (Debian's python3 here has no matplotlib).

Top panel: training loss per logged step (total, ranking term, λ·regression term), y from 0 to the 98th
percentile so the first noisy steps do not flatten the rest. Bottom panel: eval SRCC and LCC.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H = 900, 620
MARGIN_L, MARGIN_R = 70, 20
COLORS = {'loss': (31, 119, 180), 'rank': (255, 127, 14), 'reg': (44, 160, 44), 'srcc': (214, 39, 40), 'lcc': (148, 103, 189)}


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo if hi > lo else 1.0
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(start, hi + step * 1e-9, step)]


def _panel(draw: ImageDraw.ImageDraw, font: ImageFont.ImageFont, box: tuple[int, int, int, int], x_max: float,
           y_lo: float, y_hi: float, series: Sequence[tuple[str, Sequence[float], Sequence[float]]], title: str,
           legend_bottom: bool = False) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((left, top - 14), title, fill=(0, 0, 0), font=font)

    def px(x: float, y: float) -> tuple[float, float]:
        fx = left + (right - left) * (x / x_max if x_max > 0 else 0)
        fy = bottom - (bottom - top) * ((min(max(y, y_lo), y_hi) - y_lo) / (y_hi - y_lo))
        return fx, fy

    for t in _nice_ticks(y_lo, y_hi):
        _, y = px(0, t)
        draw.line([(left - 4, y), (left, y)], fill=(0, 0, 0))
        draw.line([(left + 1, y), (right - 1, y)], fill=(230, 230, 230))
        draw.text((left - 8 - 6 * len(f'{t:g}'), y - 5), f'{t:g}', fill=(0, 0, 0), font=font)
    for t in _nice_ticks(0, x_max):
        x, _ = px(t, y_lo)
        draw.line([(x, bottom), (x, bottom + 4)], fill=(0, 0, 0))
        draw.text((x - 3 * len(f'{t:g}'), bottom + 6), f'{t:g}', fill=(0, 0, 0), font=font)
    legend_x = right - 190
    legend_y = bottom - 14 * len(series) - 16 if legend_bottom else top
    for n, (name, xs, ys) in enumerate(series):
        color = COLORS.get(name.split(' ')[0], (0, 0, 0))
        if len(xs) > 1:
            draw.line([px(x, y) for x, y in zip(xs, ys)], fill=color, width=2)
        elif len(xs) == 1:
            cx, cy = px(xs[0], ys[0])
            draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill=color)
        draw.line([(legend_x, legend_y + 12 + 14 * n), (legend_x + 20, legend_y + 12 + 14 * n)], fill=color, width=2)
        draw.text((legend_x + 26, legend_y + 6 + 14 * n), name, fill=(0, 0, 0), font=font)


def plot_history(path: Path, history: list[dict], evals: list[dict], title: str) -> None:
    img = Image.new('RGB', (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    draw.text((MARGIN_L, 8), title, fill=(0, 0, 0), font=font)
    steps = [h['step'] for h in history]
    x_max = float(max(steps + [e['step'] for e in evals] + [1]))
    losses = np.asarray([h['loss'] for h in history] or [1.0])
    y_hi = float(np.percentile(losses, 98)) * 1.1 or 1.0
    _panel(draw, font, (MARGIN_L, 40, W - MARGIN_R, 330), x_max, 0.0, y_hi, [
        ('loss (total)', steps, [h['loss'] for h in history]),
        ('rank  -log sigmoid', steps, [h['rank'] for h in history]),
        ('reg  lambda * MSE', steps, [h['lambda'] * h['reg'] for h in history]),
    ], 'training loss (mean over each logging window)')
    e_steps = [e['step'] for e in evals]
    _panel(draw, font, (MARGIN_L, 370, W - MARGIN_R, H - 40), x_max, 0.0, 1.0, [
        ('srcc (eval)', e_steps, [e['srcc'] if e['srcc'] is not None else 0.0 for e in evals]),
        ('lcc (eval)', e_steps, [e['lcc'] if e['lcc'] is not None else 0.0 for e in evals]),
    ], 'eval correlation', legend_bottom=True)
    draw.text(((W - 30) // 2, H - 18), 'step', fill=(0, 0, 0), font=font)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
