"""Shared fixtures: the baseline run and a helper that writes scenario files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

import mtfs_model
from mtfs_model.engine.run import Result

# The suite is deterministic (CI must not land or fail on a random draw): hypothesis
# derives its examples from each test's name.  HYPOTHESIS_PROFILE=explore draws afresh.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(scope="session")
def baseline() -> Result:
    return mtfs_model.run(mtfs_model.load_scenario("baseline"))


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``text`` as ``<name>.toml`` in a temporary folder and return its path."""

    def write(text: str, name: str = "test_scenario") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
