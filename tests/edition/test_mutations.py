"""Mutating the bundled edition one change at a time never reaches a traceback or a
non-finite figure: each mutant either fails to load with an :class:`InputError` naming a
file of the folder, or runs, reconciles and simulates to finite figures.

The hypothesis test draws mutants (``tests/edition/mutants.py``): 40 in the fast suite,
600 in the slow one (``-m slow``).  ``tools/edition_mutation_sweep.py N SEED`` draws N more
with a seeded generator and counts the outcomes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_model import InputError, load_edition, load_scenario, reconcile, run
from tests.edition import mutants
from tests.edition.mutants import CSV_CELLS, CSV_FILE, CSV_OPS, NEW_KEYS, TOML_FILES, TOML_OPS, VALUES, Mutation

PATHS = {name: list(mutants.paths(mutants.original(name))) for name in TOML_FILES}


def finite(frame: pd.DataFrame, where: str) -> None:
    """Every number of ``frame`` finite (a payback of +inf means "never": allowed)."""
    numbers = frame.select_dtypes("number")
    values = numbers.to_numpy(dtype=float)
    for r, c in zip(*np.nonzero(~np.isfinite(values)), strict=True):
        column = str(numbers.columns[c])
        if not ("payback" in column and values[r, c] == math.inf):
            raise AssertionError(f"{where}.{numbers.index[r]}.{column} = {values[r, c]}")


def refused(error: InputError, folder: Path) -> str:
    """An InputError's problems each name a file of ``folder`` and a key, one line each."""
    for p in error.problems:
        assert Path(p.file).parent == folder or Path(p.file) == folder, p
        assert p.key and "\n" not in str(p), p
    return "refused"


def outcome(folder: Path, n: int = 200) -> str:
    """Load, run, reconcile and simulate the edition at ``folder``: ``"refused"`` (an
    InputError naming only files of the folder, at load or later) or ``"ran"`` (every
    figure finite).  Anything else -- another exception, a non-finite figure -- fails."""
    from mtfs_model.risk.report import report_text
    from mtfs_model.risk.simulate import simulate

    try:
        edition = load_edition(folder)
    except InputError as exc:
        return refused(exc, folder)
    try:
        baseline = load_scenario("baseline", edition=edition)
        result = run(baseline)
        for name in result.TABLES:
            finite(getattr(result, name), name)
        finite(result.key_figures(), "key_figures")
        finite(reconcile(result).select_dtypes("number"), "findings")
        report_text(simulate(baseline, n=n, seed=1), "json")  # refuses a non-finite figure
    except InputError as exc:
        return refused(exc, folder) + " late"
    return "ran"


@st.composite
def mutations(draw: Any) -> Mutation:
    name = draw(st.sampled_from([*TOML_FILES, CSV_FILE, CSV_FILE]))
    if name == CSV_FILE:
        op = draw(st.sampled_from(CSV_OPS))
        where = (draw(st.integers(0, 60)), draw(st.integers(0, 20)))
        return Mutation(name, op, where, draw(st.sampled_from(CSV_CELLS)))
    op = draw(st.sampled_from(TOML_OPS))
    path = draw(st.sampled_from(PATHS[name]))
    value = draw(st.sampled_from(NEW_KEYS if op in ("rename", "add") else VALUES))
    return Mutation(name, op, path, value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations())
def test_a_mutant_is_refused_or_runs_finite(tmp_path_factory: pytest.TempPathFactory, mutation: Mutation) -> None:
    folder = mutants.make(tmp_path_factory.mktemp("mutant") / "edition", mutation)
    outcome(folder)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations())
def test_many_mutants(tmp_path_factory: pytest.TempPathFactory, mutation: Mutation) -> None:
    folder = mutants.make(tmp_path_factory.mktemp("mutant") / "edition", mutation)
    outcome(folder)
