"""Bad input gets one clear error naming the file, the key and what was expected, and
nothing is written.

``tests/bad_input/`` is a corpus of scenario files, each malformed in one way; its first
line says which key the error must name and a phrase the expectation must contain
(``# expect: <key> | <phrase>``).  Each goes through the Python API (one InputError,
one problem) and the command line (exit 2, one line on stderr, no traceback, nothing
written).  Edition data files are checked the same way, all problems at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtfs_model import InputError, load_edition, load_scenario, run
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION as DATA_DIR
from tests.paths import TESTS

CORPUS = TESTS / "bad_input"
FILES = sorted(CORPUS.glob("*.toml"))
SPECIAL = {"binary_junk.toml": ("(encoding)", "UTF-8")}


def expectation(path: Path) -> tuple[str, str]:
    if path.name in SPECIAL:
        return SPECIAL[path.name]
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    key, phrase = first.removeprefix("# expect:").split("|")
    return key.strip(), phrase.strip()


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bad_scenario_api(path: Path) -> None:
    key, phrase = expectation(path)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert len(err.value.problems) == 1, err.value.lines()
    problem = err.value.problems[0]
    assert (problem.file, problem.key) == (str(path), key)
    assert phrase in problem.expected, str(problem)
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bad_scenario_cli(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, _ = expectation(path)
    out = tmp_path / "out.csv"
    assert main(["run", str(path), "--format", "csv", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: {path}: {key}: expected "), lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_every_problem_in_a_file_at_once(scenario_file) -> None:  # type: ignore[no-untyped-def]
    path = scenario_file(
        '[scenario]\ndescription = "three problems"\n[lines.G1]\nscale = -1\n'
        "[properties.P2]\noccupancy = 1.5\n[lines.G9]\nscale = 1\n"
    )
    with pytest.raises(InputError) as err:
        load_scenario(path)
    keys = sorted(p.key for p in err.value.problems)
    assert keys == ["lines.G1.scale", "lines.G9", "properties.P2.occupancy"]
    assert len(str(err.value).splitlines()) == 3


def test_unknown_scenario_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as err:
        load_scenario("no_such_scenario")
    assert err.value.key == "scenario"
    assert "baseline" in err.value.expected


def test_valid_scenarios_with_saving_parts_never_make_a_cost(scenario_file) -> None:  # type: ignore[no-untyped-def]
    """A CIP saving part may be negative (a running cost) but the property's saving, and
    the savings line linked to it, never turn into a cost."""
    path = scenario_file(
        '[scenario]\ndescription = "P3 running costs up"\n'
        "[properties.P3.saving_parts]\nservice_and_running_costs = -543\n"
    )
    r = run(load_scenario(path))
    linked = r.edition.links["property_savings_line"]
    assert (r.cumulative.loc[linked] <= 0).all()
    assert (r.cip["annual_saving"] >= 0).all()


def _edition_copy(tmp_path: Path) -> Path:
    d = tmp_path / "edition"
    shutil.copytree(DATA_DIR, d)
    return d


@pytest.mark.parametrize(
    ("file", "old", "new", "key"),
    [
        ("growth_savings.toml", '"2024/25" = 17200', '"2024/25" = "17,200"', "lines.G1.values.2024/25"),
        ("growth_savings.toml", ', "2024/25" = 17200', "", "lines.G1.values.2024/25"),
        (
            "high_needs.toml",
            'placement_costs = { "2021/22" = 87096',
            'placement_costs = { "2021/22" = -87096',
            "forecast.expenditure.placement_costs.2021/22",
        ),
        ("cip.toml", "occupancy = 0.75", "occupancy = 1.75", "properties.P2.occupancy"),
        ("cip.toml", "occupancy = 0.75\n", "\n", "properties.P2.occupancy"),
        ("capital.toml", '"2021/22" = 22148', '"2021/22" = -22148', "resources.rows[0].values.2021/22"),
        ("growth_savings.toml", "[lines.G2]", "[lines.G1]", "(syntax)"),  # a line typed twice
        ("revenue.toml", "original_prior_year_budget = 80914\n", "", "roll_forward.original_prior_year_budget"),
        ("growth_savings.toml", 'programme = "departmental"', 'programme = "fantasy"', "lines.CF5.programme"),
        (
            "edition.toml",
            'property_savings_line = "CF4"',
            'property_savings_line = "G1"',
            "links.property_savings_line",
        ),
        ("edition.toml", '"2023/24", "2024/25"]', '"2024/25", "2023/24"]', "horizon"),
        ("growth_savings.toml", "weeks_per_year = 52", "weeks_per_year = 0", "lines.G1.drivers.weeks_per_year"),
    ],
)
def test_bad_edition_file(tmp_path: Path, file: str, old: str, new: str, key: str) -> None:
    d = _edition_copy(tmp_path)
    text = (d / file).read_text(encoding="utf-8")
    assert old in text
    (d / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(d)
    assert (err.value.problems[0].file, err.value.problems[0].key) == (str(d / file), key), err.value.lines()


def test_edition_reports_problems_in_several_files_at_once(tmp_path: Path) -> None:
    d = _edition_copy(tmp_path)
    for file, old, new in (
        ("cip.toml", "occupancy = 0.75", "occupancy = 1.75"),
        ("revenue.toml", "original_prior_year_budget = 80914", "original_prior_year_budget = -1"),
    ):
        (d / file).write_text((d / file).read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(d)
    assert {Path(p.file).name for p in err.value.problems} == {"cip.toml", "revenue.toml"}


def test_non_numeric_appendix_a_cell(tmp_path: Path) -> None:
    d = _edition_copy(tmp_path)
    text = (d / "appendix_a.csv").read_text(encoding="utf-8")
    (d / "appendix_a.csv").write_text(text.replace(",1290356,", ",1.290.356,", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"appendix_a.csv: line 2, employees: expected a whole number"):
        load_edition(d)


def test_not_an_edition_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"edition.toml"):
        load_edition(tmp_path / "nowhere")
