"""The reference covers the library: every public name, every ``mtfs`` subcommand and every
file a user writes has a page (``docs/_ext/generate.py`` writes them when the site builds).

The lists checked against are taken from the library itself (``mtfs_model.__all__``, the
parser, the bundled edition folder), never from the generator."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import pytest

import mtfs_model
from mtfs_model.cli.parser import build_parser
from tests.paths import REPO

sys.path.insert(0, str(REPO / "docs" / "_ext"))
import generate


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate.write_api(out / "api")
    generate.write_cli(out / "cli")
    generate.write_files(out / "files")
    return out


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(_subcommands(sub, f"{prefix}{name} "))
    return found


def test_every_public_name_has_a_page_documenting_that_object(site: Path) -> None:
    for name in mtfs_model.__all__:
        page = site / "api" / f"{name}.md"
        assert page.exists(), name
        text = page.read_text(encoding="utf-8")
        directive = next(line for line in text.splitlines() if line.startswith(".. auto"))
        module, _, attr = directive.split("::")[1].strip().rpartition(".")
        # the lazy name's own resolution (PEP 562): `mtfs_model.brief` as an attribute is the
        # subpackage once `mtfs_model.brief.build` has been imported, the function before
        assert getattr(importlib.import_module(module), attr) is mtfs_model.__getattr__(name)
        assert f"[`{name}`]({name}.md)" in (site / "api" / "index.md").read_text(encoding="utf-8")


def test_every_subcommand_has_a_page_from_the_parser(site: Path) -> None:
    commands = _subcommands(build_parser())
    assert {"run", "reconcile", "simulate", "brief", "edition", "edition export"} <= set(commands)
    for command in commands:
        top = command.split()[0]
        page = (site / "cli" / f"{top}.md").read_text(encoding="utf-8")
        # sphinx-argparse documents the command and, below it, every nested subcommand
        assert f":path: {top}\n" in page and ":nosubcommands:" not in page, command
        assert f"`mtfs {command}`" in (site / "cli" / "index.md").read_text(encoding="utf-8")


def test_every_file_of_an_edition_and_every_user_file_has_a_page(site: Path) -> None:
    edition = REPO / "mtfs_model" / "editions" / "cfs_2021_22"
    files = [p.stem for p in edition.iterdir() if p.suffix in (".toml", ".csv")]
    assert len(files) >= 12
    for name in [*files, "outturns", "scenario", "reference_class"]:
        assert (site / "files" / f"{name}.md").exists(), name


def test_a_file_page_lists_the_schema_keys_with_units(site: Path) -> None:
    text = (site / "files" / "scenario.md").read_text(encoding="utf-8")
    assert "`lines.<name>.drivers`" in text or "`lines`" in text
    growth = (site / "files" / "growth_savings.md").read_text(encoding="utf-8")
    assert "£000" in growth and "```toml" in growth
    cip = (site / "files" / "cip.md").read_text(encoding="utf-8")
    assert "£ a week" in cip or "£000" in cip


def test_the_docs_tree_has_the_four_kinds_of_page() -> None:
    docs = REPO / "docs"
    tutorials = sorted(p.name for p in (docs / "tutorials").glob("0*.md"))
    assert len(tutorials) == 5
    howtos = {p.stem for p in (docs / "howto").glob("*.md")}
    assert {
        "write_a_scenario",
        "combine_scenarios",
        "goal_seek",
        "next_year_folder",
        "next_year_excel",
        "outturns_backtest",
        "own_reference_class",
        "committee_brief",
        "reconciler_findings",
    } <= howtos
    assert {"model", "reconciler", "architecture", "performance"} <= {
        p.stem for p in (docs / "explanation").glob("*.md")
    }
