"""mtfs_model: a council department's Medium Term Financial Strategy as data, an engine
that derives every table, and a reconciler that proves the tables add up.

The MTFS itself is an *edition*: a folder of data (``mtfs_model/editions/<id>/``); the
code holds no year, line code or printed label.

>>> import mtfs_model
>>> ed = mtfs_model.load_edition()                      # the bundled edition
>>> result = mtfs_model.run(mtfs_model.load_scenario("baseline", edition=ed))
>>> findings = mtfs_model.reconcile(edition=ed)

The names below load on first use (PEP 562), so ``import mtfs_model`` and ``mtfs --help``
import no heavy library; the subpackages, layered from the bottom up, are
``base`` -> ``edition`` -> ``scenarios`` -> ``engine`` -> ``reconciliation`` | ``risk``
-> ``forecast`` | ``whatif`` -> ``charts`` -> ``brief`` -> ``cli`` (README: Architecture).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

# public name -> the module that defines it (and the name there, where it differs)
_RENAMED = {"brief": "write_brief"}
_API = {
    "Edition": "mtfs_model.edition.folder",
    "load_edition": "mtfs_model.edition.folder",
    "InputError": "mtfs_model.base.errors",
    "Scenario": "mtfs_model.scenarios.load",
    "load_scenario": "mtfs_model.scenarios.load",
    "available_scenarios": "mtfs_model.scenarios.load",
    "scenario": "mtfs_model.scenarios.compose",
    "combine": "mtfs_model.scenarios.compose",
    "as_scenario": "mtfs_model.scenarios.compose",
    "Result": "mtfs_model.engine.run",
    "run": "mtfs_model.engine.run",
    "compare": "mtfs_model.engine.compare",
    "reconcile": "mtfs_model.reconciliation.reconcile",
    "RiskResult": "mtfs_model.risk.simulate",
    "simulate": "mtfs_model.risk.simulate",
    "load_outturns": "mtfs_model.forecast.outturns",
    "backtest": "mtfs_model.forecast.backtest",
    "reforecast": "mtfs_model.forecast.reforecast",
    "solve": "mtfs_model.whatif.goalseek",
    "grid": "mtfs_model.whatif.goalseek",
    "brief": "mtfs_model.brief.build",
}

__all__ = [
    "Edition",
    "InputError",
    "Result",
    "RiskResult",
    "Scenario",
    "as_scenario",
    "available_scenarios",
    "backtest",
    "brief",
    "combine",
    "compare",
    "grid",
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

if TYPE_CHECKING:
    from mtfs_model.base.errors import InputError
    from mtfs_model.brief.build import write_brief as brief
    from mtfs_model.edition.folder import Edition, load_edition
    from mtfs_model.engine.compare import compare
    from mtfs_model.engine.run import Result, run
    from mtfs_model.forecast.backtest import backtest
    from mtfs_model.forecast.outturns import load_outturns
    from mtfs_model.forecast.reforecast import reforecast
    from mtfs_model.reconciliation.reconcile import reconcile
    from mtfs_model.risk.simulate import RiskResult, simulate
    from mtfs_model.scenarios.compose import as_scenario, combine, scenario
    from mtfs_model.scenarios.load import Scenario, available_scenarios, load_scenario
    from mtfs_model.whatif.goalseek import grid, solve


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'mtfs_model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
