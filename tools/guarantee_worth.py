"""What the guarantee is worth to the MTFS as published: with the partner's effort (the
judgement), with full effect (the guarantee as cash) and without any effort (n=100,000, seed 1).

    python tools/guarantee_worth.py [--bias-growth held|proportional]
"""

import argparse

from mtfs_model.brief.figures import guarantee_worth
from mtfs_model.evidence import pooled
from mtfs_model.risk.evidence import variant
from mtfs_model.risk.simulate import simulate
from mtfs_model.scenarios.load import load_scenario, scenario_from_dict

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--bias-growth", choices=pooled.BIAS_GROWTH_RULES, default=pooled.BIAS_GROWTH)
# every fan of this run reads the rule at the call (EvidenceContext.for_edition)
pooled.BIAS_GROWTH = parser.parse_args().bias_growth
b = load_scenario("baseline")
raw = {**b.overrides, "scenario": {"description": "full effect"}}
raw["risk"] = {**raw.get("risk", {}), "guarantee": {"effectiveness": {"p10": 1.0, "p50": 1.0, "p90": 1.0}}}
off = simulate(variant(b, honoured=False), n=100_000, seed=1)
for label, s in (("effort as judged", b), ("full effect (cash)", scenario_from_dict(raw, name="full"))):
    w = guarantee_worth(simulate(s, n=100_000, seed=1), off)
    on, no = w.iloc[0], w.iloc[1]
    print(
        f"{label}: binds {on.binds_pct:.1%}; covers £{on.covered_horizon / 1000:.2f}m on average over 4 years; "
        f"P90 net 2024/25 lower by £{(no.net_p90_final - on.net_p90_final) / 1000:.2f}m; "
        f"P90 reserve lower by £{(no.contingency_p90 - on.contingency_p90) / 1000:.2f}m"
    )
