"""The Monte Carlo at the floor (issue 18): only the normals the model needs, drawn from
per-input streams; exact percentiles from one partition a year; the year-major kernel
equal to the engine and to the trajectory-major model; the variance ranking from moments
accumulated block by block; the per-line changes drawn again bit for bit; common random
numbers for a probability (goal seek and the sliders: tests/whatif/test_common_draws.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mtfs_model import load_scenario
from mtfs_model.risk.draws import BLOCK_SIZE, Sampler, shocks
from mtfs_model.risk.percentiles import PERCENTILES, percentile_tables
from mtfs_model.risk.plan import evaluate_factors, plan
from mtfs_model.risk.sensitivity import VARIANCE_COLUMNS, variance_ranking
from mtfs_model.risk.simulate import CommonDraws, simulate
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.load import scenario_from_dict

BASE = load_scenario("baseline")
SPEC = risk_spec(BASE)
YEARS = tuple(BASE.edition.years)
T = len(YEARS)


def test_only_the_normals_the_model_needs() -> None:
    """One normal a trajectory for a level input, one a year for a walk or independent one."""
    sampler = Sampler(SPEC, T)
    levels = sum(d.evolution in ("level", "horizon") for d in SPEC.distributions)  # one draw a trajectory
    assert levels and levels < len(SPEC.distributions)
    assert sampler.rows == levels + T * (len(SPEC.distributions) - levels) < T * len(SPEC.distributions)


def test_a_block_is_its_input_s_own_stream_slot_after_slot() -> None:
    """An input in no correlated group: its rows of a block are one SFC64 stream keyed by
    (block, name), year after year; a level input's one row likewise."""
    grouped = {k for idx, _ in SPEC.groups for k in idx}
    sampler = Sampler(SPEC, T)
    z = sampler.draw(7, BLOCK_SIZE, 2 * BLOCK_SIZE + 5)
    checked = set()
    for k, d in enumerate(SPEC.distributions):
        if k in grouped or d.evolution in checked:
            continue
        checked.add(d.evolution)
        gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(7, spawn_key=(1, *d.stream_key()))))
        stream = gen.standard_normal(d.slots(T) * BLOCK_SIZE)
        for s in range(d.slots(T)):
            assert np.array_equal(z[sampler.offsets[k] + s, :BLOCK_SIZE], stream[s * BLOCK_SIZE : (s + 1) * BLOCK_SIZE])
    assert checked == {"level", "horizon", "independent"}


def test_a_level_input_keeps_its_correlation_with_annual_shocks() -> None:
    """A level input correlated with a walk at rho: its one normal correlates rho / sqrt(T)
    with each annual shock, and rho with their mean times sqrt(T) (as when it was the
    mean of annual shocks)."""
    risk = {
        "lines": {"G2": {"scale": {"p10": 0.9, "p90": 1.1, "evolution": "level"}}},
        "correlation": [{"between": ["lines.G2.scale", "lines.G1.drivers.unit_cost_current_gbp_week"], "rho": 0.6,
                         "reason": "test"}],
    }  # fmt: skip
    s = scenario_from_dict({"scenario": {"description": "t"}, "risk": risk}, name="t")
    spec = risk_spec(s)
    names = spec.names()
    z = shocks(spec, 3, 0, 60_000, T)
    level = z[names.index("lines.G2.scale")][:, 0]
    walk = z[names.index("lines.G1.drivers.unit_cost_current_gbp_week")]
    for t in range(T):
        assert np.corrcoef(level, walk[:, t])[0, 1] == pytest.approx(0.6 / math.sqrt(T), abs=0.015)
    assert np.corrcoef(level, walk.sum(axis=1))[0, 1] == pytest.approx(0.6, abs=0.015)
    assert level.std() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("n", [1, 2, 3, 20, 1001])
def test_percentiles_from_one_partition_are_numpy_s_exactly(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.normal(90_000, 5_000, (T, n))
    less = rng.normal(90_000, 10, T)
    net, gap = percentile_tables(values, YEARS, less)
    assert np.array_equal(net.to_numpy(), np.percentile(values.T, PERCENTILES, axis=0))
    assert np.array_equal(gap.to_numpy(), np.percentile(values.T - less, PERCENTILES, axis=0))


def test_simulate_is_the_trajectory_major_model_on_its_own_multipliers() -> None:
    """The year-major kernel simulate runs, fed each input's kept multipliers through the
    trajectory-major entry point a re-forecast uses, gives the same bits; and the lines'
    changes drawn again are the kept paths' final year."""
    r = simulate(BASE, n=2000, seed=5, chunk_size=BLOCK_SIZE, keep_paths=True)
    paths = r.samples.paths
    assert paths is not None
    out = evaluate_factors(plan(BASE, r.spec), [paths.factors[:, k] for k in range(len(SPEC.distributions))], 2000)
    assert np.array_equal(out.net, r.samples.net) and np.array_equal(out.hn, r.samples.hn_deficit)
    assert out.benefit is not None and np.array_equal(out.benefit, r.samples.guarantee_benefit)
    assert np.array_equal(r.samples.line_change, paths.line_delta[:, :, -1])
    assert np.array_equal(simulate(BASE, n=2000, seed=5).samples.line_change, r.samples.line_change)


def test_variance_ranking_from_moments_is_the_centred_covariance() -> None:
    r = simulate(BASE, n=40_000, seed=2)
    gap = r.samples.net[:, -1] - r.reference.iloc[0, -1]
    x = r.samples.line_change
    cov = ((x - x.mean(axis=0)) * (gap - gap.mean())[:, None]).mean(axis=0)
    var = ((gap - gap.mean()) ** 2).mean()
    got = r.variance.reindex(list(r.samples.lines))
    np.testing.assert_allclose(got["variance_share_pct"], cov / var, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got["sd"], x.std(axis=0), rtol=1e-9)
    again = variance_ranking(r.samples.net, x, r.samples.lines, float(r.reference.iloc[0, -1]), {})
    np.testing.assert_allclose(again["sd"].reindex(got.index), got["sd"], rtol=1e-12)
    assert list(again.columns) == VARIANCE_COLUMNS


def test_common_random_numbers_give_simulate_s_probability_exactly() -> None:
    draws = CommonDraws(3000, seed=4)
    for delivery in (0.5, 1.3):
        s = scenario_from_dict(
            {"scenario": {"description": "t"}, "programmes": {"DCFSF": {"delivery": delivery}}}, name="t"
        )
        assert draws.p_exceeds_mtfs(s) == simulate(s, n=3000, seed=4).p_exceeds_mtfs
