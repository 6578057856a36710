"""The pooled, horizon-aware calibration: how far one more forecast of a subject may miss.

The model, for a pair's log error ``e`` (ln of outturn / forecast: a spending subject's
spend ratio, any other subject's ratio) made ``h`` years before the end of the period::

    e = mu_s * b(h) + sigma_s * h**gamma * T(df_s),   b(h) = min(h, 1)

* **Horizon**: the bias accrues up to one year and is then held (``mu * min(h, 1)``,
  :data:`BIAS_GROWTH`, a stated judgement: no admissible pair of an edition's evidence is
  much more than a year ahead, so a bias growing with ``h`` would extrapolate the point
  estimate beyond what the pairs measured; ``proportional``, ``mu * h``, is kept for a
  sensitivity figure), the spread grows as ``h**gamma``.  ``gamma`` is estimated by
  maximum likelihood (a profile over a grid, under the bias's rule, one ``gamma`` shared
  by the families, each family its own centre and spread) when the pairs span at least
  two horizon classes with :data:`MIN_PER_HORIZON` pairs in each and
  :data:`MIN_PAIRS_FOR_GAMMA` pairs in all; otherwise it is the stated judgement
  :data:`GAMMA_JUDGEMENT` = 0.5 (independent annual errors adding up like a random walk).
* **Families**: a spending subject's pairs (``*_spend``: spend ratios, errors of a few
  per cent) and a gap subject's (overspends, gaps and deficits: ratios of a small
  difference, errors several times larger) are not comparable, so the pooling runs within
  a family: the family is "the whole class" a subject is shrunk toward.  A family with
  fewer than :data:`MIN_PRIOR_PAIRS` pairs' worth is itself shrunk toward every usable
  pair (the whole reference class), said in the fit's ``prior`` text.
* **Partial pooling (empirical Bayes)**: a subject's centre is
  ``(k * mu_prior + I_s * mu_hat_s) / (k + I_s)`` (``I_s`` its own pairs' information);
  ``k = sigma^2 / tau^2`` is estimated from the spread of the subject centres within the
  family (DerSimonian-Laird) where three or more subjects have pairs, else the judgement
  :data:`K_JUDGEMENT`.  Its spread squared is ``(nu0 * sigma_prior^2 + SS_s) / (nu0 + n_s)``
  with the prior counted as ``nu0 = min(NU0, n_prior - 1)`` pairs; the predictive Student-t
  has ``df = nu0 + n_s - 1`` (at least 1) and its scale carries the centre's own
  uncertainty, ``sqrt(1 + 1 / (k + I_s))``.
* **Weights**: a pair counts its ``weight`` (0.5 where the evidence README questions its
  basis) divided by the square root of how many pairs its council has in the family: a
  council's pairs share shocks and one council with many pairs must not speak for the class.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_model.base.rounding import number
from mtfs_model.evidence.la_data import S251Prior
from mtfs_model.evidence.reference_class import HORIZON_CLASSES, horizon_class, is_spending

GAMMA_JUDGEMENT = 0.5
"""How the spread grows with horizon where the pairs cannot say: ``h ** 0.5``."""
GAMMA_GRID = np.round(np.arange(0.0, 1.51, 0.01), 2)
"""The values of ``gamma`` the profile likelihood is evaluated at."""
MIN_PAIRS_FOR_GAMMA = 12
"""Fewest pairs (effective) behind an estimated ``gamma``."""
MIN_PER_HORIZON = 3
"""Fewest pairs in each of at least two horizon classes behind an estimated ``gamma``."""
MIN_PRIOR_PAIRS = 3.0
"""A family with fewer pairs' worth than this is shrunk toward the whole class."""
K_JUDGEMENT = 2.0
"""How many pairs' worth the prior centre counts as where the subjects are too few to say (a judgement)."""
NU0 = 4.0
"""The most pairs' worth the prior's spread counts as for one subject (a judgement)."""
BIAS_HELD = "held"
"""The bias accrues up to one year ahead and is then held: ``b(h) = min(h, 1)``."""
BIAS_PROPORTIONAL = "proportional"
"""The bias grows in proportion to the horizon: ``b(h) = h`` (a sensitivity)."""
BIAS_GROWTH_RULES = (BIAS_HELD, BIAS_PROPORTIONAL)
"""The horizon rules of the bias a calibration may take."""
BIAS_GROWTH = BIAS_HELD
"""The horizon rule of the bias every fan uses unless told otherwise (a stated judgement).

The pairs cannot tell a bias held at its one-year value from one growing with the horizon
(``HorizonRule.bias_words`` gives the likelihood interval), and as of an edition's papers
no admissible pair is much more than a year ahead: growing it with ``h`` would take the
point estimate four-fold beyond the evidence by the fourth MTFS year.  Uncertainty about
later years is carried by the spread (``h**gamma``), not by compounding a median the
evidence never measured.  :func:`mtfs_model.evidence.context.EvidenceContext.for_edition`
reads this at call time, so a sensitivity run may set it to :data:`BIAS_PROPORTIONAL`."""
HN_SPEND = "hn_spend"
"""The subject the DfE s251 table speaks to (as a prior)."""


def family(subject: str) -> str:
    """``spend`` for a spending subject (``*_spend``), ``gap`` for any other.

    Parameters
    ----------
    subject
        A reference-class subject.

    Returns
    -------
    str
    """
    return "spend" if is_spending(subject) else "gap"


def prepare(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs a calibration uses (a frame indexed by pair id with ``subject``,
    ``horizon_years``, ``log_error``, ``weight`` and ``unit``: the council, or the scope
    of a national sum), with the family and the final weight ``w`` (the pair's weight
    over the square root of its unit's pairs in the family).

    Parameters
    ----------
    pairs
        The pairs a fan uses (columns as above).

    Returns
    -------
    pandas.DataFrame
        With ``family`` and ``w`` added, pairs of weight 0 dropped.
    """
    out = pairs[["subject", "horizon_years", "log_error", "weight", "unit"]].copy()
    out["unit"] = out["unit"].astype(str)
    out["family"] = [family(s) for s in out["subject"]]
    counts = out.groupby(["family", "unit"])["subject"].transform("size").astype(float)
    out["w"] = out["weight"].astype(float) / np.sqrt(counts)
    return out[out["w"] > 0]


def bias_horizon(horizon_years: float | np.ndarray, growth: str = BIAS_HELD) -> np.ndarray:
    """How many years' worth of the one-year bias a forecast ``horizon_years`` ahead carries.

    Parameters
    ----------
    horizon_years
        Years from the forecast to the end of the period it is for (>= 0).
    growth
        :data:`BIAS_HELD` (``min(h, 1)``) or :data:`BIAS_PROPORTIONAL` (``h``).

    Returns
    -------
    numpy.ndarray
        ``b(h)`` (years), the shape of ``horizon_years``.

    Raises
    ------
    ValueError
        ``growth`` is not one of :data:`BIAS_GROWTH_RULES`.
    """
    h = np.asarray(horizon_years, dtype=np.float64)
    if growth == BIAS_HELD:
        return np.minimum(h, 1.0)
    if growth == BIAS_PROPORTIONAL:
        return h
    raise ValueError(f"bias growth must be one of {', '.join(BIAS_GROWTH_RULES)}, not {growth!r}")


def _mu(e: np.ndarray, h: np.ndarray, w: np.ndarray, gamma: float, growth: str) -> tuple[float, float]:
    """The weighted least-squares centre of ``e = mu b(h) + sigma h^gamma eps`` and its information."""
    x = bias_horizon(h, growth)
    info = float(np.sum(w * x * x / h ** (2 * gamma)))
    if info <= 0:
        return 0.0, 0.0
    return float(np.sum(w * e * x / h ** (2 * gamma)) / info), info


def _ss(e: np.ndarray, h: np.ndarray, w: np.ndarray, mu: float, gamma: float, growth: str) -> float:
    return float(np.sum(w * ((e - mu * bias_horizon(h, growth)) / h**gamma) ** 2))


@dataclass(frozen=True)
class HorizonRule:
    """How the error grows with horizon: ``loc * b(h)`` (``bias_growth``, :func:`bias_horizon`)
    and ``scale * h**gamma``."""

    gamma: float
    estimated: bool
    pairs: float
    low: float
    high: float
    span: tuple[float, float]
    bias_low: float = math.nan
    """With ``gamma`` estimated: the 90 % likelihood interval of ``delta`` in a bias growing
    as ``h**delta`` (the interval says whether the pairs could tell a bias fixed at the
    first year, ``delta = 0``, from proportional growth, ``delta = 1``)."""
    bias_high: float = math.nan
    bias_growth: str = BIAS_HELD
    """The rule of the bias: :data:`BIAS_HELD` or :data:`BIAS_PROPORTIONAL` (a judgement)."""

    @classmethod
    def judgement(
        cls, pairs: float = 0.0, span: tuple[float, float] = (1.0, 1.0), bias_growth: str = BIAS_HELD
    ) -> HorizonRule:
        """The stated judgement :data:`GAMMA_JUDGEMENT` (the pairs cannot say)."""
        return cls(GAMMA_JUDGEMENT, False, pairs, math.nan, math.nan, span, bias_growth=bias_growth)

    def bias_words(self) -> str:
        """What the pairs say of the bias's growth (``bias_low``-``bias_high``), in a sentence."""
        low, high = number(self.bias_low, 1), number(self.bias_high, 1)
        interval = f"a bias growing as horizon^delta fits them for delta from {low} to {high}"
        if self.bias_low <= 0.0 and self.bias_high >= 1.0:
            return (
                f"Whether the bias grows with the horizon the pairs cannot say ({interval}, a likelihood interval that "
                "holds a bias fixed at the first year, 0, and proportional growth, 1)."
            )
        return f"The pairs put the bias's growth at {interval} (a likelihood interval); the rule is a judgement."

    def words(self) -> str:
        """The rule in a sentence, saying whether it is estimated or a judgement."""
        if self.bias_growth == BIAS_PROPORTIONAL:
            bias = (
                "The bias grows in proportion to the horizon (a stated judgement, here a sensitivity: each year's "
                "growth missed as a budget misses it)"
            )
        else:
            bias = (
                "The bias accrues up to one year ahead and is then held (a stated judgement: the point estimate "
                "is not extrapolated beyond the horizons the pairs measured)"
            )
        head = f"{bias}; the spread grows as horizon^{number(self.gamma, 2)}"
        if self.estimated:
            return (
                f"{head}, estimated by maximum likelihood from {number(self.pairs, 1)} pairs' worth at horizons "
                f"{self.span[0]:g}-{self.span[1]:g} years (a likelihood interval "
                f"{number(self.low, 2)}-{number(self.high, 2)}); "
                f"beyond {self.span[1]:g} years it is extrapolated. {self.bias_words()}"
            )
        return (
            f"{head}: a stated judgement (independent annual errors adding up like a random walk), because the "
            "usable pairs do not span two horizon classes with enough pairs in each."
        )


def horizon_rule(prepared: pd.DataFrame, bias_growth: str = BIAS_HELD) -> HorizonRule:
    """``gamma`` by profile likelihood where the pairs span the horizons (see the module).

    Parameters
    ----------
    prepared
        The pairs (:func:`prepare`).
    bias_growth
        The rule of the bias (:data:`BIAS_GROWTH_RULES`); ``gamma`` is profiled under it.

    Returns
    -------
    HorizonRule
    """
    classes = prepared.groupby(prepared["horizon_years"].map(horizon_class))["w"].size()
    enough = int((classes >= MIN_PER_HORIZON).sum()) >= 2 and float(prepared["w"].sum()) >= MIN_PAIRS_FOR_GAMMA
    data = prepared[np.isfinite(prepared["log_error"])]
    span = (float(data["horizon_years"].min()), float(data["horizon_years"].max())) if len(data) else (1.0, 1.0)
    if not enough:
        return HorizonRule.judgement(float(prepared["w"].sum()), span, bias_growth)
    groups = [
        (g["log_error"].to_numpy(float), g["horizon_years"].to_numpy(float), g["w"].to_numpy(float))
        for _, g in data.groupby("family")
    ]
    ll_arr = np.array([_loglik(groups, lambda h: bias_horizon(h, bias_growth), gamma) for gamma in GAMMA_GRID])
    best = int(np.argmax(ll_arr))
    inside = GAMMA_GRID[ll_arr >= ll_arr[best] - LR90]
    # the bias's own growth: profile over delta (gamma free on a coarser grid)
    coarse = GAMMA_GRID[::5]
    bias = np.array([max(_loglik(groups, _power(d), g) for g in coarse) for d in DELTA_GRID])
    fits = DELTA_GRID[bias >= bias.max() - LR90]
    return HorizonRule(
        float(GAMMA_GRID[best]),
        True,
        float(data["w"].sum()),
        float(inside.min()),
        float(inside.max()),
        span,
        float(fits.min()),
        float(fits.max()),
        bias_growth,
    )


LR90 = 1.353
"""Half the chi-square(1) 90 % point (2.706): a likelihood interval's drop from the maximum."""
DELTA_GRID = np.round(np.arange(0.0, 2.01, 0.1), 1)
"""The exponents of the bias's growth the profile is evaluated at (0: held at one year; 1: proportional)."""


def _power(delta: float) -> Callable[[np.ndarray], np.ndarray]:
    """``h -> h**delta``: a bias growing as a power of the horizon."""
    return lambda h: np.asarray(h**delta)


def _loglik(
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]], bias: Callable[[np.ndarray], np.ndarray], gamma: float
) -> float:
    """The normal log likelihood of ``e = mu bias(h) + sigma h^gamma eps``, each family its
    own ``mu`` and ``sigma`` (their maximum-likelihood values), weights ``w``."""
    total = 0.0
    for e, h, w in groups:
        x, s = bias(h), h**gamma
        info = float(np.sum(w * x * x / s**2))
        mu = float(np.sum(w * e * x / s**2)) / info if info > 0 else 0.0
        r = (e - mu * x) / s
        var = float(np.sum(w * r * r)) / float(w.sum())
        if var <= 0:
            continue
        total += float(np.sum(w * (-0.5 * np.log(var * s * s) - 0.5 * r * r / var)))
    return total


@dataclass(frozen=True)
class SubjectFit:
    """One subject's pooled predictive, one year ahead: ``loc`` and ``scale`` of the
    Student-t of the log error, its ``df``; how much of it is the subject's own
    (``own_pairs``: its pairs' weights, without the s251 pseudo-pairs; ``shrinkage`` = the
    prior's share of the centre) and what it was
    shrunk toward (``prior``)."""

    subject: str
    loc: float
    scale: float
    df: float
    own_pairs: float
    shrinkage: float
    prior: str
    gamma: float
    pairs: tuple[str, ...] = ()
    """Every pair behind the fit: the subject's own, then the rest of the group it was shrunk toward."""
    units: tuple[str, ...] = ()
    """The councils (and national scopes) of those pairs."""


def _group_stats(data: pd.DataFrame, gamma: float, growth: str) -> tuple[float, float, float, float]:
    """Centre, information, spread squared (None-safe) and effective pairs of a group."""
    e = data["log_error"].to_numpy(float)
    h = data["horizon_years"].to_numpy(float)
    w = data["w"].to_numpy(float)
    n = float(w.sum())
    if n <= 0:
        return 0.0, 0.0, math.nan, 0.0
    mu, info = _mu(e, h, w, gamma, growth)
    ss = _ss(e, h, w, mu, gamma, growth)
    var = ss / (n - 1) if n > 1 else math.nan
    return mu, info, var, n


def _k(data: pd.DataFrame, gamma: float, growth: str, var: float) -> tuple[float, str]:
    """The prior centre's worth in pairs: DerSimonian-Laird across the family's subjects
    (three or more with pairs), else :data:`K_JUDGEMENT`."""
    rows = []
    for _, g in data.groupby("subject"):
        mu, info, _, _ = _group_stats(g, gamma, growth)
        if info > 0:
            rows.append((mu, info / var))
    if len(rows) < 3 or not var > 0:
        return K_JUDGEMENT, f"the prior centre counts as {K_JUDGEMENT:g} pairs (a judgement: too few subjects)"
    mus = np.array([r[0] for r in rows])
    wts = np.array([r[1] for r in rows])
    mbar = float(np.sum(wts * mus) / wts.sum())
    q = float(np.sum(wts * (mus - mbar) ** 2))
    c = float(wts.sum() - np.sum(wts**2) / wts.sum())
    tau2 = max(0.0, (q - (len(rows) - 1)) / c) if c > 0 else 0.0
    if tau2 == 0.0:
        return math.inf, "the subjects' centres differ no more than chance: the family centre is used"
    k = var / tau2
    return k, f"the family centre counts as {number(k, 1)} pairs (empirical Bayes, {len(rows)} subjects)"


def fit_subject(
    prepared: pd.DataFrame, subject: str, rule: HorizonRule, s251: S251Prior | None = None
) -> SubjectFit | None:
    """The pooled fit of ``subject`` (None when neither it nor its prior has a spread).

    Parameters
    ----------
    prepared
        The pairs (:func:`prepare`).
    subject
        The subject to fit.
    rule
        The horizon rule.
    s251
        The DfE s251 prior (``hn_spend`` only), or None.

    Returns
    -------
    SubjectFit or None
    """
    gamma, growth = rule.gamma, rule.bias_growth
    data = prepared[np.isfinite(prepared["log_error"])]
    fam = data[data["family"] == family(subject)]
    prior, where = fam, f"the {family(subject)} family ({number(fam['w'].sum(), 1)} pairs' worth)"
    if fam["w"].sum() < MIN_PRIOR_PAIRS:
        prior = data
        where = (
            f"the whole class ({number(data['w'].sum(), 1)} pairs' worth), the {family(subject)} family having only "
            f"{number(fam['w'].sum(), 1)}"
        )
    mu_p, _, var_p, n_p = _group_stats(prior, gamma, growth)
    if not var_p > 0:
        return None
    own = data[data["subject"] == subject]
    e = own["log_error"].to_numpy(float)
    h = own["horizon_years"].to_numpy(float)
    w = own["w"].to_numpy(float)
    if s251 is not None and subject == HN_SPEND:
        # the DfE table as pseudo-pairs a year ahead: its centre, its spread, S251_PRIOR_PAIRS of them
        e = np.append(e, [s251.loc + s251.scale, s251.loc - s251.scale])
        h = np.append(h, [1.0, 1.0])
        w = np.append(w, [s251.pairs / 2, s251.pairs / 2])
        where += f" and the DfE s251 table ({s251.authorities} authorities, counted as {s251.pairs:g} pairs)"
    n_s = float(w.sum())
    k, k_words = _k(fam, gamma, growth, var_p) if len(fam) else (K_JUDGEMENT, "")
    mu_hat, info = _mu(e, h, w, gamma, growth) if n_s > 0 else (0.0, 0.0)
    if math.isinf(k):
        mu, share = mu_p, 1.0
    else:
        mu = (k * mu_p + info * mu_hat) / (k + info)
        share = k / (k + info)
    ss = _ss(e, h, w, mu, gamma, growth) if n_s > 0 else 0.0
    nu0 = max(0.0, min(NU0, n_p - 1))
    var = (nu0 * var_p + ss) / (nu0 + n_s)
    df = max(1.0, nu0 + n_s - 1)
    centre_info = (k if not math.isinf(k) else n_p) + info
    scale = math.sqrt(var * (1 + 1 / centre_info))
    behind = pd.concat([own, prior[prior["subject"] != subject]])
    return SubjectFit(
        subject,
        mu,
        scale,
        df,
        float(own["w"].sum()),
        share,
        f"{where}; {k_words}".rstrip("; "),
        gamma,
        tuple(str(p) for p in behind.index),
        tuple(sorted({str(u) for u in behind["unit"]})),
    )


def fit_all(
    prepared: pd.DataFrame, subjects: list[str], s251: S251Prior | None = None, bias_growth: str = BIAS_HELD
) -> tuple[HorizonRule, Mapping[str, SubjectFit]]:
    """The horizon rule and every subject's fit (subjects with no possible fit left out).

    Parameters
    ----------
    prepared
        The pairs (:func:`prepare`).
    subjects
        The subjects to fit.
    s251
        The DfE s251 prior, or None.
    bias_growth
        The rule of the bias (:data:`BIAS_GROWTH_RULES`).

    Returns
    -------
    tuple
        The :class:`HorizonRule` and a mapping subject -> :class:`SubjectFit`.
    """
    rule = horizon_rule(prepared, bias_growth)
    fits = {}
    for s in subjects:
        f = fit_subject(prepared, s, rule, s251)
        if f is not None:
            fits[s] = f
    return rule, fits


def horizon_label(years: float) -> str:
    """The reader's name of a horizon class.

    Parameters
    ----------
    years
        A horizon in years.

    Returns
    -------
    str
    """
    return {"in_year": "In-year", "year_ahead": "A year ahead", "multi_year": "More than a year ahead"}[
        horizon_class(years)
    ]


HORIZON_LABELS = tuple(horizon_label(lo) for _, lo, _ in HORIZON_CLASSES)
