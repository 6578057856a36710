"""The published MTFS as data: load the files in ``mtfs_model/data`` with their provenance.

Every figure carries a ``source`` (document key, place in it, phrase to grep for); the
documents are listed in ``data/sources.toml``.  TOML is read with the standard library's
``tomllib``, which rejects a duplicated key outright, so a figure cannot be silently
typed twice.  Loading validates types, years and signs, and raises
:class:`~mtfs_model.errors.InputError` naming the file and key on the first problem.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import pandas as pd

from .errors import InputError
from .years import YEARS, parse_month

DATA_DIR = Path(__file__).resolve().parent / "data"

APPENDIX_A_COLUMNS: tuple[str, ...] = (
    "budget_2020_21",
    "employees",
    "running_expenses",
    "internal_income",
    "gross_budget",
    "external_income",
    "net_2021_22",
    "schools",
    "early_years",
    "high_needs",
    "dsg_total",
    "la_block",
)


def cell(frame: pd.DataFrame, row: Any, column: Any) -> float:
    """One numeric cell as a float (pandas-stubs types ``.at`` as any scalar)."""
    return float(cast(float, frame.at[row, column]))


def row_of(frame: pd.DataFrame, label: Any) -> dict[str, float]:
    """One row of a numeric table as ``{column: float}``."""
    return {str(c): cell(frame, label, c) for c in frame.columns}


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; a syntax error or duplicated key becomes an :class:`InputError`."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(path, "(file)", "an existing TOML file", show_got=False) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "(syntax)", f"valid TOML with no duplicated key ({exc})", show_got=False) from None


def number(
    value: Any, file: str | Path, key: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """Check that ``value`` is a finite real number within bounds and return it as float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(file, key, "a number", value)
    x = float(value)
    if not math.isfinite(x):
        raise InputError(file, key, "a finite number", value)
    if minimum is not None and x < minimum:
        raise InputError(file, key, f"a number >= {minimum:g}", value)
    if maximum is not None and x > maximum:
        raise InputError(file, key, f"a number <= {maximum:g}", value)
    return x


def year_map(
    value: Any,
    file: str | Path,
    key: str,
    *,
    sign: int = 0,
    years: tuple[str, ...] = YEARS,
    extra: tuple[str, ...] = (),
) -> dict[str, float]:
    """Validate a ``{"2021/22": n, ...}`` table holding exactly the MTFS years.

    ``sign`` +1 demands values >= 0, -1 values <= 0, 0 either.  ``extra`` names further
    keys allowed (e.g. ``"total"``).
    """
    if not isinstance(value, Mapping):
        raise InputError(file, key, f"a table of the years {', '.join(years)}", value)
    missing = [y for y in years if y not in value]
    if missing:
        raise InputError(file, f"{key}.{missing[0]}", "a value for every year " + ", ".join(years), show_got=False)
    unknown = [k for k in value if k not in years and k not in extra]
    if unknown:
        raise InputError(file, f"{key}.{unknown[0]}", "only the years " + ", ".join(years + extra), show_got=False)
    out: dict[str, float] = {}
    for k, v in value.items():
        x = number(v, file, f"{key}.{k}")
        if sign > 0 and x < 0:
            raise InputError(file, f"{key}.{k}", "a value >= 0 (a cost)", v)
        if sign < 0 and x > 0:
            raise InputError(file, f"{key}.{k}", "a value <= 0 (savings are negative, as published)", v)
        out[k] = x
    return out


def check_keys(table: Mapping[str, Any], allowed: set[str], file: str | Path, where: str) -> None:
    """Reject any key of ``table`` outside ``allowed``."""
    for k in table:
        if k not in allowed:
            key = f"{where}.{k}" if where else k
            raise InputError(file, key, "one of " + ", ".join(sorted(allowed)), show_got=False)


@dataclass(frozen=True)
class Baseline:
    """The published MTFS, as transcribed.  Plain data: the engine never mutates it."""

    sources: dict[str, Any]
    growth_savings: dict[str, Any]
    revenue: dict[str, Any]
    high_needs: dict[str, Any]
    capital: dict[str, Any]
    cip: dict[str, Any]
    headlines: list[dict[str, Any]]
    appendix_a: pd.DataFrame

    def source_of(self, source: Mapping[str, Any]) -> str:
        """Render a ``source`` table as ``file, place, "phrase"`` for a footnote."""
        doc = self.sources["documents"].get(source.get("doc", ""), {})
        return f'{doc.get("file", source.get("doc", "?"))}, {source.get("ref", "")}: "{source.get("grep", "")}"'


def _validate_lines(gs: dict[str, Any], file: Path) -> None:
    for code, line in gs["lines"].items():
        where = f"lines.{code}"
        kind = line.get("kind")
        if kind not in ("growth", "saving"):
            raise InputError(file, f"{where}.kind", '"growth" or "saving"', kind)
        year_map(line.get("values"), file, f"{where}.values", sign=1 if kind == "growth" else -1)
        if "source" not in line:
            raise InputError(file, f"{where}.source", "a source table (doc, ref, grep)", show_got=False)


def _validate_cip(cip: dict[str, Any], file: Path) -> None:
    number(cip["defaults"]["discount_rate"], file, "defaults.discount_rate", minimum=0.0, maximum=1.0)
    for code, p in cip["properties"].items():
        where = f"properties.{code}"
        for k, v in p["capital_parts"].items():
            number(v, file, f"{where}.capital_parts.{k}", minimum=0.0)
        for k, v in p["saving_parts"].items():
            number(v, file, f"{where}.saving_parts.{k}")
        number(p["occupancy"], file, f"{where}.occupancy", minimum=0.0, maximum=1.0)
        number(p["retained_value"], file, f"{where}.retained_value", minimum=0.0)
        number(p["places"], file, f"{where}.places", minimum=1.0)
        try:
            parse_month(p["go_live"])
        except (ValueError, AttributeError):
            raise InputError(file, f"{where}.go_live", 'a month as "YYYY-MM"', p.get("go_live")) from None


def _validate_capital(cap: dict[str, Any], file: Path) -> None:
    for key, block in cap["programme"]["blocks"].items():
        for i, scheme in enumerate(block["schemes"]):
            where = f"programme.blocks.{key}.schemes[{i}]"
            if "values" in scheme:
                year_map(scheme["values"], file, f"{where}.values", sign=1)
            number(scheme["total"], file, f"{where}.total", minimum=0.0)
    for i, res in enumerate(cap["resources"]["rows"]):
        year_map(res["values"], file, f"resources.rows[{i}].values", sign=1)


def read_appendix_a(path: Path) -> pd.DataFrame:
    """Appendix A as a DataFrame indexed by row id, money in GBP (ints)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = []
    for i, row in enumerate(rows, start=2):
        rec: dict[str, Any] = {"id": row["id"], "parent": row["parent"], "kind": row["kind"], "label": row["label"]}
        for col in APPENDIX_A_COLUMNS:
            try:
                rec[col] = int(row[col])
            except (TypeError, ValueError):
                raise InputError(path, f"line {i}, {col}", "a whole number of pounds", row.get(col)) from None
        rec["source_line"] = int(row["source_line"])
        records.append(rec)
    frame = pd.DataFrame.from_records(records).set_index("id")
    ids = set(frame.index)
    for rid, parent in frame["parent"].items():
        if parent and parent not in ids:
            raise InputError(path, f"{rid}.parent", "the id of a subtotal row", parent)
    return frame


def load_baseline(data_dir: Path = DATA_DIR) -> Baseline:
    """Load and validate the bundled baseline (cached: the files are read-only data)."""
    return _load_baseline(str(data_dir))


@lru_cache(maxsize=4)
def _load_baseline(data_dir: str) -> Baseline:
    d = Path(data_dir)
    gs = read_toml(d / "growth_savings.toml")
    _validate_lines(gs, d / "growth_savings.toml")
    revenue = read_toml(d / "revenue.toml")
    rf = revenue["roll_forward"]
    number(rf["original_prior_year_budget"], d / "revenue.toml", "roll_forward.original_prior_year_budget", minimum=0)
    year_map(rf["budget_transfers"], d / "revenue.toml", "roll_forward.budget_transfers")
    cip = read_toml(d / "cip.toml")
    _validate_cip(cip, d / "cip.toml")
    cap = read_toml(d / "capital.toml")
    _validate_capital(cap, d / "capital.toml")
    hn = read_toml(d / "high_needs.toml")
    for group, sign in (("funding", -1), ("expenditure", 1), ("savings", -1)):
        for key, value in hn["forecast"][group].items():
            year_map(value, d / "high_needs.toml", f"forecast.{group}.{key}", sign=sign)
    return Baseline(
        sources=read_toml(d / "sources.toml"),
        growth_savings=gs,
        revenue=revenue,
        high_needs=hn,
        capital=cap,
        cip=cip,
        headlines=read_toml(d / "headlines.toml")["headline"],
        appendix_a=read_appendix_a(d / "appendix_a.csv"),
    )
