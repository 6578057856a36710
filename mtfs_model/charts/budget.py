"""Charts for briefs and notebooks: matplotlib figures readable in greyscale print.

Every chart is built with matplotlib's object API on the Agg canvas (no pyplot, no
global backend state, so it behaves the same in a script, a test and a notebook kernel).
Series are told apart by line style, marker and hatching, never by colour alone; every
money axis is in £m with one decimal (the model's GBP000 / 1,000), every chart has a
title and labelled axes, and an axis that does not start at zero carries a broken-axis
mark (:func:`mark_axis_break`).  Series that are the same in every scenario are drawn
once, labelled so (:data:`SAME`).  PNG output is
deterministic (no timestamp or software tag in the file), so a brief re-run with the
same inputs is byte for byte the same.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from mtfs_model.base import rows
from mtfs_model.base.cells import cell, row_of
from mtfs_model.base.display import mark_axis_break
from mtfs_model.base.rounding import gbp_m
from mtfs_model.edition.folder import Edition
from mtfs_model.engine import capital, high_needs
from mtfs_model.engine.run import Result, unique_names

LINESTYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (8, 3)),
    (0, (1, 3)),
    (0, (3, 1, 3, 1, 1, 1)),
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
GREYS = ("0.0", "0.35", "0.15", "0.5", "0.25", "0.45", "0.1", "0.4")
SIZE = (7.2, 3.3)  # inches: the width of an A4 page's text at 100 %
DPI = 110
NOT_FROM_ZERO = "axis does not start at zero"


def millions(x: float, _pos: object = None) -> str:
    """GBP000 as £m with one decimal, the unit of every chart: ``93751`` -> ``£93.8m``."""
    return gbp_m(x)


def signed_millions(x: float) -> str:
    """A change in GBP000 as signed £m: ``+£6.2m``, ``-£0.4m``."""
    return ("+" if x >= 0 else "-") + millions(abs(x))


def wrap(text: str, width: int = 22) -> str:
    """A label broken onto lines of at most ``width`` characters (never cut off)."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _style(i: int) -> dict[str, Any]:
    """Line style, marker and grey for the ``i``-th series (distinct in greyscale)."""
    return {
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
        "color": GREYS[i % len(GREYS)],
        "linewidth": 1.8,
        "markersize": 6,
        "markerfacecolor": "white" if i % 2 else GREYS[i % len(GREYS)],
    }


def new_figure(size: tuple[float, float] = SIZE, **subplots: Any) -> tuple[Figure, Any]:
    """A figure on the Agg canvas (no pyplot) with ``fig.subplots(**subplots)``."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(**subplots) if subplots else fig.add_subplot()


def _figure(title: str, ylabel: str, size: tuple[float, float] = SIZE) -> tuple[Figure, Axes]:
    fig, ax = new_figure(size)
    ax.set_title(title, loc="left", fontsize=10.5)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(millions))
    ax.grid(axis="y", color="0.85", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _grouped(paths: Mapping[str, list[float]]) -> list[tuple[str, list[float]]]:
    """Series with the same values (to a thousandth of a pound) drawn once, their
    scenario names joined with `` = `` in the legend, so no line hides another; all
    of them the same: "the same in every scenario"."""
    groups: list[tuple[list[str], list[float]]] = []
    for name, path in paths.items():
        for names, seen in groups:
            if len(seen) == len(path) and all(abs(a - b) < 1e-6 for a, b in zip(seen, path, strict=True)):
                names.append(name)
                break
        else:
            groups.append(([name], path))
    if len(groups) == 1 and len(paths) > 1:
        return [(SAME, groups[0][1])]
    return [(" = ".join(names), path) for names, path in groups]


SAME = "the same in every scenario"


def _edition(results: Sequence[Result]) -> Edition:
    """The edition the results share (the first's: a chart has one horizon)."""
    if not results:
        raise ValueError("a chart needs at least one result")
    return results[0].edition


def _lines_chart(title: str, ylabel: str, xlabel: str, x: list[str], paths: Mapping[str, list[float]]) -> Figure:
    fig, ax = _figure(title, ylabel)
    for i, (label, path) in enumerate(_grouped(paths)):
        ax.plot(x, path, label=label, **_style(i))
    ax.set_xlabel(xlabel)
    if mark_axis_break(ax):
        ax.set_ylabel(f"{ylabel}\n({NOT_FROM_ZERO})")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8.5)
    return fig


def _names(results: Sequence[Result], names: Sequence[str] | None) -> list[str]:
    return list(names) if names is not None else unique_names(results)


def net_budget_path(results: Sequence[Result], names: Sequence[str] | None = None) -> Figure:
    """Net budget by scenario, £m: the base year's budget (the original prior-year
    budget), then each MTFS year's net budget (the roll-forward).  ``names``: the
    legend's name for each result (default: the scenarios' names)."""
    ed = _edition(results)
    paths = {}
    for name, r in zip(_names(results, names), results, strict=True):
        base = cell(r.revenue, rows.PRIOR_YEAR_BUDGET, ed.first_year)
        paths[name] = [base, *(cell(r.revenue, rows.NET_BUDGET, y) for y in ed.years)]
    return _lines_chart(
        "Net budget by scenario (budget roll-forward)",
        "Net budget (£m)",
        f"Financial year ({ed.base_year}: base budget)",
        [ed.base_year, *ed.years],
        paths,
    )


def _direction(v: float) -> str:
    return "increase" if v >= 0 else "decrease"


def bridge_table(result: Result, year: str | None = None) -> pd.DataFrame:
    """From the base year's budget to ``year``'s net budget (default: the final MTFS
    year), GBP000: base, budget transfers, each growth line (cumulative to ``year``),
    each savings programme (labelled by its ``short`` label), and the net budget.
    Columns ``change`` and ``running`` (the total after the step); ``kind`` is
    ``total``, ``increase`` or ``decrease``.  The steps add up to the net budget."""
    ed, years = result.edition, list(result.years)
    year = ed.year(year or "final")
    upto = years[: years.index(year) + 1]
    base = cell(result.revenue, rows.PRIOR_YEAR_BUDGET, years[0])
    steps: list[tuple[str, float, str]] = [(f"{ed.base_year} base", base, "total")]
    transfers = sum(cell(result.revenue, rows.TRANSFERS, y) for y in upto)
    steps.append(("Transfers", transfers, _direction(transfers)))
    growth = [p.id for p in ed.programmes if p.kind == "growth"]
    info = result.line_info
    for code in info.index[info["programme"].isin(growth)]:
        v = cell(result.cumulative, code, year)
        steps.append((str(code), v, _direction(v)))
    for prog in ed.programmes:
        if prog.kind == "saving":
            v = cell(result.cumulative, rows.programme_total(prog.id), year)
            steps.append((prog.short or prog.id, v, _direction(v)))
    net = cell(result.revenue, rows.NET_BUDGET, year)
    steps.append((f"{year} net", net, "total"))
    running: list[float] = []
    acc = 0.0
    for _label, v, kind in steps:
        acc = v if kind == "total" else acc + v
        running.append(acc)
    frame = pd.DataFrame(
        {"change": [s[1] for s in steps], "running": running, "kind": [s[2] for s in steps]},
        index=pd.Index([s[0] for s in steps], name="step"),
    )
    return frame


def bridge_limits(tables: Sequence[pd.DataFrame]) -> tuple[float, float]:
    """The lowest and highest bar of some bridge tables (GBP000), to share one axis."""
    lows, highs = [], []
    for t in tables:
        before = t["running"].astype(float) - t["change"].astype(float).where(t["kind"] != "total", 0.0)
        lows += [*t["running"].astype(float), *before]
        highs += [*t["running"].astype(float), *before]
    return min(lows), max(highs)


def money_ticks(ax: Axes, axis: str = "y") -> None:
    """£m ticks at least £0.1m apart (so one decimal never repeats a label)."""
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    target = ax.yaxis if axis == "y" else ax.xaxis
    if abs(hi - lo) < 600:
        target.set_major_locator(MultipleLocator(100))
    else:
        target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(FuncFormatter(millions))


def _waterfall(ax: Axes, table: pd.DataFrame, label_width: int = 14, limits: tuple[float, float] | None = None) -> None:
    """Draw a bridge table (``change``, ``running``, ``kind``) as a waterfall in £m:
    totals solid grey, increases hatched ``//``, decreases hatched ``..``, each bar
    labelled; the axis starts near the lowest bar, marked as broken."""
    lows, highs = [], []
    for i, (change, running, kind) in enumerate(
        zip(table["change"].astype(float), table["running"].astype(float), table["kind"].astype(str), strict=True)
    ):
        style: dict[str, Any]
        if kind == "total":
            bottom, height = 0.0, running
            style = {"color": "0.6", "edgecolor": "black"}
        else:
            bottom, height = running - change, change
            style = {"color": "white", "edgecolor": "black", "hatch": "///" if kind == "increase" else "..."}
        ax.bar(i, height, bottom=bottom, width=0.7, linewidth=0.8, **style)
        text = millions(running) if kind == "total" else signed_millions(change)
        top = max(bottom, bottom + height)
        ax.annotate(text, (i, top), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
        lows.append(running if kind == "total" else min(bottom, bottom + height))
        highs.append(top)
    lo, hi = min(lows), max(highs)
    if limits is not None:
        lo, hi = min(lo, limits[0]), max(hi, limits[1])
    pad = (hi - lo) * 0.15 or 1000.0
    ax.set_ylim(lo - pad, hi + pad)
    money_ticks(ax)
    ax.set_xticks(range(len(table)), [wrap(str(s), label_width) for s in table.index], fontsize=7.5)
    ax.grid(axis="y", color="0.85", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    mark_axis_break(ax)


def _legend(fig: Figure) -> None:
    fig.legend(
        handles=[
            Patch(facecolor="0.6", edgecolor="black", label="net budget"),
            Patch(facecolor="white", edgecolor="black", hatch="///", label="costs more (up)"),
            Patch(facecolor="white", edgecolor="black", hatch="...", label="costs less (down)"),
        ],
        loc="outside lower center",
        ncols=3,
        frameon=False,
        fontsize=8.5,
    )


def growth_savings_bridge(result: Result, year: str | None = None) -> Figure:
    """Waterfall from the base year's budget (+ transfers) to ``year``'s net budget
    (default: the final MTFS year), £m: growth lines up (hatched ``//``), savings
    programmes down (hatched ``..``), totals solid grey.  The axis starts near the base,
    not at zero (marked as broken)."""
    table = bridge_table(result, year)
    fig, ax = _figure(
        f"Growth and savings bridge to the {table.index[-1]} budget: {result.scenario.name}",
        f"£m ({NOT_FROM_ZERO})",
    )
    _waterfall(ax, table)
    _legend(fig)
    return fig


def _step_label(result: Result, code: str) -> str:
    title = str(result.line_info.loc[code, "title"]) if code in result.line_info.index else code
    return f"{title} ({code})"


def mtfs_bridge_table(result: Result, mtfs: Result, year: str | None = None) -> pd.DataFrame:
    """From the MTFS as published to the scenario's net budget in ``year`` (default: the
    final year), GBP000: the MTFS's net budget, then each change the scenario makes
    (budget transfers to date, each growth line and each savings programme, cumulative
    to ``year``; unchanged ones left out), then the scenario's net budget.  Columns as
    :func:`bridge_table`; the steps add up to the scenario's net budget."""
    ed = result.edition
    year = ed.year(year or "final")
    a, b = bridge_table(mtfs, year), bridge_table(result, year)
    steps: list[tuple[str, float, str]] = [("MTFS as published", float(a["running"].iloc[-1]), "total")]
    for label in b.index[1:-1]:
        change = float(b.loc[label, "change"]) - float(a["change"].get(label, 0.0))
        if abs(change) > 0.5e-3:
            shown = _step_label(result, str(label)) if str(label) in result.line_info.index else str(label)
            steps.append((shown, change, _direction(change)))
    steps.append(("Scenario", float(b["running"].iloc[-1]), "total"))
    running, acc = [], 0.0
    for _label, v, kind in steps:
        acc = v if kind == "total" else acc + v
        running.append(acc)
    return pd.DataFrame(
        {"change": [s[1] for s in steps], "running": running, "kind": [s[2] for s in steps]},
        index=pd.Index([s[0] for s in steps], name="step"),
    )


def mtfs_bridges(
    results: Sequence[Result], mtfs: Result, year: str | None = None, names: Sequence[str] | None = None
) -> Figure:
    """One waterfall per scenario, side by side on one axis: from the MTFS's net budget
    in ``year`` (default: the final year) to the scenario's, through each change it
    makes, £m."""
    if not results:
        raise ValueError("a chart needs at least one result")
    ed = mtfs.edition
    final = ed.year(year or "final")
    tables = [mtfs_bridge_table(r, mtfs, final) for r in results]
    widest = max(len(t) for t in tables)
    fig, axes = new_figure(
        (7.2, 3.3), ncols=len(results), sharey=True, squeeze=False, width_ratios=[len(t) / widest + 0.4 for t in tables]
    )
    limits = bridge_limits(tables)
    for ax, name, t in zip(axes[0], _names(results, names), tables, strict=True):
        _waterfall(ax, t, label_width=max(10, 34 // len(results)), limits=limits)
        ax.set_title(wrap(name, 30), fontsize=9, loc="left")
    axes[0][0].set_ylabel(f"{final} net budget, £m\n({NOT_FROM_ZERO})")
    fig.suptitle(f"From the MTFS to each scenario: the {final} net budget", x=0.01, ha="left", fontsize=10.5)
    _legend(fig)
    return fig


def high_needs_deficit(results: Sequence[Result], names: Sequence[str] | None = None) -> Figure:
    """High Needs cumulative DSG deficit by scenario, £m: the deficits brought forward
    at the end of the base year, then each year's cumulative funding gap."""
    ed = _edition(results)
    paths = {}
    for name, r in zip(_names(results, names), results, strict=True):
        hn = r.high_needs
        bf = sum(cell(hn, k, ed.first_year) for k in high_needs.brought_forward_rows(r.scenario.inputs))
        paths[name] = [bf, *(cell(hn, high_needs.CUMULATIVE, y) for y in ed.years)]
    return _lines_chart(
        "High Needs cumulative deficit by scenario",
        "Cumulative deficit (£m)",
        f"Financial year ({ed.base_year}: deficits brought forward)",
        [ed.base_year, *ed.years],
        paths,
    )


def break_even_year(cash: Mapping[str, float]) -> str | None:
    """First fiscal year at whose end cumulative cash (GBP000) is back to zero or above,
    after the investment; None if not within the series."""
    seen_negative = False
    for label, value in cash.items():
        if value < 0:
            seen_negative = True
        elif seen_negative:
            return str(label)
    return None


def cip_break_even(results: Sequence[Result], row: str = capital.ALL_PROPERTIES) -> pd.DataFrame:
    """Break-even fiscal year of ``row`` of ``result.cip_cash`` per scenario ("not by
    <last year>" if none), and ``cash_end``: the cumulative cash at the last year of the
    series (GBP000; the year is the edition's ``appraisal_last_year``)."""
    out = {}
    for name, r in zip(unique_names(results), results, strict=True):
        cash = row_of(r.cip_cash, row)
        year = break_even_year(cash)
        last = list(cash)[-1]
        out[name] = {"break_even": year or f"not by {last}", "cash_end": cash[last]}
    return pd.DataFrame.from_dict(out, orient="index", columns=["break_even", "cash_end"]).rename_axis("scenario")


def properties_title(edition: Edition) -> str:
    """What the invest-to-save properties are called in a chart: the ``short`` label of
    the programme their linked savings line belongs to, else "Properties"."""
    line = edition.links.get("property_savings_line")
    lines = edition.growth_savings["lines"]
    if line and line in lines:
        prog = edition.programme(lines[line]["programme"])
        return f"{prog.short or prog.id} properties"
    return "Properties"


def cip_cash(results: Sequence[Result], by_property: bool = False, names: Sequence[str] | None = None) -> Figure:
    """The invest-to-save properties' cumulative cash by fiscal year, GBP000
    (``result.cip_cash``), break-even marked.

    One line per scenario for all the properties together; with ``by_property`` (and one
    result), a line per property and the total.  A star marks each total line's
    break-even year, labelled with it."""
    fig, ax = _figure(
        f"{properties_title(_edition(results))}: cumulative cash (investment out, savings in)",
        "Cumulative cash (£m)",
    )
    series: list[tuple[str, dict[str, float], bool]] = []
    if by_property and len(results) == 1:
        frame = results[0].cip_cash
        everything = capital.ALL_PROPERTIES
        series = [
            ("All properties" if code == everything else str(code), row_of(frame, code), code == everything)
            for code in frame.index
        ]
    else:
        named = zip(_names(results, names), results, strict=True)
        totals = {name: row_of(r.cip_cash, capital.ALL_PROPERTIES) for name, r in named}
        years = list(next(iter(totals.values()))) if totals else []
        grouped = _grouped({k: list(v.values()) for k, v in totals.items()})
        series = [(label, dict(zip(years, path, strict=True)), True) for label, path in grouped]
    ax.axhline(0, color="black", linewidth=0.8)
    for i, (label, cash, total) in enumerate(series):
        x = list(cash)
        style = _style(i + 1 if by_property else i)  # by property: the total alone is solid black
        year = break_even_year(cash) if total else None
        if total:
            style["linewidth"] = 2.6
            if by_property:
                style.update(color="black", linestyle="-", marker="o", markerfacecolor="black")
            label += f": break-even {year}" if year else f": no break-even by {x[-1]}"
        ax.plot(x, list(cash.values()), label=label, **style)
        if year is not None:
            ax.plot([year], [cash[year]], marker="*", markersize=16, color="black", markerfacecolor="white", zorder=5)
    ax.text(
        0.01,
        0.98,
        "\u2606 break-even: first year-end with cumulative cash \u2265 0",
        transform=ax.transAxes,
        fontsize=8,
        va="top",
    )
    ax.set_xlabel("Financial year (end-of-year cumulative cash)")
    ax.tick_params(axis="x", labelrotation=35, labelsize=8.5)
    fig.legend(loc="outside lower center", ncols=3 if by_property else 2, frameon=False, fontsize=9)
    return fig


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, with no timestamp or software tag (deterministic)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """``<figure>`` with the chart embedded as a base64 PNG ``data:`` URI; ``alt`` and
    ``caption`` are HTML-escaped."""
    data = base64.b64encode(to_png(fig)).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    img = f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}">'
    return f'<figure class="chart">{img}{cap}</figure>'
