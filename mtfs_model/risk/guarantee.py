"""The transformation partner's guarantee, applied in the simulation, as the papers write it.

The papers (minutes of 19 January 2021): the partner "guaranteed to deliver an annual
benefit of £7m ... if the savings fell below £7m, additional resource would be put in
place to remedy this, at a cost to Newton Europe"; the benefits are "cost/demand
avoidance" (the DCFSF update, para 19); fees are "commensurate to benefits delivered";
the programme's own work ends in November 2021.  So the remedy is **more of the partner's
effort**, at its cost, not cash: when the guarantee is honoured (the default) and the
programme's benefit falls below the floor applying that year
(:func:`mtfs_model.engine.guarantee.floor_by_year`: by default the full floor in the final
year only, the year its £9.3m estimate is reached "over the next four years"), the
partner's effort recovers a share of the shortfall -- its **effectiveness**, the
``guarantee.effectiveness`` input of ``risk.toml`` (a stated judgement with a range) --
and the council's net budget is lower by what it recovers.  ``[guarantee] honoured =
false`` in a scenario is the partner making no such effort: the shortfall stays with the
council.  The fee is not deducted: the papers' benefits are "net annually recurring" and
the fee is "commensurate to benefits", capped and unprinted.

The remedy is attributed to the programme's lines in proportion to their deterministic
share of the programme that year, so the net budget stays exactly the sum of its lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_model.engine.guarantee import EPSILON, floor_by_year, load_terms
from mtfs_model.risk.draws import Array
from mtfs_model.scenarios.inputs import ModelInputs


@dataclass(frozen=True)
class Guarantee:
    """The edition's guaranteed programme as the simulation applies it.

    ``lines`` the programme's line indices; ``floor`` the guaranteed annual benefit
    (GBP000); ``honoured`` whether the partner makes up a shortfall; ``floors`` the floor
    applying each year; ``weights`` (lines, years) each line's share of the programme's
    deterministic benefit that year (how the remedy is attributed); ``effectiveness``
    the input that says how much of a shortfall the partner's effort recovers.
    """

    programme: str
    lines: tuple[int, ...]
    floor: float
    honoured: bool = True
    floors: Array | None = None
    weights: Array | None = None
    effectiveness: int | None = None
    """The index of the ``guarantee.effectiveness`` input (the share of a shortfall the
    partner's effort recovers), or None: the whole shortfall is made up."""


def floors(inputs: ModelInputs, programme: str) -> Array:
    """The floor applying each year (GBP000), as the engine's guarantee table has it."""
    ed = inputs.edition
    years = list(ed.years)
    lines = [ln for ln in inputs.lines.values() if ln.programme == programme]
    mtfs = pd.Series({y: -float(sum(ln.published[y] for ln in lines)) for y in years}, dtype="float64")
    by_year = floor_by_year(load_terms(ed), mtfs, inputs.guarantee.floor_phasing)
    return by_year.reindex(years).to_numpy(dtype=np.float64)


def weights(det_lines: Array) -> Array:
    """Each line's share (lines, years) of the programme's deterministic value each year;
    equal shares in a year the programme books nothing."""
    total = det_lines.sum(axis=0)
    out = np.full(det_lines.shape, 1.0 / det_lines.shape[0])
    nonzero = total != 0.0
    out[:, nonzero] = det_lines[:, nonzero] / total[nonzero]
    return out


def remedy(floor_by: Array, delivered: Array) -> Array:
    """What the partner makes up, (m, years) GBP000: the floor less the benefit delivered
    (positive), where that is more than :data:`EPSILON`; 0 elsewhere."""
    short = floor_by - delivered
    return np.where(short > EPSILON, short, 0.0)
