"""The what-if panel's chart as inline SVG: drawn as text in about a millisecond, so a
slider move refreshes numbers and picture together well inside 50 ms (a matplotlib PNG
of the same chart takes 50–150 ms to render).  Offline, no script, deterministic: the same
figures give the same text.

The look follows the brief's charts: greyscale with line styles, £m to one decimal
(half up), the axis break mark where the axis does not start at zero, a title and a
labelled axis, at its own size (640 x 320 px, never stretched).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from mtfs_model.base.rounding import gbp_m

__all__ = ["HEIGHT", "WIDTH", "line_chart_svg", "nice_ticks"]

WIDTH, HEIGHT = 640, 320
"""The chart's size in px (the PNG chart's size)."""
_LEFT, _RIGHT, _TOP, _BOTTOM = 96, 20, 34, 54
_FONT = "font-family:DejaVu Sans,Arial,sans-serif"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (a step of 1, 2 or 5 times a power of ten)
    covering ``lo``..``hi``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("ticks need finite limits")
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    k = 0
    while first + k * step <= hi + step * 1e-9:
        ticks.append(round(first + k * step, 10))
        k += 1
    if ticks[-1] < hi:
        ticks.append(round(first + k * step, 10))
    return ticks


def _fmt(x: float) -> str:
    """A coordinate in px to a tenth (not a figure a reader sees: no money rounding)."""
    text = format(x, ".1f")
    return text[:-2] if text.endswith(".0") else text


def line_chart_svg(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    y_label: str,
) -> str:
    """An SVG line chart of ``series`` (``(label, values in GBP000, style)``, style
    ``"solid"`` or ``"dashed"``) over ``categories``; y in £m.  The axis is fitted to the
    data; if it does not include zero it carries the break mark and the label says so."""
    values = [float(v) for _, vs, _ in series for v in vs]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.01 or 1.0
    ticks = nice_ticks(lo - pad, hi + pad)
    y0, y1 = ticks[0], ticks[-1]
    broken = not (y0 <= 0 <= y1)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x_at(i: int) -> float:
        return _LEFT + plot_w * (i + 0.5) / len(categories)

    def y_at(v: float) -> float:
        return _TOP + plot_h * (1 - (v - y0) / (y1 - y0))

    e = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{e(title)}" style="{_FONT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{_LEFT}" y="18" font-size="13">{e(title)}</text>',
    ]
    for t in ticks:
        y = _fmt(y_at(t))
        out.append(f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y}" y2="{y}" stroke="#d9d9d9" stroke-width="0.8"/>')
        out.append(f'<text x="{_LEFT - 6}" y="{y}" font-size="10" text-anchor="end" dy="3.5">{e(gbp_m(t))}</text>')
    base = _TOP + plot_h
    out.append(f'<line x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{base}" stroke="black" stroke-width="1"/>')
    out.append(f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{base}" y2="{base}" stroke="black" stroke-width="1"/>')
    for i, c in enumerate(categories):
        out.append(f'<text x="{_fmt(x_at(i))}" y="{base + 16}" font-size="10" text-anchor="middle">{e(str(c))}</text>')
    label = y_label + (" (axis does not start at zero)" if broken else "")
    mid = _fmt(_TOP + plot_h / 2)
    out.append(
        f'<text x="14" y="{mid}" font-size="10" text-anchor="middle" transform="rotate(-90 14 {mid})">{e(label)}</text>'
    )
    if broken:  # a white gap crossed by two short diagonal strokes near the foot of the axis
        at = base - 0.05 * plot_h
        out.append(f'<rect x="{_LEFT - 4}" y="{_fmt(at - 4)}" width="8" height="8" fill="white"/>')
        for mark_y in (at - 4, at + 4):
            out.append(
                f'<line x1="{_LEFT - 6}" y1="{_fmt(mark_y + 3)}" x2="{_LEFT + 6}" y2="{_fmt(mark_y - 3)}" '
                'stroke="black" stroke-width="1.1"/>'
            )
    legend_y = HEIGHT - 12  # the legend under the axis, where no line can hide it
    for k, (name, vs, style) in enumerate(series):
        dash = ' stroke-dasharray="6 4"' if style == "dashed" else ""
        colour = "#8c8c8c" if style == "dashed" else "black"
        points = " ".join(f"{_fmt(x_at(i))},{_fmt(y_at(float(v)))}" for i, v in enumerate(vs))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
        for i, v in enumerate(vs):
            px, py = x_at(i), y_at(float(v))
            if style == "dashed":
                corner = f'x="{_fmt(px - 3.5)}" y="{_fmt(py - 3.5)}"'
                out.append(f'<rect {corner} width="7" height="7" fill="{colour}"/>')
            else:
                out.append(f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="3.5" fill="{colour}"/>')
        lx = _LEFT + 10 + 150 * k
        stroke = f'stroke="{colour}" stroke-width="1.6"{dash}'
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y}" y2="{legend_y}" {stroke}/>')
        out.append(f'<text x="{lx + 30}" y="{legend_y}" dy="3.5" font-size="10">{e(name)}</text>')
    out.append("</svg>")
    return "".join(out)
