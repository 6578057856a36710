"""Charts of forecast evaluation: fans with the outturns overlaid, the ranks, and the
re-forecast beside the original.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` on the Agg canvas
(no pyplot, no global state), greyscale-readable: bands in shades of grey, the median
solid black, the deterministic forecast dashed, outturns as black markers (filled for an
outturn, open for a re-forecast).  Money in £m (the model's GBP000 / 1,000); a driver in
its own unit.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mtfs_model.base import rows
from mtfs_model.base.report import display_frame
from mtfs_model.base.rounding import gbp_m, number, pct
from mtfs_model.forecast.backtest import DETERMINISTIC_ROW, BacktestResult, summary_view, view
from mtfs_model.forecast.reforecast import REFORECAST_HN_ROW, REFORECAST_ROW, ReforecastResult
from mtfs_model.risk.percentiles import PERCENTILE_LABELS
from mtfs_model.risk.simulate import MTFS_ROW, SCENARIO_HN_ROW

MAX_PANELS = 4
FIGURES = {"net_budget": f"revenue.{rows.NET_BUDGET}", "hn_deficit": f"high_needs.{rows.HN_CUMULATIVE}"}


def pounds_m(value: float, _pos: Any = None) -> str:
    """GBP000 as £m with one decimal: ``93751`` -> ``£93.8m``."""
    return gbp_m(value)


def _plain(value: float, _pos: Any = None) -> str:
    return number(value) if abs(value) >= 100 else number(value, 2)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _canvas(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _fan(
    ax: Axes, frame: pd.DataFrame, years: Sequence[str], money: bool, ref: Any = None, ref_label: str = ""
) -> None:
    """Draw P5-P95 and P10-P90 bands, the median and a dashed reference on ``ax``."""
    x = np.arange(len(years))
    p5, p10, p50, p90, p95 = (frame.loc[p, list(years)].to_numpy(dtype=float) for p in PERCENTILE_LABELS)
    ax.fill_between(x, p5, p95, color="0.87", linewidth=0, label=f"{PERCENTILE_LABELS[0]} to {PERCENTILE_LABELS[-1]}")
    ax.fill_between(x, p10, p90, color="0.65", linewidth=0, label=f"{PERCENTILE_LABELS[1]} to {PERCENTILE_LABELS[-2]}")
    ax.plot(x, p50, color="black", linewidth=2, label=f"{PERCENTILE_LABELS[2]} (median)")
    if ref is not None:
        ax.plot(x, ref, color="0.3", linestyle="--", linewidth=1.4, marker="s", markersize=3, label=ref_label)
    ax.set_xticks(x, list(years))
    ax.set_xlabel("Fiscal year")
    ax.yaxis.set_major_formatter(FuncFormatter(pounds_m if money else _plain))
    ax.grid(axis="y", color="0.9")


def _outturns(ax: Axes, table: pd.DataFrame, figure: str, years: Sequence[str], money: bool) -> None:
    rows_ = table[table["figure"] == figure]
    for kind, filled, label in (("outturn", True, "outturn"), ("reforecast", False, "later re-forecast")):
        part = rows_[rows_["kind"] == kind]
        if part.empty:
            continue
        x = [list(years).index(y) for y in part["year"]]
        ax.scatter(x, part["outturn"], s=46, marker="o" if filled else "D", zorder=5, label=label,
                   facecolors="black" if filled else "white", edgecolors="black", linewidths=1.3)  # fmt: skip
        for xi, yi, rank in zip(x, part["outturn"], part["pit_pct"], strict=True):
            text = pounds_m(yi) if money else _plain(yi)
            if isinstance(rank, float) and not math.isnan(rank):
                text += f" (rank {pct(rank, 0)})"
            ax.annotate(text, (xi, yi), textcoords="offset points", xytext=(6, -12), fontsize=7.5)


def backtest_chart(result: BacktestResult, figures: Sequence[str] | None = None) -> Figure:
    """Fans of the figures with outturns (at most :data:`MAX_PANELS`; the net budget
    first), the outturns overlaid with their ranks; just the net budget's fan, marked
    "no outturns recorded", when the edition has none."""
    fans = dict(result.fans)
    chosen = list(figures) if figures is not None else sorted(fans, key=lambda f: (f != FIGURES["net_budget"], f))
    chosen = [f for f in chosen if f in fans][:MAX_PANELS]
    years = list(result.years)
    if not chosen:
        frame = result.risk.net_budget.copy()
        frame.loc[DETERMINISTIC_ROW] = result.risk.reference.loc[MTFS_ROW, years]
        frame.attrs.update(label=result.edition.label("revenue", rows.NET_BUDGET), unit="GBP000")
        fans, chosen = {"none": frame}, ["none"]
    cols = 1 if len(chosen) == 1 else 2
    nrows = math.ceil(len(chosen) / cols)
    fig = _canvas(7.5 if cols == 1 else 11.0, 4.0 * nrows + 0.6)
    legend: dict[str, Any] = {}
    for i, figure in enumerate(chosen):
        ax = fig.add_subplot(nrows, cols, i + 1)
        frame = fans[figure]
        money = frame.attrs.get("unit") == "GBP000"
        ref_label = "Published MTFS" if figure == "none" else "Deterministic forecast"
        _fan(ax, frame, years, money, frame.loc[DETERMINISTIC_ROW, years].to_numpy(dtype=float), ref_label)
        if figure == "none":
            ax.text(0.5, 0.06, "No outturns recorded in this edition", transform=ax.transAxes, ha="center",
                    fontsize=10, color="0.2")  # fmt: skip
        else:
            _outturns(ax, result.table, figure, years, money)
        ax.set_ylabel("£m" if money else str(frame.attrs.get("unit", "")))
        ax.set_title(_short(str(frame.attrs.get("label", figure)), 60), fontsize=10, loc="left")
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=min(len(legend), 6),
               frameon=False, fontsize=8)  # fmt: skip
    fig.suptitle(
        f"Back-test of {result.scenario.name}: forecast fans ({result.n:,} trajectories) against outturns",
        x=0.01, ha="left",
    )  # fmt: skip
    return fig


def pit_chart(result: BacktestResult, bins: int = 10) -> Figure:
    """The outturns' ranks in the simulated distribution, as a histogram against the flat
    line a calibrated forecast gives (expect a rough picture from a few points)."""
    ranks = result.scored["pit_pct"].to_numpy(dtype=float)
    fig = _canvas(6.5, 3.8)
    ax = fig.add_subplot()
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts, _ = np.histogram(ranks, bins=edges)
    ax.bar(edges[:-1], counts, width=1.0 / bins, align="edge", color="0.6", edgecolor="black", linewidth=0.6,
           label=f"{len(ranks)} ranked outturns")  # fmt: skip
    ax.axhline(len(ranks) / bins, color="black", linestyle="--", linewidth=1, label="calibrated (uniform)")
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{pct(v, 0)}"))
    ax.set_xlabel("Rank of the outturn in the simulated distribution (PIT)")
    ax.set_ylabel("Outturns")
    ax.legend(frameon=False, fontsize=8)
    fig.suptitle(f"Where the outturns fell in the fan ({result.scenario.name})", x=0.01, ha="left")
    return fig


REFORECAST_FANS = {
    "net_budget": ("Net budget", MTFS_ROW, "Published MTFS", REFORECAST_ROW, f"revenue.{rows.NET_BUDGET}"),
    "hn_deficit": (
        "High Needs cumulative deficit", SCENARIO_HN_ROW, "Scenario forecast (deterministic)", REFORECAST_HN_ROW,
        f"high_needs.{rows.HN_CUMULATIVE}",
    ),
}  # fmt: skip


def reforecast_chart(result: ReforecastResult, measure: str = "net_budget") -> Figure:
    """The original fan (left) and the re-forecast from the outturns (right), on one £m
    axis: the actuals as black points, the years up to the last actual shaded."""
    if measure not in REFORECAST_FANS:
        raise ValueError(f"measure: expected one of {', '.join(REFORECAST_FANS)}, got {measure!r}")
    title, ref_row, ref_label, det_row, figure = REFORECAST_FANS[measure]
    years = list(result.years)
    fig = _canvas(11.0, 4.4)
    left = fig.add_subplot(1, 2, 1)
    right = fig.add_subplot(1, 2, 2, sharey=left)
    ref = result.reference.loc[ref_row, years].to_numpy(dtype=float)
    if result.original is not None:
        _fan(left, getattr(result.original, measure), years, True, ref, ref_label)
        left.set_title("Original forecast", fontsize=10, loc="left")
    else:
        left.text(0.5, 0.5, "original not simulated", transform=left.transAxes, ha="center")
    _fan(right, getattr(result, measure), years, True, ref, ref_label)
    det = result.reference.loc[det_row, years].to_numpy(dtype=float)
    right.plot(
        np.arange(len(years)), det, color="black", linestyle=":", linewidth=1.4, label="Re-forecast (deterministic)"
    )
    actual = result.conditions[result.conditions["figure"] == figure]
    for ax in (left, right):
        if not actual.empty:
            x = [years.index(y) for y in actual["year"]]
            ax.scatter(x, actual["value"], s=50, color="black", zorder=5, label="actual (outturn)")
            ax.axvspan(-0.5, max(x) + 0.5, color="0.94", zorder=0, label="years with an actual")
        ax.set_ylabel(f"{title}, £m")
        ax.legend(frameon=False, loc="best", fontsize=7.5)
    right.set_title(f"Re-forecast from the outturns (to {result.through or '—'})", fontsize=10, loc="left")
    fig.suptitle(f"{title}: {result.n:,} trajectories ({result.base.name}), before and after the outturns",
                 x=0.01, ha="left")  # fmt: skip
    return fig


def png_bytes(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (no timestamp in the metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def backtest_html(result: BacktestResult, *, title: str = "Back-test: the forecast against outturns") -> str:
    """A small self-contained HTML section: the statement, the outturns table, the summary
    and the fan chart with the outturns overlaid (an embedded PNG)."""
    fig = backtest_chart(result)
    image = base64.b64encode(png_bytes(fig)).decode("ascii")
    shown = view(result.table.drop(columns=["figure", "unit", "simulated"]), "table")

    def table_html(frame: pd.DataFrame, caption: str) -> str:
        cells = display_frame(frame)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *cells.columns])
        body = "".join(
            "<tr>"
            + f"<th>{html.escape(str(i))}</th>"
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            + "</tr>"
            for i, row in zip(cells.index, cells.itertuples(index=False), strict=True)
        )
        return (
            f'<table class="backtest"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    alt = f"Fan chart of {result.scenario.name} with {len(result.table)} outturns overlaid"
    return (
        f'<section class="backtest">\n<h2>{html.escape(title)}</h2>\n'
        f"<p>{html.escape(result.statement)}</p>\n"
        + (table_html(shown, "Outturns against the forecast (£000 unless the unit says otherwise)") + "\n"
           if len(shown) else "")
        + table_html(summary_view(result.summary, "table"), "Summary across outturns")
        + f'\n<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{image}">'
        f"<figcaption>{html.escape(alt)}: {result.n:,} trajectories, seed {result.seed}.</figcaption></figure>\n"
        "</section>\n"
    )  # fmt: skip
