"""No hidden state that can go stale: the edition cache follows the files, not the id."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mtfs_model import load_edition, run
from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.edition.registry import (
    EDITION_FILE_CHECKS,
    SCENARIO_SECTION_CHECKS,
    edition_file_checks,
    scenario_section_checks,
)


def copy_edition(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(DEFAULT_EDITION, folder)
    return folder


def test_an_edited_file_is_read_afresh(tmp_path: Path) -> None:
    folder = copy_edition(tmp_path, "ed")
    first = load_edition(folder)
    assert load_edition(folder) is first  # unchanged files: the cached object
    before = run(edition=first).revenue.loc["net_budget"].iloc[-1]
    path = folder / "revenue.toml"
    text = path.read_text(encoding="utf-8")
    opening = first.revenue["roll_forward"]["original_prior_year_budget"]
    changed = text.replace(
        f"\noriginal_prior_year_budget = {opening}\n", f"\noriginal_prior_year_budget = {opening + 1000}\n", 1
    )
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a clock that did not tick
    second = load_edition(folder)
    assert second is not first
    assert run(edition=second).revenue.loc["net_budget"].iloc[-1] == before + 1000


def test_two_folders_with_the_same_id_are_two_editions(tmp_path: Path) -> None:
    a, b = copy_edition(tmp_path, "a"), copy_edition(tmp_path, "b")
    ea, eb = load_edition(a), load_edition(b)
    assert ea.id == eb.id and ea is not eb and ea.path != eb.path


def test_file_checks_are_declared_in_one_place() -> None:
    assert set(EDITION_FILE_CHECKS) == {"risk.toml", "outturns.toml"}
    assert [f for f, check in edition_file_checks() if callable(check)] == list(EDITION_FILE_CHECKS)
    assert [s for s, check in scenario_section_checks() if callable(check)] == list(SCENARIO_SECTION_CHECKS) == ["risk"]
