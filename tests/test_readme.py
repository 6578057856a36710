"""Every command in the README's ``bash`` blocks runs as written after the README's set-up
(the set-up block itself -- create and activate ``.venv``, install -- is what this test
environment already is: its ``bin`` comes first on ``PATH``, as activation does).

Each command runs in a scratch folder that holds the repository's ``mtfs_model``,
``scenarios`` and ``notebooks`` (so relative paths in the README resolve and the files
the commands write land outside the repository), and must exit 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```(?:bash|sh|shell)\n(.*?)```", re.S)
SET_UP = "python3 -m venv"


def readme_commands() -> list[str]:
    """The README's shell commands, one a line, the set-up block left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in FENCE.findall(text):
        if SET_UP in block:
            continue
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_the_readme_has_commands_and_a_set_up() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = FENCE.findall(text)
    assert any(SET_UP in b and ". .venv/bin/activate" in b for b in blocks)  # so `mtfs` is on PATH after it
    assert len(readme_commands()) >= 20
    assert all(c.split()[0] in ("mtfs", "python") for c in readme_commands())


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(command: str, tmp_path: Path) -> None:
    for name in ("mtfs_model", "scenarios", "notebooks"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("COLUMNS", None)
    proc = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
