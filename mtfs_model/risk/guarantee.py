"""The transformation partner's guarantee, applied in the simulation.

When the guarantee is honoured (the default, as contracted) the guaranteed programme's
benefit is floored, in each trajectory, at the floor applying that year
(:func:`mtfs_model.engine.guarantee.floor_by_year`: by default the full floor in the
final year, the guarantee's run-rate year; ``pro_rata`` scales it by the MTFS profile):
the partner makes up the shortfall at its own cost, so the council's net budget is lower
by it that year.  ``[guarantee] honoured = false`` in a scenario is the counterparty
failing: the shortfall stays with the council (the simulation as it was before the
guarantee was applied).  The fee is not modelled: the papers print neither fee nor cap.

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
    deterministic benefit that year (how the remedy is attributed).
    """

    programme: str
    lines: tuple[int, ...]
    floor: float
    honoured: bool = True
    floors: Array | None = None
    weights: Array | None = None


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
