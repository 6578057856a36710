"""Arguments and paths: every bad one is ONE line on stderr and exit status 2, checked
before any work or progress line, and nothing is written.  Output cells that a
spreadsheet would read as a formula are neutralised; scenario names follow one rule.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import mtfs_model
from mtfs_model import InputError
from mtfs_model.base.report import safe_cell, to_text
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.scenarios.names import is_name

LONG_NAME = "a" * 300  # a file name no file system takes (255 bytes at most)
LONG_PATH = "/x" * 2500  # a path longer than Linux's 4,096 bytes


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str, *needles: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["run", "baseline", "-o", ""], ["(arguments): -o/--output: expected a path, not empty"]),
        (["run", "baseline", "-o", "{tmp}/" + LONG_NAME + ".csv"], ["-o/--output: expected file and folder names"]),
        (["run", "baseline", "-o", LONG_PATH], ["-o/--output: expected a path of at most 4,096 bytes"]),
        (["run", "baseline", "-o", "{tmp}"], ["-o/--output: expected a file name, not a directory"]),
        (["run", "baseline", "--edition", ""], ["(arguments): --edition: expected a path, not empty"]),
        (["run", "baseline", "--edition", LONG_PATH], ["--edition: expected a path of at most 4,096 bytes"]),
        (["run", "baseline", "--edition", "{tmp}/" + LONG_NAME], ["--edition: expected file and folder names"]),
        (["run", "baseline", "--edition", "{tmp}"], ["(folder): expected an edition folder holding edition.toml"]),
        (["run", "baseline", "--edition", "{tmp}/afile"], ["(folder): expected an edition folder"]),
        (["run", ""], ["(arguments): scenario: expected a path, not empty"]),
        (["run", "{tmp}/" + LONG_NAME + ".toml"], ["scenario: expected file and folder names"]),
        (["run", "{tmp}/folder.toml"], ["(file): expected a scenario file, not a folder"]),
        (["run", "{tmp}/missing.toml"], ["(file): expected an existing scenario file"]),
        (["compare", "baseline", LONG_PATH], ["scenario: expected a path of at most"]),
        (["simulate", "baseline", "--n", "10", "-o", "{tmp}/" + LONG_NAME], ["-o/--output: expected file and folder"]),
        (["brief", "baseline", "-o", "{tmp}/b.html", "--xlsx", ""], ["--xlsx: expected a path, not empty"]),
        (["brief", "baseline", "-o", "{tmp}/b.html", "--n", "-1"], ["(arguments): --n: expected a whole number >= 0"]),
        (["brief", "baseline", "-o", "{tmp}/b.html", "--seed", "-1"], ["--seed: expected a whole number >= 0"]),
        (
            ["brief", "baseline", "-o", "{tmp}/b.html", "--date", "2021-13-45"],
            ["--date: expected a date as YYYY-MM-DD"],
        ),
        (["schema", "edition", "-o", "{tmp}/" + LONG_NAME], ["-o/--output: expected file and folder names"]),
        (["edition", "import", "", "-o", "{tmp}/new"], ["(arguments): book: expected a path, not empty"]),
        (["edition", "import", "{tmp}/" + LONG_NAME + ".xlsx", "-o", "{tmp}/new"], ["book: expected file and folder"]),
        (
            ["edition", "new", "--from", "", "--years", "2022/23..2026/27", "-o", "{tmp}/new"],
            ["--from: expected a path"],
        ),
        (["edition", "export", "-o", ""], ["(arguments): -o/--output: expected a path, not empty"]),
        (["grid", "baseline", "--lever", "lines.G1.scale=1,2", "--chart", ""], ["--chart: expected a path, not empty"]),
        (["backtest", "--chart", "{tmp}/" + LONG_NAME + ".png"], ["--chart: expected file and folder names"]),
    ],
)
def test_bad_path_or_argument_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needles: list[str]
) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    (tmp_path / "folder.toml").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run_cli(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert code == 2 and out == ""
    one_line(err, *needles)  # no progress line before it
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_api_refuses_the_same_paths() -> None:
    for bad in ("", LONG_PATH):
        with pytest.raises(InputError, match="expected a path"):
            mtfs_model.load_edition(bad)
        with pytest.raises(InputError, match="expected a path"):
            mtfs_model.load_scenario(bad)


def test_unreadable_edition_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_EDITION, folder)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # tests run as root, who reads anything: pretend
        if self.name == "cip.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = run_cli(capsys, "run", "baseline", "--edition", str(folder))
    assert code == 2 and out == ""
    one_line(err, f"{folder / 'cip.toml'}: (file): expected a readable file (Permission denied)")


def test_unreadable_edition_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_EDITION, folder)

    def iterdir(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", iterdir)
    code, _, err = run_cli(capsys, "run", "baseline", "--edition", str(folder))
    assert code == 2
    one_line(err, f"{folder}: (folder): expected a folder that can be read (Permission denied)")


# --- formula injection ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_starts_a_formula_is_neutralised(text: str) -> None:
    assert safe_cell(text) == ("'" + text).replace("\r", "\n")
    frame = pd.DataFrame({f"{text} | 2021/22": [-13200.0, 5.0], "label": [text, "plain"]}, index=[text, "row"])
    rows = list(csv.reader(io.StringIO(to_text(frame, "csv"))))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells if not _number(c)), rows
    assert rows[1][1] == "-13200.000"  # numbers stay numbers, negative ones included
    assert rows[0][1] == ("'" + text + " | 2021/22").replace("\r", "\n")


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_an_edition_label_that_starts_a_formula_is_neutralised_in_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_EDITION, folder)
    text = (folder / "edition.toml").read_text(encoding="utf-8")
    (folder / "edition.toml").write_text(
        text.replace('label = "Total growth"', 'label = "=HYPERLINK(""http://x"",""y"")"'.replace('""', '\\"'), 1),
        encoding="utf-8",
    )
    code, out, _ = run_cli(
        capsys, "run", "baseline", "--table", "cumulative", "--format", "csv", "--edition", str(folder)
    )
    assert code == 0
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert '\'=HYPERLINK("http://x","y")' in cells
    assert not any(c.startswith("=") for c in cells)


# --- one rule for scenario names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["=1+1", "+1+1", "-2+3", "@x", "a b", "a'b", "a/b", "", "x" * 65, "é", "evil<img src=x onerror=alert(9)>"]
)
def test_a_bad_scenario_name_is_refused_wherever_it_comes_from(tmp_path: Path, name: str) -> None:
    assert not is_name(name)
    with pytest.raises(InputError, match="expected a scenario name"):  # from Python
        mtfs_model.scenario({"scenario": {"description": "x"}}, name=name)
    body = f'[scenario]\ndescription = "x"\nname = "{name}"\n'.replace("\\", "")
    path = tmp_path / "ok_name.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match="name"):  # from a [scenario] table
        mtfs_model.load_scenario(path)
    if name and "/" not in name and len(name) < 200:  # from a file name
        named = tmp_path / f"{name}.toml"
        named.write_text('[scenario]\ndescription = "x"\n', encoding="utf-8")
        with pytest.raises(InputError, match=r"\(file name\): expected a scenario name"):
            mtfs_model.load_scenario(named)


@pytest.mark.parametrize("name", ["baseline", "g1_4400", "2021-budget", "A1"])
def test_good_scenario_names(name: str) -> None:
    assert is_name(name) and is_name(f"{name}+{name}", combined=True)
    assert mtfs_model.scenario({"scenario": {"description": "x"}}, name=name).name == name


def test_scenario_file_name_rule_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "=1+1.toml"
    path.write_text('[scenario]\ndescription = "x"\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "compare", "baseline", str(path), "--format", "csv")
    assert code == 2 and out == ""
    one_line(err, f"{path}: (file name): expected a scenario name", "got '=1+1'")
    assert os.path.exists(path)
