"""The reconciler: prove the tables add up, or say where and by how much they don't.

Two kinds of check, both returned as rows of one findings DataFrame:

* **paper** checks compare what an edition prints with what the engine derives from the
  printed parts.  The identities any edition's files should satisfy are Python that
  iterates over the edition's own data (:mod:`mtfs_model.reconciliation.paper`,
  :mod:`mtfs_model.reconciliation.capital`); the cross-references and headline sentences
  particular to one edition are declared as data in its ``checks.toml`` and
  ``headlines.toml`` and run by the check vocabulary (:mod:`mtfs_model.reconciliation.checks`).  They
  always read the edition as published: a scenario changes the model, not the papers.
* **engine** checks prove the result's own identities (:mod:`mtfs_model.reconciliation.identities`)
  for whatever scenario the result is for.  They must always be ``ok``.

Severity: ``ok`` (equal), ``rounding`` (within the printed precision: half a printed
unit for each rounded figure involved), ``note`` (a driver or cross-reference that the
papers do not claim to be exact), ``disagreement`` (beyond the printed precision).
``difference`` is always ``actual - expected``: printed minus derived.

>>> findings = reconcile()                                  # the bundled edition
>>> reconcile(load_edition("path/to/edition"), "a_scenario")
"""

from __future__ import annotations

import pandas as pd

from mtfs_model.base.errors import InputError
from mtfs_model.base.frames import Findings as FindingsFrame
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.engine.run import Result, run
from mtfs_model.reconciliation import capital as reconcile_capital
from mtfs_model.reconciliation import paper as reconcile_paper
from mtfs_model.reconciliation.checks import Context, run_declared
from mtfs_model.reconciliation.findings import COLUMNS, ENGINE_TOLERANCE, SEVERITIES, Finding, Findings
from mtfs_model.reconciliation.identities import engine_findings
from mtfs_model.reconciliation.select import Resolver
from mtfs_model.scenarios.load import Scenario

__all__ = [
    "COLUMNS",
    "ENGINE_TOLERANCE",
    "SEVERITIES",
    "Finding",
    "disagreements",
    "engine_findings",
    "paper_findings",
    "reconcile",
    "summary",
]

GENERIC = (*reconcile_paper.CHECKS, *reconcile_capital.CHECKS)


def paper_findings(edition: Edition | None = None) -> pd.DataFrame:
    """Every check of the edition's papers against the tables derived from their own parts:
    the generic identities, then the checks the edition declares."""
    ed = edition or load_edition()
    result = run("baseline", edition=ed)
    ctx = Context(ed, result, Resolver(result), Findings(ed, "paper"))
    for identity, file in GENERIC:
        try:
            identity(ctx)
        except (KeyError, IndexError, TypeError) as exc:
            # a key of the edition's file the identity reads is missing or malformed
            what = str(exc.args[0]) if exc.args else type(exc).__name__
            raise InputError(
                ed.path / file,
                what,
                f"a key the {identity.__name__} identities read (a number or table as in the bundled edition)",
                show_got=False,
            ) from None
    run_declared(ctx)
    return ctx.findings.frame()


def _resolve(edition: Edition | Result | None, scenario: Scenario | Result | str | None) -> tuple[Edition, Result]:
    """The edition and the result the engine checks read (a Result may stand for both)."""
    if isinstance(edition, Result):
        return edition.edition, edition
    if isinstance(scenario, Result):
        return scenario.edition, scenario
    if isinstance(scenario, Scenario):
        return scenario.edition, run(scenario)
    ed = edition or load_edition()
    return ed, run(scenario or "baseline", edition=ed)


def reconcile(
    edition: Edition | Result | None = None,
    scenario: Scenario | Result | str | None = None,
    *,
    include_ok: bool = True,
) -> pd.DataFrame:
    """Check every identity the tables should satisfy; return a findings DataFrame.

    ``edition`` defaults to the bundled one; ``scenario`` (a name, a Scenario or an
    engine Result) to the edition as published: the paper checks always read the
    published edition, the engine checks the scenario's result.  A Result passed as the
    first argument stands for its edition and scenario.

    Columns: kind (paper / engine), table, row, column, expected (derived from the
    parts), actual (as printed), difference (actual - expected), tolerance (the printed
    precision), severity (ok / rounding / note / disagreement), check, source.  A
    declared check naming a row, year or key that is not there raises InputError.
    """
    ed, result = _resolve(edition, scenario)
    out = pd.concat([paper_findings(ed), engine_findings(result)], ignore_index=True)
    if not include_ok:
        out = out[out["severity"] != "ok"].reset_index(drop=True)
    return FindingsFrame(out)


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Count of findings by kind and severity, every severity shown."""
    counts = findings.groupby(["kind", "severity"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(SEVERITIES), fill_value=0)


def disagreements(findings: pd.DataFrame) -> pd.DataFrame:
    """Only the real disagreements, largest first."""
    d = findings[findings["severity"] == "disagreement"]
    return d.reindex(d["difference"].abs().sort_values(ascending=False).index)
