"""Fiscal years of the MTFS and helpers to label them (April to March, ``2021/22``)."""

from __future__ import annotations

import datetime as dt

YEARS: tuple[str, ...] = ("2021/22", "2022/23", "2023/24", "2024/25")
"""The four MTFS years, as the papers label them."""

BASE_YEAR = "2020/21"
"""The year before the MTFS: the 2020/21 base budget."""


def fy_label(start_year: int) -> str:
    """Label of the fiscal year starting in April of ``start_year``: 2021 -> ``2021/22``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_start(label: str) -> int:
    """Calendar year in which fiscal year ``label`` (``2021/22``) starts."""
    return int(label[:4])


def fy_of(date: dt.date) -> str:
    """Fiscal year a date falls in (April to March)."""
    return fy_label(date.year if date.month >= 4 else date.year - 1)


def parse_month(text: str) -> dt.date:
    """``"2021-12"`` -> the first of that month.  Raises ValueError on anything else."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)
