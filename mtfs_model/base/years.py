"""Fiscal years (April to March, labelled ``2021/22``) and helpers to label them.

The years of an MTFS are edition data (``[horizon]`` in an edition's ``edition.toml``):
this module only knows how fiscal years are written.
"""

from __future__ import annotations

import datetime as dt


def fy_label(start_year: int) -> str:
    """Label of the fiscal year starting in April of ``start_year``: 2021 -> ``2021/22``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_start(label: str) -> int:
    """Calendar year in which fiscal year ``label`` (``2021/22``) starts."""
    return int(label[:4])


def fy_of(date: dt.date) -> str:
    """Fiscal year a date falls in (April to March)."""
    return fy_label(date.year if date.month >= 4 else date.year - 1)


def is_fy_label(text: str) -> bool:
    """True for a well-formed label whose second part follows its first (``2021/22``)."""
    if len(text) != 7 or text[4] != "/" or not (text[:4].isdigit() and text[5:].isdigit()):
        return False
    return fy_label(int(text[:4])) == text


def parse_month(text: str) -> dt.date:
    """``"2021-12"`` -> the first of that month.  Raises ValueError on anything else."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)
