"""The transformation partner's guarantee (Newton Europe on the DCFSF programme in the
bundled edition): printed terms with provenance, the guarantee against each scenario
derived by hand, unprinted terms only as labelled assumptions, and properties that hold
for any scenario."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfs_model import InputError, available_scenarios, load_edition, load_scenario, run
from mtfs_model.base.cells import cell
from mtfs_model.engine import guarantee as nw
from mtfs_model.engine.compare import compare
from mtfs_model.scenarios.inputs import GuaranteeAssumptions
from mtfs_model.scenarios.load import scenario_from_dict
from tests.paths import SHARED

SEEDS = SHARED / "seeds"
EDITION = load_edition()
YEARS = EDITION.years
MTFS = dict(zip(YEARS, (2200, 5300, 9000, 13200), strict=True))  # Appendix B CF1-CF3, positive
FOUR_YEARS = sum(MTFS.values())  # 29,700


def by_year(table: Any, measure: str) -> dict[str, float]:
    return {y: cell(table, measure, y) for y in YEARS}


def test_no_compatibility_names_remain() -> None:
    """The names from before editions are gone: one name for each thing."""
    import importlib

    import mtfs_model
    from mtfs_model.brief import sections
    from mtfs_model.scenarios import inputs

    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("mtfs_model.newton")
    for name in ("Baseline", "load_baseline", "newton"):
        assert not hasattr(mtfs_model, name)
    assert not hasattr(inputs, "NewtonAssumptions")
    assert not hasattr(sections, "html_newton")


def test_printed_terms() -> None:
    t = nw.load_terms()
    assert (t.floor, t.estimate, t.stretch) == (7000, 9300, 13100)
    assert t.horizon_years == 4
    assert t.shortfall_borne_by == "partner"
    assert t.fee_printed is False
    # the links come from the edition, not from the code
    assert (t.programme, t.partner) == ("DCFSF", "Newton Europe")
    assert t.lines == ("CF1", "CF2", "CF3") and t.years == YEARS and t.final_year == "2024/25"
    assert nw.applies(EDITION) and nw.programme_of(EDITION) == "DCFSF"


def test_every_guarantee_fact_has_provenance_that_greps() -> None:
    raw = tomllib.loads((EDITION.path / "guarantee.toml").read_text(encoding="utf-8"))
    docs = tomllib.loads((EDITION.path / "sources.toml").read_text(encoding="utf-8"))["documents"]
    sourced = {k: v for k, v in raw.items() if isinstance(v, dict) and "source" in v}
    assert {"guarantee", "estimate", "stretch", "horizon", "programme_end", "mtfs"} <= set(sourced)
    assert set(nw.sources()) == set(sourced)
    # the fee and its cap are not printed: no figure for them at all
    assert not any(isinstance(v, int | float) and not isinstance(v, bool) for v in raw["fee"].values())
    if not SEEDS.is_dir():
        pytest.skip("seed texts not available")
    for key, entry in sourced.items():
        src = entry["source"]
        assert {"doc", "ref", "grep"} <= set(src), key
        text = (SEEDS / docs[src["doc"]]["file"]).read_text(encoding="utf-8")
        assert src["grep"] in text, f"{key}: {src['grep']!r}"


def test_levels_show_the_mtfs_above_even_the_stretch(baseline: Any) -> None:
    lv = nw.levels(baseline)
    assert list(lv.index) == list(nw.LEVELS)
    assert cell(lv, "mtfs", "benefit") == 13200
    assert cell(lv, "stretch", "mtfs_minus_benefit") == 13200 - 13100
    assert cell(lv, "estimate", "mtfs_minus_benefit") == 13200 - 9300
    assert cell(lv, "floor", "benefit_pct") == pytest.approx(7000 / 13200)
    assert nw.mtfs_above_stretch(baseline) == 100
    shown = nw.labelled(lv, EDITION)
    assert list(shown.index) == [
        "Guarantee (Newton Europe floor)",
        "Estimate",
        "Stretch ambition",
        "MTFS assumes (CF1-CF3)",
    ]


def test_labels_come_from_the_edition() -> None:
    measures = nw.measure_labels(EDITION)
    assert set(nw.MEASURES) | {nw.FEE, nw.NET_OF_FEE} == set(measures)
    assert measures[nw.DELIVERED] == "DCFSF (CF1-3) benefit delivered"  # ProgrammeSpec.short
    assert measures[nw.ASSUMED] == "MTFS assumes (CF1-CF3)"
    assert "ASSUMPTION" in measures[nw.FEE] and "ASSUMPTION" in measures[nw.NET_OF_FEE]
    headers = nw.summary_labels(EDITION)
    assert set(nw.SUMMARY_COLUMNS) <= set(headers)
    assert headers["delivered_final"] == "Delivered 2024/25"
    assert headers["gap_horizon"] == "Gap to MTFS, 4 years"
    for column in nw.SUMMARY_COLUMNS:  # year-free ids: the years live in the edition
        assert not re.search(r"20\d\d", column), column
    assert nw.millions(7000) == "£7m" and nw.millions(13100) == "£13.1m"
    assert nw.lines_text(["CF1", "CF2", "CF3"]) == "CF1-CF3" and nw.lines_text(["CF4"]) == "CF4"


def test_guarantee_scenario_by_hand() -> None:
    t = nw.guarantee_table(run("newton_guarantee"))
    assert list(t.index) == list(nw.MEASURES) and list(t.columns) == list(YEARS)
    f = 7000 / 13200
    delivered = by_year(t, nw.DELIVERED)
    for y in YEARS:
        assert delivered[y] == pytest.approx(MTFS[y] * f)
        assert cell(t, nw.ASSUMED, y) == MTFS[y]
        assert cell(t, nw.GAP, y) == pytest.approx(MTFS[y] * (1 - f))
    # final-year phasing: the floor only in 2024/25, where delivery meets it exactly
    assert by_year(t, nw.FLOOR) == {"2021/22": 0, "2022/23": 0, "2023/24": 0, "2024/25": 7000}
    assert by_year(t, nw.PARTNER) == dict.fromkeys(YEARS, 0.0)
    assert cell(t, nw.COUNTED, "2024/25") == pytest.approx(7000)
    assert cell(t, nw.COUNCIL, "2024/25") == pytest.approx(6200)
    assert cell(t, nw.NET, "2024/25") == pytest.approx(96051)
    assert cell(t, nw.CUM_GAP, "2024/25") == pytest.approx(FOUR_YEARS * 6200 / 13200)  # 13,950
    assert cell(t, nw.CUM_GAP, "2024/25") == pytest.approx(13950)
    assert nw.FEE not in t.index  # no fee assumption, no fee row
    shown = nw.labelled(t, EDITION)
    assert "DCFSF (CF1-3) benefit delivered" in shown.index and "Gap the council bears" in shown.index


@pytest.mark.parametrize(("name", "level"), [("newton_estimate", 9300), ("newton_stretch", 13100)])
def test_four_year_cost_of_the_gap(name: str, level: float) -> None:
    s = nw.summary([run(name)]).iloc[0]
    assert list(s.index) == list(nw.SUMMARY_COLUMNS)
    assert s["gap_final"] == pytest.approx(13200 - level)
    assert s["gap_horizon"] == pytest.approx(FOUR_YEARS * (13200 - level) / 13200)  # 8,775 / 225
    assert s["delivered_pct"] == pytest.approx(level / 13200)
    assert s["partner_bears_final"] == 0
    assert s["net_budget_final"] == pytest.approx(89851 + 13200 - level)


def test_below_the_floor_the_partner_bears_the_shortfall() -> None:
    t = nw.guarantee_table(run("dcfsf_half_delivered"))
    assert cell(t, nw.DELIVERED, "2024/25") == pytest.approx(6600)
    assert cell(t, nw.PARTNER, "2024/25") == pytest.approx(7000 - 6600)
    assert cell(t, nw.COUNTED, "2024/25") == pytest.approx(7000)
    assert cell(t, nw.COUNCIL, "2024/25") == pytest.approx(13200 - 7000)
    assert cell(t, nw.NET_GUARANTEED, "2024/25") == pytest.approx(89851 + 6600 - 400)
    assert cell(t, nw.CUM_GAP, "2024/25") == pytest.approx(0.5 * FOUR_YEARS)  # 14,850
    assert cell(t, nw.CUM_COUNCIL, "2024/25") == pytest.approx(0.5 * FOUR_YEARS - 400)
    # before 2024/25 nothing is guaranteed: the council bears the whole gap
    assert cell(t, nw.PARTNER, "2023/24") == 0
    assert cell(t, nw.COUNCIL, "2023/24") == pytest.approx(4500)


def test_pro_rata_phasing_by_hand() -> None:
    s = scenario_from_dict(
        {
            "scenario": {"description": "half, pro rata"},
            "programmes": {"DCFSF": {"delivery": 0.5}},
            "guarantee": {"floor_phasing": "pro_rata"},
        },
        name="half_pro_rata",
    )
    t = nw.guarantee_table(run(s))
    for y in YEARS:
        assert cell(t, nw.FLOOR, y) == pytest.approx(7000 * MTFS[y] / 13200)
        assert cell(t, nw.PARTNER, y) == pytest.approx((7000 / 13200 - 0.5) * MTFS[y])
    assert sum(cell(t, nw.PARTNER, y) for y in YEARS) == pytest.approx(400 / 13200 * FOUR_YEARS)  # 900
    assert any("ASSUMPTION" in c and "pro rata" in c for c in s.changes)
    assert (
        nw.phasing_note("pro_rata")
        == "The £7m guarantee is phased in pro rata to the MTFS's CF1-CF3 profile, every year."
    )
    assert "2024/25 run-rate" in nw.phasing_note("final_year")
    with pytest.raises(ValueError, match="floor_phasing"):
        nw.phasing_note("never")


def test_fee_only_as_an_assumption_and_capped_by_hand() -> None:
    s = scenario_from_dict(
        {
            "scenario": {"description": "fee"},
            "programmes": {"DCFSF": {"recurring": {"year": "final", "value": -7000}}},
            "guarantee": {"fee_rate": 0.1, "fee_cap_gbp000": 1000},
        },
        name="fee",
    )
    t = nw.guarantee_table(run(s))
    assert list(t.index) == [*nw.MEASURES, nw.FEE, nw.NET_OF_FEE]
    f = 7000 / 13200
    expected = [0.1 * 2200 * f, 0.1 * 5300 * f, 0.1 * 9000 * f]
    assert sum(expected) == pytest.approx(875)
    for y, v in zip(YEARS[:3], expected, strict=True):
        assert cell(t, nw.FEE, y) == pytest.approx(v)
    assert cell(t, nw.FEE, "2024/25") == pytest.approx(1000 - 875)  # the cap binds
    assert cell(t, nw.NET_OF_FEE, "2024/25") == pytest.approx(7000 - 125)
    assert sum(1 for c in s.changes if c.startswith("ASSUMPTION (not printed)")) == 2
    assert "ASSUMPTION" in nw.measure_labels(EDITION)[nw.FEE]


@pytest.mark.parametrize(
    ("guarantee", "key"),
    [
        ({"floor_phasing": "never"}, r"guarantee\.floor_phasing"),
        ({"fee_rate": 1.5}, r"guarantee\.fee_rate"),
        ({"fee_cap_gbp000": 500}, r"guarantee: expected a fee_rate"),
        ({"fee_rate": 0.1, "fee_cap_gbp000": -1}, r"guarantee\.fee_cap_gbp000"),
        ({"fee": 0.1}, r"guarantee\.fee"),
    ],
)
def test_bad_guarantee_assumptions(guarantee: dict[str, Any], key: str) -> None:
    with pytest.raises(InputError, match=key):
        scenario_from_dict({"scenario": {"description": "bad"}, "guarantee": guarantee}, name="bad")


def test_the_old_newton_table_is_refused() -> None:
    with pytest.raises(InputError, match=r"newton: expected no such key"):
        scenario_from_dict({"scenario": {"description": "old"}, "newton": {"fee_rate": 0.1}}, name="old")


def test_bad_guarantee_toml(tmp_path: Path) -> None:
    text = (EDITION.path / "guarantee.toml").read_text(encoding="utf-8")
    (tmp_path / "guarantee.toml").write_text(text.replace("benefit = 9300", "benefit = 6000"), encoding="utf-8")
    with pytest.raises(InputError, match=r"estimate\.benefit: expected a number >= 7,000"):
        nw.load_terms(path=tmp_path / "guarantee.toml")
    # every problem at once: a floor that is not a number and a fact without its source
    bad = text.replace("floor = 7000", 'floor = "seven"').replace(
        "[stretch]\nbenefit = 13100\nsource = {", "[stretch]\nbenefit = 13100\nwas = {"
    )
    (tmp_path / "guarantee.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as err:
        nw.load_terms(path=tmp_path / "guarantee.toml")
    lines = err.value.lines()
    assert any("guarantee.floor: expected a number" in line for line in lines), lines
    assert any("stretch.source: expected a source table" in line for line in lines), lines


def test_an_edition_without_a_guarantee(tmp_path: Path) -> None:
    folder = tmp_path / "no_guarantee"
    shutil.copytree(EDITION.path, folder)
    text = (folder / "edition.toml").read_text(encoding="utf-8")
    text = re.sub(r"^guarantee_(programme|partner) = .*$", "", text, flags=re.MULTILINE)
    (folder / "edition.toml").write_text(text.replace('id = "cfs-2021-22"', 'id = "no-guarantee"'), encoding="utf-8")
    ed = load_edition(folder)
    assert not nw.applies(ed) and nw.programme_of(ed) is None and nw.partner_of(ed) == "the partner"
    with pytest.raises(InputError, match=r"links\.guarantee_programme"):
        nw.load_terms(ed)


# --- properties ------------------------------------------------------------------------

targets = st.one_of(
    st.fixed_dictionaries(
        {
            "recurring": st.fixed_dictionaries(
                {"year": st.just("final"), "value": st.floats(0, 20_000).map(lambda v: -v)}
            )
        }
    ),
    st.fixed_dictionaries({"delivery": st.floats(0, 2)}),
)
assumptions = st.fixed_dictionaries(
    {},
    optional={
        "floor_phasing": st.sampled_from(["final_year", "pro_rata"]),
        "fee_rate": st.floats(0, 1),
    },
)


def generated(target: dict[str, Any], assumed: dict[str, Any]) -> Any:
    raw = {"scenario": {"description": "generated"}, "programmes": {"DCFSF": target}, "guarantee": assumed}
    return run(scenario_from_dict(raw, name="generated"))


@settings(max_examples=40, deadline=None)
@given(target=targets, assumed=assumptions)
def test_guarantee_identities_for_any_scenario(target: dict[str, Any], assumed: dict[str, Any]) -> None:
    t = nw.guarantee_table(generated(target, assumed))
    assert not t.isna().any().any()
    for y in YEARS:
        got, floor, counted = cell(t, nw.DELIVERED, y), cell(t, nw.FLOOR, y), cell(t, nw.COUNTED, y)
        assert counted >= got - 1e-9 and counted >= floor - nw.EPSILON
        assert cell(t, nw.PARTNER, y) >= 0
        assert cell(t, nw.GAP, y) == pytest.approx(cell(t, nw.PARTNER, y) + cell(t, nw.COUNCIL, y), abs=1e-6)
        assert cell(t, nw.NET, y) - cell(t, nw.NET_GUARANTEED, y) == pytest.approx(cell(t, nw.PARTNER, y), abs=1e-6)
    assert cell(t, nw.CUM_GAP, "2024/25") == pytest.approx(sum(cell(t, nw.GAP, y) for y in YEARS), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(target=targets, assumed=assumptions)
def test_a_scenario_compared_with_itself_shows_no_difference(target: dict[str, Any], assumed: dict[str, Any]) -> None:
    r = generated(target, assumed)
    table = nw.compare([r, r])
    diff = table.loc["generated' - generated"]
    assert (diff == 0).all(), diff


@settings(max_examples=10, deadline=None)
@given(name=st.sampled_from(available_scenarios()))
def test_named_scenario_compared_with_itself_shows_no_difference(name: str) -> None:
    table = compare([name, name])
    diffs = table[[c for c in table.columns if " - " in c]]
    assert (diffs == 0).all().all()


def test_tables_for_several_scenarios_keep_each_apart(baseline: Any) -> None:
    t = nw.guarantee_tables([baseline, run("newton_guarantee"), run("newton_guarantee")])
    assert list(t.index.get_level_values("scenario").unique()) == ["baseline", "newton_guarantee", "newton_guarantee'"]
    assert t.loc[("baseline", nw.GAP)].abs().max() == 0
    assert load_scenario("baseline").inputs.guarantee == GuaranteeAssumptions()  # no fee, final-year floor
    shown = nw.labelled(t, EDITION)
    assert ("newton_guarantee'", "Gap to the MTFS") in shown.index
