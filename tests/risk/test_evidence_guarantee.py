"""Budget risk from evidence (issue 15): the two views, the reference-class multipliers,
and the partner's guarantee applied in the simulation."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pytest

from mtfs_model import load_edition, load_scenario, run
from mtfs_model.base import rows
from mtfs_model.engine import guarantee
from mtfs_model.risk.evidence import EVIDENCE_PREFIX
from mtfs_model.risk.paths import Trajectories
from mtfs_model.risk.simulate import RiskResult, simulate
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.load import Scenario, scenario_from_dict

EDITION = load_edition()
YEARS = EDITION.years
DEFAULTS = tomllib.loads((EDITION.path / "risk.toml").read_text(encoding="utf-8"))
FLOOR = 7_000.0
G1_COST = "lines.G1.drivers.unit_cost_current_gbp_week"
HN = "high_needs.placement_costs"
NOT_HONOURED = {"guarantee": {"honoured": False}}
NO_EVIDENCE = {"risk": {
    "lines": {"G1": {"drivers": {"unit_cost_current_gbp_week": {"evidence": {"p10": 1.0, "p50": 1.0, "p90": 1.0}}}}},
    "high_needs": {"placement_costs": {"evidence": {"p10": 1.0, "p50": 1.0, "p90": 1.0}}},
}}  # fmt: skip


def scenario(*parts: dict[str, Any], base: str = "baseline", name: str = "t") -> Scenario:
    raw: dict[str, Any] = {"scenario": {"description": "evidence test"}, **load_scenario(base).overrides}
    for part in parts:
        for key, value in part.items():
            raw[key] = {**raw.get(key, {}), **value}
    return scenario_from_dict(raw, name=name)


def programme_benefit(tr: Trajectories) -> np.ndarray:
    """The DCFSF benefit per trajectory and year as the simulation counts it (positive)."""
    return -tr.figure("cumulative", rows.programme_total("DCFSF"))


# --- the two views ------------------------------------------------------------------------------


def test_the_default_is_evidence_adjusted_and_cites_the_reference_class() -> None:
    spec = risk_spec(load_scenario("baseline"))
    evidence = {d.name: d for d in spec.distributions if d.name.startswith(EVIDENCE_PREFIX)}
    assert set(evidence) == {EVIDENCE_PREFIX + G1_COST, EVIDENCE_PREFIX + HN}
    g1 = DEFAULTS["lines"]["G1"]["drivers"]["unit_cost_current_gbp_week"]["evidence"]
    d = evidence[EVIDENCE_PREFIX + G1_COST]
    assert (d.p10, d.p50, d.p90, d.evolution, d.shape) == (g1["p10"], g1["p50"], g1["p90"], "level", "lognormal")
    assert "lga_2223_placements" in d.note and d.origin == "reference class"
    assert spec.correlation.shape == (len(spec.distributions),) * 2


def test_the_paper_view_centres_every_default_on_the_paper() -> None:
    spec = risk_spec(scenario({"risk": {"view": "paper"}}))
    assert not any(d.name.startswith(EVIDENCE_PREFIX) for d in spec.distributions)
    assert all(d.p50 == 1.0 for d in spec.distributions)
    dcfsf = next(d for d in spec.distributions if d.name == "programmes.DCFSF.delivery")
    own = DEFAULTS["programmes"]["DCFSF"]["delivery"]
    assert dcfsf.p10 == pytest.approx(own["p10"] / own["p50"]) and dcfsf.p90 == pytest.approx(own["p90"] / own["p50"])


def test_the_evidence_view_sits_above_the_paper_view() -> None:
    """Same seed, same draws for every shared input: the evidence view's only extra is the
    reference class's multipliers (every one centred above 1) and DCFSF's own estimate."""
    ev = simulate("baseline", n=20_000, seed=3)
    paper = simulate(scenario({"risk": {"view": "paper"}}), n=20_000, seed=3)
    assert ev.p_exceeds_mtfs > paper.p_exceeds_mtfs
    assert (ev.net_budget.loc["P50"] > paper.net_budget.loc["P50"]).all()
    assert (ev.hn_deficit.loc["P50"] > paper.hn_deficit.loc["P50"]).all()


def test_a_scenario_that_sets_the_figure_rebases_the_evidence_multiplier() -> None:
    spec = risk_spec(load_scenario("placement_unit_cost_plus_10pct"))
    d = next(d for d in spec.distributions if d.name == EVIDENCE_PREFIX + G1_COST)
    g1 = DEFAULTS["lines"]["G1"]["drivers"]["unit_cost_current_gbp_week"]["evidence"]
    assert d.p50 == 1.0 and d.p90 == pytest.approx(g1["p90"] / g1["p50"]) and "re-based" in d.origin


def test_a_bad_evidence_table_names_the_file_and_key() -> None:
    from mtfs_model import InputError

    with pytest.raises(InputError) as exc:
        scenario({"risk": {"high_needs": {"placement_costs": {"evidence": {"p10": 1.2, "p50": 1.0, "p90": 1.5}}}}})
    assert "risk.high_needs.placement_costs.evidence.p10: expected 0 < p10 <= p50 <= p90" in str(exc.value)
    with pytest.raises(InputError) as exc:
        scenario({"risk": {"view": "optimistic"}})
    assert "risk.view" in str(exc.value)


# --- the guarantee in the simulation ------------------------------------------------------------


@pytest.fixture(scope="module")
def honoured() -> Trajectories:
    return Trajectories.of(simulate("baseline", n=20_000, seed=5, keep_paths=True))


@pytest.fixture(scope="module")
def failed() -> Trajectories:
    return Trajectories.of(simulate(scenario(NOT_HONOURED), n=20_000, seed=5, keep_paths=True))


def test_no_trajectory_s_guaranteed_benefit_falls_below_the_floor_in_its_year(honoured: Trajectories) -> None:
    benefit = programme_benefit(honoured)
    assert benefit[:, -1].min() >= FLOOR - 1e-6
    # it does bind: the delivered benefit (before the partner's remedy) falls below it
    assert 0.05 < (honoured.result.samples.guarantee_benefit < FLOOR).mean() < 0.5


def test_pro_rata_floors_every_year() -> None:
    s = scenario({"guarantee": {"floor_phasing": "pro_rata"}})
    tr = Trajectories.of(simulate(s, n=5_000, seed=2, keep_paths=True))
    mtfs = guarantee.assumed(run(s))
    floors = guarantee.floor_by_year(guarantee.load_terms(EDITION), mtfs, "pro_rata").to_numpy()
    assert (programme_benefit(tr) >= floors - 1e-6).all()


def test_the_partner_s_remedy_is_what_the_council_saves(honoured: Trajectories, failed: Trajectories) -> None:
    """Same draws: the two differ only where the delivered benefit is below the floor, by
    the shortfall, in the final year; the net budget still adds up to its lines."""
    a, b = honoured.result.samples, failed.result.samples
    assert np.array_equal(a.guarantee_benefit, b.guarantee_benefit)
    short = np.maximum(FLOOR - b.guarantee_benefit, 0.0)
    np.testing.assert_allclose(b.net[:, -1] - a.net[:, -1], short, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(a.net[:, :-1], b.net[:, :-1])
    for tr in (honoured, failed):
        lines = tr.paths.line_delta.sum(axis=1)
        det = run(tr.result.scenario).revenue.loc[rows.NET_BUDGET, list(YEARS)].to_numpy(dtype=float)
        np.testing.assert_allclose(tr.result.samples.net, det + lines, rtol=0, atol=1e-6)


def test_the_honoured_guarantee_lowers_the_p90_net_budget(honoured: Trajectories, failed: Trajectories) -> None:
    last = YEARS[-1]
    assert honoured.result.net_budget.loc["P90", last] < failed.result.net_budget.loc["P90", last]
    assert honoured.result.p_guarantee_binds == failed.result.p_guarantee_binds


def test_zero_spread_with_the_guarantee_is_the_engine_counting_on_it() -> None:
    """DCFSF half delivered (6,600 < 7,000): with no uncertainty the simulation gives the
    engine's 'net budget counting on the guarantee'; not honoured, the net as delivered."""
    zero = {"risk": {"spread_scale": 0, "view": "paper"}}
    s = scenario(zero, base="dcfsf_half_delivered")
    table = guarantee.guarantee_table(run(s))
    r = simulate(s, n=16, seed=1)
    np.testing.assert_allclose(
        r.samples.net, np.tile(table.loc[guarantee.NET_GUARANTEED].to_numpy(), (16, 1)), atol=1e-9
    )
    r = simulate(scenario(zero, NOT_HONOURED, base="dcfsf_half_delivered"), n=16, seed=1)
    np.testing.assert_allclose(r.samples.net, np.tile(table.loc[guarantee.NET].to_numpy(), (16, 1)), atol=1e-9)


def test_not_honoured_reproduces_the_figures_before_the_guarantee_was_applied() -> None:
    """`honoured = false` with the reference-class multipliers at 1 is the simulation of the
    release before issue 15, bit for bit: these figures are that release's
    (simulate("baseline", n=20_000, seed=11) on main after issue 18's new random streams,
    commit 5829e84)."""
    r: RiskResult = simulate(scenario(NOT_HONOURED, NO_EVIDENCE), n=20_000, seed=11)
    assert r.p_exceeds_mtfs == 0.71675 and r.p_guarantee_binds == 0.2186
    assert r.net_budget.loc["P90"].tolist() == [95317.83338434449, 99423.66509382414, 103392.8674355655,
                                                 106499.8762317657]  # fmt: skip
    assert r.hn_deficit.loc["P90"].tolist() == [27863.224080695818, 35103.11746750454, 46715.973075286194,
                                                 62475.44396709975]  # fmt: skip
    assert float(r.samples.net.sum()) == 7422287236.264976
    assert float(r.samples.hn_deficit.sum()) == 2488923998.0912786


def test_a_driver_per_trajectory_carries_its_reference_class_multiplier(honoured: Trajectories) -> None:
    names = honoured.result.spec.names()
    own, evidence = names.index(G1_COST), names.index(EVIDENCE_PREFIX + G1_COST)
    factors = honoured.paths.factors
    expected = 4000.0 * factors[:, own, :] * factors[:, evidence, :]
    np.testing.assert_allclose(honoured.driver("G1", "unit_cost_current_gbp_week"), expected, rtol=1e-12)
