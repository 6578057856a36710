"""mtfs_model: the Children and Family Services MTFS 2021/22-2024/25 as data, an engine
that derives every table, and a reconciler that proves the tables add up.

>>> import mtfs_model
>>> result = mtfs_model.run(mtfs_model.load_scenario("baseline"))
>>> findings = mtfs_model.reconcile()
"""

from .data import Baseline, load_baseline
from .engine import Result, run
from .errors import InputError
from .reconcile import reconcile
from .risk import RiskResult, simulate
from .scenarios import Scenario, available_scenarios, load_scenario
from .years import YEARS

__all__ = [
    "YEARS",
    "Baseline",
    "InputError",
    "Result",
    "RiskResult",
    "Scenario",
    "available_scenarios",
    "load_baseline",
    "load_scenario",
    "reconcile",
    "run",
    "simulate",
]
__version__ = "0.1.0"
