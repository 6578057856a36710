"""The named scenarios in ``scenarios/``: each one's figures derived BY HAND from the
printed papers (Appendix B, para 9, para 33 and 35, the CIP report para 14 and its
design-brief timings), never copied from the engine's output.

Printed figures used (004 file unless stated):

* para 9 net budget: 89,086 / 89,611 / 90,216 / 89,851.
* Appendix B CF1 -1,200/-2,100/-3,600/-4,800; CF2 -900/-2,900/-5,100/-8,100;
  CF3 -100/-300/-300/-300; CF1-CF3 total -2,200/-5,300/-9,000/-13,200; CF4
  -50/-200/-350/-500.
* para 33 annual gap 5,650/-132/2,089/4,517, cumulative 22,723/22,591/24,680/29,197;
  demand savings -4,447/-5,076/-5,577/-5,577; local provision -6,710/-11,017/-14,187/
  -15,695.  Para 35: the £2m transfer, 2022/23 only.
* CIP (002 file, para 14): savings P1 82, P2 136 placements (at 75 %) + 52 travel,
  P3 480 + 63 - 296; P4 none printed, the payback-implied 1,100 / 5 = 220.  Go-live
  (Appendix 1): P1 and P2 2021-12, P3 2021-10, P4 2022-05.
"""

from __future__ import annotations

import tomllib

import pytest

from mtfs_model import load_edition, load_scenario, run
from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.engine.high_needs import ANNUAL_GAP, CUMULATIVE
from mtfs_model.engine.run import Result
from tests.paths import REPO

SCENARIO_DIR = REPO / "scenarios"
YEARS = load_edition().years
NET = rows.NET_BUDGET

NET_PRINTED = dict(zip(YEARS, (89086, 89611, 90216, 89851), strict=True))
CF = {
    "CF1": (-1200, -2100, -3600, -4800),
    "CF2": (-900, -2900, -5100, -8100),
    "CF3": (-100, -300, -300, -300),
}
DCFSF_PRINTED = dict(zip(YEARS, (-2200, -5300, -9000, -13200), strict=True))
CF4_PRINTED = dict(zip(YEARS, (-50, -200, -350, -500), strict=True))
HN_GAP_PRINTED = dict(zip(YEARS, (5650, -132, 2089, 4517), strict=True))
HN_CUM_PRINTED = dict(zip(YEARS, (22723, 22591, 24680, 29197), strict=True))
HN_DEMAND = dict(zip(YEARS, (-4447, -5076, -5577, -5577), strict=True))
HN_LOCAL = dict(zip(YEARS, (-6710, -11017, -14187, -15695), strict=True))
ROUNDING = 1.0  # para 33's printed totals differ from the sum of their printed parts by 1


def net(r: Result, y: str) -> float:
    return cell(r.revenue, NET, y)


NAMED = [
    "newton_guarantee",
    "newton_estimate",
    "newton_stretch",
    "dcfsf_half_delivered",
    "hn_transfer_refused",
    "hn_savings_half",
    "cip_lower_occupancy",
    "cip_late_go_live",
    "placement_unit_cost_plus_10pct",
]


@pytest.mark.parametrize("name", NAMED)
def test_named_scenario_has_description_and_reference(name: str) -> None:
    raw = tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    assert raw["scenario"]["description"].strip()
    assert raw["scenario"]["references"] and all(r["title"].strip() for r in raw["scenario"]["references"])
    s = load_scenario(name)
    assert s.name == name and s.changes, "a named scenario changes something"


@pytest.mark.parametrize(
    ("name", "recurring"), [("newton_guarantee", 7000), ("newton_estimate", 9300), ("newton_stretch", 13100)]
)
def test_newton_levels_scale_dcfsf_pro_rata(name: str, recurring: float) -> None:
    r = run(name)
    factor = recurring / 13200
    for code, printed in CF.items():
        for y, v in zip(YEARS, printed, strict=True):
            assert cell(r.cumulative, code, y) == pytest.approx(v * factor, abs=1e-9)
    # the MTFS net budget less the savings not delivered (the cumulative profile is each year's budget effect)
    for y in YEARS:
        assert net(r, y) == pytest.approx(NET_PRINTED[y] - DCFSF_PRINTED[y] * (1 - factor), abs=1e-6)
    # CF4, CF5, growth unchanged
    assert cell(r.cumulative, rows.programme_total("CIP"), "2024/25") == -500
    assert cell(r.cumulative, "CF5", "2024/25") == -2300
    assert cell(r.cumulative, rows.programme_total("growth"), "2024/25") == 23055
    assert cell(r.cumulative, rows.programme_total("DCFSF"), "2024/25") == pytest.approx(-recurring)
    assert r.labelled("revenue").index[-1] == "Proposed/provisional net budget"


def test_newton_guarantee_by_hand() -> None:
    r = run("newton_guarantee")
    assert cell(r.cumulative, "CF2", "2022/23") == pytest.approx(-2900 * 7000 / 13200)
    assert net(r, "2024/25") == pytest.approx(89851 + (13200 - 7000))  # 96,051
    assert net(r, "2024/25") == pytest.approx(96051)
    assert net(r, "2021/22") == pytest.approx(89086 + 2200 * 6200 / 13200)


def test_newton_stretch_is_still_short_of_the_mtfs() -> None:
    r = run("newton_stretch")
    assert net(r, "2024/25") == pytest.approx(89851 + 100)  # 13,200 - 13,100


def test_dcfsf_half_delivered_by_hand() -> None:
    r = run("dcfsf_half_delivered")
    assert cell(r.cumulative, rows.programme_total("DCFSF"), "2024/25") == pytest.approx(-6600)
    assert net(r, "2024/25") == pytest.approx(89851 + 6600)


def test_hn_transfer_refused_by_hand() -> None:
    r = run("hn_transfer_refused")
    gap = {y: cell(r.high_needs, ANNUAL_GAP, y) for y in YEARS}
    cum = {y: cell(r.high_needs, CUMULATIVE, y) for y in YEARS}
    assert gap["2022/23"] == pytest.approx(-132 + 2000, abs=ROUNDING)
    for y in ("2021/22", "2023/24", "2024/25"):  # para 35: "in 2022/23 only"
        assert gap[y] == pytest.approx(HN_GAP_PRINTED[y], abs=ROUNDING)
    assert cum["2021/22"] == pytest.approx(22723, abs=ROUNDING)
    assert cum["2022/23"] == pytest.approx(22591 + 2000, abs=ROUNDING)
    assert cum["2024/25"] == pytest.approx(29197 + 2000, abs=ROUNDING)
    # DSG, not the council's net budget
    assert net(r, "2024/25") == pytest.approx(89851)


def test_hn_savings_half_by_hand() -> None:
    r = run("hn_savings_half")
    lost = {y: -0.5 * (HN_DEMAND[y] + HN_LOCAL[y]) for y in YEARS}
    assert lost["2021/22"] == 5578.5
    running = 0.0
    for y in YEARS:
        running += lost[y]
        assert cell(r.high_needs, ANNUAL_GAP, y) == pytest.approx(HN_GAP_PRINTED[y] + lost[y], abs=ROUNDING)
        assert cell(r.high_needs, CUMULATIVE, y) == pytest.approx(HN_CUM_PRINTED[y] + running, abs=ROUNDING)
    assert cell(r.high_needs, CUMULATIVE, "2024/25") == pytest.approx(29197 + 34143, abs=ROUNDING)


def test_cip_lower_occupancy_by_hand() -> None:
    r = run("cip_lower_occupancy")
    occ = 0.667
    saving = {
        "P1": 82 * occ / 1.0,
        "P2": 136 * occ / 0.75 + 52,
        "P3": (480 + 63) * occ - 296,
        "P4": 1100 / 5 * occ,
    }
    for code, v in saving.items():
        assert cell(r.cip, code, "annual_saving") == pytest.approx(v)
    assert cell(r.cip, "P1", "simple_payback_gross") == pytest.approx(431 / (82 * occ))
    # CF4 is delivered in proportion to the properties' savings against the baseline.
    # 2021/22: P1, P2 live from December (4 months), P3 from October (6), P4 not yet
    base_2122 = 82 * 4 / 12 + 188 * 4 / 12 + 247 * 6 / 12
    now_2122 = saving["P1"] * 4 / 12 + saving["P2"] * 4 / 12 + saving["P3"] * 6 / 12
    assert cell(r.cumulative, "CF4", "2021/22") == pytest.approx(-50 * now_2122 / base_2122)
    # 2024/25: every property a full year; 82 + 188 + 247 + 220 = 737 in the baseline
    cf4_2425 = -500 * sum(saving.values()) / 737
    assert cell(r.cumulative, "CF4", "2024/25") == pytest.approx(cf4_2425)
    assert net(r, "2024/25") == pytest.approx(89851 + 500 + cf4_2425)


def test_cip_late_go_live_by_hand() -> None:
    r = run("cip_late_go_live")
    # design brief: P1/P2 2021-12, P3 2021-10, P4 2022-05; six months later: 2022-06, 2022-06, 2022-04, 2022-11
    base_2122 = 82 * 4 / 12 + 188 * 4 / 12 + 247 * 6 / 12
    late_2122 = 0.0
    base_2223 = 82 + 188 + 247 + 220 * 11 / 12
    late_2223 = 82 * 10 / 12 + 188 * 10 / 12 + 247 + 220 * 5 / 12
    assert base_2122 - late_2122 == pytest.approx(213.5)
    assert base_2223 - late_2223 == pytest.approx(155.0)
    # CF4 is delivered in proportion to the properties' savings against the baseline:
    # nothing in 2021/22, 1 - 155 / base_2223 of its profile in 2022/23, all from 2023/24
    cf4_2223 = CF4_PRINTED["2022/23"] * late_2223 / base_2223
    assert cell(r.cumulative, "CF4", "2021/22") == 0
    assert cell(r.cumulative, "CF4", "2022/23") == pytest.approx(cf4_2223)
    assert cell(r.cumulative, "CF4", "2023/24") == pytest.approx(CF4_PRINTED["2023/24"])
    assert net(r, "2021/22") == pytest.approx(89086 + 50)
    # the roll-forward carries 2021/22's +50 into the later prior-year budgets
    assert net(r, "2022/23") == pytest.approx(89611 + CF4_PRINTED["2022/23"] * -1 + cf4_2223)
    assert net(r, "2024/25") == pytest.approx(89851)
    # each property's payback from the investment date moves by the six months' delay
    base = run("baseline")
    for code in ("P1", "P2", "P3", "P4"):
        moved = cell(r.cip, code, "payback_from_investment") - cell(base.cip, code, "payback_from_investment")
        assert moved == pytest.approx(0.5)
