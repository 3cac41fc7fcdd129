"""Inline SVG charts for ``report.html``: line charts of training curves and labelled scatter plots.

Plain SVG text (no matplotlib, no script, no external font), so the report opens anywhere offline.
Every label goes through :func:`html.escape`. Axes show a handful of "nice" ticks (1, 2, 5 x 10^k).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["PALETTE", "line_chart", "nice_ticks", "scatter_chart"]

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
"""Categorical colours (the Tableau-10 set), reused cyclically."""
_W, _H, _L, _R, _T, _B = 520, 220, 58, 12, 24, 34
"""Chart width, height and left / right / top / bottom margins in pixels."""
_LEGEND = 170
"""Extra width on the right of a chart with a legend (the legend never covers the data)."""


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _frame(
    title: str, xs: tuple[float, float], ys: tuple[float, float], xlabel: str, log_y: bool, legend: bool
) -> list[str]:
    """The axes, ticks, grid and title of a chart whose data range is ``xs`` x ``ys``."""
    width = _W + (_LEGEND if legend else 0)
    parts = [
        f'<svg class="chart" width="{width}" height="{_H}" '
        f'viewBox="0 0 {width} {_H}" role="img" aria-label="{escape(title)}">',
        f'<text x="{_W / 2}" y="15" text-anchor="middle" class="title">{escape(title)}</text>',
        f'<rect x="{_L}" y="{_T}" width="{_W - _L - _R}" height="{_H - _T - _B}" class="plot"/>',
    ]
    for tick in nice_ticks(*xs):
        x = _x(tick, xs)
        parts.append(f'<line x1="{x:.1f}" y1="{_H - _B}" x2="{x:.1f}" y2="{_H - _B + 4}" class="axis"/>')
        parts.append(f'<text x="{x:.1f}" y="{_H - _B + 15}" text-anchor="middle">{_fmt(tick)}</text>')
    for tick in nice_ticks(*ys):
        y = _y(tick, ys)
        label = _fmt(10**tick) if log_y else _fmt(tick)
        parts.append(f'<line x1="{_L}" y1="{y:.1f}" x2="{_W - _R}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{_L - 4}" y="{y + 3:.1f}" text-anchor="end">{label}</text>')
    parts.append(f'<text x="{_W / 2}" y="{_H - 4}" text-anchor="middle">{escape(xlabel)}</text>')
    return parts


def _x(v: float, xs: tuple[float, float]) -> float:
    span = xs[1] - xs[0] or 1.0
    return _L + (v - xs[0]) / span * (_W - _L - _R)


def _y(v: float, ys: tuple[float, float]) -> float:
    span = ys[1] - ys[0] or 1.0
    return _H - _B - (v - ys[0]) / span * (_H - _T - _B)


def _range(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad


def line_chart(
    title: str, series: dict[str, tuple[Sequence[float], Sequence[float]]], *, xlabel: str = "step"
) -> str:
    """One SVG with a polyline per ``{name: (xs, ys)}`` (finite points only) and a legend.

    The y axis is logarithmic when every value is positive and they span more than two decades.
    """
    clean = {
        name: [(x, y) for x, y in zip(xs, ys) if math.isfinite(x) and math.isfinite(y)]
        for name, (xs, ys) in series.items()
    }
    clean = {k: v for k, v in clean.items() if v}
    if not clean:
        return ""
    all_y = [y for pts in clean.values() for _, y in pts]
    log_y = min(all_y) > 0 and max(all_y) / min(all_y) > 100
    if log_y:
        clean = {k: [(x, math.log10(y)) for x, y in pts] for k, pts in clean.items()}
        all_y = [y for pts in clean.values() for _, y in pts]
    xr = (min(x for pts in clean.values() for x, _ in pts), max(x for pts in clean.values() for x, _ in pts))
    if xr[0] == xr[1]:  # one logged step: centre it
        xr = (xr[0] - 1.0, xr[1] + 1.0)
    yr = _range(all_y)
    parts = _frame(title + (" (log scale)" if log_y else ""), xr, yr, xlabel, log_y, len(clean) > 1)
    for i, (name, pts) in enumerate(clean.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{_x(x, xr):.1f},{_y(y, yr):.1f}" for x, y in pts)
        if len(pts) == 1:
            x, y = pts[0]
            parts.append(f'<circle cx="{_x(x, xr):.1f}" cy="{_y(y, yr):.1f}" r="3" fill="{colour}"/>')
        else:
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if len(clean) > 1:
            ly = _T + 12 + 13 * i
            parts.append(f'<rect x="{_W + 4}" y="{ly - 8}" width="10" height="3" fill="{colour}"/>')
            parts.append(f'<text x="{_W + 18}" y="{ly - 3}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def scatter_chart(
    title: str,
    points: Sequence[tuple[float, float]],
    groups: Sequence[str] | None = None,
    *,
    xlabel: str = "",
    ylabel: str = "",
    max_legend: int = 10,
) -> str:
    """One SVG scatter plot; ``groups[i]`` (a label) picks the colour of point i, with a legend."""
    pts = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    if not pts:
        return ""
    names = list(dict.fromkeys(groups)) if groups is not None else []
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    xr, yr = _range([p[0] for p in pts]), _range([p[1] for p in pts])
    parts = _frame(title, xr, yr, xlabel, False, bool(names))
    if ylabel:
        parts.append(
            f'<text x="12" y="{_H / 2}" text-anchor="middle" transform="rotate(-90 12 {_H / 2})">{escape(ylabel)}</text>'
        )
    for i, (x, y) in enumerate(points):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        fill = colour[groups[i]] if groups is not None else PALETTE[0]
        parts.append(
            f'<circle cx="{_x(x, xr):.1f}" cy="{_y(y, yr):.1f}" r="2.2" fill="{fill}" fill-opacity="0.7"/>'
        )
    for i, name in enumerate(names[:max_legend]):
        ly = _T + 12 + 13 * i
        parts.append(f'<circle cx="{_W + 8}" cy="{ly - 4}" r="4" fill="{colour[name]}"/>')
        parts.append(f'<text x="{_W + 18}" y="{ly}">{escape(name)}</text>')
    if len(names) > max_legend:
        ly = _T + 12 + 13 * max_legend
        parts.append(f'<text x="{_W + 18}" y="{ly}">+{len(names) - max_legend} more</text>')
    parts.append("</svg>")
    return "\n".join(parts)
