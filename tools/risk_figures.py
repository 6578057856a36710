"""Print the headline risk figures of the MTFS as published (the numbers docs/explanation/risk.md
quotes), so an old commit and this one can be compared with the same command:

    python tools/risk_figures.py                 # n = 100,000, seed 1
    python tools/risk_figures.py --n 20000 --seed 3
    python tools/risk_figures.py --bias-growth proportional   # the sensitivity: bias grows with h

For the MTFS as published in the default (evidence) view and "as the paper assumes": the
chance the final-year net budget ends above the MTFS, the final-year net budget at P50, the
contingency over the MTFS years at P80 and P90 (the summed overspend against the MTFS), and
the High Needs cumulative deficit in the final year at P10, P50 and P90.  GBP m, one decimal.
It uses only the public API that every release since the evidence view has had.
"""

from __future__ import annotations

import argparse

import numpy as np

from mtfs_model.evidence import pooled
from mtfs_model.risk.evidence import variant
from mtfs_model.risk.simulate import MTFS_ROW, simulate
from mtfs_model.scenarios.load import load_scenario


def figures(n: int, seed: int) -> None:
    """Print the figures, one line a view (GBP m)."""
    base = load_scenario("baseline")
    for label, scenario in (("evidence view", base), ("as the paper assumes", variant(base, view="paper"))):
        rr = simulate(scenario, n=n, seed=seed)
        final = rr.years[-1]
        mtfs = rr.reference.loc[MTFS_ROW, list(rr.years)].to_numpy(dtype=float)
        summed = (rr.samples.net - mtfs).sum(axis=1)
        hn = rr.samples.hn_deficit[:, -1]
        net = rr.samples.net[:, -1]
        print(
            f"{label}: P(exceeds MTFS {final}) {rr.p_exceeds_mtfs:.1%}; net budget {final} P50 "
            f"£{np.percentile(net, 50) / 1000:.1f}m; contingency over {len(rr.years)} years P80 "
            f"£{max(np.percentile(summed, 80), 0) / 1000:.1f}m, P90 £{max(np.percentile(summed, 90), 0) / 1000:.1f}m; "
            f"High Needs deficit {final} P10 £{np.percentile(hn, 10) / 1000:.1f}m, P50 "
            f"£{np.percentile(hn, 50) / 1000:.1f}m, P90 £{np.percentile(hn, 90) / 1000:.1f}m"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bias-growth", choices=pooled.BIAS_GROWTH_RULES, default=pooled.BIAS_GROWTH)
    args = parser.parse_args()
    # every fan of this run reads the rule at the call (EvidenceContext.for_edition)
    pooled.BIAS_GROWTH = args.bias_growth
    figures(args.n, args.seed)


if __name__ == "__main__":
    main()
