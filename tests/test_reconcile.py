"""The reconciler finds the papers' own disagreements by itself, with their sizes.

The expected disagreements were found by reading and adding up the papers by hand
(each is described where it is asserted); the reconciler must find each one, size it,
and class rounding as rounding.
"""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest

from mtfs_model import load_baseline, reconcile
from mtfs_model.reconcile import paper_findings, summary


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return reconcile()


def one(findings: pd.DataFrame, table: str, row: str, column: str, check: str | None = None) -> pd.Series:
    hit = findings[findings["table"].str.startswith(table) & (findings["row"] == row) & (findings["column"] == column)]
    if check is not None:
        hit = hit[hit["check"].str.contains(check, regex=False)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_engine_identities_all_hold(findings: pd.DataFrame) -> None:
    engine = findings[findings["kind"] == "engine"]
    assert len(engine) > 100
    assert (engine["severity"] == "ok").all()


@pytest.mark.parametrize(
    ("table", "row", "column", "check", "difference"),
    [
        # Appendix A: TOTAL CHILDRENS SOCIAL CARE internal income prints -449,619; its rows
        # (SIQA -101,119, CiC -98,500, others 0) sum to -199,619.
        ("Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "internal_income", "subtotal", -250_000),
        # Total Education Quality & Inclusion employees print 4,058,923; rows sum 4,085,824.
        ("Appendix A", "Total Education Quality & Inclusion", "employees", "subtotal", -26_901),
        # Para 12 prints Business Support 4,455; Appendix A LA Block gives 4,436,750 + 19,035.
        ("Net budget by service area", "Business Support and Commissioning", "2021/22", None, -0.785),
        # Para 19 heads CF1 "£2.2m 2021/22 rising to £13.2m": those are the CF1-CF3 total.
        ("Growth and savings narrative", "CF1", "2024/25", None, -13_200 + 4_800),
        # G6: 2 extra cases a month x 12 x £20k = £480k; the MTFS provides £400k.
        ("Growth drivers", "G6", "2021/22", None, -80),
        # Para 43 prints the Additional School Places total "58.321" (for 58,321).
        ("Capital programme (para 43)", "Additional School Places", "Total", "Appendix C", 58.321 - 58_321),
        # CIP property 3: 869 - 600 = 269, printed "reducing the net investment to £369k".
        ("CIP properties", "P3", "net investment", None, 100),
        # Para 40's DSG £578.3m against Appendix A's Dedicated Schools Grant £577,659,247.
        ("Headline statements", "appendix_a_dsg_2021_22", "", None, 578_300 - 577_659.247),
    ],
)
def test_finds_the_papers_disagreements(
    findings: pd.DataFrame, table: str, row: str, column: str, check: str | None, difference: float
) -> None:
    f = one(findings, table, row, column, check)
    assert f["severity"] == "disagreement"
    assert f["difference"] == pytest.approx(difference, abs=1e-6)


@pytest.mark.parametrize(
    ("table", "row", "column", "check", "difference"),
    [
        # 26,398 - 24,308 = 2,090, printed 2,089: rounding
        ("High Needs forecast", "Annual Revenue Funding Gap", "2023/24", "derived from the printed lines", -1),
        # para 43 Other Capital 3,959 against Appendix C 3,960
        ("Capital programme (para 43)", "Other Capital", "2021/22", None, -1),
        # "growth ... totals £23.1m" against 23,055
        ("Headline statements", "growth_cumulative_2024_25", "", None, 45),
        # property 1: 431 / 82 = 5.26 years, stated "a payback of five years"
        ("CIP properties", "P1", "payback (gross)", None, 431 / 82 - 5),
    ],
)
def test_rounding_is_rounding(
    findings: pd.DataFrame, table: str, row: str, column: str, check: str | None, difference: float
) -> None:
    f = one(findings, table, row, column, check)
    assert f["severity"] == "rounding"
    assert f["difference"] == pytest.approx(difference, abs=1e-6)


def test_stated_paybacks_that_hold_are_ok(findings: pd.DataFrame) -> None:
    # property 2: 437 / 188 = 2.32 years, "within 2.5 years"
    assert one(findings, "CIP properties", "P2", "payback (gross)")["severity"] == "ok"
    assert one(findings, "CIP properties", "P4", "payback (derived saving)")["severity"] == "ok"


def test_a_changed_printed_figure_is_caught() -> None:
    # The reconciler can fail: move one printed total by 100 and it must say so.
    b = load_baseline()
    hn = copy.deepcopy(b.high_needs)
    hn["forecast"]["printed"]["annual_gap"]["2021/22"] = 5750
    changed = dataclasses.replace(b, high_needs=hn)
    f = paper_findings(changed)
    hit = f[(f["row"] == "Annual Revenue Funding Gap") & (f["column"] == "2021/22") & (f["severity"] == "disagreement")]
    assert not hit.empty
    assert set(hit["difference"].round(6)) == {100.0}


def test_findings_have_no_nan_and_known_severities(findings: pd.DataFrame) -> None:
    assert not findings[["expected", "actual", "difference", "tolerance"]].isna().any().any()
    assert set(findings["severity"]) <= {"ok", "rounding", "note", "disagreement"}
    counts = summary(findings)
    assert counts.loc["paper", "disagreement"] >= 8


def test_reconcile_is_deterministic() -> None:
    assert reconcile().to_csv() == reconcile().to_csv()
