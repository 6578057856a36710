"""One formatting rule per kind of figure, for every place a reader sees one.

The brief, both workbooks, the notebooks' tables and the command line all print figures
through this module, so a kind of figure looks the same everywhere:

=============  ==========================  ==================  ================  ==========
kind           text (:func:`text`)         Excel format        header unit       example
=============  ==========================  ==================  ================  ==========
``money``      whole £000, separators      ``#,##0``           ``(£000)``        ``-3,750``
``money_m``    £m to one decimal           ``#,##0.0``         ``(£m)``          ``-3.8``
``exact``      £000 to three decimals      ``#,##0.0##``       ``(£000)``        ``58.321``
               where the fraction matters
``share``      a fraction as a percentage  ``0.0%``            ``(%)``           ``18.4%``
``years``      years to two decimals       ``0.00``            ``(years)``       ``0.28``
``month``      ``YYYY-MM`` as a month      ``mmm yyyy``        ``(month)``       ``Dec 2021``
``multiplier`` a factor with ``×``         ``0.00"×"``         ``(×)``           ``1.25×``
``count``      a whole number              ``#,##0``           ``(count)``       ``16``
``text``       as it is                    (none)              (none)
=============  ==========================  ==================  ================  ==========

A column's kind comes from its id (:func:`kind_of`: ``_pct`` ends a share, ``payback``
means years, ``go_live`` is a month, ...) or is named by the writer.  Rounding is the
papers' and Excel's, half away from zero (:mod:`mtfs_model.base.rounding`); an infinite
payback prints ``never``; NaN and None print nothing (never ``nan``).

>>> text(0.75, "share"), text(0.184, "share"), text(0.28, "years"), text("2021-12", "month")
('75.0%', '18.4%', '0.28', 'Dec 2021')
>>> text(-3750.4, "money"), text(13950, "money_m"), text(1.25, "multiplier"), text(16, "count")
('-3,750', '14.0', '1.25×', '16')
>>> kind_of("irr"), kind_of("occupancy"), kind_of("simple_payback_net"), kind_of("go_live"), kind_of("npv")
('share', 'share', 'years', 'month', 'money')
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from mtfs_model.base.rounding import millions, number, pct

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

Kind = Literal["money", "money_m", "exact", "share", "years", "month", "multiplier", "count", "text"]
KINDS: tuple[Kind, ...] = ("money", "money_m", "exact", "share", "years", "month", "multiplier", "count", "text")

EXCEL_FORMATS: dict[Kind, str] = {
    "money": "#,##0",
    "money_m": "#,##0.0",
    "exact": "#,##0.0##",
    "share": "0.0%",
    "years": "0.00",
    "month": "mmm yyyy",
    "multiplier": '0.00"×"',
    "count": "#,##0",
    "text": "",
}
"""Each kind's Excel number format (XlsxWriter ``num_format``)."""

UNITS: dict[Kind, str] = {
    "money": "£000",
    "money_m": "£m",
    "exact": "£000",
    "share": "%",
    "years": "years",
    "month": "month",
    "multiplier": "×",
    "count": "count",
    "text": "",
}
"""Each kind's unit as a header says it, in brackets: ``Occupancy (%)``."""

SHARE_COLUMNS = frozenset({"occupancy", "irr", "discount_rate", "share", "probability"})
YEARS_COLUMNS = frozenset({"life_years", "stated_payback_years", "years"})
MONTH_COLUMNS = frozenset({"go_live", "month"})
COUNT_COLUMNS = frozenset({"places", "count", "n", "finding", "trajectories"})
MULTIPLIER_COLUMNS = frozenset({"multiplier", "factor", "uplift"})
EXACT_COLUMNS = frozenset({"expected", "actual", "difference", "tolerance", "printed", "derived"})
"""Reconciliation figures: a misprinted 58.321 or a derived 4,455.785 shows as it is."""
TEXT_COLUMNS = frozenset({"break_even", "stated_payback_basis", "name", "severity", "check", "source", "table"})
MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


def kind_of(column: Any) -> Kind:
    """The kind of figure a column holds, from its id (the last level of a tuple).

    Parameters
    ----------
    column : str or tuple
        A column id as the engine names it (``irr``, ``simple_payback_net``,
        ``above_pct``, ``go_live``, ``2021/22``).

    Returns
    -------
    Kind
        ``share`` for ids ending ``_pct`` and the engine's fractions (occupancy, IRR, the
        discount rate); ``years`` for paybacks and lives; ``month`` for a go-live;
        ``count`` for places and counts; ``multiplier`` for factors; ``exact`` for the
        reconciler's printed and derived figures; ``text`` for the break-even year and
        the like; otherwise ``money`` (£000).
    """
    name = str(column[-1] if isinstance(column, tuple) else column).lower()
    if name.endswith("_pct") or name in SHARE_COLUMNS:
        return "share"
    if "payback" in name or name in YEARS_COLUMNS or name.endswith("_years"):
        return "years"
    if name in MONTH_COLUMNS:
        return "month"
    if name in COUNT_COLUMNS or name.startswith("n_") or name.endswith("_count"):
        return "count"
    if name in MULTIPLIER_COLUMNS or name.endswith(("_multiplier", "_factor")):
        return "multiplier"
    if name in EXACT_COLUMNS:
        return "exact"
    if name in TEXT_COLUMNS:
        return "text"
    return "money"


def _is_number(x: Any) -> bool:
    """A real number (Python's or numpy's), not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"


def _missing(x: Any) -> bool:
    """None, NaN or pandas' NA/NaT: printed as nothing."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN (float or numpy) is the only value not equal to itself
    except (TypeError, ValueError):
        return False


def money(x: Any) -> str:
    """£000 as printed: whole thousands with separators, half up, ``-3,750``; ``never`` if infinite."""
    return number(x)


def money_m(x_gbp000: Any) -> str:
    """A £000 figure in £m to one decimal, no symbol: ``13950`` -> ``14.0``."""
    v = float(x_gbp000)
    if math.isinf(v):
        return "never" if v > 0 else "-never"
    return millions(v)


def exact(x: Any) -> str:
    """A figure whose fraction matters, to three decimals if it has one: ``58.321``, ``4,455.785``, ``13,200``."""
    v = float(x)
    return number(v, 0 if v.is_integer() or math.isinf(v) else 3)


def share(x: Any) -> str:
    """A fraction as a percentage to one decimal: ``0.75`` -> ``75.0%``."""
    return pct(x)


def years(x: Any) -> str:
    """Years to two decimals: ``0.2833`` -> ``0.28``; an infinite payback ``never``."""
    return number(x, 2)


def month(x: Any) -> str:
    """A month: ``2021-12`` (or a date) -> ``Dec 2021``; other text as it is."""
    if isinstance(x, dt.date):
        return f"{x:%b %Y}"
    m = MONTH_TEXT.match(str(x))
    return f"{dt.date(int(m[1]), int(m[2]), 1):%b %Y}" if m else str(x)


def multiplier(x: Any) -> str:
    """A factor to two decimals with a times sign: ``1.25`` -> ``1.25×``."""
    return number(x, 2) + "×"


def count(x: Any) -> str:
    """A whole number with separators: ``100000`` -> ``100,000``."""
    return number(x)


RULES: dict[Kind, Callable[[Any], str]] = {
    "money": money,
    "money_m": money_m,
    "exact": exact,
    "share": share,
    "years": years,
    "month": month,
    "multiplier": multiplier,
    "count": count,
    "text": str,
}
"""The one rule for each kind of figure."""


def text(x: Any, kind: Kind | None = None, column: Any = "") -> str:
    """A figure as a reader sees it.

    Parameters
    ----------
    x : Any
        The value: a number (money in £000, shares as fractions), a ``YYYY-MM`` month,
        text, a bool, None or NaN.
    kind : Kind, optional
        How to print it; None: the kind of ``column`` (:func:`kind_of`).
    column : str or tuple, optional
        The column id, used when ``kind`` is None.

    Returns
    -------
    str
        The printed figure: "" for None/NaN, ``yes``/``no`` for a bool, text as it is
        (a month as ``Dec 2021``), numbers by their kind's rule.
    """
    if _missing(x):
        return ""
    if isinstance(x, bool) or type(x).__name__ == "bool_":
        return "yes" if x else "no"
    k = kind or kind_of(column)
    if k == "month":
        return month(x)
    if not _is_number(x):
        return str(x)
    if k == "text":
        return number(x) if float(x).is_integer() else str(x)
    return RULES[k](x)


def header(label: str, kind: Kind) -> str:
    """``label`` with its kind's unit in brackets, unless it already says one.

    Parameters
    ----------
    label : str
        The reader's label (``Occupancy``).
    kind : Kind
        The column's kind.

    Returns
    -------
    str
        ``Occupancy (%)``; ``Capital cost (£000)`` left as it is; a text column unchanged.
    """
    unit = UNITS[kind]
    if not unit or label.rstrip().endswith(")"):
        return label
    return f"{label} ({unit})"


def kinds_of(columns: Any, kinds: Mapping[Any, Kind] | None = None) -> dict[Any, Kind]:
    """Each column's kind: from ``kinds`` where given, else :func:`kind_of` its id.

    Parameters
    ----------
    columns : iterable
        Column ids.
    kinds : mapping, optional
        Kinds the writer names for some columns.

    Returns
    -------
    dict
        ``{column id: kind}``.
    """
    named = dict(kinds or {})
    return {c: named.get(c) or kind_of(c) for c in columns}


def styler(
    frame: pd.DataFrame,
    kinds: Mapping[Any, Kind] | None = None,
    labels: Mapping[Any, str] | None = None,
    caption: str = "",
) -> Styler:
    """``frame`` as a pandas Styler printing each column by its kind (for notebooks).

    Parameters
    ----------
    frame : pandas.DataFrame
        Figures as the engine holds them (money in £000, shares as fractions).
    kinds : mapping, optional
        ``{column id: kind}`` for columns whose id does not say (see :func:`kind_of`).
    labels : mapping, optional
        ``{column or row id: printed label}``; a column's header gets its unit
        (:func:`header`) unless the label has one.
    caption : str, optional
        The table's caption (escaped).

    Returns
    -------
    pandas.io.formats.style.Styler
        Figures right-aligned, text left; the same frame always renders to the same
        HTML (a uuid from the content, no cell ids).
    """
    import hashlib

    from pandas.io.formats.style import Styler

    by_column = kinds_of(frame.columns, kinds)
    names = dict(labels or {})
    digest = hashlib.sha1((frame.to_csv() + repr(sorted(map(str, by_column.items()))) + caption).encode("utf-8"))
    style = Styler(frame, uuid="mtfs_" + digest.hexdigest()[:10], cell_ids=False)
    style = style.format({c: partial(text, kind=k) for c, k in by_column.items()}, escape="html")

    def column_header(c: Any) -> str:
        return header(str(names[c]), by_column[c]) if c in names else header(str(c).replace("_", " "), by_column[c])

    style = style.format_index(column_header, axis=1, escape="html")
    style = style.format_index(lambda i: str(names.get(i, i)), axis=0, escape="html")
    left = [c for c, k in by_column.items() if k in ("text", "month")]
    style = style.set_table_styles(
        [
            {"selector": "", "props": "border-collapse: collapse; font-variant-numeric: tabular-nums;"},
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
            {"selector": "th", "props": "text-align: left; padding: 2px 8px; border-bottom: 1px solid #999;"},
            {"selector": "th.col_heading", "props": "text-align: right;"},
            {"selector": "td", "props": "text-align: right; padding: 2px 8px;"},
        ],
        overwrite=True,
    )
    if left:
        style = style.set_properties(subset=left, **{"text-align": "left"})
    if caption:
        import html

        style = style.set_caption(html.escape(caption))
    return style
