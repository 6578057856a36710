"""Issue 22, the pooled, horizon-aware calibration and its check on itself: a known
distribution is recovered, the horizon rule is estimated where the pairs span horizons and
a stated judgement where they do not, few pairs widen the fan, shrinkage moves with the
evidence, down-weighted pairs count less, the deficit-reversal evidence is the DfE table's,
and leave-one-council-out puts about 80 % inside P10-P90 of a calibrated class."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from mtfs_model.evidence.checks import coverage_line, leave_one_council_out
from mtfs_model.evidence.context import EvidenceContext
from mtfs_model.evidence.la_data import DSG_BALANCE_FILE, LA_DATA_PUBLISHED, s251_prior
from mtfs_model.evidence.pooled import BIAS_HELD, BIAS_PROPORTIONAL, GAMMA_JUDGEMENT, bias_horizon
from mtfs_model.evidence.reference_class import OwnCouncil, load_reference_class
from tests.evidence.helpers import EDITION, pair, record, synthetic_class

LATER = dt.date(2030, 1, 1)
BEFORE_LA_DATA = dt.date(2023, 12, 31)
"""The synthetic classes' evidence date: their figures are dated 2019, and the DfE s251
prior (published January 2024) stays out of their hn_spend."""
NOBODY = OwnCouncil("Nowhere Council", None, "2021/22")


def context(path: Path, as_of: dt.date = BEFORE_LA_DATA, bias_growth: str = BIAS_HELD) -> EvidenceContext:
    return EvidenceContext.build(load_reference_class(path, bundled=False), NOBODY, as_of, bias_growth=bias_growth)


def draws(
    n: int, mu: float, sigma: float, gamma: float, horizons: tuple[float, ...], seed: int = 7, held: bool = False
) -> list:
    """``n`` pairs from ``n`` councils: log error = mu b(h) + sigma h^gamma z, ``b(h) = h``
    (or ``min(h, 1)`` when ``held``)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        h = horizons[i % len(horizons)]
        b = min(h, 1.0) if held else h
        out.append((f"Council {i}", h, mu * b + sigma * h**gamma * rng.standard_normal()))
    return out


def test_a_class_drawn_from_a_known_distribution_recovers_it(tmp_path: Path) -> None:
    mu, sigma = 0.08, 0.15
    p = context(synthetic_class(tmp_path / "c.toml", draws(400, mu, sigma, 0.5, (1.0,)))).predictive("hn_spend")
    assert p.loc == pytest.approx(mu, abs=3 * sigma / 20) and p.scale == pytest.approx(sigma, rel=0.12)
    assert p.df > 100 and p.n_councils == 400
    assert math.log(p.ppf(0.9, 1.0)) == pytest.approx(p.loc + stats.t.ppf(0.9, p.df) * p.scale)
    assert math.log(p.ppf(0.9, 1.0)) == pytest.approx(mu + stats.norm.ppf(0.9) * sigma, abs=0.045)
    assert p.ppf(0.5, 1.0) == pytest.approx(math.exp(p.loc))


def test_the_horizon_rule_is_estimated_where_pairs_span_horizons(tmp_path: Path) -> None:
    pairs = draws(400, 0.2, 0.2, 0.9, (0.25, 0.5, 1.0, 1.5))
    ctx = context(synthetic_class(tmp_path / "c.toml", pairs, subject="hn_gap"))
    assert ctx.rule.estimated and ctx.rule.low < ctx.rule.gamma < ctx.rule.high and abs(ctx.rule.gamma - 0.9) < 0.2
    assert "estimated by maximum likelihood" in ctx.rule.words()
    assert ctx.rule.bias_low > 0.0 and ctx.rule.bias_low <= 1.0 <= ctx.rule.bias_high  # a bias growing with h
    assert "The pairs put the bias's growth at" in ctx.rule.words()
    p = ctx.predictive("hn_gap")
    assert p.scale_at(4.0) / p.scale_at(1.0) == pytest.approx(4.0**ctx.rule.gamma)
    # the bias accrues up to a year and is then held: not extrapolated beyond the pairs
    assert p.loc_at(3.0) == pytest.approx(p.loc) and p.loc_at(0.5) == pytest.approx(0.5 * p.loc)
    assert "then held" in ctx.rule.words()


@pytest.mark.parametrize("growth", [BIAS_HELD, BIAS_PROPORTIONAL])
def test_each_bias_rule_recovers_the_bias_it_was_drawn_from(tmp_path: Path, growth: str) -> None:
    """Pairs at 0.25 to 2 years drawn with a held bias (or a proportional one) give back its
    one-year value under the same rule; the predictive's centre follows the rule."""
    mu = 0.15
    pairs = draws(600, mu, 0.03, 0.5, (0.25, 0.5, 1.0, 2.0), held=growth == BIAS_HELD)
    path = synthetic_class(tmp_path / "c.toml", pairs, subject="hn_gap")
    ctx = context(path, bias_growth=growth)
    p = ctx.predictive("hn_gap")
    assert ctx.rule.bias_growth == p.bias_growth == growth
    assert p.loc == pytest.approx(mu, abs=0.01)
    truth = mu * (2.0 if growth == BIAS_PROPORTIONAL else 1.0)  # the bias two years ahead
    assert p.loc_at(2.0) == pytest.approx(truth, abs=0.02)
    other = BIAS_PROPORTIONAL if growth == BIAS_HELD else BIAS_HELD
    assert abs(context(path, bias_growth=other).predictive("hn_gap").loc_at(2.0) - truth) > 0.04  # the wrong rule
    assert p.loc_at(2.0) == pytest.approx(p.loc * (2.0 if growth == BIAS_PROPORTIONAL else 1.0))
    assert p.loc_at(0.25) == pytest.approx(0.25 * p.loc)


def test_an_unknown_bias_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="held, proportional"):
        bias_horizon(1.0, "exponential")


def test_one_horizon_only_gives_the_stated_judgement(tmp_path: Path) -> None:
    ctx = context(synthetic_class(tmp_path / "c.toml", draws(40, 0.05, 0.2, 0.9, (1.0,))))
    assert not ctx.rule.estimated and ctx.rule.gamma == GAMMA_JUDGEMENT and "judgement" in ctx.rule.words()


def test_the_fan_widens_with_the_horizon_and_its_quantiles_are_ordered(tmp_path: Path) -> None:
    p = context(synthetic_class(tmp_path / "c.toml", draws(30, 0.1, 0.2, 0.5, (1.0,)))).predictive("hn_spend")
    widths = [math.log(p.ppf(0.9, h) / p.ppf(0.1, h)) for h in (0.5, 1, 2, 4)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    q = p.ppf(np.linspace(0.01, 0.99, 50), 2.0)
    assert np.all(np.diff(q) > 0)
    assert float(p.cdf(p.ppf(0.3, 2.0), 2.0)) == pytest.approx(0.3)


def test_fewer_pairs_give_a_wider_fan(tmp_path: Path) -> None:
    def even(n: int) -> list[tuple[str, float, float]]:  # the same spread, n pairs
        return [(f"C{i}", 1.0, 0.1 + 0.2 * float(stats.norm.ppf((i + 0.5) / n))) for i in range(n)]

    few = context(synthetic_class(tmp_path / "few.toml", even(4))).predictive("hn_spend")
    many = context(synthetic_class(tmp_path / "many.toml", even(40))).predictive("hn_spend")
    assert few.df < many.df
    assert few.ppf(0.95, 1.0) / few.ppf(0.05, 1.0) > many.ppf(0.95, 1.0) / many.ppf(0.05, 1.0)


def test_a_subject_is_shrunk_toward_its_family_less_as_its_pairs_grow(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    text = ""
    i = 0

    def add(subject: str, e: float) -> None:
        nonlocal text, i
        text += record(f"f{i}", "F", 1e6, council=f"C{i}", subject=subject)
        text += record(f"o{i}", "O", round(1e6 * math.exp(e), 3), council=f"C{i}", subject=subject)
        text += pair(f"p{i}", f"f{i}", f"o{i}", subject=subject)
        i += 1

    for _ in range(30):
        add("csc_spend", 0.20 + 0.05 * rng.standard_normal())
    for _ in range(2):
        add("hn_spend", 0.0)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    two = context(path).predictive("hn_spend")
    assert 0.0 < two.loc < 0.2  # between its own centre (0) and the family's (0.2)
    for _ in range(20):
        add("hn_spend", 0.0)
    path.write_text(text, encoding="utf-8")
    many = context(path).predictive("hn_spend")
    assert 0.0 <= many.loc < two.loc  # more of its own pairs: less pulled toward the family


def test_a_down_weighted_pair_counts_less(tmp_path: Path) -> None:
    base = "".join(
        record(f"f{i}", "F", 1e6, council=f"C{i}")
        + record(f"o{i}", "O", 1e6 * (1 + 0.02 * i), council=f"C{i}")
        + pair(f"p{i}", f"f{i}", f"o{i}")
        for i in range(6)
    )
    outlier = record("fx", "F", 1e6, council="X") + record("ox", "O", 2e6, council="X")
    full, half = tmp_path / "full.toml", tmp_path / "half.toml"
    full.write_text(base + outlier + pair("px", "fx", "ox"), encoding="utf-8")
    half.write_text(base + outlier + pair("px", "fx", "ox", weight=0.5), encoding="utf-8")
    p_full, p_half = context(full).predictive("hn_spend"), context(half).predictive("hn_spend")
    assert p_half.loc < p_full.loc and p_half.scale < p_full.scale
    assert ("px", "down-weighted to 0.5: a test") in p_half.excluded


def test_nothing_published_by_the_date_leaves_no_predictive(tmp_path: Path) -> None:
    from mtfs_model import InputError

    ctx = context(
        synthetic_class(tmp_path / "c.toml", draws(10, 0.1, 0.2, 0.5, (1.0,)), made="2025"), dt.date(2021, 1, 1)
    )
    assert ctx.subjects() == []
    with pytest.raises(
        InputError, match=r"subject: expected a subject with usable pairs by 2021-01-01 \(none: no pair"
    ):
        ctx.predictive("hn_spend")


# --- the check on itself ------------------------------------------------------------------------


@pytest.mark.slow
def test_leave_one_council_out_of_a_calibrated_class_covers_about_80_percent(tmp_path: Path) -> None:
    path = synthetic_class(tmp_path / "c.toml", draws(300, 0.05, 0.2, 0.5, (0.5, 1.0)))
    check = leave_one_council_out(load_reference_class(path, bundled=False), NOBODY, BEFORE_LA_DATA)
    assert check.n_pairs == 300 and check.n_councils == 300
    assert 0.75 <= check.coverage <= 0.85  # 80 % +- 1.8 standard errors
    counts = check.pit_histogram()
    assert counts.sum() == 300 and counts.min() >= 15  # about flat (30 a bin if calibrated)
    table = check.by_horizon()
    assert table.loc["All", "crps_pooled"] < table.loc["All", "crps_point"]


def test_a_class_that_misses_far_more_than_its_past_fails_the_check(tmp_path: Path) -> None:
    """The check can fail: each council's own pairs spread far wider than the class between councils."""
    rng = np.random.default_rng(5)
    pairs = [
        (f"C{c}", 1.0, 0.5 * rng.standard_normal() + 0.01 * rng.standard_normal()) for c in range(10) for _ in range(1)
    ]
    pairs += [(f"Wild{c}", 1.0, 3.0 * (-1) ** c) for c in range(6)]
    check = leave_one_council_out(
        load_reference_class(synthetic_class(tmp_path / "c.toml", pairs), bundled=False), NOBODY, BEFORE_LA_DATA
    )
    assert check.coverage < 0.7


def test_the_bundled_check_states_its_coverage() -> None:
    ctx = EvidenceContext.for_edition(EDITION)
    check = leave_one_council_out(ctx.rc, ctx.own)
    assert check.n_pairs >= 30 and check.n_councils >= 10
    assert coverage_line(check).startswith(f"leave-one-council-out coverage of P10-P90: {check.coverage * 100:.0f} % (")
    inside = sum(0.1 <= x <= 0.9 for x in check.pairs["pit"])
    assert inside / check.n_pairs == check.coverage


# --- the local-authority data -----------------------------------------------------------------------


def test_deficit_reversals_are_the_dfe_table_s_and_not_for_a_2021_fan() -> None:
    rows = [
        r for r in csv.DictReader(DSG_BALANCE_FILE.open(encoding="utf-8")) if r["geographic_level"] == "Local authority"
    ]
    by_la: dict[str, dict[str, float]] = {}
    for r in rows:
        by_la.setdefault(r["la_name"], {})[r["financial_year"]] = float(r["deficit"])
    starts = shrank = 0
    for years in by_la.values():
        for a, b in (("2019-20", "2020-21"), ("2020-21", "2021-22")):
            if a in years and b in years and years[a] > 0:
                starts += 1
                shrank += years[b] < years[a]
    ctx = EvidenceContext.for_edition(EDITION)
    rev = ctx.deficit_reversals()
    assert rev.transitions == starts and rev.share_shrank == pytest.approx(shrank / starts)
    assert not rev.usable and "may not use it" in rev.statement()
    assert EvidenceContext.for_edition(EDITION, as_of=LA_DATA_PUBLISHED).deficit_reversals().usable


def test_the_bundled_horizon_rule_is_estimated_only_with_later_evidence() -> None:
    assert not EvidenceContext.for_edition(EDITION).rule.estimated  # March 2021: a stated judgement
    rule = EvidenceContext.for_edition(EDITION, as_of=LATER).rule
    assert rule.estimated and rule.low < rule.gamma < rule.high
    assert rule.bias_low == 0.0 and rule.bias_high >= 1.0 and "cannot say" in rule.words()  # as the docs say


def test_the_s251_table_is_a_prior_only_after_it_was_published() -> None:
    assert not EvidenceContext.for_edition(EDITION).s251_used
    later = EvidenceContext.for_edition(EDITION, as_of=LATER)
    assert later.s251_used and "s251" in later.predictive("hn_spend").prior
    prior = s251_prior()
    assert prior.authorities > 140 and 0.0 < prior.loc < 0.1
    assert s251_prior(excluding="Devon County Council").authorities == prior.authorities - 1


def test_the_bundled_fan_holds_its_bias_after_a_year_and_the_proportional_rule_stays_a_sensitivity() -> None:
    """As of the edition's papers no usable pair is more than a year ahead, so both rules fit
    the same one-year predictive; only what they make of it beyond a year differs."""
    held = EvidenceContext.for_edition(EDITION).predictive("hn_spend")
    grown = EvidenceContext.for_edition(EDITION, bias_growth=BIAS_PROPORTIONAL).predictive("hn_spend")
    assert held.bias_growth == BIAS_HELD and grown.bias_growth == BIAS_PROPORTIONAL
    assert held.loc == pytest.approx(grown.loc) and held.scale == pytest.approx(grown.scale) and held.loc > 0
    assert held.loc_at(4.0) == pytest.approx(held.loc) and grown.loc_at(4.0) == pytest.approx(4 * grown.loc)
    assert held.scale_at(4.0) == pytest.approx(grown.scale_at(4.0))
    with pytest.raises(ValueError, match="bias growth"):
        EvidenceContext.for_edition(EDITION, bias_growth="exponential")
