"""The identities every edition's printed revenue tables should satisfy.

Each function reads the edition's own files (its years, its lines, its rows, its
printed totals) and compares what they print with what the engine derives from the
printed parts; none names a year, a line or a label.  An edition without a section (no
Appendix A, no printed roll-forward) simply has no findings for it.  Cross-references
particular to one edition are declared as data instead (``checks.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mtfs_model.base import rows
from mtfs_model.base.errors import InputError
from mtfs_model.reconciliation.checks import Context
from mtfs_model.reconciliation.findings import Value, printed, printed_sum, title, total

# Keys of a file's printed rows that differ from the engine's row ids.
ROLL_FORWARD_KEYS = {"original_prior_year_budget": rows.PRIOR_YEAR_BUDGET, "budget_transfers": rows.TRANSFERS}
HIGH_NEEDS_KEYS = {"funding_gap_pre_savings": rows.HN_GAP_PRE_SAVINGS}
ENDS = (("first_year", 0), ("last_year", -1))  # narrative keys and the horizon year each states


def _row_id(ctx: Context, table: str, key: str, aliases: Mapping[str, str], file: str, where: str) -> str:
    rid = aliases.get(key, key)
    index = [str(i) for i in getattr(ctx.result, table).index]
    if rid not in index:
        raise InputError(
            ctx.edition.path / file, f"{where}.{key}", f"a row of the {table} table: " + ", ".join(index), key
        )
    return rid


def appendix_a(ctx: Context) -> None:
    """Every subtotal of the detailed budget against its printed rows, and every column
    identity (``revenue.toml`` ``[appendix_a] identities``) on every row."""
    ed, f = ctx.edition, ctx.findings
    a = ed.appendix_a
    if a.empty:
        return
    spec = ed.revenue.get("appendix_a", {})
    src = dict(spec.get("source") or {})
    name = title(ed, str(src.get("ref") or "Detailed budget"), [], str(spec.get("unit", "")))
    children: dict[str, list[str]] = {}
    for rid, parent in a["parent"].items():
        if parent:
            children.setdefault(str(parent), []).append(str(rid))
    for rid, kids in children.items():
        label = str(a.at[rid, "label"])
        for col in ed.appendix_a_columns:
            f.compare(
                (name, label, col),
                printed_sum(a.loc[kids, col]),
                printed(a.at[rid, col]),
                "subtotal = sum of its printed rows",
                {**src, "grep": label},
            )
    for ident in spec.get("identities", []):
        parts = list(ident["parts"])
        for rid in a.index:
            label = str(a.at[rid, "label"])
            f.compare(
                (name, label, ident["total"]),
                printed_sum(a.loc[rid, parts]),
                printed(a.at[rid, ident["total"]]),
                f"{ident['total']} = " + " + ".join(parts),
                {**src, "grep": label},
            )


def service_areas(ctx: Context) -> None:
    """The net budget by service area: each printed row against the detailed budget's
    rows it names, and the printed total against its rows and the derived total."""
    ed, f = ctx.edition, ctx.findings
    spec = ed.revenue.get("service_areas")
    if not spec or ed.appendix_a.empty:
        return
    src = spec.get("source")
    name = title(ed, "Net budget by service area", [src])
    ref = str((src or {}).get("ref", "printed"))
    detail = str(ed.revenue.get("appendix_a", {}).get("source", {}).get("ref", "the detailed budget"))
    year = ed.first_year
    for row in spec["rows"]:
        f.compare(
            (name, row["label"], year),
            ctx.resolver.cell("service_areas", row["label"], year),
            printed(row["value"]),
            f"{ref} = {detail} {spec['column']} of " + " + ".join(row["appendix_a"]),
            src,
        )
    label = str(spec.get("printed_total_label", "Total"))
    if "printed_total" in spec:
        shown = printed(spec["printed_total"])
        f.compare(
            (name, label, year),
            printed_sum(r["value"] for r in spec["rows"]),
            shown,
            "total = sum of its printed rows",
            src,
        )
        f.compare(
            (name, label, year),
            ctx.resolver.cell("service_areas", label, year),
            shown,
            f"{ref} total = {detail} total",
            src,
        )


def growth_savings(ctx: Context) -> None:
    """Each printed programme total against the lines it names, and each narrative
    sentence's first- and final-year figures against the line it describes."""
    ed, f = ctx.edition, ctx.findings
    gs = ed.growth_savings
    codes = [str(c) for c in ctx.result.cumulative.index]
    for key, tot in gs.get("printed_totals", {}).items():
        bad = [p for p in tot["parts"] if p not in codes]
        if bad:
            raise InputError(
                ed.path / "growth_savings.toml",
                f"printed_totals.{key}.parts",
                "line codes: " + ", ".join(ed.line_codes),
                bad[0],
            )
        name = title(ed, "Growth and savings", [tot.get("source")])
        for y in (y for y in ed.years if y in tot["values"]):
            derived = total(ctx.resolver.cell("cumulative", p, y) for p in tot["parts"])
            f.compare(
                (name, tot["label"], y),
                derived,
                printed(tot["values"][y]),
                "total = sum of its lines",
                tot.get("source"),
            )
    said = {c: ln["narrative"] for c, ln in gs["lines"].items() if ln.get("narrative")}
    name = title(ed, "Growth and savings narrative", [n.get("source") for n in said.values()])
    for code, n in said.items():
        values = gs["lines"][code]["values"]
        for key, end in ENDS:
            y = ed.years[end]
            if key in n and y in values:
                f.compare(
                    (name, code, y),
                    printed(values[y]),
                    printed(n[key], n.get("precision", 1.0)),
                    f'narrative: "{n["text"]}"',
                    n.get("source"),
                )


def roll_forward(ctx: Context) -> None:
    """Each printed roll-forward row, each year, against the roll-forward the engine
    derives from the first prior-year budget, the transfers and the lines."""
    ed, f = ctx.edition, ctx.findings
    rf = ed.revenue["roll_forward"]
    name = title(ed, "Revenue roll-forward", [rf.get("source")])
    for key, by_year in rf.get("printed", {}).items():
        rid = _row_id(ctx, "revenue", key, ROLL_FORWARD_KEYS, "revenue.toml", "roll_forward.printed")
        for y in (y for y in ed.years if y in by_year):
            f.compare(
                (name, ed.label("revenue", rid), y),
                ctx.resolver.cell("revenue", rid, y),
                printed(by_year[y]),
                "printed against the roll-forward derived from the lines",
                rf.get("source"),
            )


def high_needs(ctx: Context) -> None:
    """Each printed High Needs total against the total derived from the printed lines,
    and the printed cumulative deficit link by link (brought forward + annual gaps)."""
    ed, f = ctx.edition, ctx.findings
    fc = ed.high_needs["forecast"]
    shown: dict[str, Any] = fc.get("printed", {})
    src = fc.get("source")
    name = title(ed, "High Needs forecast", [src])
    ids = {}
    for key, by_year in shown.items():
        rid = ids[key] = _row_id(ctx, "high_needs", key, HIGH_NEEDS_KEYS, "high_needs.toml", "forecast.printed")
        for y in (y for y in ed.years if y in by_year):
            f.compare(
                (name, ed.hn_label(rid), y),
                ctx.resolver.cell("high_needs", rid, y),
                printed(by_year[y]),
                "printed total against the total derived from the printed lines",
                src,
            )
    by_id = {rid: shown[key] for key, rid in ids.items()}
    annual, cumulative = by_id.get(rows.HN_ANNUAL_GAP), by_id.get(rows.HN_CUMULATIVE)
    if annual is None or cumulative is None:
        return
    prev: Value = printed_sum(fc.get("brought_forward", {}).values())
    for y in ed.years:
        if y not in annual or y not in cumulative:
            break
        now = printed(cumulative[y])
        f.compare(
            (name, ed.hn_label(rows.HN_CUMULATIVE), y),
            prev + printed(annual[y]),
            now,
            "printed cumulative = previous printed + printed annual gap",
            src,
        )
        prev = now


# Each identity and the file whose keys it reads (named if one is missing).
CHECKS = (
    (appendix_a, "revenue.toml"),
    (service_areas, "revenue.toml"),
    (growth_savings, "growth_savings.toml"),
    (roll_forward, "revenue.toml"),
    (high_needs, "high_needs.toml"),
)
