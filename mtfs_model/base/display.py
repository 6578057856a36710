"""Rich display in notebooks: tables as HTML a finance partner reads at a glance.

Money is GBP000 with thousands separators (``unit="GBP000"``), or £m to one decimal
(``unit="GBPm"``); negatives carry a minus sign as the papers print savings; ``_pct``
columns are percentages; fiscal years stay the columns.  Row and column ids are replaced
by reader's labels through ``labels`` (display only: the frame keeps its ids).  The HTML
comes from pandas' Styler with a uuid derived from the content and no cell ids, so the
same table always renders to the same bytes.

These functions back the ``_repr_html_`` of the library's results::

    Result._repr_html_      = lambda self: display.result_html(self)
    RiskResult._repr_html_  = lambda self: display.risk_html(self)
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtfs_model.base import formats
from mtfs_model.base.errors import InputError
from mtfs_model.base.rounding import gbp_m, number, pct

if TYPE_CHECKING:  # matplotlib and pandas' Styler load when a chart or an HTML table is drawn, not on import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "UNITS",
    "compare_html",
    "figure_html",
    "findings_html",
    "grid_heatmap",
    "html_table",
    "mark_axis_break",
    "result_html",
    "risk_html",
]

UNITS = ("GBP000", "GBPm")
SEVERITY_ORDER = {"disagreement": 0, "note": 1, "rounding": 2, "ok": 3}
FINDINGS_WORDS = {"actual": "printed", "expected": "derived", "difference": "printed − derived"}
"""The findings' figure columns as a reader names them (the frame keeps its names)."""
PRECISE_COLUMNS = ("tolerance", "difference", "expected", "actual")
"""Columns where a small fraction matters (reconciliation): shown to three decimals."""
STYLES = [
    {"selector": "", "props": "border-collapse: collapse; font-variant-numeric: tabular-nums;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 4px 0;"},
    {"selector": "th", "props": "text-align: left; padding: 2px 8px; border-bottom: 1px solid #999;"},
    {"selector": "th.col_heading", "props": "text-align: right;"},
    {"selector": "td", "props": "text-align: right; padding: 2px 8px;"},
]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.number) and not isinstance(x, bool | np.bool_)


def _money(x: float, unit: str, precise: bool = False) -> str:
    """``-3750.0`` -> ``-3,750`` (GBP000) or ``-3.8`` (GBPm); never ``-0``."""
    if math.isinf(x):
        return "never" if x > 0 else "-never"
    if unit == "GBPm":
        return gbp_m(x).replace("£", "").replace("m", "")
    decimals = 3 if precise and abs(x) < 100 and not float(x).is_integer() else 0
    return number(x, decimals)


def cell_text(x: Any, column: Any = "", unit: str = "GBP000", precise: bool = False) -> str:
    """One cell as text: money in ``unit``, ``_pct`` columns as percentages, text as is."""
    if x is None or (isinstance(x, float | np.floating) and math.isnan(x)):
        return ""
    kind = formats.kind_of(column)  # the one rule for a share, years, a month, a count (base/formats.py)
    if kind in ("share", "years", "month", "multiplier", "count"):
        return formats.text(x, kind)
    if not _is_number(x):
        return str(x)
    return _money(float(x), unit, precise)


def label_text(x: Any, labels: Mapping[Any, str] | None = None) -> str:
    """An index or column label: through ``labels``, numbers readable (4,400; 0.913)."""
    if labels and x in labels:
        return str(labels[x])
    if _is_number(x):
        v = float(x)
        return number(v) if abs(v) >= 1000 or v.is_integer() else f"{v:.4g}"
    return str(x)


def _uuid(frame: pd.DataFrame, *extra: Any) -> str:
    digest = hashlib.sha1(frame.to_csv().encode("utf-8"))
    digest.update(repr(extra).encode("utf-8"))
    return "mtfs_" + digest.hexdigest()[:10]


def html_table(
    frame: pd.DataFrame,
    unit: str = "GBP000",
    labels: Mapping[Any, str] | None = None,
    *,
    caption: str | None = None,
    precise: Collection[str] = (),
    bold_rows: Collection[int] = (),
) -> str:
    """``frame`` as an HTML table (pandas Styler), deterministic byte for byte.

    ``unit`` is ``GBP000`` (as the papers print) or ``GBPm`` (one decimal); ``labels``
    maps row or column ids to printed labels; ``caption`` is escaped text; ``precise``
    names columns whose small fractions show to three decimals; ``bold_rows`` are row
    positions to embolden.  Every label and cell is HTML-escaped.
    """
    from pandas.io.formats.style import Styler

    if unit not in UNITS:
        raise InputError("(arguments)", "unit", "one of " + ", ".join(UNITS), unit)
    shown = pd.DataFrame(index=frame.index, columns=pd.RangeIndex(frame.shape[1]), dtype=object)
    for j, column in enumerate(frame.columns):
        keep = str(column) in precise
        shown[j] = [cell_text(v, column, unit, keep) for v in frame.iloc[:, j]]
    shown.columns = frame.columns
    styles: list[Any] = [*STYLES]
    for j in range(frame.shape[1]):
        if not pd.api.types.is_numeric_dtype(frame.iloc[:, j]):
            styles.append({"selector": f"td.col{j}", "props": "text-align: left;"})
    styles += [{"selector": f"td.row{i}, th.row{i}", "props": "font-weight: bold;"} for i in sorted(bold_rows)]
    styler = Styler(shown, uuid=_uuid(frame, unit, caption, sorted(bold_rows)), cell_ids=False)
    styler = styler.format(escape="html")
    styler = styler.format_index(lambda v: label_text(v, labels), axis=0, escape="html")
    styler = styler.format_index(lambda v: label_text(v, labels), axis=1, escape="html")
    styler = styler.set_table_styles(styles, overwrite=True)
    styler = styler.set_table_attributes('class="mtfs-table"')
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return str(styler.to_html())


def _heading(text: str, detail: str = "") -> str:
    body = f"<strong>{html.escape(text)}</strong>"
    return f"<p>{body}{': ' + html.escape(detail) if detail else ''}</p>"


def result_html(result: Any, unit: str = "GBP000") -> str:
    """A run's scenario, its changes from the MTFS and its key figures (``unit``)."""
    scenario = result.scenario
    parts = [_heading(f"Scenario {scenario.name.replace('_', ' ')}", scenario.description)]  # a name, not an id
    changes = list(getattr(scenario, "changes", ()))
    if changes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in changes) + "</ul>")
    caption = "Key figures (£m)" if unit == "GBPm" else "Key figures (£000)"
    parts.append(html_table(result.key_figures(), unit, caption=caption))
    return '<div class="mtfs-result">' + "".join(parts) + "</div>"


def compare_html(frame: pd.DataFrame, unit: str = "GBP000") -> str:
    """A comparison (columns ``"<scenario> | <column>"``, as ``mtfs compare`` makes) with
    the scenarios as a header row above their columns."""
    shown = frame
    names = [str(c) for c in frame.columns]
    if names and all(" | " in c for c in names):
        pairs = [tuple(c.split(" | ", 1)) for c in names]
        shown = frame.copy()
        shown.columns = pd.MultiIndex.from_tuples(pairs, names=["scenario", ""])
    return html_table(shown, unit, caption="Scenarios compared (difference from the first)")


def findings_html(frame: pd.DataFrame) -> str:
    """Reconciliation findings (:func:`mtfs_model.reconcile`): disagreements first and in
    bold, then notes and rounding; a count by severity above the table."""
    shown = frame
    bold: list[int] = []
    counts = ""
    if "severity" in frame.columns:
        order = frame["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
        shown = frame.iloc[order.to_numpy().argsort(kind="stable")]
        bold = [i for i, s in enumerate(shown["severity"]) if s == "disagreement"]
        tally = shown["severity"].value_counts()
        counts = ", ".join(f"{tally[s]} {s}" for s in SEVERITY_ORDER if s in tally)
    figures = [c for c in ("actual", "expected", "difference", "tolerance") if c in shown.columns]  # printed first
    rest = [c for c in shown.columns if c not in ("source", "kind", "printed_as", *figures)]
    at = rest.index("severity") if "severity" in rest else len(rest)
    keep = [*rest[:at], *figures, *rest[at:]]
    table = html_table(
        shown[keep],
        "GBP000",
        FINDINGS_WORDS,
        caption="Reconciliation findings (£000 unless the table says £)",
        precise=PRECISE_COLUMNS,
        bold_rows=bold,
    )
    return (_heading("Checks", counts) if counts else "") + table


def risk_html(risk_result: Any, unit: str = "GBPm") -> str:
    """A simulation: the headline probabilities, and the gap to the MTFS and the High
    Needs deficit at their percentiles by year (``unit``, £m by default)."""
    r = risk_result
    head = _heading(f"Scenario {r.scenario.name}", f"{r.n:,} trajectories, seed {r.seed}")
    suffix = "£m" if unit == "GBPm" else "£000"
    parts = [head]
    if hasattr(r, "probabilities"):
        parts.append(html_table(r.probabilities(), unit, caption="Probabilities"))
    else:
        probs = pd.DataFrame({"probability_pct": {"Net budget above the MTFS": r.p_exceeds_mtfs}})
        parts.append(html_table(probs, unit, caption="Probabilities"))
    parts.append(html_table(r.gap, unit, caption=f"Gap to the MTFS: simulated net budget less the MTFS ({suffix})"))
    parts.append(html_table(r.hn_deficit, unit, caption=f"High Needs cumulative deficit ({suffix})"))
    return '<div class="mtfs-risk">' + "".join(parts) + "</div>"


def figure_html(fig: Any, alt: str) -> str:
    """A matplotlib Figure as an ``<img>`` with the PNG embedded (no file, nothing fetched);
    ``alt`` is escaped text for screen readers."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def grid_heatmap(frame: pd.DataFrame, title: str | None = None) -> Figure:
    """A greyscale heat map of a :func:`mtfs_model.whatif.goalseek.grid` table, every cell annotated (£m, or % for a
    probability); darker is higher.  An Agg-canvas Figure (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    share = frame.attrs.get("unit") == "share"
    values = frame.to_numpy(dtype=float)
    fig = Figure(figsize=(1.6 + 1.1 * max(values.shape[1], 2), 1.4 + 0.5 * values.shape[0]), dpi=100)
    FigureCanvasAgg(fig)
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 1.0, vmax + 1.0
    ax.imshow(values, cmap="Greys", vmin=vmin, vmax=vmax, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        text = pct(v) if share else gbp_m(v)
        dark = (v - vmin) / (vmax - vmin) > 0.55
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if dark else "black")
    ax.set_yticks(range(len(frame.index)), [label_text(x) for x in frame.index])
    ax.set_ylabel(str(frame.index.name or ""))
    ax.set_xticks(range(len(frame.columns)), [label_text(x) for x in frame.columns])
    ax.set_xlabel(str(frame.columns.name or ""))
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    phrase = frame.attrs.get("phrase", "")
    unit = "" if share else " (£m)"
    ax.set_title(title or f"{phrase[:1].upper()}{phrase[1:]}{unit}", loc="left", fontsize=10)
    return fig


def mark_axis_break(ax: Axes, axis: str = "y") -> bool:
    """Draw the broken-axis mark (a white gap crossed by two short diagonal strokes on
    the spine near its start) if the ``axis`` does not include zero; returns whether it
    did.  Call after plotting, when the limits are final."""
    from matplotlib.patches import Rectangle

    ax.autoscale_view()
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if min(lo, hi) <= 0 <= max(lo, hi):
        return False
    at, d, half = 0.05, 0.014, 0.012  # where on the spine, stroke size, half the gap (axes fraction)
    kw: dict[str, Any] = {"transform": ax.transAxes, "clip_on": False, "zorder": 5}
    if axis == "y":
        ax.add_patch(Rectangle((-0.006, at - half), 0.012, 2 * half, color="white", **kw))
        for c in (at - half, at + half):
            ax.plot((-d, d), (c - d, c + d), color="black", linewidth=1.1, **kw)
    else:
        ax.add_patch(Rectangle((at - half, -0.012), 2 * half, 0.024, color="white", **kw))
        for c in (at - half, at + half):
            ax.plot((c - d, c + d), (-d * 1.5, d * 1.5), color="black", linewidth=1.1, **kw)
    return True
