"""Charts for briefs and notebooks: matplotlib figures readable in greyscale print.

Every chart is built with matplotlib's object API on the Agg canvas (no pyplot, no
global backend state, so it behaves the same in a script, a test and a notebook kernel).
Series are told apart by line style, marker and hatching, never by colour alone; every
money axis is labelled in GBP000 ("£000") with thousands separators.  PNG output is
deterministic (no timestamp or software tag in the file), so a brief re-run with the
same inputs is byte for byte the same.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from . import capital, high_needs, rows
from .data import cell, row_of
from .edition import Edition
from .engine import Result, unique_names

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
SIZE = (8.0, 4.6)  # inches; 800 x 460 px at the default dpi
DPI = 100


def _money(x: float, _pos: object = None) -> str:
    return f"{x:,.0f}"


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


def _figure(title: str, ylabel: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.grid(axis="y", color="0.85", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _grouped(paths: Mapping[str, list[float]]) -> list[tuple[str, list[float]]]:
    """Series with the same values (to a thousandth of a pound) drawn once, their
    scenario names joined with `` = `` in the legend, so no line hides another."""
    groups: list[tuple[list[str], list[float]]] = []
    for name, path in paths.items():
        for names, seen in groups:
            if len(seen) == len(path) and all(abs(a - b) < 1e-6 for a, b in zip(seen, path, strict=True)):
                names.append(name)
                break
        else:
            groups.append(([name], path))
    return [(" = ".join(names), path) for names, path in groups]


def _edition(results: Sequence[Result]) -> Edition:
    """The edition the results share (the first's: a chart has one horizon)."""
    if not results:
        raise ValueError("a chart needs at least one result")
    return results[0].edition


def net_budget_path(results: Sequence[Result]) -> Figure:
    """Net budget by scenario, GBP000: the base year's budget (the original prior-year
    budget), then each MTFS year's net budget (the roll-forward)."""
    ed = _edition(results)
    fig, ax = _figure("Net budget by scenario (budget roll-forward)", "Net budget (£000)")
    x = [ed.base_year, *ed.years]
    paths = {}
    for name, r in zip(unique_names(results), results, strict=True):
        base = cell(r.revenue, rows.PRIOR_YEAR_BUDGET, ed.first_year)
        paths[name] = [base, *(cell(r.revenue, rows.NET_BUDGET, y) for y in ed.years)]
    for i, (label, path) in enumerate(_grouped(paths)):
        ax.plot(x, path, label=label, **_style(i))
    ax.set_xlabel(f"Financial year ({ed.base_year}: base budget)")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    return fig


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


def growth_savings_bridge(result: Result, year: str | None = None) -> Figure:
    """Waterfall from the base year's budget (+ transfers) to ``year``'s net budget
    (default: the final MTFS year), GBP000: growth lines up (hatched ``//``), savings
    programmes down (hatched ``..``), totals solid grey.  The axis starts near the base,
    not at zero (marked as such)."""
    table = bridge_table(result, year)
    fig, ax = _figure(
        f"Growth and savings bridge to the {table.index[-1]} budget: {result.scenario.name}",
        "£000 (axis does not start at zero)",
    )
    ax.set_axisbelow(True)
    lows = []
    for i, (change, running, kind) in enumerate(
        zip(table["change"].astype(float), table["running"].astype(float), table["kind"].astype(str), strict=True)
    ):
        style: dict[str, Any]
        if kind == "total":
            bottom, height = 0.0, running
            style = {"color": "0.6", "edgecolor": "black"}
        else:
            bottom, height = running - change, change
            hatch = "///" if kind == "increase" else "..."
            style = {"color": "white", "edgecolor": "black", "hatch": hatch}
        ax.bar(i, height, bottom=bottom, width=0.7, linewidth=0.8, **style)
        text = _money(running) if kind == "total" else f"{change:+,.0f}"
        top = max(bottom, bottom + height)
        ax.annotate(text, (i, top), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
        lows.append(min(bottom + height, running) if kind != "total" else running)
    lo = min(lows)
    hi = float(table["running"].max())
    pad = (hi - lo) * 0.12 or 1000.0
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xticks(range(len(table)), [str(s) for s in table.index], rotation=35, ha="right", fontsize=8.5)
    fig.legend(
        handles=[
            Patch(facecolor="0.6", edgecolor="black", label="budget"),
            Patch(facecolor="white", edgecolor="black", hatch="///", label="growth / transfers (up)"),
            Patch(facecolor="white", edgecolor="black", hatch="...", label="savings (down)"),
        ],
        loc="outside lower center",
        ncols=3,
        frameon=False,
        fontsize=9,
    )
    return fig


def high_needs_deficit(results: Sequence[Result]) -> Figure:
    """High Needs cumulative DSG deficit by scenario, GBP000: the deficits brought
    forward at the end of the base year, then each year's cumulative funding gap."""
    ed = _edition(results)
    fig, ax = _figure("High Needs cumulative deficit by scenario", "Cumulative deficit (£000)")
    x = [ed.base_year, *ed.years]
    paths = {}
    for name, r in zip(unique_names(results), results, strict=True):
        hn = r.high_needs
        bf = sum(cell(hn, k, ed.first_year) for k in high_needs.brought_forward_rows(r.scenario.inputs))
        paths[name] = [bf, *(cell(hn, high_needs.CUMULATIVE, y) for y in ed.years)]
    for i, (label, path) in enumerate(_grouped(paths)):
        ax.plot(x, path, label=label, **_style(i))
    ax.set_xlabel(f"Financial year ({ed.base_year}: deficits brought forward)")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    return fig


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


def cip_cash(results: Sequence[Result], by_property: bool = False) -> Figure:
    """The invest-to-save properties' cumulative cash by fiscal year, GBP000
    (``result.cip_cash``), break-even marked.

    One line per scenario for all the properties together; with ``by_property`` (and one
    result), a line per property and the total.  A star marks each total line's
    break-even year, labelled with it."""
    fig, ax = _figure(
        f"{properties_title(_edition(results))}: cumulative cash (investment out, savings in)",
        "Cumulative cash (£000)",
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
        named = zip(unique_names(results), results, strict=True)
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
