"""Outturns as data (issue 11): an edition's optional outturns.toml, its schema (every
problem at once, one line each naming the file and key), load_outturns and ``mtfs
outturns``.  Every outturn here is constructed by the test in a temporary copy of the
edition: the bundled edition records none."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import tomli_w

from mtfs_model import InputError, load_edition
from mtfs_model.cli import forecast as cli_forecast
from mtfs_model.cli.parser import ArgumentParser, add_forecast_parsers
from mtfs_model.edition.folder import DEFAULT_EDITION as DATA_DIR
from mtfs_model.forecast.outturns import FILE, latest, load_outturns, read_outturns

AS_OF = dt.date(2022, 6, 28)
DOCS = {"outturn_report": {"title": "Provisional revenue outturn", "href": "https://example.org/outturn.pdf"}}
SOURCE = {"doc": "outturn_report", "ref": "Appendix A", "grep": "Children and Family Services"}
LINK = {"title": "Placement sufficiency report", "href": "https://example.org/sufficiency.pdf"}


def cell(table: str, row: str, year: str, value: Any, **extra: Any) -> dict[str, Any]:
    """An outturn of a cell of an engine table."""
    return {"figure": {"table": table, "row": row, "year": year}, "value": value, "as_of": AS_OF,
            "source": SOURCE, **extra}  # fmt: skip


def path(figure: str, year: str, value: Any, **extra: Any) -> dict[str, Any]:
    """An outturn of a driver or a lever."""
    return {"figure": figure, "year": year, "value": value, "as_of": AS_OF, "source": LINK, **extra}


def write_edition(
    dest: Path,
    records: Sequence[Mapping[str, Any]] = (),
    *,
    documents: Mapping[str, Any] | None = None,
    text: str | None = None,
    source: Path = DATA_DIR,
) -> Path:
    """A copy of an edition folder with an outturns.toml of ``records`` (or ``text``)."""
    folder = dest / "edition"
    shutil.copytree(source, folder)
    if text is not None:
        (folder / FILE).write_text(text, encoding="utf-8")
    else:
        doc = {"documents": dict(DOCS if documents is None else documents), "outturn": [dict(r) for r in records]}
        (folder / FILE).write_text(tomli_w.dumps(doc), encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    """The lines of the InputError a bad outturns file raises when the edition loads;
    read_outturns on an edition loaded before the file went bad says the same."""
    with pytest.raises(InputError) as at_load:
        load_edition(folder)
    lines = str(at_load.value).splitlines()
    other = folder.parent / "loaded_before"
    shutil.copytree(folder, other)
    (other / FILE).unlink()
    edition = load_edition(other)
    shutil.copy(folder / FILE, other / FILE)
    with pytest.raises(InputError) as on_reading:
        read_outturns(edition)
    same = str(on_reading.value).replace(str(other.resolve()), str(folder.resolve())).splitlines()
    assert same == lines
    return lines


# --- no outturns ----------------------------------------------------------------------------


def test_the_bundled_edition_records_no_outturns() -> None:
    assert not (DATA_DIR / FILE).exists()
    frame = load_outturns()
    assert frame.empty
    assert list(frame.columns) == ["figure", "year", "kind", "as_of", "value", "unit", "label", "source", "note"]
    assert frame.index.name == "record"
    assert read_outturns() == ()


# --- a valid file -----------------------------------------------------------------------------


def test_records_load_in_file_order_with_units_labels_and_sources(tmp_path: Path) -> None:
    folder = write_edition(tmp_path, [
        cell("revenue", "net_budget", "2021/22", 90512),
        path("lines.G1.drivers.unit_cost_current_gbp_week", "2021/22", 4350),
        path("high_needs.schools_block_transfer_approved", "2022/23", False, as_of=dt.date(2023, 3, 31),
             note="The Forum refused"),
        cell("high_needs", "cumulative_gap", "2022/23", 25000.5, kind="reforecast", as_of=dt.date(2022, 11, 1)),
        cell("cumulative", "CF5", "2021/22", -1200),
    ])  # fmt: skip
    frame = load_outturns(folder)
    assert list(frame.index) == [0, 1, 2, 3, 4]
    assert list(frame["figure"]) == [
        "revenue.net_budget", "lines.G1.drivers.unit_cost_current_gbp_week",
        "high_needs.schools_block_transfer_approved", "high_needs.cumulative_gap", "cumulative.CF5",
    ]  # fmt: skip
    assert list(frame["value"]) == [90512.0, 4350.0, 0.0, 25000.5, -1200.0]
    assert frame["value"].dtype == "float64"
    assert list(frame["unit"]) == ["GBP000", "GBP a week", "true/false", "GBP000", "GBP000"]
    assert list(frame["kind"]) == ["outturn", "outturn", "outturn", "reforecast", "outturn"]
    assert frame.at[0, "label"] == "Proposed/provisional net budget"
    assert frame.at[4, "label"].startswith("CF5 ")
    assert frame.at[0, "source"] == 'Provisional revenue outturn, Appendix A: "Children and Family Services"'
    assert frame.at[1, "source"] == "Placement sufficiency report <https://example.org/sufficiency.pdf>"
    assert frame.at[2, "note"] == "The Forum refused"
    assert frame.at[0, "as_of"] == AS_OF


def test_the_edition_s_own_documents_may_be_cited(tmp_path: Path) -> None:
    rec = cell("revenue", "net_budget", "2021/22", 90000, source={"doc": "mtfs_report", "ref": "x", "grep": "y"})
    frame = load_outturns(write_edition(tmp_path, [rec], documents={}))
    assert frame.at[0, "source"].startswith("Medium Term Financial Strategy")


def test_latest_takes_the_last_restatement_and_an_outturn_over_a_reforecast(tmp_path: Path) -> None:
    folder = write_edition(tmp_path, [
        cell("revenue", "net_budget", "2021/22", 90000),
        cell("revenue", "net_budget", "2021/22", 90100, as_of=dt.date(2022, 9, 30)),
        cell("revenue", "net_budget", "2022/23", 91000, kind="reforecast", as_of=dt.date(2023, 4, 30)),
        cell("revenue", "net_budget", "2022/23", 91500, as_of=dt.date(2023, 4, 30)),
        cell("revenue", "net_budget", "2023/24", 92000, kind="reforecast", as_of=dt.date(2023, 10, 1)),
    ])  # fmt: skip
    records = read_outturns(load_edition(folder))
    assert [(o.year, o.value) for o in latest(records)] == [("2021/22", 90100.0), ("2022/23", 91500.0)]
    both = latest(records, ("outturn", "reforecast"))
    assert [(o.year, o.value) for o in both] == [("2021/22", 90100.0), ("2022/23", 91500.0), ("2023/24", 92000.0)]


# --- bad files: one line a problem, naming the file and the key --------------------------------

BAD = [
    ("unknown key", cell("revenue", "net_budget", "2021/22", 1, colour="red"), "outturn[0].colour",
     "no such key"),
    ("row", cell("revenue", "net", "2021/22", 1), "outturn[0].figure.row", "a row of table revenue"),
    ("table", cell("capital", "x", "2021/22", 1), "outturn[0].figure.table", "'revenue'"),
    ("year outside", cell("revenue", "net_budget", "2019/20", 1), "outturn[0].figure.year",
     "a year of the horizon"),
    ("quoted number", cell("revenue", "net_budget", "2021/22", "90512"), "outturn[0].value", "GBP000"),
    ("infinite", cell("revenue", "net_budget", "2021/22", float("inf")), "outturn[0].value", "finite"),
    ("too large", cell("revenue", "net_budget", "2021/22", 1e12), "outturn[0].value", "10,000,000"),
    ("bool for money", cell("revenue", "net_budget", "2021/22", True), "outturn[0].value", "a finite number"),
    ("number for a lever", path("high_needs.schools_block_transfer_approved", "2022/23", 1,
                                as_of=dt.date(2023, 3, 31)), "outturn[0].value", "true or false"),
    ("lever year", path("high_needs.schools_block_transfer_approved", "2021/22", True), "outturn[0].year",
     "the year the lever acts in (2022/23)"),
    ("divisor driver", path("lines.G1.drivers.weeks_per_year", "2021/22", 52), "outturn[0].figure",
     "a driver of G1 a distribution may vary"),
    ("unknown line", path("lines.G99.drivers.x", "2021/22", 1), "outturn[0].figure", "a line code"),
    ("unknown path", path("properties.P1.occupancy", "2021/22", 0.5), "outturn[0].figure",
     "a table figure { table, row, year } or an input path"),
    ("path without year", {k: v for k, v in path("lines.G1.drivers.unit_cost_current_gbp_week", "x", 1).items()
                           if k != "year"}, "outturn[0].year", "an input path needs year"),
    ("year beside a table", {**cell("revenue", "net_budget", "2021/22", 1), "year": "2021/22"}, "outturn[0].year",
     "no year beside a table figure"),
    ("unknown document", cell("revenue", "net_budget", "2021/22", 1, source={"doc": "nope", "ref": "a",
                                                                             "grep": "b"}),
     "outturn[0].source.doc", "a document declared"),
    ("empty title", cell("revenue", "net_budget", "2021/22", 1, source={"title": ""}), "outturn[0].source.title",
     "text, not empty"),
    ("no source", {k: v for k, v in cell("revenue", "net_budget", "2021/22", 1).items() if k != "source"},
     "outturn[0].source", "a value (the key is required)"),
    ("kind", cell("revenue", "net_budget", "2021/22", 1, kind="final"), "outturn[0].kind", "'outturn' or"),
    ("outturn before the year ends", cell("revenue", "net_budget", "2021/22", 1, as_of=dt.date(2022, 1, 31)),
     "outturn[0].as_of", "on or after 2022-03-31"),
    ("before the papers", cell("revenue", "net_budget", "2021/22", 1, kind="reforecast",
                               as_of=dt.date(2020, 1, 1)), "outturn[0].as_of", "on or after the edition's papers"),
    ("quoted date", cell("revenue", "net_budget", "2021/22", 1, as_of="2022-06-28"), "outturn[0].as_of",
     "a TOML date"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "record", "key", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_record_is_one_line_naming_the_file_and_key(
    tmp_path: Path, case: str, record: dict[str, Any], key: str, expected: str
) -> None:
    folder = write_edition(tmp_path, [record])
    lines = problems(folder)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{folder.resolve() / FILE}: {key}: expected "), lines[0]
    assert expected in lines[0], lines[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_edition(tmp_path, [
        cell("revenue", "net", "2021/22", "x"),
        cell("revenue", "net_budget", "2021/22", 1),
        cell("revenue", "net_budget", "2021/22", 2),        # the same figure, year, kind and as_of again
        path("lines.G1.drivers.unit_cost_current_gbp_week", "2030/31", -5),
    ], documents={"outturn_report": {"titel": "typo"}})  # fmt: skip
    lines = problems(folder)
    keys = [line.split(": ")[1] for line in lines]
    assert keys == [
        "documents.outturn_report.title", "documents.outturn_report.titel", "outturn[0].figure.row",
        "outturn[0].value", "outturn[2]", "outturn[3].year", "outturn[3].value",
    ]  # fmt: skip
    assert all(line.startswith(str(folder.resolve() / FILE)) for line in lines)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[[outturn]\n", "(syntax)"),
        ("outturn = 3\n", "outturn"),
        ("outturn = [1]\n", "outturn[0]"),
        ("[extra]\nx = 1\n", "extra"),
    ],
)
def test_a_malformed_file_is_one_line(tmp_path: Path, text: str, key: str) -> None:
    folder = write_edition(tmp_path, text=text)
    lines = problems(folder)
    assert len(lines) == 1 and lines[0].startswith(f"{folder.resolve() / FILE}: {key}: expected "), lines


def test_a_file_with_a_byte_order_mark_is_one_line(tmp_path: Path) -> None:
    folder = write_edition(tmp_path)
    (folder / FILE).write_bytes(b"\xef\xbb\xbf" + (folder / FILE).read_bytes())
    assert problems(folder) == [
        f"{folder.resolve() / FILE}: (encoding): expected UTF-8 without a byte-order mark "
        "(save as 'UTF-8', not 'UTF-8 with BOM')"
    ]


# --- mtfs outturns ------------------------------------------------------------------------------


def forecast_cli(argv: list[str]) -> int:
    """Run ``mtfs outturns`` / ``mtfs backtest`` through cli_forecast as cli.py wires it."""
    parser = ArgumentParser(prog="mtfs")
    sub = parser.add_subparsers(dest="command", required=True)
    add_forecast_parsers(sub)
    for p in sub.choices.values():
        p.add_argument("--edition")
    args: argparse.Namespace = parser.parse_args(argv)
    return cli_forecast.dispatch(args)


def test_mtfs_outturns_lists_the_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_edition(tmp_path, [
        cell("revenue", "net_budget", "2021/22", 90512),
        path("high_needs.schools_block_transfer_approved", "2022/23", True, as_of=dt.date(2023, 3, 31)),
    ])  # fmt: skip
    assert forecast_cli(["outturns", "--edition", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "revenue.net_budget" in out and "90,512" in out and "yes" in out and "£000" in out
    assert forecast_cli(["outturns", "--edition", str(folder), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in doc["rows"]] == [90512.0, True]
    assert doc["rows"][0]["as_of"] == "2022-06-28"
    out_file = tmp_path / "outturns.csv"
    assert forecast_cli(["outturns", "--edition", str(folder), "--format", "csv", "-o", str(out_file)]) == 0
    assert pd.read_csv(out_file)["figure"].tolist() == [
        "revenue.net_budget",
        "high_needs.schools_block_transfer_approved",
    ]


def test_mtfs_outturns_says_when_there_are_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert forecast_cli(["outturns"]) == 0
    assert "no outturns recorded" in capsys.readouterr().out


def test_mtfs_outturns_reports_a_bad_file_as_error_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_edition(tmp_path, [cell("revenue", "net", "2021/22", 1), cell("revenue", "x", "2021/22", 1)])
    assert forecast_cli(["outturns", "--edition", str(folder)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith(f"error: {folder.resolve() / FILE}: outturn[") for line in err)


def test_a_lever_is_known_when_decided_a_figure_when_its_year_ends(tmp_path: Path) -> None:
    early = dt.date(2022, 1, 20)  # before 2022/23 starts: a decision, so an outturn
    folder = write_edition(
        tmp_path, [path("high_needs.schools_block_transfer_approved", "2022/23", False, as_of=early)]
    )
    assert load_outturns(folder).at[0, "as_of"] == early
