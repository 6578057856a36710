"""The identities every edition's capital tables and CIP property appraisals should satisfy.

The capital programme's schemes, blocks and overall total, its summary table, the
resources and their summary, each against the others and against what the engine
derives; and each CIP property's printed figures and stated paybacks against the
figures computed from its parts.  Everything is read from ``capital.toml`` and
``cip.toml``: their blocks, groups, properties and years.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mtfs_model.base.cells import cell
from mtfs_model.base.years import parse_month
from mtfs_model.engine import capital
from mtfs_model.reconciliation.checks import Context
from mtfs_model.reconciliation.findings import (
    MISPRINT_THOUSANDS,
    Value,
    printed,
    printed_sum,
    thousands_misprint,
    title,
)

WEEKS_A_YEAR = 52
HALF_YEAR_MONTHS = 6  # "by mid-2022" places a date within a six-month window


def _ref(section: Mapping[str, Any] | None, default: str) -> str:
    return str(((section or {}).get("source") or {}).get("ref") or default)


def programme(ctx: Context) -> None:
    """Schemes against their years, blocks against their schemes, the overall total
    against the blocks (Appendix C's view)."""
    ed, f = ctx.edition, ctx.findings
    prog = ed.capital["programme"]
    name = title(ed, "Capital programme", [prog.get("source")])
    for bid, block in prog.get("blocks", {}).items():
        src, shown = block.get("source"), block.get("printed", {})
        for s in block.get("schemes", []):
            if "values" in s:
                f.compare(
                    (name, s["label"], capital.TOTAL),
                    printed_sum(s["values"].values()),
                    printed(s["total"]),
                    "scheme total = sum of its years",
                    src,
                )
            elif "printed_values" in s:
                f.compare(
                    (name, s["label"], capital.TOTAL),
                    printed_sum(s["printed_values"]),
                    printed(s["total"]),
                    "scheme total = sum of its printed years",
                    src,
                )
        if capital.TOTAL in shown:
            f.compare(
                (name, block["label"], capital.TOTAL),
                printed_sum(s["total"] for s in block["schemes"]),
                printed(shown[capital.TOTAL]),
                "block total = sum of its scheme totals",
                src,
            )
        if block.get("use_printed_years"):
            if capital.TOTAL in shown:
                f.compare(
                    (name, block["label"], capital.TOTAL),
                    printed_sum(shown[y] for y in ed.years if y in shown),
                    printed(shown[capital.TOTAL]),
                    "block total = sum of its printed years",
                    src,
                )
            continue
        for y in (y for y in ed.years if y in shown):
            f.compare(
                (name, block["label"], y),
                ctx.resolver.cell("capital_programme", bid, y),
                printed(shown[y]),
                "block = sum of its schemes",
                src,
            )
    overall = prog.get("printed_overall_total")
    if overall:
        for col in (c for c in [*ed.years, capital.TOTAL] if c in overall["values"]):
            f.compare(
                (name, overall["label"], col),
                ctx.resolver.cell("capital_programme", capital.PROGRAMME_TOTAL, col),
                printed(overall["values"][col]),
                "overall total = sum of the blocks",
                overall.get("source"),
            )


def summary(ctx: Context) -> None:
    """The programme's summary table against the programme and against itself."""
    ed, f = ctx.edition, ctx.findings
    s = ed.capital.get("summary")
    if not s:
        return
    src, detail = s.get("source"), _ref(ed.capital["programme"], "the programme")
    name, ref = title(ed, "Capital programme", [src]), _ref(s, "summary")
    cols = [*ed.years, capital.TOTAL]
    read: dict[tuple[int, str], float] = {}  # a misprinted figure as it is meant, for the total
    for i, row in enumerate(s.get("rows", [])):
        text = str(row.get("printed_total", ""))
        meant = thousands_misprint(text)
        for col in (c for c in cols if c in row["values"]):
            check, as_text = f"{ref} summary = {detail}", ""
            if col == capital.TOTAL and meant is not None:  # counted once, here, with its kind
                read[(i, col)] = float(meant)
                check, as_text = f'{MISPRINT_THOUSANDS} ("{text}" for {meant:,}); {check}', text
            f.compare(
                (name, row["label"], col),
                ctx.resolver.cell("capital_programme", row["block"], col),
                printed(row["values"][col]),
                check,
                src,
                printed_as=as_text,
            )
    for col in (c for c in cols if c in s.get("total", {})):
        shown = printed(s["total"][col])
        f.compare(
            (name, capital.TOTAL, col),
            ctx.resolver.cell("capital_programme", capital.PROGRAMME_TOTAL, col),
            shown,
            f"{ref} total = {detail} overall total",
            src,
        )
        f.compare(
            (name, capital.TOTAL, col),
            printed_sum(read.get((i, col), r["values"][col]) for i, r in enumerate(s.get("rows", []))),
            shown,
            f"{ref} total = sum of its printed rows",
            src,
        )


def resources(ctx: Context) -> None:
    """Each resource against its years; the printed totals and net funding required
    against the resources and the programme; the resources' summary table."""
    ed, f = ctx.edition, ctx.findings
    res = ed.capital["resources"]
    src, cols = res.get("source"), [*ed.years, capital.TOTAL]
    name, detail = title(ed, "Capital resources", [src]), _ref(res, "the resources")
    for row in res.get("rows", []):
        f.compare(
            (name, row["label"], capital.TOTAL),
            printed_sum(row["values"].values()),
            printed(row["total"]),
            "resource total = sum of its years",
            src,
        )
    for key, rid, text in (
        ("printed_total", capital.AVAILABLE, "total = sum of the resources"),
        ("printed_net_funding_required", capital.LCC, "net funding = programme - resources"),
    ):
        for col in (c for c in cols if c in res.get(key, {})):
            label = capital.TOTAL if rid == capital.AVAILABLE else ed.label("capital", rid)
            f.compare(
                (name, label, col), ctx.resolver.cell("capital_financing", rid, col), printed(res[key][col]), text, src
            )
    rs = ed.capital.get("resources_summary")
    if not rs:
        return
    name, ref, src = title(ed, "Capital resources", [rs.get("source")]), _ref(rs, "summary"), rs.get("source")
    for row in rs.get("rows", []):
        for col in (c for c in cols if c in row["values"]):
            f.compare(
                (name, row["label"], col),
                ctx.resolver.cell("capital_financing", row["group"], col),
                printed(row["values"][col]),
                f"{ref} summary = {detail} resources",
                src,
            )
    totals = (
        ("total_available", capital.AVAILABLE),
        ("lcc_requirement", capital.LCC),
        ("total_funding", capital.PROGRAMME_FUNDING),
    )
    for key, rid in totals:
        for col in (c for c in cols if c in rs.get(key, {})):
            f.compare(
                (name, ed.label("capital", rid), col),
                ctx.resolver.cell("capital_financing", rid, col),
                printed(rs[key][col]),
                f"{ref} summary = {detail}",
                src,
            )
    for col in (c for c in cols if c in rs.get("total_funding", {})):
        f.compare(
            (name, ed.label("capital", capital.PROGRAMME_FUNDING), col),
            ctx.resolver.cell("capital_programme", capital.PROGRAMME_TOTAL, col),
            printed(rs["total_funding"][col]),
            f"{ref} funding total = the programme total",
            src,
        )


def _within(computed: float, stated: Mapping[str, Any]) -> float:
    """A computed payback as checked against a stated one: "within N years" holds for
    anything up to N (so it is compared as N), and only the excess over N is a difference;
    "of N years" compares the computed figure itself."""
    return max(computed, float(stated["years"])) if stated["relation"] == "within" else computed


def _paybacks(ctx: Context, name: str, code: str, p: Mapping[str, Any]) -> None:
    """Each stated payback against the computed one (a year is the printed unit)."""
    f, cip_table = ctx.findings, ctx.result.cip
    for key in ("stated_payback", "stated_payback_gross"):
        st = p.get(key)
        if not st:
            continue
        gross = st["basis"] == "gross"
        computed = cell(cip_table, code, "simple_payback_gross" if gross else "simple_payback_net")
        if not gross and "net_investment_printed" in p:
            # The paper's own net payback uses its printed net investment.
            f.compare(
                (name, code, "payback (net, printed investment)"),
                printed(st["years"]),
                Value(_within(p["net_investment_printed"] / cell(cip_table, code, "annual_saving"), st)),
                f'stated: "{st["text"]}" using the printed net investment',
                p["source"],
            )
        label = "payback (derived saving)" if bool(cip_table.at[code, "saving_derived"]) else f"payback ({st['basis']})"
        f.compare(
            (name, code, label),
            printed(st["years"]),
            Value(_within(computed, st)),
            f'stated: "{st["text"]}"',
            p["source"],
        )


def _property(ctx: Context, name: str, code: str, p: Mapping[str, Any]) -> None:
    f, src = ctx.findings, p["source"]
    sums = (
        ("capital_printed_total", "capital_parts", "capital cost"),
        ("saving_printed_total", "saving_parts", "annual saving"),
    )
    for key, parts, what in sums:
        if key in p:
            f.compare(
                (name, code, what), printed_sum(p[parts].values()), printed(p[key]), f"{what} = sum of its parts", src
            )
    if "net_investment_printed" in p:
        net = printed_sum(p["capital_parts"].values()) - printed(p["retained_value"])
        f.compare(
            (name, code, "net investment"),
            net,
            printed(p["net_investment_printed"]),
            "net investment = total investment - retained value",
            src,
        )
    drv, weekly = p.get("driver"), p.get("weekly_differential_gbp")
    if drv and weekly:
        implied = weekly * drv["weeks"] * p["places"] * p["occupancy"] / 1000
        f.compare(
            (name, code, f"saving: {drv['part']}"),
            Value(implied),
            printed(p["saving_parts"][drv["part"]]),
            f"driver: {drv['formula']}",
            src,
        )
    elif weekly and p["saving_parts"]:
        implied = weekly * WEEKS_A_YEAR * p["places"] * p["occupancy"] / 1000
        f.compare(
            (name, code, "annual saving"),
            Value(implied),
            printed_sum(p["saving_parts"].values()),
            f"weekly care-cost differential x {WEEKS_A_YEAR} x places x occupancy (the printed saving may "
            "count more than care costs)",
            src,
            soft=True,
        )
    _paybacks(ctx, name, code, p)
    alt = p.get("go_live_alternative")
    if alt:
        a, b = parse_month(p["go_live"]), parse_month(alt["date"])
        months = (b.year - a.year) * 12 + b.month - a.month
        where = str((p.get("go_live_source") or {}).get("ref", "")).split(",")[0] or "the printed"
        f.compare(
            (name, code, f"go-live (months after {where} date)"),
            Value(0.0),
            printed(months, HALF_YEAR_MONTHS),
            f'go-live {p["go_live"]} ({where}) against "{alt["text"]}"',
            alt["source"],
            soft=True,
        )


def cip(ctx: Context) -> None:
    """Each CIP property's printed figures and stated paybacks, and the envelope."""
    ed, f = ctx.edition, ctx.findings
    props = ed.cip.get("properties", {})
    if not props:
        return
    name = title(ed, "Properties", [p.get("source") for p in props.values()])
    for code, p in props.items():
        _property(ctx, name, code, p)
    d = ed.cip["defaults"]
    whole = "All properties"
    if "places_envelope" in d:
        places = float(sum(p["places"] for p in props.values()))
        f.compare(
            (name, whole, "places"),
            Value(float(d["places_envelope"])),
            Value(max(places, float(d["places_envelope"]))),
            "places within the envelope's placements",
            d.get("capital_envelope_source"),
        )
    if "capital_envelope" in d:
        cash = float(ctx.result.cip["capital_cash"].sum())
        f.compare(
            (name, whole, "cash capital"),
            Value(float(d["capital_envelope"])),
            printed(max(cash, d["capital_envelope"])),
            "cash capital within the envelope",
            d.get("capital_envelope_source"),
            soft=True,
        )


# Each identity and the file whose keys it reads (named if one is missing).
CHECKS = ((programme, "capital.toml"), (summary, "capital.toml"), (resources, "capital.toml"), (cip, "cip.toml"))
