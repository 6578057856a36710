"""Charts of a budget-risk simulation (:func:`mtfs_model.risk.simulate`).

Each function takes a :class:`~mtfs_model.risk.RiskResult` and returns a matplotlib
:class:`~matplotlib.figure.Figure` drawn on the Agg canvas (no pyplot, no global state,
so a notebook's backend is left alone).  Greyscale-readable: bands are shades of grey,
the median a solid black line, references dashed, P10 and P90 bars told apart by hatch
as well as shade.  Money axes in £m (the model's GBP000 / 1,000).

>>> fig = fan_chart(result, "net_budget")
>>> fig.savefig("fan.png", dpi=150)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .data import cell
from .risk import BASE_HN_ROW, BASE_ROW, MTFS_ROW, PERCENTILE_LABELS, SCENARIO_HN_ROW, Distribution, RiskResult
from .risk_sensitivity import tornado_columns

FANS = {
    "net_budget": ("Net budget", MTFS_ROW, "Published MTFS"),
    "gap": ("Gap to the published MTFS", None, "MTFS (zero gap)"),
    "hn_deficit": ("High Needs cumulative deficit", SCENARIO_HN_ROW, "Scenario forecast (deterministic)"),
}
TORNADOS = {
    "net": ("net budget", "net_swing", BASE_ROW),
    "hn": ("High Needs deficit", "hn_swing", BASE_HN_ROW),
}
"""Each tornado measure: what it is, its swing column and its base row in ``reference``."""


def _tornado_bars(result: RiskResult, measure: str) -> tuple[str, str]:
    """The tornado's P10 and P90 columns for ``measure`` (built from the edition's final year)."""
    if measure == "hn":
        return "hn_deficit_at_p10", "hn_deficit_at_p90"
    cols = tornado_columns(result.years[-1])
    return cols[3], cols[4]


def _pounds_m(value: float, _pos: Any = None) -> str:
    """GBP000 as £m with one decimal: ``93751`` -> ``£93.8m``."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value) / 1000:,.1f}m"


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def fan_chart(result: RiskResult, measure: str = "net_budget") -> Figure:
    """A fan chart by year: P5-P95 and P10-P90 bands around the P50 (median).

    ``measure`` is ``net_budget`` (with the published MTFS dashed), ``hn_deficit`` (with
    the scenario's deterministic forecast dashed) or ``gap`` (with the zero line).
    """
    if measure not in FANS:
        raise ValueError(f"measure: expected one of {', '.join(FANS)}, got {measure!r}")
    title, ref_row, ref_label = FANS[measure]
    frame = getattr(result, measure)
    years = list(result.years)
    fig, ax = _figure(7.5, 4.5)
    x = np.arange(len(years))
    p5, p10, p50, p90, p95 = (frame.loc[p, years].to_numpy(dtype=float) for p in PERCENTILE_LABELS)
    outer, inner = (
        f"{PERCENTILE_LABELS[0]} to {PERCENTILE_LABELS[-1]}",
        f"{PERCENTILE_LABELS[1]} to {PERCENTILE_LABELS[-2]}",
    )
    ax.fill_between(x, p5, p95, color="0.87", linewidth=0, label=outer)
    ax.fill_between(x, p10, p90, color="0.65", linewidth=0, label=inner)
    ax.plot(x, p50, color="black", linewidth=2, marker="o", label=f"{PERCENTILE_LABELS[2]} (median)")
    ref = np.zeros(len(years)) if ref_row is None else result.reference.loc[ref_row, years].to_numpy(dtype=float)
    ax.plot(x, ref, color="0.25", linestyle="--", linewidth=1.5, marker="s", markersize=4, label=ref_label)
    for i in sorted({0, len(years) - 1}):
        ax.annotate(_pounds_m(p50[i]), (x[i], p50[i]), textcoords="offset points", xytext=(0, 8), ha="center")
    ax.set_xticks(x, years)
    ax.set_xlabel("Fiscal year")
    ax.yaxis.set_major_formatter(FuncFormatter(_pounds_m))
    ax.set_ylabel(f"{title}, £m")
    fig.suptitle(f"{title}: {result.n:,} simulated trajectories ({result.scenario.name})", x=0.01, ha="left")
    ax.grid(axis="y", color="0.9")
    ax.legend(frameon=False, loc="upper left")
    return fig


def _short(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


UNITS = (("_gbp000_per_year", " (£000 a year)"), ("_gbp_week", " (£/week)"), ("_gbp", " (£)"))


def input_label(d: Distribution) -> str:
    """A short axis label for an input: ``G1 unit cost current (£/week)``,
    ``CF5 delivery: Departmental Efficiency Savings``, ``High Needs: Placement Costs``."""
    if d.kind == "driver" and d.driver:
        key = d.driver
        for suffix, unit in UNITS:
            if key.endswith(suffix):
                key = key[: -len(suffix)] + unit
                break
        return _short(f"{d.target} {key.replace('_', ' ')}")
    if d.kind == "line":
        factor = d.name.rsplit(".", 1)[-1]
        return _short(f"{d.target} {factor}: {d.label.split(' ', 1)[1].rsplit(' (', 1)[0]}")
    return _short(d.label)


def tornado_chart(result: RiskResult, measure: str = "net", top: int = 10) -> Figure:
    """A tornado of the final year's ``net`` budget or ``hn`` (High Needs) deficit: each input
    at its P10 (dark) and P90 (light, hatched) with every other at its median; the
    ``top`` inputs by swing, inputs that do not move the measure left out."""
    if measure not in TORNADOS:
        raise ValueError(f"measure: expected one of {', '.join(TORNADOS)}, got {measure!r}")
    what, col_swing, base_row = TORNADOS[measure]
    col_lo, col_hi = _tornado_bars(result, measure)
    final = result.years[-1]
    base = cell(result.reference, base_row, final)
    rows = result.tornado[result.tornado[col_swing] > 0].sort_values(col_swing, ascending=False, kind="stable")
    rows = rows.head(top).iloc[::-1]  # largest at the top
    fig, ax = _figure(8.5, 0.45 * max(len(rows), 2) + 1.6)
    y = np.arange(len(rows))
    lo = rows[col_lo].to_numpy(dtype=float) - base
    hi = rows[col_hi].to_numpy(dtype=float) - base
    ax.barh(y, lo, left=base, color="0.3", edgecolor="black", linewidth=0.6, label="input at its P10")
    ax.barh(y, hi, left=base, color="0.8", edgecolor="black", linewidth=0.6, hatch="//", label="input at its P90")
    for yi, a, b in zip(y, lo, hi, strict=True):
        for v in (a, b):
            if v != 0:
                ax.annotate(
                    _pounds_m(base + v),
                    (base + v, yi),
                    textcoords="offset points",
                    xytext=(4 if v > 0 else -4, 0),
                    ha="left" if v > 0 else "right",
                    va="center",
                    fontsize=8,
                )
    ax.axvline(base, color="black", linewidth=1, label=f"every input at its median {_pounds_m(base)}")
    if measure == "net":
        mtfs = cell(result.reference, MTFS_ROW, final)
        ax.axvline(mtfs, color="0.4", linestyle="--", linewidth=1, label=f"published MTFS {_pounds_m(mtfs)}")
    labels = {d.name: input_label(d) for d in result.spec.distributions}
    ax.set_yticks(y, [labels[str(name)] for name in rows.index])
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds_m))
    ax.set_xlabel(f"{final} {what}, £m")
    fig.suptitle(f"What moves the {final} {what}: one input at a time ({result.scenario.name})", x=0.01, ha="left")
    ax.margins(x=0.15)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    return fig
