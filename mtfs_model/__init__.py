"""mtfs_model: a council department's Medium Term Financial Strategy as data, an engine
that derives every table, and a reconciler that proves the tables add up.

The MTFS itself is an *edition*: a folder of data (``mtfs_model/editions/<id>/``); the
code holds no year, line code or printed label.

>>> import mtfs_model
>>> ed = mtfs_model.load_edition()                      # the bundled edition
>>> result = mtfs_model.run(mtfs_model.load_scenario("baseline", edition=ed))
>>> findings = mtfs_model.reconcile(edition=ed)
"""

from . import outturns as _outturns  # registers the outturns.toml load check
from . import risk as _risk  # registers the [risk] section checker
from .backtest import backtest
from .cli import compare
from .compose import as_scenario, combine, scenario
from .data import Baseline, load_baseline
from .edition import Edition, load_edition
from .engine import Result, run
from .errors import InputError
from .goalseek import grid, solve
from .outturns import load_outturns
from .reconcile import reconcile
from .reforecast import reforecast
from .risk import RiskResult, simulate
from .scenarios import Scenario, available_scenarios, load_scenario

del _risk, _outturns

__all__ = [
    "Baseline",
    "Edition",
    "InputError",
    "Result",
    "RiskResult",
    "Scenario",
    "as_scenario",
    "available_scenarios",
    "backtest",
    "combine",
    "compare",
    "grid",
    "load_baseline",
    "load_edition",
    "load_outturns",
    "load_scenario",
    "reconcile",
    "reforecast",
    "run",
    "scenario",
    "simulate",
    "solve",
]
__version__ = "0.2.0"
