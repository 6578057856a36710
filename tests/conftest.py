"""Shared fixtures: the baseline run and a helper that writes scenario files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import mtfs_model
from mtfs_model.engine import Result


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
