"""Charts of a budget-risk simulation (:func:`mtfs_model.risk.simulate`).

Each function takes a :class:`~mtfs_model.risk.RiskResult` and returns a matplotlib
:class:`~matplotlib.figure.Figure` drawn on the Agg canvas (no pyplot, no global state,
so a notebook's backend is left alone).  Greyscale-readable: bands are shades of grey,
the median a solid black line, references dashed, P10 and P90 bars told apart by hatch
as well as shade.  Money axes in £m with one decimal (the model's GBP000 / 1,000), a
broken-axis mark where an axis does not start at zero, tornado labels wrapped (never
cut off).  :func:`fan_panels` draws one fan per scenario on a shared axis, identical
fans once.

>>> fig = fan_chart(result, "net_budget")
>>> fig.savefig("fan.png", dpi=150)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mtfs_model.base.cells import cell
from mtfs_model.charts.budget import DPI, NOT_FROM_ZERO, SAME, mark_axis_break, millions, wrap
from mtfs_model.risk.percentiles import PERCENTILE_LABELS
from mtfs_model.risk.sensitivity import tornado_columns
from mtfs_model.risk.simulate import BASE_HN_ROW, BASE_ROW, MTFS_ROW, SCENARIO_HN_ROW, Distribution, RiskResult

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
    return millions(value)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _fan(ax: Axes, result: RiskResult, measure: str, label: bool = True) -> None:
    """One fan on ``ax``: P5-P95 and P10-P90 bands, the median and the reference line."""
    _title, ref_row, ref_label = FANS[measure]
    frame = getattr(result, measure)
    years = list(result.years)
    x = np.arange(len(years))
    p5, p10, p50, p90, p95 = (frame.loc[p, years].to_numpy(dtype=float) for p in PERCENTILE_LABELS)
    outer = f"{PERCENTILE_LABELS[0]} to {PERCENTILE_LABELS[-1]}"
    inner = f"{PERCENTILE_LABELS[1]} to {PERCENTILE_LABELS[-2]}"
    ax.fill_between(x, p5, p95, color="0.87", linewidth=0, label=outer)
    ax.fill_between(x, p10, p90, color="0.65", linewidth=0, label=inner)
    ax.plot(x, p50, color="black", linewidth=2, marker="o", markersize=4, label=f"{PERCENTILE_LABELS[2]} (median)")
    ref = np.zeros(len(years)) if ref_row is None else result.reference.loc[ref_row, years].to_numpy(dtype=float)
    ax.plot(x, ref, color="0.25", linestyle="--", linewidth=1.3, marker="s", markersize=3, label=ref_label)
    if label:
        last = len(years) - 1
        for value, what in ((p50[last], "P50"), (p90[last], "P90")):
            ax.annotate(
                f"{what} {_pounds_m(value)}",
                (x[last], value),
                textcoords="offset points",
                xytext=(-4, 4),
                ha="right",
                fontsize=7.5,
            )
    ax.set_xticks(x, years, fontsize=8)
    ax.grid(axis="y", color="0.9")
    ax.spines[["top", "right"]].set_visible(False)


def fan_chart(result: RiskResult, measure: str = "net_budget") -> Figure:
    """A fan chart by year: P5-P95 and P10-P90 bands around the P50 (median).

    ``measure`` is ``net_budget`` (with the published MTFS dashed), ``hn_deficit`` (with
    the scenario's deterministic forecast dashed) or ``gap`` (with the zero line).
    """
    if measure not in FANS:
        raise ValueError(f"measure: expected one of {', '.join(FANS)}, got {measure!r}")
    title = FANS[measure][0]
    fig, ax = _figure(7.2, 3.4)
    _fan(ax, result, measure)
    ax.set_xlabel("Financial year")
    ax.yaxis.set_major_formatter(FuncFormatter(_pounds_m))
    broken = mark_axis_break(ax)
    ax.set_ylabel(f"{title}, £m" + (f"\n({NOT_FROM_ZERO})" if broken else ""))
    fig.suptitle(
        f"{title}: {result.n:,} simulated trajectories ({result.scenario.name})", x=0.01, ha="left", fontsize=10.5
    )
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    return fig


def _same(a: RiskResult, b: RiskResult, measure: str) -> bool:
    fa, fb = getattr(a, measure), getattr(b, measure)
    ref = FANS[measure][1]
    same = bool(np.allclose(fa.to_numpy(dtype=float), fb.to_numpy(dtype=float), rtol=0, atol=1e-6))
    if ref is not None:
        ra, rb = a.reference.loc[ref].to_numpy(dtype=float), b.reference.loc[ref].to_numpy(dtype=float)
        same = same and bool(np.allclose(ra, rb, rtol=0, atol=1e-6))
    return same


def fan_groups(results: Sequence[RiskResult], names: Sequence[str], measure: str) -> list[tuple[str, RiskResult]]:
    """The results whose fans differ, each with its name (names of identical fans joined
    by `` = ``; all identical: "the same in every scenario")."""
    groups: list[tuple[list[str], RiskResult]] = []
    for name, rr in zip(names, results, strict=True):
        for seen_names, seen in groups:
            if _same(seen, rr, measure):
                seen_names.append(name)
                break
        else:
            groups.append(([name], rr))
    if len(groups) == 1 and len(results) > 1:
        return [(SAME, groups[0][1])]
    return [(" = ".join(n), rr) for n, rr in groups]


def fan_panels(results: Sequence[RiskResult], names: Sequence[str], measure: str = "net_budget") -> Figure:
    """Fan charts of ``measure`` side by side on one axis, a panel per scenario whose
    fan differs (identical fans drawn once, their names joined), £m."""
    if measure not in FANS:
        raise ValueError(f"measure: expected one of {', '.join(FANS)}, got {measure!r}")
    groups = fan_groups(results, names, measure)
    cols = min(len(groups), 2)
    rows_n = (len(groups) + cols - 1) // cols
    fig = Figure(figsize=(7.2, 2.5 * rows_n + 0.9), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows_n, cols, sharey=True, squeeze=False)
    title = FANS[measure][0]
    for i, ax in enumerate(axes.flat):
        if i >= len(groups):
            ax.set_visible(False)
            continue
        name, rr = groups[i]
        _fan(ax, rr, measure)
        ax.set_title(wrap(name, 48), fontsize=9, loc="left")
        ax.yaxis.set_major_formatter(FuncFormatter(_pounds_m))
        if i % cols == 0:
            ax.set_ylabel(f"{wrap(title, 28)}, £m", fontsize=8.5)
        if i // cols == rows_n - 1:
            ax.set_xlabel("Financial year", fontsize=8.5)
    broken = [mark_axis_break(ax) for ax in axes.flat if ax.get_visible()]
    n = results[0].n
    note = f" ({NOT_FROM_ZERO})" if any(broken) else ""
    fig.suptitle(f"{title}, £m: {n:,} simulated futures a scenario{note}", x=0.01, ha="left", fontsize=10)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, frameon=False, fontsize=8)
    return fig


UNITS = (("_gbp000_per_year", ", £000 a year"), ("_gbp_week", ", £ a week"), ("_gbp", ", £"))


def input_label(d: Distribution, width: int = 0) -> str:
    """A plain-English label for an input, wrapped at ``width`` characters (0: one line),
    never cut off: ``Social Care Placements (G1): unit cost, £ a week``."""
    title = d.label.split(" ", 1)[1] if d.kind in ("driver", "line") and " " in d.label else d.label
    if d.kind == "driver" and d.driver:
        key = d.driver
        unit = ""
        for suffix, words in UNITS:
            if key.endswith(suffix):
                key, unit = key[: -len(suffix)], words
                break
        key = key.replace("16plus", "16+").replace("_current", "").replace("_", " ")
        text = f"{title.split(':', 1)[0]} ({d.target}): {key}{unit}"
    elif d.kind == "line":
        factor = d.name.rsplit(".", 1)[-1]
        text = f"{title.rsplit(' (', 1)[0]} ({d.target}): {factor}"
    elif d.kind == "programme":
        factor = d.name.rsplit(".", 1)[-1]
        text = f"{d.target} programme: {factor}"
    else:
        text = d.label
    if d.name.startswith("evidence:"):  # an input's reference-class multiplier (mtfs_model.risk.evidence)
        text += ", reference class"
    return wrap(text, width) if width else text


def tornado_chart(result: RiskResult, measure: str = "net", top: int = 10, name: str | None = None) -> Figure:
    """A tornado of the final year's ``net`` budget or ``hn`` (High Needs) deficit: each input
    at its P10 (dark) and P90 (light, hatched) with every other at its median; the
    ``top`` inputs by swing, inputs that do not move the measure left out.  Labels are
    wrapped, never cut off."""
    if measure not in TORNADOS:
        raise ValueError(f"measure: expected one of {', '.join(TORNADOS)}, got {measure!r}")
    what, col_swing, base_row = TORNADOS[measure]
    col_lo, col_hi = _tornado_bars(result, measure)
    final = result.years[-1]
    base = cell(result.reference, base_row, final)
    rows = result.tornado[result.tornado[col_swing] > 0].sort_values(col_swing, ascending=False, kind="stable")
    rows = rows.head(top).iloc[::-1]  # largest at the top
    labels = {d.name: input_label(d, 34) for d in result.spec.distributions}
    ticks = [labels[str(name)] for name in rows.index]
    lines = sum(t.count("\n") + 1 for t in ticks)
    fig, ax = _figure(7.2, 0.12 * max(lines, 4) + 0.22 * max(len(rows), 2) + 1.1)
    y = np.arange(len(rows))
    lo = rows[col_lo].to_numpy(dtype=float) - base
    hi = rows[col_hi].to_numpy(dtype=float) - base
    ax.barh(y, lo, 0.7, left=base, color="0.3", edgecolor="black", linewidth=0.6, label="input at its P10")
    ax.barh(y, hi, 0.7, left=base, color="0.8", edgecolor="black", linewidth=0.6, hatch="//", label="input at its P90")
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
                    fontsize=7.5,
                )
    ax.axvline(base, color="black", linewidth=1, label=f"every input at its median {_pounds_m(base)}")
    if measure == "net":
        mtfs = cell(result.reference, MTFS_ROW, final)
        ax.axvline(mtfs, color="0.4", linestyle="--", linewidth=1, label=f"published MTFS {_pounds_m(mtfs)}")
    ax.set_yticks(y, ticks, fontsize=7.5)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds_m))
    ax.margins(x=0.15)
    broken = mark_axis_break(ax, "x")
    ax.set_xlabel(f"{final} {what}, £m" + (f" ({NOT_FROM_ZERO})" if broken else ""))
    ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(
        f"What moves the {final} {what}: one input at a time ({name or result.scenario.name})",
        x=0.01,
        ha="left",
        fontsize=10.5,
    )
    fig.legend(frameon=False, loc="outside lower center", ncols=2, fontsize=8)
    return fig
