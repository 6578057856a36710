"""Bad input gets one clear error naming the file, the key and what was expected, and
nothing is written.  One test per case the issue lists, for scenarios and for the
bundled data files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import mtfs_model
from mtfs_model import InputError, load_scenario
from mtfs_model.cli import main
from mtfs_model.data import DATA_DIR, load_baseline

HEAD = '[scenario]\ndescription = "test"\n'


@pytest.mark.parametrize(
    ("body", "key", "expected"),
    [
        ("[lines.G9]\nscale = 1.1\n", "lines.G9", "a line code"),  # unknown line
        ("[lines.G1]\nsclae = 1.1\n", "lines.G1.sclae", "one of"),  # unknown key (typo)
        ("[nonsense]\nx = 1\n", "nonsense", "one of"),  # unknown table
        ('[lines.G1]\nscale = "1.1"\n', "lines.G1.scale", "a number"),  # wrong type
        (
            '[lines.G1]\nvalues = { "2021/22" = 1, "2022/23" = 2, "2023/24" = 3 }\n',
            "lines.G1.values.2024/25",
            "a value for every year",
        ),  # missing year
        (
            '[lines.G1]\nvalues = { "2021/22" = 1, "2022/23" = 2, "2023/24" = 3, "2024/25" = 4, "2025/26" = 5 }\n',
            "lines.G1.values.2025/26",
            "only the years",
        ),  # extra year
        (
            '[lines.G1]\nvalues = { "2021/22" = -1, "2022/23" = 2, "2023/24" = 3, "2024/25" = 4 }\n',
            "lines.G1.values.2021/22",
            ">= 0",
        ),  # negative cost
        (
            '[lines.CF1]\nvalues = { "2021/22" = 1, "2022/23" = 2, "2023/24" = 3, "2024/25" = 4 }\n',
            "lines.CF1.values.2021/22",
            "savings are negative",
        ),  # positive saving
        ("[properties.P2]\noccupancy = 1.2\n", "properties.P2.occupancy", "<= 1"),  # occupancy > 100 %
        ("[properties.P2.capital_parts]\npurchase = -5\n", "properties.P2.capital_parts.purchase", ">= 0"),
        ('[properties.P1]\ngo_live = "December"\n', "properties.P1.go_live", "YYYY-MM"),
        (
            '[high_needs]\nschools_block_transfer_approved = "no"\n',
            "high_needs.schools_block_transfer_approved",
            "true or false",
        ),
        ("[high_needs.savings_delivery]\nfantasy = 0.5\n", "high_needs.savings_delivery.fantasy", "savings line"),
        ("[programmes.DCFSF]\nrecurring_2024_25 = 7000\n", "programmes.DCFSF.recurring_2024_25", "negative"),
        ("[lines.G2.drivers]\nx = 1\n", "lines.G2.drivers", "no drivers"),
        ("[lines.G6.drivers]\ncost_per_case_gbp = nan\n", "lines.G6.drivers.cost_per_case_gbp", "finite"),
        ("[cip]\nlife_years = 2.5\n", "cip.life_years", "whole number"),
        ("[lines.G1]\nscale = 1\nscale = 2\n", "(syntax)", "no duplicated key"),  # duplicate key
    ],
)
def test_bad_scenario(scenario_file: Callable[..., Path], body: str, key: str, expected: str) -> None:
    path = scenario_file(HEAD + body)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.file == str(path)
    assert err.value.key == key
    assert expected in err.value.expected
    assert str(path) in str(err.value) and key in str(err.value)


def test_missing_description(scenario_file: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match=r"scenario\.description"):
        load_scenario(scenario_file("[scenario]\n"))


def test_unknown_scenario_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as err:
        load_scenario("no_such_scenario")
    assert err.value.key == "name"
    assert "baseline" in err.value.expected


def _data_copy(tmp_path: Path) -> Path:
    d = tmp_path / "data"
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
        ("capital.toml", '"2021/22" = 22148', '"2021/22" = -22148', "resources.rows[0].values.2021/22"),
        ("growth_savings.toml", "[lines.G2]", "[lines.G1]", "(syntax)"),  # a line typed twice
    ],
)
def test_bad_data_file(tmp_path: Path, file: str, old: str, new: str, key: str) -> None:
    d = _data_copy(tmp_path)
    text = (d / file).read_text(encoding="utf-8")
    assert old in text
    (d / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(d)
    assert err.value.file == str(d / file)
    assert err.value.key == key


def test_non_numeric_appendix_a_cell(tmp_path: Path) -> None:
    d = _data_copy(tmp_path)
    text = (d / "appendix_a.csv").read_text(encoding="utf-8")
    (d / "appendix_a.csv").write_text(text.replace(",1290356,", ",1.290.356,", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"appendix_a.csv: line 2, employees: expected a whole number"):
        load_baseline(d)


def test_cli_bad_input_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    assert main(["run", "no_such_scenario", "--format", "csv", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: scenarios/: name: expected one of")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    from mtfs_model.report import atomic_write

    target = tmp_path / "brief.txt"

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert list(tmp_path.iterdir()) == []
    assert mtfs_model.run  # the package still imports cleanly


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    from mtfs_model.report import write_text

    umask = os.umask(0o022)
    try:
        path = write_text(tmp_path / "brief.txt", "x")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
