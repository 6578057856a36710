"""Forecast evaluation (issue 11): the back-test scores outturns the TESTS construct
against the simulation (error, rank/PIT, coverage, an honest statement), ranks drawn from
the model's own distribution are uniform, a re-forecast conditions on outturns and fixes
what it should and nothing else, and the per-trajectory paths change nothing of
``simulate``."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

from mtfs_model import InputError, load_edition, load_scenario
from mtfs_model.base import rows
from mtfs_model.charts.backtest import backtest_chart, backtest_html, pit_chart, reforecast_chart
from mtfs_model.cli import forecast as cli_forecast
from mtfs_model.cli.parser import ArgumentParser, add_forecast_parsers, add_simulate_arguments
from mtfs_model.forecast.backtest import backtest, clopper_pearson, pit, report_text
from mtfs_model.forecast.calibration import calibrate
from mtfs_model.forecast.reforecast import REFORECAST_HN_ROW, REFORECAST_ROW, reforecast
from mtfs_model.forecast.reforecast import report_text as reforecast_text
from mtfs_model.risk.paths import Trajectories
from mtfs_model.risk.simulate import SCENARIO_HN_ROW, SCENARIO_ROW, simulate
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.load import scenario_from_dict
from tests.edition_factory import make_edition

from .test_outturns import cell, path, write_edition

N = 20_000
YEARS = load_edition().years
G1_COST = "lines.G1.drivers.unit_cost_current_gbp_week"
TRANSFER = "high_needs.schools_block_transfer_approved"


@pytest.fixture(scope="module")
def base() -> Trajectories:
    """The baseline simulation (seed 1, N trajectories) with its paths."""
    return Trajectories.of(simulate("baseline", n=N, seed=1, keep_paths=True))


def zero_spread_risk() -> dict[str, Any]:
    """A [risk] table putting every default distribution at P10 = P50 = P90 = 1, in the view
    "as the paper assumes" (no reference-class multiplier)."""
    table: dict[str, Any] = {"view": "paper"}
    for name in risk_spec(load_scenario("baseline")).names():
        if name.startswith("evidence:"):
            continue
        node = table
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = {"p10": 1.0, "p50": 1.0, "p90": 1.0}
    return table


# --- the paths simulate keeps --------------------------------------------------------------


def test_keeping_paths_changes_nothing_of_simulate() -> None:
    plain = simulate("baseline", n=3000, seed=4, chunk_size=1000)
    kept = simulate("baseline", n=3000, seed=4, chunk_size=777, keep_paths=True)
    assert plain.samples.paths is None and kept.samples.paths is not None
    for a, b in ((plain.samples.net, kept.samples.net), (plain.samples.hn_deficit, kept.samples.hn_deficit),
                 (plain.samples.line_change, kept.samples.line_change)):  # fmt: skip
        assert np.array_equal(a, b)
    assert plain.net_budget.equals(kept.net_budget) and plain.variance.equals(kept.variance)


def test_every_simulated_figure_is_the_engine_s_exactly_at_zero_spread() -> None:
    s = scenario_from_dict({"scenario": {"description": "no uncertainty"}, "risk": zero_spread_risk()}, name="z")
    tr = Trajectories.of(simulate(s, n=50, seed=1, keep_paths=True))
    for table in ("revenue", "cumulative", "in_year", "high_needs", "capital_programme"):
        for row in getattr(tr.engine, table).index:
            values, det = tr.figure(table, str(row)), tr.deterministic(table, str(row))
            assert np.array_equal(values, np.broadcast_to(det, values.shape)), (table, row)


def test_the_figures_keep_the_engine_s_identities(base: Trajectories) -> None:
    f = base.figure
    net = f("revenue", rows.NET_BUDGET)
    parts = sum(f("revenue", r) for r in (rows.PRIOR_YEAR_BUDGET, rows.TRANSFERS, rows.GROWTH, rows.SAVINGS))
    assert np.allclose(parts, net, atol=1e-6)
    assert np.allclose(f("in_year", rows.NET_GROWTH), f("revenue", rows.GROWTH) + f("revenue", rows.SAVINGS))
    gap = f("high_needs", rows.HN_GAP_PRE_SAVINGS) + f("high_needs", rows.HN_TOTAL_SAVINGS)
    assert np.allclose(gap, f("high_needs", rows.HN_ANNUAL_GAP), atol=1e-6)
    assert np.array_equal(net, base.result.samples.net)


# --- the back-test --------------------------------------------------------------------------

FIGURES_AT_FORECAST = [
    ("revenue", rows.NET_BUDGET, 0), ("revenue", rows.NET_BUDGET, 3), ("high_needs", rows.HN_CUMULATIVE, 1),
    ("high_needs", rows.HN_ANNUAL_GAP, 2), ("cumulative", "CF5", 0), ("cumulative", "total:DCFSF", 2),
    ("in_year", "G1", 1), ("high_needs", "placement_costs", 3),
]  # fmt: skip


def test_outturns_equal_to_the_forecast_have_zero_error_and_their_rank(tmp_path: Path, base: Trajectories) -> None:
    records = [cell(t, r, YEARS[y], float(base.deterministic(t, r)[y]), as_of=dt.date(2026, 6, 1))
               for t, r, y in FIGURES_AT_FORECAST]  # fmt: skip
    records.append(path(G1_COST, YEARS[1], 4000.0, as_of=dt.date(2026, 6, 1)))
    records.append(path(TRANSFER, YEARS[1], True, as_of=dt.date(2026, 6, 1)))
    result = backtest("baseline", n=N, seed=1, edition=write_edition(tmp_path, records))
    table = result.table
    assert (table["error"] == 0.0).all() and (table["forecast"] == table["outturn"]).all()
    for i, (t, r, y) in enumerate(FIGURES_AT_FORECAST):
        sims, value = base.figure(t, r)[:, y], table.at[i, "outturn"]
        expected = (np.count_nonzero(sims < value) + 0.5 * np.count_nonzero(sims == value)) / N
        assert table.at[i, "pit_pct"] == expected
        assert table.at[i, "P50"] == pytest.approx(np.percentile(sims, 50))
    g1 = base.driver("G1", "unit_cost_current_gbp_week")[:, 1]
    assert table.at[len(FIGURES_AT_FORECAST), "pit_pct"] == pit(g1, 4000.0)
    lever = table.iloc[-1]
    assert lever["forecast"] == 1.0 and lever["error"] == 0.0 and not lever["simulated"]
    assert math.isnan(lever["pit_pct"]) and math.isnan(lever["error_pct"])
    assert result.summary.at["ranked", "value"] == len(FIGURES_AT_FORECAST) + 1
    assert result.summary.at["mean_error_gbp000", "value"] == 0.0


def test_errors_percentages_and_coverage(tmp_path: Path, base: Trajectories) -> None:
    det = base.deterministic("revenue", rows.NET_BUDGET)
    beyond = 2 * float(base.figure("revenue", rows.NET_BUDGET)[:, 1].max())  # above every trajectory (a heavy tail)
    records = [cell("revenue", rows.NET_BUDGET, YEARS[0], float(det[0]) + 1000.0),
               cell("revenue", rows.NET_BUDGET, YEARS[1], beyond, as_of=dt.date(2023, 6, 1))]  # fmt: skip
    result = backtest("baseline", n=N, seed=1, edition=write_edition(tmp_path, records))
    t = result.table
    assert t.at[0, "error"] == pytest.approx(1000.0) and t.at[0, "error_pct"] == pytest.approx(1000.0 / det[0])
    assert t.at[0, "inside_p10_p90"] and not t.at[1, "inside_p10_p90"] and t.at[1, "pit_pct"] == 1.0
    s = result.summary["value"]
    assert s["inside_p10_p90"] == 1 and s["inside_p10_p90_pct"] == 0.5
    assert (s["coverage_low_pct"], s["coverage_high_pct"]) == pytest.approx(clopper_pearson(1, 2))
    assert s["mean_error_gbp000"] == pytest.approx(t["error"].mean())
    assert "1 of 2 ranked outturns" in result.statement and "cannot tell" in result.statement
    assert "2 years" in result.statement


def test_the_binomial_interval_is_the_exact_one() -> None:
    lo, hi = clopper_pearson(5, 5)
    assert lo == pytest.approx(0.05 ** (1 / 5)) and hi == 1.0
    lo, hi = clopper_pearson(0, 4)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.05 ** (1 / 4))
    assert clopper_pearson(80, 100)[0] < 0.8 < clopper_pearson(80, 100)[1]


def test_ranks_of_outturns_drawn_from_the_model_are_uniform(tmp_path: Path) -> None:
    """200 outturns, each one trajectory of a simulation with ANOTHER seed (so independent
    of the back-test's draws), over 40 continuous figures and years: their ranks in the
    back-test's simulation are uniform (Kolmogorov-Smirnov and chi-square, fixed seeds)."""
    figures = [
        ("revenue", rows.NET_BUDGET),
        ("high_needs", rows.HN_CUMULATIVE),
        ("cumulative", "G1"),
        ("cumulative", "total:DCFSF"),
        ("cumulative", "CF5"),
        ("in_year", "G6"),
        ("high_needs", "placement_costs"),
        ("revenue", rows.GROWTH),
        ("high_needs", rows.HN_ANNUAL_GAP),
    ]
    drawn = Trajectories.of(simulate("baseline", n=220, seed=2, keep_paths=True))
    records = []
    for j in range(200):
        table, row = figures[j % len(figures)]
        y = (j // len(figures)) % len(YEARS)
        value = float(drawn.figure(table, row)[j, y])
        records.append(cell(table, row, YEARS[y], value, as_of=dt.date(2030, 1, 1) + dt.timedelta(days=j)))
    for j in range(200, 220):  # a driver too: the unit cost's walk
        records.append(path(G1_COST, YEARS[j % 4], float(drawn.driver("G1", "unit_cost_current_gbp_week")[j, j % 4]),
                            as_of=dt.date(2031, 1, 1) + dt.timedelta(days=j)))  # fmt: skip
    result = backtest("baseline", n=N, seed=1, edition=write_edition(tmp_path, records))
    ranks = result.table["pit_pct"].to_numpy(dtype=float)
    assert len(ranks) == 220 and result.table["simulated"].all()
    # At 1 %, not 5 %: with one fixed seed a 5 % test of a uniform sample fails one run in
    # twenty by chance (seed 2 gave p = 0.042 once the evidence draws became Student-t).  A fan
    # too narrow or off-centre gives p far below 1e-6 (the tests below), so 1 % still bites.
    assert stats.kstest(ranks, "uniform").pvalue > 0.01
    counts, _ = np.histogram(ranks, bins=10, range=(0, 1))
    assert stats.chisquare(counts).pvalue > 0.01
    assert 0.7 <= result.summary.at["inside_p10_p90_pct", "value"] <= 0.9


def test_a_fan_too_narrow_is_called_too_narrow(tmp_path: Path, base: Trajectories) -> None:
    det = base.deterministic("revenue", rows.NET_BUDGET)
    day = dt.date(2026, 6, 1)
    # five times the MTFS: above the fan's P90 in every year whatever the evidence's uplift
    records = [cell("revenue", rows.NET_BUDGET, y, float(det[i]) * 5, as_of=day + dt.timedelta(days=k))
               for k in range(3) for i, y in enumerate(YEARS)]  # fmt: skip
    result = backtest("baseline", n=N, seed=1, edition=write_edition(tmp_path, records))
    assert result.summary.at["inside_p10_p90", "value"] == 0
    assert "too narrow" in result.statement and "0 of 12" in result.statement


def test_an_edition_without_outturns_says_so() -> None:
    result = backtest(n=2000, seed=1)
    assert result.table.empty and result.fans == {}
    assert "no outturns" in result.statement
    assert "record  figure" not in report_text(result)
    assert isinstance(backtest_chart(result), Figure)
    assert '<section class="backtest">' in backtest_html(result)


def test_the_report_the_chart_and_the_html(tmp_path: Path, base: Trajectories) -> None:
    records = [
        cell("revenue", rows.NET_BUDGET, YEARS[0], 90512),
        cell("cumulative", "CF5", YEARS[0], -1200),
        path(G1_COST, YEARS[0], 4350),
        path(TRANSFER, YEARS[1], False, as_of=dt.date(2023, 3, 31)),
    ]
    result = backtest("baseline", n=5000, seed=1, edition=write_edition(tmp_path, records))
    text = report_text(result)
    assert "90,512" in text and "Summary across outturns" in text
    assert " ".join(result.statement.split()) in " ".join(text.split())  # wrapped to the terminal's width
    for fmt in ("csv", "json", "markdown"):
        assert report_text(result, fmt)  # finite only: a missing rank is empty/null, never NaN
    fig = backtest_chart(result)
    assert fig.axes and all(ax.get_title("left") and ax.get_ylabel() for ax in fig.axes)
    assert "Back-test" in fig.get_suptitle()
    assert isinstance(pit_chart(result), Figure)
    page = backtest_html(result)
    assert page.count("<table") == 2 and "data:image/png;base64," in page and "90,512" in page


def test_backtest_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_edition(tmp_path, [cell("revenue", rows.NET_BUDGET, YEARS[0], 90512)])
    chart = tmp_path / "fan.png"
    parser = ArgumentParser(prog="mtfs")
    sub = parser.add_subparsers(dest="command", required=True)
    add_forecast_parsers(sub)
    for p in sub.choices.values():
        p.add_argument("--edition")
    args = parser.parse_args(["backtest", "--n", "2000", "--edition", str(folder), "--chart", str(chart),
                              "--calibrate", "--format", "markdown"])  # fmt: skip
    assert cli_forecast.dispatch(args) == 0
    out = capsys.readouterr().out
    assert "Back-test of 'baseline'" in out and chart.read_bytes().startswith(b"\x89PNG")
    args = parser.parse_args(["backtest", "nonesuch", "--edition", str(folder)])
    assert cli_forecast.dispatch(args) == 2
    assert capsys.readouterr().err.startswith("error: (arguments): scenario: expected one of")


def test_calibrate_proposes_spreads_from_enough_points(tmp_path: Path) -> None:
    realised = [4200.0, 4410.0, 4200.0]  # x1.05, x1.05, x(1/1.05) a year
    records = [path(G1_COST, YEARS[i], v, as_of=dt.date(2026, 6, 1)) for i, v in enumerate(realised)]
    records.append(cell("cumulative", "CF5", YEARS[0], -1200))
    frame = calibrate(write_edition(tmp_path, records))
    g1 = frame.loc[G1_COST]
    assert g1["points"] == 3 and g1["evolution"] == "walk"
    rms = math.log(1.05)
    assert g1["rms_error"] == pytest.approx(rms)
    assert g1["proposed_p10"] == pytest.approx(math.exp(-1.2815515655446004 * rms))
    assert g1["proposed_p90"] == pytest.approx(math.exp(1.2815515655446004 * rms))
    assert g1["rms_low"] < rms < g1["rms_high"]
    cf5 = frame.loc["lines.CF5.delivery"]
    assert cf5["points"] == 1 and math.isnan(cf5["proposed_p10"]) and "fewer than 3" in cf5["note"]


# --- the re-forecast ------------------------------------------------------------------------


def test_conditioning_on_the_forecast_leaves_the_deterministic_path_unchanged(
    tmp_path: Path, base: Trajectories
) -> None:
    d = base.deterministic
    records = [
        cell("revenue", rows.NET_BUDGET, YEARS[0], float(d("revenue", rows.NET_BUDGET)[0])),
        cell("high_needs", rows.HN_CUMULATIVE, YEARS[0], float(d("high_needs", rows.HN_CUMULATIVE)[0])),
        cell("high_needs", rows.HN_ANNUAL_GAP, YEARS[1], float(d("high_needs", rows.HN_ANNUAL_GAP)[1]),
             as_of=dt.date(2023, 6, 1)),
        cell("high_needs", "placement_costs", YEARS[0], float(d("high_needs", "placement_costs")[0])),
        cell("cumulative", "CF5", YEARS[0], float(d("cumulative", "CF5")[0])),
        path(G1_COST, YEARS[0], 4000.0),
        path("lines.G1.drivers.placement_budget_base_gbp000", YEARS[0], 32599.488),  # no distribution: added
        path(TRANSFER, YEARS[1], True, as_of=dt.date(2023, 3, 31)),
    ]  # fmt: skip
    folder = write_edition(tmp_path, records)
    r = reforecast("baseline", n=2000, seed=1, edition=folder, original=False)
    assert len(r.conditions) == len(records) and r.ignored.empty
    ref = r.reference
    assert np.array_equal(ref.loc[REFORECAST_ROW], ref.loc[SCENARIO_ROW])
    assert np.array_equal(ref.loc[REFORECAST_HN_ROW], ref.loc[SCENARIO_HN_ROW])
    zero = {"scenario": {"description": "no uncertainty"}, "risk": zero_spread_risk()}
    z = reforecast(scenario_from_dict(zero, name="z", edition=load_edition(folder)), n=300, seed=1, original=False)
    assert (z.samples.net == ref.loc[SCENARIO_ROW].to_numpy()).all()
    assert (z.samples.hn_deficit == ref.loc[SCENARIO_HN_ROW].to_numpy()).all()


def factors_of(result: Any) -> dict[str, np.ndarray]:
    """Each input's multipliers per trajectory, by name, from a simulation with paths."""
    paths = result.samples.paths
    return {name: paths.factors[:, k] for k, name in enumerate(result.spec.names())}


def test_conditioning_on_the_net_budget_fixes_it_and_nothing_else(tmp_path: Path) -> None:
    records = [cell("revenue", rows.NET_BUDGET, YEARS[0], 90512),
               cell("revenue", rows.NET_BUDGET, YEARS[1], 91800, as_of=dt.date(2023, 6, 1))]  # fmt: skip
    r = reforecast("baseline", n=N, seed=1, edition=write_edition(tmp_path, records), chunk_size=7000)
    assert r.through == YEARS[1] and r.actual_years == YEARS[:2]
    net = r.samples.net
    assert (net[:, 0] == 90512).all() and (net[:, 1] == 91800).all()  # the actuals, exactly
    assert net[:, 2].std() > 0 and net[:, 3].std() > 0  # later years still vary
    original = simulate("baseline", n=N, seed=1, keep_paths=True)
    # later years roll forward from the actual by each trajectory's own simulated changes
    assert np.allclose(np.diff(net[:, 1:], axis=1), np.diff(original.samples.net[:, 1:], axis=1), atol=1e-6)
    # nothing else moves: the deficit and every input's draws are the original's, bit for bit
    assert r.original is not None and np.array_equal(r.samples.hn_deficit, r.original.samples.hn_deficit)
    before = factors_of(original)
    for k, name in enumerate(r.samples.inputs):
        assert np.array_equal(r.samples.factors[:, k], before[name]), name
    # the same seed gives the same re-forecast whatever the chunk size
    r2 = reforecast("baseline", n=N, seed=1, edition=write_edition(tmp_path / "b", records), original=False)
    assert np.array_equal(r.samples.net, r2.samples.net) and r.net_budget.equals(r2.net_budget)


def test_a_walk_continues_from_the_actual(tmp_path: Path) -> None:
    r = reforecast("baseline", n=N, seed=1, edition=write_edition(tmp_path, [path(G1_COST, YEARS[0], 4350)]),
                   original=False)  # fmt: skip
    before = factors_of(simulate("baseline", n=N, seed=1, keep_paths=True))
    f = r.samples.factors[:, r.samples.inputs.index(G1_COST)]
    g = before[G1_COST]
    assert (f[:, 0] == 4350 / 4000).all()  # the realised multiplier, in every trajectory
    assert f[:, 1:].std(axis=0).min() > 0  # later years still vary...
    assert np.allclose(f[:, 1:] / f[:, [0]], g[:, 1:] / g[:, [0]], rtol=1e-12)  # ...by the same annual changes
    for k, name in enumerate(r.samples.inputs):
        if name == "evidence:" + G1_COST:  # the realised multiplier holds the whole error
            assert (r.samples.factors[:, k] == 1.0).all()
        elif name != G1_COST:
            assert np.array_equal(r.samples.factors[:, k], before[name]), name


def test_the_deficit_continues_from_the_actual_and_a_lever_is_fixed(tmp_path: Path, base: Trajectories) -> None:
    t_transfer = YEARS.index("2022/23")
    records = [
        cell("high_needs", rows.HN_CUMULATIVE, YEARS[0], 24000),
        path(TRANSFER, YEARS[t_transfer], False, as_of=dt.date(2023, 3, 31)),
    ]  # fmt: skip
    r = reforecast("baseline", n=N, seed=1, edition=write_edition(tmp_path, records), through=YEARS[1])
    assert r.scenario.inputs.hn_transfer_approved is False and r.base.inputs.hn_transfer_approved is True
    hn = r.samples.hn_deficit
    assert (hn[:, 0] == 24000).all() and hn[:, 1:].std(axis=0).min() > 0
    amount = r.scenario.inputs.hn_transfer_amount
    det = r.reference.loc[REFORECAST_HN_ROW].to_numpy() - r.reference.loc[SCENARIO_HN_ROW].to_numpy()
    start = 24000 - base.deterministic("high_needs", rows.HN_CUMULATIVE)[0]
    assert det == pytest.approx([start, start + amount, start + amount, start + amount])
    # the lever is fixed: every trajectory's annual gap carries the refused transfer in its year
    original = r.original
    assert original is not None
    moved = hn - original.samples.hn_deficit
    tol = 1e-12 * float(np.abs(hn).max())  # rounding on the heavy tail's largest deficits
    assert np.allclose(moved[:, 1] - moved[:, 0], amount, atol=tol)
    assert np.allclose(moved[:, 3] - moved[:, 1], 0, atol=tol)
    # through = the first year: an outturn dated later is not used
    first = reforecast("baseline", n=500, seed=1, edition=write_edition(tmp_path / "c", records), through=YEARS[0],
                       original=False)  # fmt: skip
    assert first.scenario.inputs.hn_transfer_approved is True and len(first.conditions) == 1


def test_what_is_not_conditioned_on_is_listed(tmp_path: Path) -> None:
    records = [cell("cumulative", "total:DCFSF", YEARS[0], -1500), cell("capital_programme", "programme_total",
                                                                         YEARS[0], 1000)]  # fmt: skip
    r = reforecast("baseline", n=500, seed=1, edition=write_edition(tmp_path, records), original=False)
    assert r.conditions.empty and list(r.ignored["figure"]) == [
        "cumulative.total:DCFSF",
        "capital_programme.programme_total",
    ]
    assert "not conditioned" in reforecast_text(r)


def test_the_reforecast_chart_and_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_edition(tmp_path, [cell("revenue", rows.NET_BUDGET, YEARS[0], 90512)])
    r = reforecast("baseline", n=3000, seed=1, edition=folder)
    for measure in ("net_budget", "hn_deficit"):
        fig = reforecast_chart(r, measure)
        assert len(fig.axes) == 2 and "before and after" in fig.get_suptitle()
    for fmt in ("table", "csv", "json", "markdown"):
        assert reforecast_text(r, fmt)
    chart = tmp_path / "rf.png"
    args = argparse.Namespace(scenario="baseline", n=3000, seed=1, chunk_size=None, format="table",
                              edition=str(folder), through=None, reforecast_chart=str(chart))  # fmt: skip
    text = cli_forecast.simulate_from_outturns(args)
    assert "re-forecast from 1 outturn" in text and chart.read_bytes().startswith(b"\x89PNG")
    args.through = "1999/00"
    with pytest.raises(InputError, match="--through"):
        cli_forecast.simulate_from_outturns(args)


def test_another_horizon_needs_no_code_change(tmp_path: Path) -> None:
    folder = make_edition(tmp_path / "src", first_year=2030, n_years=6, edition_id="later")
    from mtfs_model.base.years import fy_label

    years = [fy_label(2030 + i) for i in range(6)]
    records = [cell("revenue", rows.NET_BUDGET, years[0], 95000, as_of=dt.date(2031, 6, 1)),
               cell("high_needs", rows.HN_CUMULATIVE, years[1], 30000, as_of=dt.date(2032, 6, 1))]  # fmt: skip
    edited = write_edition(tmp_path, records, source=folder)
    b = backtest("baseline", n=2000, seed=1, edition=edited)
    assert len(b.table) == 2 and b.table["simulated"].all()
    r = reforecast("baseline", n=2000, seed=1, edition=edited, original=False)
    assert (r.samples.net[:, 0] == 95000).all() and (r.samples.hn_deficit[:, 1] == 30000).all()
    assert r.net_budget.shape == (5, 6)


def test_kinds_choose_what_is_scored_and_are_checked(tmp_path: Path) -> None:
    records = [
        cell("revenue", rows.NET_BUDGET, YEARS[0], 90000),
        cell("revenue", rows.NET_BUDGET, YEARS[1], 91000, kind="reforecast", as_of=dt.date(2022, 10, 1)),
    ]
    folder = write_edition(tmp_path, records)
    assert list(backtest(n=500, edition=folder).table["kind"]) == ["outturn"]
    assert list(backtest(n=500, edition=folder, kinds=("outturn", "reforecast")).table["kind"]) == [
        "outturn", "reforecast"]  # fmt: skip
    r = reforecast(n=500, edition=folder, kinds=["outturn", "reforecast"], original=False)
    assert (r.samples.net[:, 1] == 91000).all()
    for bad in ("outturn", ("final",), ()):
        with pytest.raises(InputError, match="kinds"):
            backtest(n=500, edition=folder, kinds=bad)  # type: ignore[arg-type]


def test_simulate_takes_from_outturns(tmp_path: Path) -> None:
    parser = ArgumentParser(prog="mtfs")
    sub = parser.add_subparsers(dest="command", required=True)
    p_sim = sub.add_parser("simulate")
    p_sim.add_argument("scenario", nargs="?", default="baseline")
    add_simulate_arguments(p_sim)
    args = parser.parse_args(["simulate", "--from-outturns", "--through", YEARS[0], "--reforecast-chart", "x.png"])
    assert args.from_outturns and args.through == YEARS[0] and args.reforecast_chart == "x.png"
    assert not parser.parse_args(["simulate"]).from_outturns


def test_a_percentage_error_against_a_near_zero_forecast_is_na() -> None:
    """A forecast High Needs gap of -132 against an outturn of 6,700 is not 5,176 % wrong:
    the percentage says nothing, so it is n/a (the error in £000 stands)."""
    import pandas as pd

    from mtfs_model.forecast.backtest import near_zero, view

    assert near_zero(-132, 6700) and near_zero(0, 5) and not near_zero(89_851, 90_512)
    frame = pd.DataFrame({"error": [6832.0], "error_pct": [math.nan]}, index=pd.Index([0], name="record"))
    assert view(frame, "table").loc[0, "error_pct"] == "n/a"
    assert view(frame, "csv").loc[0, "error_pct"] is None


# --- proper scores (issue 15) ----------------------------------------------------------------


def test_backtest_reports_crps_and_the_interval_score_beside_the_paper_s_error(tmp_path: Path) -> None:
    """Per outturn: the paper's absolute error, the fan's CRPS (from the trajectories) and
    the P10-P90 interval score; averaged in the summary; a fan that is only wider (the same
    centre, twice the spread) scores worse on an outturn at its centre."""
    from mtfs_model.forecast.scores import crps, interval_score

    forecast_2022 = 89_086.0
    ed = write_edition(tmp_path, [cell("revenue", rows.NET_BUDGET, YEARS[0], forecast_2022 + 1500)])
    result = backtest("baseline", n=N, seed=1, edition=ed)
    row = result.table.iloc[0]
    assert row["abs_error"] == pytest.approx(1500)
    tr = Trajectories.of(result.risk)
    sims = tr.figure("revenue", rows.NET_BUDGET)[:, 0]
    assert row["crps"] == pytest.approx(crps(sims, forecast_2022 + 1500))
    assert row["interval_score"] == pytest.approx(interval_score(row["P10"], row["P90"], forecast_2022 + 1500))
    summary = result.summary["value"]
    assert summary["mean_crps_gbp000"] == pytest.approx(row["crps"])
    assert summary["mean_crps_pct"] == pytest.approx(row["crps"] / forecast_2022)
    assert "Proper scores" in result.statement and "CRPS" in report_text(result, "table")
    # only wider: the same scenario at twice the spread, the outturn at the deterministic figure
    at_centre = write_edition(tmp_path / "c", [cell("revenue", rows.NET_BUDGET, YEARS[0], forecast_2022)])
    narrow = backtest(
        scenario_from_dict(
            {"scenario": {"description": "x"}, "risk": {"view": "paper"}}, edition=load_edition(at_centre)
        ),
        n=N,
        seed=1,
    )
    wide = backtest(
        scenario_from_dict(
            {"scenario": {"description": "x"}, "risk": {"view": "paper", "spread_scale": 2.0}},
            edition=load_edition(at_centre),
        ),
        n=N,
        seed=1,
    )
    assert wide.table.iloc[0]["crps"] > narrow.table.iloc[0]["crps"]
    assert wide.table.iloc[0]["interval_score"] > narrow.table.iloc[0]["interval_score"]


def test_the_back_test_reads_the_evidence_as_of_the_papers_whatever_risk_toml_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later ``[risk] evidence_as_of`` moves the fan of ``simulate`` (it may use pairs
    published after the papers), but never the fan a back-test judges: that one knows only
    what was published by the edition's papers (9 March 2021 for the bundled edition)."""
    import shutil

    import mtfs_model.forecast.backtest as backtest_module

    later = tmp_path / "later"
    shutil.copytree(load_edition().path, later)
    risk_file = later / "risk.toml"
    text = risk_file.read_text(encoding="utf-8")
    risk_file.write_text(
        text.replace('view = "evidence"', 'view = "evidence"\nevidence_as_of = 2026-12-31', 1), encoding="utf-8"
    )
    ed = load_edition(later)
    as_stood = simulate("baseline", n=4_000, seed=3, edition=ed, evidence_as_of="2021-03-09")
    told = simulate("baseline", n=4_000, seed=3, edition=ed)
    bundled = simulate("baseline", n=4_000, seed=3)
    assert not np.array_equal(told.samples.net, bundled.samples.net)  # the setting matters to simulate
    assert np.array_equal(as_stood.samples.net, bundled.samples.net)  # the override restores the papers' date

    seen: list[Any] = []
    real = backtest_module.simulate

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("evidence_as_of"))
        return real(*args, **kwargs)

    monkeypatch.setattr(backtest_module, "simulate", spy)
    backtest("baseline", n=2_000, seed=1, edition=later)
    assert seen == ["2021-03-09"]
