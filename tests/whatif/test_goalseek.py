"""Goal seek and data tables (mtfs_model.whatif.goalseek) and their command line
(mtfs_model.cli.whatif): the README's three examples, checked by running the answer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import mtfs_model
from mtfs_model.base.errors import InputError
from mtfs_model.cli import whatif as cli_whatif
from mtfs_model.cli.parser import add_whatif_parsers
from mtfs_model.scenarios import compose
from mtfs_model.whatif import goalseek
from mtfs_model.whatif.goalseek import hn_cumulative, net_budget

DCFSF = "programmes.DCFSF.delivery"
G1_COST = "lines.G1.drivers.unit_cost_current_gbp_week"
HN_SAVINGS = ["high_needs.savings_delivery.demand_savings", "high_needs.savings_delivery.local_provision_and_practice"]


def final(series: object) -> float:
    return float(series.iloc[-1])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def mtfs_final() -> float:
    return final(net_budget(mtfs_model.run(mtfs_model.load_scenario("baseline"))))


def moved(scenario: mtfs_model.Scenario, paths: str | list[str], x: float) -> mtfs_model.Scenario:
    lever = goalseek.make_lever(scenario, paths, 0.0, 1e9)
    return compose.rebuild(lever.apply(scenario.overrides, x), scenario, scenario.name)


def test_a_dcfsf_delivery_that_keeps_the_final_year_within_the_mtfs(mtfs_final: float) -> None:
    base = mtfs_model.load_scenario("placement_unit_cost_plus_10pct")
    sol = goalseek.solve(base, lever=DCFSF, target="net_budget", bound="at_most")
    assert final(net_budget(mtfs_model.run(sol.scenario))) <= mtfs_final + 0.01
    assert final(net_budget(mtfs_model.run(moved(base, DCFSF, sol.value - 0.01)))) > mtfs_final
    assert 1.0 < sol.value < 2.0  # placements at 4,400 need more than the DCFSF profile
    assert sol.goal == pytest.approx(mtfs_final)
    assert sol.achieved <= sol.goal + 0.01
    assert sol.lever == "DCFSF (CF1-3) delivery" and sol.bound == "at_most"
    last = str(mtfs_model.run(base).revenue.columns[-1])
    assert sol.target == f"net_budget:{last}"
    assert repr(sol) == sol.sentence
    assert sol.sentence.startswith(f"DCFSF (CF1-3) delivery {sol.value:.3f} keeps the {last} net budget at ")
    assert sol.sentence.endswith(f"(target ≤ {mtfs_final:,.0f})")
    assert "<p>" in sol._repr_html_()
    print(sol.sentence)


def test_b_the_unit_cost_that_uses_up_a_2m_contingency(mtfs_final: float) -> None:
    sol = goalseek.solve("baseline", lever=G1_COST, target="net_vs_mtfs", value=2000)
    assert final(net_budget(mtfs_model.run(sol.scenario))) == pytest.approx(mtfs_final + 2000, abs=1e-6)
    assert 4000 < sol.value < 4400
    assert sol.hi == pytest.approx(10 * 4000)  # a driver ranges over 0..10x its baseline
    print(sol.sentence)


def test_c_high_needs_savings_that_keep_the_deficit_under_30m() -> None:
    base = mtfs_model.load_scenario("baseline")
    sol = goalseek.solve(base, lever=HN_SAVINGS, target="hn_deficit", value=30000, bound="at_most")
    assert final(hn_cumulative(mtfs_model.run(sol.scenario))) <= 30000 + 0.01
    assert final(hn_cumulative(mtfs_model.run(moved(base, HN_SAVINGS, sol.value - 0.01)))) > 30000
    for path in HN_SAVINGS:  # both lines moved together
        section, table, line = path.split(".")
        assert sol.scenario.overrides[section][table][line] == sol.value
    assert 0.9 < sol.value < 1.0
    print(sol.sentence)


def test_an_unreachable_target_names_the_lever_range_and_ends() -> None:
    with pytest.raises(InputError) as info:
        goalseek.solve("baseline", lever="properties.P1.occupancy", target="net_budget", value=50000)
    text = str(info.value)
    assert "properties.P1.occupancy" in text and "0.000..1.000" in text and "50,000" in text
    assert text.count(" at 0.000") == 1 and " at 1.000" in text and "\n" not in text


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError, match="target"):
        goalseek.solve("baseline", lever=DCFSF, target="surplus")
    with pytest.raises(InputError, match="target"):
        goalseek.solve("baseline", lever=DCFSF, target="net_budget:1999/00")
    with pytest.raises(InputError, match="bound"):
        goalseek.solve("baseline", lever=DCFSF, bound="roughly")
    with pytest.raises(InputError, match="lo/hi"):
        goalseek.solve("baseline", lever=DCFSF, lo=1.0, hi=0.5)
    with pytest.raises(InputError, match="value"):
        goalseek.solve("baseline", lever=DCFSF, target="hn_deficit")


def test_a_named_year_and_an_equal_bound(mtfs_final: float) -> None:
    first = str(mtfs_model.run("baseline").revenue.columns[0])
    sol = goalseek.solve("baseline", lever=DCFSF, target=f"net_budget:{first}", value=90000, lo=0.0, hi=2.0)
    assert float(net_budget(mtfs_model.run(sol.scenario))[first]) == pytest.approx(90000, abs=1e-6)
    assert " brings " in sol.sentence and "(target = 90,000)" in sol.sentence


def test_the_simulated_probability_is_met_with_fixed_draws() -> None:
    """The goal is the middle of what the lever can reach (delivery 0 to 2), so it is
    reachable whatever the evidence's fan; the answer, simulated again, is the target."""
    ends = goalseek.grid("baseline", {DCFSF: [0.0, 2.0]}, "p_exceeds_mtfs", n=2000).iloc[:, 0].to_numpy()
    goal = round(float(ends.mean()), 3)
    sol = goalseek.solve("baseline", lever=DCFSF, target="p_exceeds_mtfs", value=goal, n=2000, seed=1)
    assert sol.achieved == pytest.approx(goal, abs=0.01)
    again = mtfs_model.simulate(sol.scenario, n=2000, seed=1).p_exceeds_mtfs
    assert again == sol.achieved
    assert sol.iterations < 60
    assert "%" in sol.sentence and "n=2,000" in sol.sentence


def test_a_two_way_grid_matches_direct_runs(mtfs_final: float) -> None:
    table = goalseek.grid("baseline", {DCFSF: [0.5, 1.0], G1_COST: [4000, 4400, 4800]}, target="net_budget")
    assert table.shape == (2, 3)
    assert table.index.name == "DCFSF (CF1-3) delivery" and list(table.index) == [0.5, 1.0]
    assert table.columns.name == "G1 unit cost current" and list(table.columns) == [4000, 4400, 4800]
    assert table.loc[1.0, 4000] == pytest.approx(mtfs_final, abs=1e-9)
    direct = compose.combine("placement_unit_cost_plus_10pct", "dcfsf_half_delivered")
    assert table.loc[0.5, 4400] == pytest.approx(final(net_budget(mtfs_model.run(direct))), abs=1e-9)
    assert table.attrs["unit"] == "GBP000" and table.attrs["levers"] == [DCFSF, G1_COST]
    fig = goalseek.grid_heatmap(table)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 6 and all(t.startswith("£") and t.endswith("m") for t in texts)
    assert f"£{mtfs_final / 1000:,.1f}m" in texts


def test_a_one_way_grid_is_one_column() -> None:
    table = goalseek.grid("baseline", {tuple(HN_SAVINGS): [0.5, 0.75, 1.0]}, target="hn_deficit")
    assert table.shape == (3, 1)
    assert list(table.columns) == [table.attrs["phrase"]]
    assert table.iloc[-1, 0] == pytest.approx(final(hn_cumulative(mtfs_model.run("baseline"))))
    assert table.iloc[0, 0] > table.iloc[1, 0] > table.iloc[2, 0]
    with pytest.raises(InputError, match="one or two"):
        goalseek.grid("baseline", {DCFSF: [1], G1_COST: [1], "lines.G2.scale": [1]})


# --- the command line ------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mtfs")
    sub = parser.add_subparsers(dest="command", required=True)
    add_whatif_parsers(sub)
    return parser.parse_args(argv)


def test_cli_solve(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["solve", "baseline", "--lever", G1_COST, "--target", "net_vs_mtfs", "--value", "2000"])
    assert cli_whatif.dispatch(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("G1 unit cost current 4,215 ") and "(target = 2,000)" in out
    args = parse(["solve", "baseline", *[a for p in HN_SAVINGS for a in ("--lever", p)], "--target", "hn_deficit"])
    args.value, args.bound, args.format = 30000.0, "at_most", "json"
    assert cli_whatif.dispatch(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["bound"] == "at_most" and doc["achieved"] <= 30000.01 and doc["lever"].startswith("High Needs")


def test_cli_grid_writes_table_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, chart = tmp_path / "grid.csv", tmp_path / "grid.png"
    argv = ["grid", "baseline", "--lever", f"{DCFSF}=0.5,1", "--lever", f"{G1_COST}=4000,4400"]
    args = parse([*argv, "--format", "csv", "-o", str(out), "--chart", str(chart)])
    assert cli_whatif.dispatch(args) == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "DCFSF (CF1-3) delivery,4000,4400"
    assert text.splitlines()[1].startswith("0.5,")
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert cli_whatif.dispatch(parse([*argv, "--format", "table"])) == 0
    shown = capsys.readouterr().out
    assert "4,400" in shown and "0.5" in shown


def test_cli_bad_input_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_whatif.dispatch(parse(["grid", "baseline", "--lever", "programmes.DCFSF.delivery"])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: (arguments): --lever: expected PATH=")
    assert cli_whatif.dispatch(parse(["solve", "no_such_scenario", "--lever", DCFSF])) == 2
    assert capsys.readouterr().err.startswith("error: ")
