"""The papers' disagreements as a reader reads them: where, in what unit, and why.

The reconciler (:mod:`mtfs_model.reconciliation`) says what it checked (``check``) and
by how much the printed figure misses (``difference``, in the unit of the table: £ for
Appendix A, £000 elsewhere).  A reader needs three more things, which this module adds:

* the **unit** of each row's figures (a £ table beside £000 tables);
* the difference **in that unit, or in words** where a number would mislead: a misprinted
  decimal point (``58.321`` printed for 58,321) is not a £58.3m difference, it is a
  misprint, and the table says so;
* **why** the figures differ, in a sentence (:func:`why`); and a statement's row by its
  words, never by its id (``appendix_a_dsg_2021_22``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.labels import short_name
from mtfs_model.reconciliation.checks import HEADLINE_TABLE
from mtfs_model.reconciliation.findings import READER_COLUMNS, in_words, reader_view

MISPRINT = "misprint:"
"""How the reconciler's check text starts for a printed figure whose decimal point is a misprint."""
MISPRINTED = "misprinted decimal point"
"""The difference of a misprinted figure, in words."""
WHY_COLUMNS = ("where", "unit", "printed", "derived", "printed − derived", "why")
"""The brief's columns of the papers' disagreements, in reading order."""


def unit_of(table: str) -> str:
    """The unit of a paper's table: ``£`` where its name says ``(£)`` (Appendix A), else ``£000``."""
    return "£" if "(£)" in table else "£000"


def statement_label(headline: Mapping[str, Any]) -> str:
    """A headline statement by its words, up to what it is checked against:
    ``Dedicated Schools Grant (DSG) £578.3m (para 40), against Appendix A's ...`` ->
    ``Dedicated Schools Grant (DSG) £578.3m (para 40)``."""
    text = str(headline.get("text") or headline.get("id", ""))
    for cut in (", against ", " against "):
        if cut in text:
            return text.split(cut, 1)[0]
    return text


def why(
    check: str, table: str, printed_as: str = "", derived: float | None = None, printed: float | None = None
) -> str:
    """Why a printed figure and the figure derived from its parts differ, in a sentence.

    Parameters
    ----------
    check : str
        The reconciler's description of the check (``subtotal = sum of its printed rows``,
        ``misprint: ...``, ``narrative: "..."``, ``published against driver-implied: ...``,
        a relation ``a = b + c``).
    table : str
        The paper's table the figure is printed in.
    printed_as : str, optional
        The figure's text as printed, where that is not a plain number (``58.321``).
    derived : float, optional
        The figure derived from its parts (£000 or £, the table's unit).
    printed : float, optional
        The figure as printed (the table's unit).

    Returns
    -------
    str
        One sentence for a reader.
    """
    text = check.strip()
    if text.startswith(MISPRINT):
        meant = f" for {number(derived)}" if derived is not None else ""
        return f"A decimal point printed for a thousands separator: the paper prints {printed_as or 'it'}{meant}."
    if derived is not None and printed is not None and float(printed).is_integer() and abs(printed - derived) < 1:
        return (
            f"Rounding: its parts give {number(derived, 3)}, which rounds to {number(derived)}; "
            f"the paper prints {number(printed)}."
        )
    if text.startswith("subtotal"):
        return "The printed total is not the sum of the rows printed under it."
    if text.startswith("narrative:"):
        return "The paper's text gives this line another figure than its table does."
    if text.startswith("published against driver-implied:"):
        how = re.sub(r"\s*\(para[^)]*\)", "", text.split(":", 1)[1]).strip().rstrip(".")
        return f"The published figure is not what its drivers give: {how[:1].lower()}{how[1:]}."
    if table == HEADLINE_TABLE:
        return "The statement's figure is not the table it summarises, beyond the statement's rounding."
    if "=" in text:
        return f"The printed figure is not what its parts give: {in_words(text).rstrip('.')}."
    return text


def row_names(edition: Edition) -> dict[str, str]:
    """Rows of the papers' findings by their words, not their ids: a headline statement
    by its text (:func:`statement_label`), a property by its printed short name
    (``P3`` -> ``Property 3``)."""
    names = {str(h.get("id", "")): statement_label(h) for h in edition.headlines}
    for pid, prop in edition.cip.get("properties", {}).items():
        names.setdefault(str(pid), short_name(str(prop.get("name", pid))))
    return names


def disagreements(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The papers' disagreements for reading (:data:`WHY_COLUMNS`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Findings as :func:`mtfs_model.reconcile` gives them (``table``, ``row``,
        ``column``, ``actual``, ``expected``, ``difference``, ``check``, ``printed_as``).
    names : mapping
        Rows by their words (:func:`row_names`): a row id found here is printed as its name.

    Returns
    -------
    pandas.DataFrame
        Same index; ``where`` (the paper's table, the row and the column in words), the
        figures as text in the unit of their table (``unit``: £ or £000), a misprint's
        difference in words (:data:`MISPRINTED`), ``why`` a sentence.
    """
    shown = reader_view(frame)
    out = pd.DataFrame(index=frame.index)
    out["table"] = [str(t).replace(" (£)", "") for t in frame["table"]]
    out["row"] = [names.get(str(r), str(s)) for r, s in zip(frame["row"], shown["row"], strict=True)]
    out["column"] = shown["column"]
    out["where"] = [
        f"{t}: {r}" + (f", {c}" if c else "") for t, r, c in zip(out["table"], out["row"], out["column"], strict=True)
    ]
    out["unit"] = [unit_of(str(t)) for t in frame["table"]]
    printed_as = frame["printed_as"].fillna("") if "printed_as" in frame else pd.Series("", index=frame.index)
    misprint = [str(c).startswith(MISPRINT) for c in frame["check"]]
    out["printed"] = shown[READER_COLUMNS["printed"]]
    out["derived"] = [  # a misprint's figure as meant, whole (not to the decimals of a difference it has none of)
        number(d) if m else text for m, d, text in zip(misprint, frame["expected"], shown["derived"], strict=True)
    ]
    out["printed − derived"] = [
        MISPRINTED if m else d for m, d in zip(misprint, shown[READER_COLUMNS["difference"]], strict=True)
    ]
    out["why"] = [
        why(str(c), str(t), str(p), float(d), float(a))
        for c, t, p, d, a in zip(
            frame["check"], frame["table"], printed_as, frame["expected"], frame["actual"], strict=True
        )
    ]
    return out[list(WHY_COLUMNS)]
