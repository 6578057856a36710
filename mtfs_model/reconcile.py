"""The reconciler: prove the tables add up, or say where and by how much they don't.

Two kinds of check, both returned as rows of one findings DataFrame:

* **paper** checks compare what the papers print with what the engine derives from the
  printed parts: every Appendix A subtotal and column identity, para 12 against
  Appendix A, Appendix B totals, the para 9 roll-forward, the High Needs chain, the
  capital programme and financing against Appendix C and para 43/44, the headline
  sentences, the narrative drivers, and the CIP property figures and stated paybacks.
  These always read the published baseline: a scenario changes the model, not the papers.
* **engine** checks prove the result's own identities (net = prior + transfers + growth
  + savings, cumulative = running sum of in-year, every total = sum of its parts, ...),
  for whatever scenario the result is for.  They must always be ``ok``.

Severity: ``ok`` (equal), ``rounding`` (within the printed precision: half a printed
unit for each rounded figure involved), ``note`` (a driver or cross-reference that the
papers do not claim to be exact), ``disagreement`` (beyond the printed precision).
``difference`` is always ``actual - expected``: printed minus derived.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import capital, high_needs, revenue
from .data import APPENDIX_A_COLUMNS, Baseline, cell, load_baseline
from .engine import Result, run
from .years import YEARS, parse_month

SEVERITIES = ("ok", "rounding", "note", "disagreement")
COLUMNS = [
    "kind",
    "table",
    "row",
    "column",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "severity",
    "check",
    "source",
]
ENGINE_TOLERANCE = 1e-6  # float summation noise only


@dataclass
class Findings:
    """Accumulates findings; one method per way of comparing two figures."""

    baseline: Baseline
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        table: str,
        row: str,
        column: str,
        expected: float,
        actual: float,
        tolerance: float,
        check: str,
        source: Mapping[str, Any] | str | None = None,
        *,
        soft: bool = False,
    ) -> None:
        """Record ``actual`` (printed) against ``expected`` (derived) within ``tolerance``."""
        diff = float(actual) - float(expected)
        if abs(diff) <= ENGINE_TOLERANCE:
            severity = "ok"
        elif abs(diff) <= tolerance + ENGINE_TOLERANCE:
            severity = "rounding"
        else:
            severity = "note" if soft else "disagreement"
        src = source if isinstance(source, str) else (self.baseline.source_of(source) if source else "")
        self.rows.append(
            {
                "kind": self.kind,
                "table": table,
                "row": row,
                "column": column,
                "expected": float(expected),
                "actual": float(actual),
                "difference": diff,
                "tolerance": float(tolerance),
                "severity": severity,
                "check": check,
                "source": src,
            }
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows, columns=COLUMNS)


def _half(n: int, unit: float = 1.0) -> float:
    """Rounding tolerance when ``n`` figures each printed to ``unit`` are combined."""
    return 0.5 * unit * n


# --- paper checks -------------------------------------------------------------------


def _appendix_a(f: Findings) -> None:
    a = f.baseline.appendix_a
    src = {"doc": "mtfs_report", "ref": "Appendix A"}
    children: dict[str, list[str]] = {}
    for rid, parent in a["parent"].items():
        if parent:
            children.setdefault(str(parent), []).append(str(rid))
    for rid, kids in children.items():
        for col in APPENDIX_A_COLUMNS:
            f.add(
                "Appendix A (GBP)",
                str(a.at[rid, "label"]),
                col,
                float(a.loc[kids, col].sum()),
                cell(a, rid, col),
                _half(len(kids)),
                "subtotal = sum of its printed rows",
                {**src, "grep": str(a.at[rid, "label"])},
            )
    for ident in f.baseline.revenue["appendix_a"]["identities"]:
        for rid in a.index:
            parts = ident["parts"]
            f.add(
                "Appendix A (GBP)",
                str(a.at[rid, "label"]),
                ident["total"],
                float(a.loc[rid, parts].sum()),
                cell(a, rid, ident["total"]),
                _half(len(parts)),
                f"{ident['total']} = " + " + ".join(parts),
                {**src, "grep": str(a.at[rid, "label"])},
            )


def _service_areas(f: Findings, r: Result) -> None:
    spec = f.baseline.revenue["service_areas"]
    for row in spec["rows"]:
        f.add(
            "Net budget by service area (para 12)",
            row["label"],
            "2021/22",
            cell(r.service_areas, row["label"], "2021/22"),
            row["value"],
            0.5,
            "para 12 = Appendix A LA Block of " + " + ".join(row["appendix_a"]),
            spec["source"],
        )
    f.add(
        "Net budget by service area (para 12)",
        spec["printed_total_label"],
        "2021/22",
        sum(row["value"] for row in spec["rows"]),
        spec["printed_total"],
        _half(len(spec["rows"])),
        "total = sum of its printed rows",
        spec["source"],
    )
    f.add(
        "Net budget by service area (para 12)",
        spec["printed_total_label"],
        "2021/22",
        cell(r.service_areas, "Department Total", "2021/22"),
        spec["printed_total"],
        0.5,
        "para 12 total = Appendix A TOTAL CHILDREN & FAMILY SERVICES",
        spec["source"],
    )
    f.add(
        "Net budget by service area (para 12)",
        spec["printed_total_label"],
        "2021/22",
        f.baseline.revenue["roll_forward"]["printed"]["net_budget"]["2021/22"],
        spec["printed_total"],
        1.0,
        "para 12 total = para 9 net budget 2021/22",
        spec["source"],
    )


def _growth_savings(f: Findings, r: Result) -> None:
    gs = f.baseline.growth_savings
    for tot in gs["printed_totals"].values():
        for y in YEARS:
            f.add(
                "Growth and savings (Appendix B)",
                tot["label"],
                y,
                float(r.cumulative.loc[tot["parts"], y].sum()),
                tot["values"][y],
                _half(len(tot["parts"])),
                "total = sum of its lines",
                tot["source"],
            )
    for code, line in gs["lines"].items():
        n = line.get("narrative")
        if not n:
            continue
        for key, y in (("first_year", YEARS[0]), ("last_year", YEARS[-1])):
            if key in n:
                f.add(
                    "Growth and savings narrative (para 17-19)",
                    code,
                    y,
                    float(line["values"][y]),
                    n[key],
                    n["precision"] / 2,
                    f'narrative: "{n["text"]}"',
                    n["source"],
                )


def _roll_forward(f: Findings, r: Result) -> None:
    rf = f.baseline.revenue["roll_forward"]
    printed = rf["printed"]
    derived = r.revenue
    n_lines = len(f.baseline.growth_savings["lines"])
    names = {
        "original_prior_year_budget": ("Original prior year budget", 1),
        "budget_transfers": ("Budget transfers and adjustments", 1),
        "sub_total": ("Sub total", 2),
        "growth": ("Add proposed growth", 12),
        "savings": ("Less proposed savings", 10),
        "net_budget": ("Proposed/provisional net budget", 2 + 2 * n_lines),
    }
    for key, (label, n) in names.items():
        for y in YEARS:
            f.add(
                "Revenue roll-forward (para 9)",
                label,
                y,
                cell(derived, label, y),
                printed[key][y],
                _half(n),
                "para 9 printed against the roll-forward derived from Appendix B",
                rf["source"],
            )
    for y in YEARS:
        f.add(
            "Revenue roll-forward (para 9)",
            "Proposed/provisional net budget",
            y,
            printed["sub_total"][y] + printed["growth"][y] + printed["savings"][y],
            printed["net_budget"][y],
            1.5,
            "printed net = printed sub total + growth + savings",
            rf["source"],
        )
    parts = rf["transfer_parts"]
    f.add(
        "Revenue roll-forward (para 13)",
        "Budget transfers and adjustments",
        "2021/22",
        parts["staff_pay_award"] + parts["fostering_inflation"],
        rf["budget_transfers"]["2021/22"],
        55.0,
        "transfers = staff pay award £1.6m + fostering inflation £0.28m",
        parts["source"],
    )


def _high_needs(f: Findings, r: Result) -> None:
    hn = f.baseline.high_needs
    printed = hn["forecast"]["printed"]
    src = hn["forecast"]["source"]
    checks = {
        "total_expenditure": (high_needs.TOTAL_EXPENDITURE, 4),
        "funding_gap_pre_savings": (high_needs.GAP_PRE_SAVINGS, 2),
        "total_savings": (high_needs.TOTAL_SAVINGS, 3),
        "annual_gap": (high_needs.ANNUAL_GAP, 2),
        "cumulative_gap": (high_needs.CUMULATIVE, 2),
    }
    for key, (label, n) in checks.items():
        for y in YEARS:
            f.add(
                "High Needs forecast (para 33)",
                label,
                y,
                cell(r.high_needs, label, y),
                printed[key][y],
                _half(n),
                "printed total against the total derived from the printed lines",
                src,
            )
    # The printed chain, link by link: each printed total against the printed figures it sums.
    for y in YEARS:
        f.add(
            "High Needs forecast (para 33)",
            high_needs.ANNUAL_GAP,
            y,
            printed["funding_gap_pre_savings"][y] + printed["total_savings"][y],
            printed["annual_gap"][y],
            1.0,
            "printed annual gap = printed gap pre savings + printed total savings",
            src,
        )
    prev = sum(hn["forecast"]["brought_forward"].values())
    for y in YEARS:
        f.add(
            "High Needs forecast (para 33)",
            high_needs.CUMULATIVE,
            y,
            prev + printed["annual_gap"][y],
            printed["cumulative_gap"][y],
            1.0,
            "printed cumulative = previous printed + printed annual gap",
            src,
        )
        prev = printed["cumulative_gap"][y]
    blocks = hn["dsg_blocks"]
    parts = blocks["schools_block_parts"]
    f.add(
        "DSG blocks (para 22, GBPm)",
        "Schools Block",
        "2021/22",
        sum(parts.values()),
        blocks["schools_block"],
        _half(len(parts), 0.1),
        "Schools Block = formula funding + growth",
        blocks["source"],
    )
    total = sum(
        blocks[k] for k in ("schools_block", "central_school_services_block", "high_needs_block", "early_years_block")
    )
    f.add(
        "DSG blocks (para 22, GBPm)",
        "Estimated DSG",
        "2021/22",
        total,
        blocks["printed_total"],
        _half(4, 0.1),
        "£578.3m = sum of the four blocks",
        blocks["printed_total_source"],
    )


def _capital(f: Findings, r: Result) -> None:
    cap = f.baseline.capital
    prog = cap["programme"]
    for block in prog["blocks"].values():
        src = block["source"]
        for s in block["schemes"]:
            if "values" in s:
                f.add(
                    "Capital programme (Appendix C)",
                    s["label"],
                    "Total",
                    sum(s["values"].values()),
                    s["total"],
                    _half(4),
                    "scheme total = sum of its years",
                    src,
                )
            elif "printed_values" in s:
                f.add(
                    "Capital programme (Appendix C)",
                    s["label"],
                    "Total",
                    sum(s["printed_values"]),
                    s["total"],
                    _half(len(s["printed_values"])),
                    "scheme total = sum of its printed years",
                    src,
                )
        f.add(
            "Capital programme (Appendix C)",
            block["label"],
            "Total",
            sum(s["total"] for s in block["schemes"]),
            block["printed"]["Total"],
            _half(len(block["schemes"])),
            "block total = sum of its scheme totals",
            src,
        )
        if block.get("use_printed_years"):
            f.add(
                "Capital programme (Appendix C)",
                block["label"],
                "Total",
                sum(block["printed"][y] for y in YEARS),
                block["printed"]["Total"],
                _half(4),
                "block total = sum of its printed years",
                src,
            )
        else:
            for y in YEARS:
                f.add(
                    "Capital programme (Appendix C)",
                    block["label"],
                    y,
                    sum(s["values"][y] for s in block["schemes"]),
                    block["printed"][y],
                    _half(len(block["schemes"])),
                    "block = sum of its schemes",
                    src,
                )
    overall = prog["printed_overall_total"]
    for col in capital.COLUMNS:
        f.add(
            "Capital programme (Appendix C)",
            overall["label"],
            col,
            cell(r.capital_programme, capital.PROGRAMME_TOTAL, col),
            overall["values"][col],
            _half(3),
            "overall total = sum of the blocks",
            overall["source"],
        )
    summary = cap["summary"]
    labels = {k: b["label"] for k, b in prog["blocks"].items()}
    for row in summary["rows"]:
        for col in capital.COLUMNS:
            f.add(
                "Capital programme (para 43)",
                row["label"],
                col,
                cell(r.capital_programme, labels[row["block"]], col),
                row["values"][col],
                1.0,
                "para 43 summary = Appendix C",
                summary["source"],
            )
    for col in capital.COLUMNS:
        f.add(
            "Capital programme (para 43)",
            "Total",
            col,
            cell(r.capital_programme, capital.PROGRAMME_TOTAL, col),
            summary["total"][col],
            1.0,
            "para 43 total = Appendix C overall total",
            summary["source"],
        )
        f.add(
            "Capital programme (para 43)",
            "Total",
            col,
            sum(row["values"][col] for row in summary["rows"]),
            summary["total"][col],
            _half(3),
            "para 43 total = sum of its printed rows",
            summary["source"],
        )
    res = cap["resources"]
    for row in res["rows"]:
        f.add(
            "Capital resources (Appendix C)",
            row["label"],
            "Total",
            sum(row["values"].values()),
            row["total"],
            _half(4),
            "resource total = sum of its years",
            res["source"],
        )
    fin = r.capital_financing
    for col in capital.COLUMNS:
        f.add(
            "Capital resources (Appendix C)",
            "Total",
            col,
            cell(fin, capital.AVAILABLE, col),
            res["printed_total"][col],
            _half(len(res["rows"])),
            "total = sum of the resources",
            res["source"],
        )
        f.add(
            "Capital resources (Appendix C)",
            "Net Funding Required",
            col,
            cell(fin, capital.LCC, col),
            res["printed_net_funding_required"][col],
            _half(2),
            "net funding = programme - resources",
            res["source"],
        )
    rs = cap["resources_summary"]
    for row in rs["rows"]:
        for col in capital.COLUMNS:
            f.add(
                "Capital resources (para 44)",
                row["label"],
                col,
                cell(fin, capital.GROUP_LABELS[row["group"]], col),
                row["values"][col],
                1.0,
                "para 44 summary = Appendix C resources",
                rs["source"],
            )
    for key, label in (
        ("total_available", capital.AVAILABLE),
        ("lcc_requirement", capital.LCC),
        ("total_funding", "Total CFS Capital Programme Funding"),
    ):
        for col in capital.COLUMNS:
            f.add(
                "Capital resources (para 44)",
                label,
                col,
                cell(fin, label, col),
                rs[key][col],
                1.0,
                "para 44 summary = Appendix C",
                rs["source"],
            )
    for col in capital.COLUMNS:
        f.add(
            "Capital resources (para 44)",
            "Total CFS Capital Programme Funding",
            col,
            cell(r.capital_programme, capital.PROGRAMME_TOTAL, col),
            rs["total_funding"][col],
            1.0,
            "para 44 funding total = para 43 / Appendix C programme total",
            rs["source"],
        )


def _drivers(f: Findings, r: Result) -> None:
    gs = f.baseline.growth_savings["lines"]
    for row in r.drivers.reset_index().to_dict("records"):
        code, y = str(row["line"]), str(row["year"])
        d = gs[code]["drivers"]
        soft = d["model"] == "placement_unit_cost"
        f.add(
            "Growth drivers (para 17)",
            str(code),
            str(y),
            float(row["driver_implied"]),
            float(row["modelled"]),
            0.5,
            f"published against driver-implied: {d['description']}"
            + (" The driver prices only the unit-cost rise, not demographic growth." if soft else ""),
            d["source"],
            soft=soft,
        )


def _within(computed: float, stated: Mapping[str, Any]) -> float:
    """A computed payback as checked against a stated one: "within N years" holds for
    anything up to N (so it is compared as N), and only the excess over N is a difference;
    "of N years" compares the computed figure itself."""
    return max(computed, float(stated["years"])) if stated["relation"] == "within" else computed


def _cip(f: Findings, r: Result) -> None:
    props = f.baseline.cip["properties"]
    for code, p in props.items():
        src = p["source"]
        table = "CIP properties (9 March 2021, para 14)"
        if "capital_printed_total" in p:
            f.add(
                table,
                code,
                "capital cost",
                sum(p["capital_parts"].values()),
                p["capital_printed_total"],
                _half(len(p["capital_parts"])),
                "capital cost = sum of its parts",
                src,
            )
        if "saving_printed_total" in p:
            f.add(
                table,
                code,
                "annual saving",
                sum(p["saving_parts"].values()),
                p["saving_printed_total"],
                _half(len(p["saving_parts"])),
                "annual saving = sum of its parts",
                src,
            )
        if "do_nothing_printed_total" in p:
            do_nothing = p["saving_parts"]["avoided_commissioning"] + p["saving_parts"]["staff_and_expenses"]
            f.add(
                table,
                code,
                "do-nothing cost",
                do_nothing,
                p["do_nothing_printed_total"],
                _half(2),
                "do-nothing cost = commissioning + staff and expenses",
                src,
            )
        if "net_investment_printed" in p:
            f.add(
                table,
                code,
                "net investment",
                sum(p["capital_parts"].values()) - p["retained_value"],
                p["net_investment_printed"],
                _half(2),
                "net investment = total investment - retained value",
                src,
            )
        drv = p.get("driver")
        if drv:
            implied = p["weekly_differential_gbp"] * drv["weeks"] * p["places"] * p["occupancy"] / 1000
            f.add(
                table,
                code,
                f"saving: {drv['part']}",
                implied,
                p["saving_parts"][drv["part"]],
                0.5,
                f"driver: {drv['formula']}",
                src,
            )
        elif p.get("weekly_differential_gbp") and p["saving_parts"]:
            implied = p["weekly_differential_gbp"] * 52 * p["places"] * p["occupancy"] / 1000
            f.add(
                table,
                code,
                "annual saving",
                implied,
                sum(p["saving_parts"].values()),
                0.5,
                "weekly care-cost differential x 52 x places x occupancy (the printed saving also counts social "
                "worker, IRO and QA time and travel)",
                src,
                soft=True,
            )
        row = r.cip.loc[code]
        for stated_key in ("stated_payback", "stated_payback_gross"):
            st = p.get(stated_key)
            if not st:
                continue
            computed = float(row["simple_payback_gross"] if st["basis"] == "gross" else row["simple_payback_net"])
            if st["basis"] == "net" and "net_investment_printed" in p:
                # The paper's own net payback uses its printed net investment.
                f.add(
                    table,
                    code,
                    "payback (net, printed investment)",
                    st["years"],
                    _within(p["net_investment_printed"] / row["annual_saving"], st),
                    0.5,
                    f'stated: "{st["text"]}" using the printed net investment',
                    src,
                )
            actual = _within(computed, st)
            label = "payback (derived saving)" if row["saving_derived"] else f"payback ({st['basis']})"
            f.add(table, code, label, st["years"], actual, 0.5, f'stated: "{st["text"]}"', src)
        alt = p.get("go_live_alternative")
        if alt:
            a, b = parse_month(p["go_live"]), parse_month(alt["date"])
            months = (b.year - a.year) * 12 + b.month - a.month
            f.add(
                table,
                code,
                "go-live (months after Appendix 1 date)",
                0.0,
                float(months),
                3.0,
                f'go-live {p["go_live"]} (Appendix 1) against "{alt["text"]}"',
                alt["source"],
                soft=True,
            )
    d = f.baseline.cip["defaults"]
    f.add(
        "CIP properties (9 March 2021, para 14)",
        "All properties",
        "places",
        d["places_envelope"],
        sum(p["places"] for p in props.values()),
        0.0,
        "places = 'up to 12 placements'",
        d["capital_envelope_source"],
    )
    cash = float(r.cip["capital_cash"].sum())
    f.add(
        "CIP properties (9 March 2021, para 14)",
        "All properties",
        "cash capital",
        d["capital_envelope"],
        max(cash, d["capital_envelope"]),
        0.5,
        "cash capital within the 'up to £2.5m' envelope",
        d["capital_envelope_source"],
        soft=True,
    )


def headline_metrics(r: Result, b: Baseline) -> dict[str, Callable[[], float]]:
    """Computed figures the headline sentences state, by the metric name they use."""
    a = r.appendix_a
    cum = r.cumulative
    fin = r.capital_financing
    blocks = b.high_needs["dsg_blocks"]
    res = b.capital["resources"]["rows"]
    g1 = b.growth_savings["lines"]["G1"]["drivers"]
    return {
        "growth_cumulative_2024_25": lambda: cell(cum, revenue.PROGRAMME_LABELS["growth"], "2024/25"),
        "growth_2021_22": lambda: cell(r.in_year, revenue.PROGRAMME_LABELS["growth"], "2021/22"),
        "savings_2021_22": lambda: cell(r.in_year, revenue.TOTAL_SAVINGS, "2021/22"),
        "savings_cumulative_2024_25": lambda: cell(cum, revenue.TOTAL_SAVINGS, "2024/25"),
        "dcfsf_cumulative_2024_25": lambda: cell(cum, revenue.PROGRAMME_LABELS["DCFSF"], "2024/25"),
        "net_budget_2021_22": lambda: cell(r.revenue, "Proposed/provisional net budget", "2021/22"),
        "gross_budget_2021_22": lambda: cell(a, "total_cfs", "gross_budget") / 1000,
        "external_income_2021_22": lambda: -cell(a, "total_cfs", "external_income") / 1000,
        "budget_transfers_2021_22": lambda: cell(r.revenue, "Budget transfers and adjustments", "2021/22"),
        "hn_savings_2024_25": lambda: cell(r.high_needs, high_needs.TOTAL_SAVINGS, "2024/25"),
        "hn_annual_gap_2021_22": lambda: cell(r.high_needs, high_needs.ANNUAL_GAP, "2021/22"),
        "hn_cumulative_2024_25": lambda: cell(r.high_needs, high_needs.CUMULATIVE, "2024/25"),
        "dsg_blocks_total": lambda: (
            1000
            * sum(
                blocks[k]
                for k in ("schools_block", "central_school_services_block", "high_needs_block", "early_years_block")
            )
        ),
        "appendix_a_dsg_2021_22": lambda: -cell(a, "dsg", "dsg_total") / 1000,
        "appendix_a_high_needs_dsg_2021_22": lambda: -cell(a, "dsg", "high_needs") / 1000,
        "appendix_a_dsg_reserve_income_hnb": lambda: cell(r.high_needs, high_needs.ANNUAL_GAP, "2021/22"),
        "appendix_a_hnb_development_programme": lambda: cell(a, "hnb_development", "net_2021_22") / 1000,
        "g1_overspend_pct": lambda: 100 * g1["overspend_2020_21_gbp000"] / g1["placement_budget_2020_21_gbp000"],
        "capital_programme_total": lambda: cell(r.capital_programme, capital.PROGRAMME_TOTAL, "Total"),
        "capital_external_total": lambda: cell(fin, capital.AVAILABLE, "Total"),
        "capital_lcc_total": lambda: cell(fin, capital.LCC, "Total"),
        "capital_s106_total": lambda: cell(fin, capital.GROUP_LABELS["s106"], "Total"),
        "capital_s106_2021_22": lambda: cell(fin, capital.GROUP_LABELS["s106"], "2021/22"),
        "capital_basic_need_2021_22": lambda: float(
            next(x for x in res if "Basic need" in x["label"])["values"]["2021/22"]
        ),
        "capital_basic_need_later_years": lambda: float(
            sum(next(x for x in res if "Basic need" in x["label"])["values"][y] for y in YEARS[1:])
        ),
        "cip_capital_programme_line": lambda: float(r.cip["capital_cash"].sum()),
        "cip_property_savings_2024_25": lambda: float(r.cip["annual_saving"].sum()),
    }


def _headlines(f: Findings, r: Result) -> None:
    metrics = headline_metrics(r, f.baseline)
    for h in f.baseline.headlines:
        computed = metrics[h["metric"]]()
        # Printed figures sign-matched to the computed ones (the papers print "£16m" of savings).
        f.add(
            "Headline statements",
            h["metric"],
            "",
            computed,
            h["value"],
            h["precision"] / 2,
            f'"{h["text"]}"',
            h["source"],
            soft=h.get("severity_if_different") == "note",
        )


def paper_findings(baseline: Baseline | None = None) -> pd.DataFrame:
    """Every check of the papers against the tables derived from their own parts."""
    b = baseline or load_baseline()
    r = run("baseline", baseline=b)
    f = Findings(b, "paper")
    for check in (_appendix_a,):
        check(f)
    for check_r in (_service_areas, _growth_savings, _roll_forward, _high_needs, _capital, _drivers, _cip, _headlines):
        check_r(f, r)
    return f.frame()


# --- engine identities --------------------------------------------------------------


def engine_findings(r: Result) -> pd.DataFrame:
    """The result's own identities; every row must be ``ok`` for any valid scenario."""
    f = Findings(load_baseline(), "engine")
    t = ENGINE_TOLERANCE

    def eq(table: str, row: str, column: str, expected: float, actual: float, check: str) -> None:
        f.add(table, row, column, expected, actual, t, check, "engine")

    rf = r.revenue
    prev = None
    for y in YEARS:
        eq(
            "revenue",
            "net budget",
            y,
            cell(rf, "Original prior year budget", y)
            + cell(rf, "Budget transfers and adjustments", y)
            + cell(rf, "Add proposed growth", y)
            + cell(rf, "Less proposed savings", y),
            cell(rf, "Proposed/provisional net budget", y),
            "net = prior + transfers + growth + savings",
        )
        if prev is not None:
            eq(
                "revenue",
                "prior year budget",
                y,
                prev,
                cell(rf, "Original prior year budget", y),
                "prior-year budget = last year's net budget",
            )
        prev = cell(rf, "Proposed/provisional net budget", y)
    growth = revenue.PROGRAMME_LABELS["growth"]
    for y in YEARS:
        eq(
            "revenue",
            "growth",
            y,
            cell(r.in_year, growth, y),
            cell(rf, "Add proposed growth", y),
            "growth = in-year growth",
        )
        eq(
            "revenue",
            "savings",
            y,
            cell(r.in_year, revenue.TOTAL_SAVINGS, y),
            cell(rf, "Less proposed savings", y),
            "savings = in-year savings",
        )
    codes = list(r.line_info.index)
    running = r.in_year.loc[codes].cumsum(axis=1)
    for code in codes:
        for y in YEARS:
            eq(
                "cumulative",
                code,
                y,
                cell(running, code, y),
                cell(r.cumulative, code, y),
                "cumulative = running sum of in-year",
            )
    for table_name, table in (("cumulative", r.cumulative), ("in_year", r.in_year)):
        programmes = r.line_info["programme"]
        for prog, label in revenue.PROGRAMME_LABELS.items():
            members = list(programmes[programmes == prog].index)
            for y in YEARS:
                eq(table_name, label, y, table.loc[members, y].sum(), cell(table, label, y), "total = sum of its lines")
        savings = list(programmes[programmes != "growth"].index)
        for y in YEARS:
            eq(
                table_name,
                revenue.TOTAL_SAVINGS,
                y,
                table.loc[savings, y].sum(),
                cell(table, revenue.TOTAL_SAVINGS, y),
                "total savings = sum of savings lines",
            )
    hn = r.high_needs
    b = load_baseline()
    labels = b.high_needs["forecast"]["labels"]
    exp = [labels[k] for k in b.high_needs["forecast"]["expenditure"]]
    sav = [labels[k] for k in b.high_needs["forecast"]["savings"]] + [high_needs.TRANSFER_REFUSED]
    fund = [labels[k] for k in b.high_needs["forecast"]["funding"]]
    bf = float(hn.loc[[high_needs.BF_2019_20, high_needs.BF_2020_21]].to_numpy().sum())
    running_gap = bf
    for y in YEARS:
        eq(
            "high_needs",
            high_needs.TOTAL_EXPENDITURE,
            y,
            hn.loc[exp, y].sum(),
            cell(hn, high_needs.TOTAL_EXPENDITURE, y),
            "total expenditure = sum of lines",
        )
        eq(
            "high_needs",
            high_needs.GAP_PRE_SAVINGS,
            y,
            hn.loc[exp + fund, y].sum(),
            cell(hn, high_needs.GAP_PRE_SAVINGS, y),
            "gap = expenditure + funding",
        )
        eq(
            "high_needs",
            high_needs.TOTAL_SAVINGS,
            y,
            hn.loc[sav, y].sum(),
            cell(hn, high_needs.TOTAL_SAVINGS, y),
            "total savings = sum of savings",
        )
        eq(
            "high_needs",
            high_needs.ANNUAL_GAP,
            y,
            cell(hn, high_needs.GAP_PRE_SAVINGS, y) + cell(hn, high_needs.TOTAL_SAVINGS, y),
            cell(hn, high_needs.ANNUAL_GAP, y),
            "annual gap = gap + savings",
        )
        running_gap += cell(hn, high_needs.ANNUAL_GAP, y)
        eq(
            "high_needs",
            high_needs.CUMULATIVE,
            y,
            running_gap,
            cell(hn, high_needs.CUMULATIVE, y),
            "cumulative = brought forward + sum of annual gaps",
        )
    cap, fin = r.capital_programme, r.capital_financing
    for col in capital.COLUMNS:
        eq(
            "capital",
            capital.PROGRAMME_TOTAL,
            col,
            float(cap.drop(index=capital.PROGRAMME_TOTAL)[col].sum()),
            cell(cap, capital.PROGRAMME_TOTAL, col),
            "programme total = sum of blocks",
        )
        eq(
            "capital",
            "funding",
            col,
            cell(fin, capital.AVAILABLE, col) + cell(fin, capital.LCC, col),
            cell(cap, capital.PROGRAMME_TOTAL, col),
            "programme = financing + LCC requirement",
        )
    for rid, kind in b.appendix_a["kind"].items():
        if kind == "line":
            continue
        kids = b.appendix_a.index[b.appendix_a["parent"] == rid]
        for col in APPENDIX_A_COLUMNS:
            eq(
                "appendix_a",
                str(rid),
                col,
                float(r.appendix_a.loc[kids, col].sum()),
                cell(r.appendix_a, rid, col),
                "derived subtotal = sum of derived parts",
            )
    return f.frame()


def reconcile(result: Result | None = None, *, include_ok: bool = True) -> pd.DataFrame:
    """Check every identity the tables should satisfy; return a findings DataFrame.

    Columns: kind (paper / engine), table, row, column, expected (derived from the
    parts), actual (as printed), difference (actual - expected), tolerance (the printed
    precision), severity (ok / rounding / note / disagreement), check, source.
    ``result`` defaults to the baseline; the paper checks always read the baseline.
    """
    frames = [paper_findings(), engine_findings(result or run("baseline"))]
    out = pd.concat(frames, ignore_index=True)
    if not include_ok:
        out = out[out["severity"] != "ok"].reset_index(drop=True)
    return out


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Count of findings by kind and severity, every severity shown."""
    counts = findings.groupby(["kind", "severity"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(SEVERITIES), fill_value=0)


def disagreements(findings: pd.DataFrame) -> pd.DataFrame:
    """Only the real disagreements, largest first."""
    d = findings[findings["severity"] == "disagreement"]
    return d.reindex(d["difference"].abs().sort_values(ascending=False).index)
