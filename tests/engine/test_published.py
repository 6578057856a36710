"""The published tables, reproduced by the engine from the transcribed parts.

Every expected figure below is typed from the papers (the file and place are named in
each test), not from the engine's output.  The engine derives each total from the
lines; the papers' totals are never read by the code under test.  Tolerances are the
printed precision: exact where the parts add up exactly, +/-1 in the last printed unit
where the papers' own rounding makes a total differ from the sum of its parts.
"""

from __future__ import annotations

import math

import pytest

from mtfs_model import load_edition
from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.engine.capital import AVAILABLE, LCC, PROGRAMME_TOTAL
from mtfs_model.engine.run import Result

YEARS = load_edition().years  # the bundled edition: "2021/22" ... "2024/25"


def by_year(*values: float) -> dict[str, float]:
    return dict(zip(YEARS, values, strict=True))


def test_the_bundled_edition_is_the_four_years_printed() -> None:
    assert YEARS == ("2021/22", "2022/23", "2023/24", "2024/25")


def assert_row(result_row: dict[str, float], expected: dict[str, float], tol: float = 0.0) -> None:
    for y, v in expected.items():
        assert result_row[y] == pytest.approx(v, abs=tol + 1e-9), f"{y}: {result_row[y]} != {v}"


def row(frame, label) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {str(c): cell(frame, label, c) for c in frame.columns}


# 004 file, para 9 "Original prior year budget 80,914 ..."
def test_revenue_roll_forward_para_9(baseline: Result) -> None:
    rf = baseline.revenue
    assert_row(row(rf, rows.PRIOR_YEAR_BUDGET), by_year(80914, 89086, 89611, 90216))
    assert_row(row(rf, rows.TRANSFERS), by_year(1882, 0, 0, 0))
    assert_row(row(rf, rows.SUB_TOTAL), by_year(82796, 89086, 89611, 90216))
    assert_row(row(rf, rows.GROWTH), by_year(10040, 4025, 4705, 4285))
    assert_row(row(rf, rows.SAVINGS), by_year(-3750, -3500, -4100, -4650))
    assert_row(row(rf, rows.NET_BUDGET), by_year(89086, 89611, 90216, 89851))
    # the printed labels are the edition's, applied for display only
    assert baseline.labelled("revenue").index[-1] == "Proposed/provisional net budget"


# 004 file, Appendix B "GROWTH 2021/22 ..." and "SAVINGS 2021/22 ..."
def test_appendix_b_totals(baseline: Result) -> None:
    cum = baseline.cumulative
    assert_row(row(cum, rows.programme_total("growth")), by_year(10040, 14065, 18770, 23055))
    assert_row(row(cum, rows.programme_total("DCFSF")), by_year(-2200, -5300, -9000, -13200))
    assert_row(row(cum, rows.TOTAL_SAVINGS), by_year(-3750, -7250, -11350, -16000))
    assert_row(row(cum, "G1"), by_year(6300, 9600, 13400, 17200))
    assert_row(row(cum, "CF2"), by_year(-900, -2900, -5100, -8100))


def test_in_year_is_the_change_in_cumulative(baseline: Result) -> None:
    # para 9's growth and savings rows are Appendix B's year-on-year changes
    assert_row(row(baseline.in_year, "G1"), by_year(6300, 3300, 3800, 3800))
    assert_row(row(baseline.in_year, rows.TOTAL_SAVINGS), by_year(-3750, -3500, -4100, -4650))


# 004 file, para 33 "High Needs Funding -81,964 ..."
def test_high_needs_forecast_para_33(baseline: Result) -> None:
    hn = baseline.high_needs
    assert_row(row(hn, rows.HN_TOTAL_EXPENDITURE), by_year(98771, 104469, 108362, 112297))
    assert_row(row(hn, rows.HN_GAP_PRE_SAVINGS), by_year(16807, 22505, 26398, 30333))
    assert_row(row(hn, rows.HN_TOTAL_SAVINGS), by_year(-11157, -22637, -24308, -25816))
    # 2023/24 prints 2,089 where 26,398 - 24,308 = 2,090: the paper's rounding, +/-1
    assert_row(row(hn, rows.HN_ANNUAL_GAP), by_year(5650, -132, 2089, 4517), tol=1)
    assert_row(row(hn, rows.HN_CUMULATIVE), by_year(22723, 22591, 24680, 29197), tol=1)


# 004 file, Appendix C "Overall Total" and "Net Funding Required"
def test_capital_programme_and_financing(baseline: Result) -> None:
    prog, fin = baseline.capital_programme, baseline.capital_financing
    expected_total = {**by_year(38503, 13368, 16050, 16500), "Total": 84421}
    assert_row(row(prog, PROGRAMME_TOTAL), expected_total)
    assert_row(row(prog, "send"), {**by_year(5000, 1000, 8000, 0), "Total": 14000})
    assert_row(row(fin, AVAILABLE), {**by_year(38493, 11678, 15530, 17220), "Total": 82921})
    assert_row(row(fin, LCC), {**by_year(10, 1690, 520, -720), "Total": 1500})
    assert_row(row(fin, "s106"), {**by_year(8373, 3678, 3780, 13720), "Total": 29551})


# 004 file, Appendix A (GBP), "TOTAL CHILDREN & FAMILY SERVICES" and the subtotals
def test_appendix_a_totals_to_the_pound(baseline: Result) -> None:
    a = baseline.appendix_a
    assert cell(a, "total_cfs", "budget_2020_21") == 82_796_506
    # printed 89,086,506 and 89,086,506: the derived totals differ only by the paper's
    # own rounding of its pence (a pound or two over 43 rows)
    assert cell(a, "total_cfs", "net_2021_22") == pytest.approx(89_086_506, abs=2)
    assert cell(a, "total_cfs", "la_block") == pytest.approx(89_086_506, abs=2)
    assert cell(a, "total_cic", "net_2021_22") == 48_743_958
    assert cell(a, "total_eqi", "high_needs") == 4_983_685
    assert cell(a, "total_dsg_items", "external_income") == -241_074_204


def test_appendix_a_total_is_the_sum_of_its_lines(baseline: Result) -> None:
    # An independent route to the grand total: add the CSV's line rows directly.
    import csv

    from mtfs_model.edition.folder import DEFAULT_EDITION as DATA_DIR

    with (DATA_DIR / "appendix_a.csv").open(encoding="utf-8") as fh:
        lines = [r for r in csv.DictReader(fh) if r["kind"] == "line"]
    for col in ("budget_2020_21", "gross_budget", "net_2021_22", "la_block"):
        assert cell(baseline.appendix_a, "total_cfs", col) == sum(int(r[col]) for r in lines)


# The papers' own disagreements inside Appendix A, found by adding the printed rows by
# hand: TOTAL CHILDRENS SOCIAL CARE prints internal income -449,619 where its rows sum to
# -199,619, and Total Education Quality & Inclusion prints employees 4,058,923 where its
# rows sum to 4,085,824.  The engine derives the sums, so it must show the sums.
def test_appendix_a_derived_where_the_paper_disagrees(baseline: Result) -> None:
    a = baseline.appendix_a
    assert cell(a, "total_csc", "internal_income") == -199_619
    assert cell(a, "total_eqi", "employees") == 4_085_824


# 004 file, para 12 "Net Budget 2021/2022"
def test_service_areas_para_12(baseline: Result) -> None:
    sa = baseline.service_areas
    printed = {
        "Directorate": 1194,
        "Children in Care": 48744,
        "Field Social Work": 15045,
        "SEND and Children with Disabilities": 6646,
        "Department Total": 89087,
    }
    for label, value in printed.items():
        assert cell(sa, label, "2021/22") == pytest.approx(value, abs=0.5), label


# 002 file, para 14: the CIP properties, worked by hand
def test_cip_paybacks_by_hand(baseline: Result) -> None:
    cip = baseline.cip
    assert cell(cip, "P1", "capital_cost") == 431  # 365 + 11 + 55
    assert cell(cip, "P2", "simple_payback_gross") == pytest.approx(437 / 188)
    assert cell(cip, "P3", "simple_payback_gross") == pytest.approx(869 / 247)
    assert cell(cip, "P3", "simple_payback_net") == pytest.approx((869 - 600) / 247)
    # Property 4: no saving printed; the smallest saving for "payback within five years"
    assert cell(cip, "P4", "annual_saving") == pytest.approx(1100 / 5)
    assert bool(cip.at["P4", "saving_derived"]) is True
    assert bool(cip.at["P2", "saving_derived"]) is False


def test_cip_npv_irr_discounted_payback_by_hand(baseline: Result) -> None:
    r, life, cost, saving, retained = 0.035, 10, 437.0, 188.0, 385.0
    npv = -cost + sum(saving / (1 + r) ** t for t in range(1, life + 1)) + retained / (1 + r) ** life
    assert cell(baseline.cip, "P2", "npv") == pytest.approx(npv, rel=1e-9)
    irr = cell(baseline.cip, "P2", "irr")
    at_irr = -cost + sum(saving / (1 + irr) ** t for t in range(1, life + 1)) + retained / (1 + irr) ** life
    assert at_irr == pytest.approx(0.0, abs=1e-6)
    # discounted payback: 188/1.035 + 188/1.035^2 = 350.2 < 437; the third year's 169.6 covers the rest
    pv1, pv2, pv3 = (saving / (1 + r) ** t for t in (1, 2, 3))
    assert cell(baseline.cip, "P2", "discounted_payback") == pytest.approx(2 + (cost - pv1 - pv2) / pv3)


def test_driver_implied_figures(baseline: Result) -> None:
    d = baseline.drivers
    # G6: two extra care proceedings a month x 12 x £20k = £480k against £400k published
    assert cell(d, ("G6", "2021/22"), "driver_implied") == pytest.approx(2 * 12 * 20_000 / 1000)
    # G1: the 2020/21 placement budget £32,599,488 at £3.5k a week, repriced at £4k
    cohort = 32_599_488 / (3500 * 52)
    assert cell(d, ("G1", "2021/22"), "driver_implied") == pytest.approx(cohort * 500 * 52 / 1000)
    assert cell(d, ("G4", "2024/25"), "driver_implied") == pytest.approx(200)


def test_no_nan_reaches_a_table(baseline: Result) -> None:
    for name, frame in baseline.tables().items():
        numbers = frame.select_dtypes("number")
        assert not numbers.isna().any().any(), name
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in frame.to_numpy().ravel()), name


def test_property_2_driver(baseline: Result, scenario_file) -> None:  # type: ignore[no-untyped-def]
    # para 14 b: £1,164 a week a place x 52 x 3 places x 75 % occupancy + £52k travel
    assert cell(baseline.cip, "P2", "saving_driver_implied") == pytest.approx(1164 * 52 * 3 * 0.75 / 1000 + 52)
    from mtfs_model import load_scenario, run

    halved = run(
        load_scenario(scenario_file('[scenario]\ndescription = "x"\n[properties.P2]\nweekly_differential_gbp = 582\n'))
    )
    # the printed £136k placements part halves; the £52k travel part does not move
    assert cell(halved.cip, "P2", "annual_saving") == pytest.approx(136 / 2 + 52)
    assert cell(halved.cip, "P2", "saving_driver_implied") == pytest.approx(582 * 52 * 3 * 0.75 / 1000 + 52)
