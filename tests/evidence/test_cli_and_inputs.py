"""Issue 22: ``mtfs evidence`` as a reader and a program see it, and the edition's
``risk.toml`` evidence tables checked against the calibration."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from mtfs_model import InputError
from mtfs_model.cli.main import main
from mtfs_model.evidence.context import EvidenceContext
from mtfs_model.forecast.calibration import evidence_inputs
from mtfs_model.risk.merge import defaults
from tests.evidence.helpers import EDITION, edition_copy, pair, record

COVERAGE = "leave-one-council-out coverage of P10-P90: "


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["evidence", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("columns", ["80", "120"])
def test_mtfs_evidence_reads_as_a_reader_sees_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = run(capsys)
    assert code == 0
    lines = out.splitlines()
    assert max(len(x) for x in lines) <= int(columns)
    assert lines[0].startswith("Evidence as it stood on 9 March 2021")
    [line] = [x for x in lines if x.startswith(COVERAGE)]
    pct, rest = line.removeprefix(COVERAGE).split(" % (")
    assert pct.isdigit() and rest.split()[0].isdigit() and "council-level pairs" in rest
    bullets = [x for x in lines if x.startswith("* ")]
    assert len(bullets) >= 6 and any(b.startswith("* This fan uses") for b in bullets)
    for ident in ("error_share", "used_by_fan", "crps_point", "log_error", "coverage_pct"):
        assert ident not in out
    # readers' headings, not ids (markdown keeps a heading on one line)
    code, md, _ = run(capsys, "--format", "markdown")
    for words in ("Inside P10-P90", "CRPS: the forecast itself", "Used by this fan", "Published", "Why not"):
        assert f" {words} |" in md


def test_mtfs_evidence_csv_shows_each_pair_s_date_and_whether_the_fan_uses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--format", "csv")
    assert code == 0
    block = out.split("# Every pair: when it was published and whether this fan uses it\n", 1)[1].split("\n\n")[0]
    rows = list(csv.DictReader(io.StringIO(block)))
    assert len(rows) == len(EvidenceContext.for_edition(EDITION).table)
    by_id = {r["pair"]: r for r in rows}
    assert by_id["sandwell_2122_hn_spend"]["published"] == "2022-12-31"
    assert by_id["sandwell_2122_hn_spend"]["used_by_fan"] == "False"
    assert by_id["devon_1819_hn_spend"]["used_by_fan"] == "True"
    used = [r for r in rows if r["used_by_fan"] == "True"]
    assert used and all(r["published"] <= "2021-03-09" for r in used)
    float(by_id["devon_1819_hn_spend"]["ratio"])  # numbers stay numbers
    assert by_id["devon_2324_plan2021"]["ratio"] == ""  # no ratio: an empty cell, not "nan"


def test_mtfs_evidence_json_carries_the_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["coverage_line"].startswith(COVERAGE) and doc["loco_pairs"] >= 30
    assert doc["as_of"] == "2021-03-09" and {"predictive", "check", "pit", "pairs", "inputs"} <= set(doc)
    code, out, _ = run(capsys, "--format", "json", "--as-of", "2026-12-31")
    assert json.loads(out)["as_of"] == "2026-12-31"


def test_mtfs_evidence_refuses_a_planted_record_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    planted = tmp_path / "planted.toml"
    text = record("p_f", "F", 1e6, period="2022/23", council=None, gss="E10000018")
    planted.write_text(text + record("p_o", "O", 1e6, period="2022/23") + pair("p", "p_f", "p_o"), encoding="utf-8")
    code, _, err = run(capsys, "--reference-class", str(planted))
    assert code == 2 and err.startswith(f"error: {planted}: record[id=p_f]: expected no record of the edition's own")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_mtfs_evidence_adds_a_council_s_own_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    own = tmp_path / "ours.toml"
    text = record("o_f", "F", 1e6, made="2020-06") + record("o_o", "O", 1.2e6, made="2020-12")
    own.write_text(text + pair("ours", "o_f", "o_o"), encoding="utf-8")
    code, out, _ = run(capsys, "--reference-class", str(own), "--format", "csv")
    assert code == 0 and "\nours,hn_spend,1.000,Somewhere Council,2020-12-31,1.200,1.000,True," in out


# --- risk.toml's evidence tables against the calibration ------------------------------------------


def _evidence_tables() -> dict[str, dict[str, object]]:
    return {k: v["evidence"] for k, v in defaults(EDITION).dists.items() if isinstance(v.get("evidence"), dict)}


def test_the_bundled_risk_toml_names_subjects_the_calibration_gives() -> None:
    tables = _evidence_tables()
    assert tables, "risk.toml has no evidence table"
    if not any("subject" in t for t in tables.values()):
        pytest.skip("risk.toml's evidence tables name no subject yet (the i22-risk branch changes them)")
    checked = evidence_inputs(EDITION)
    ctx = EvidenceContext.for_edition(EDITION)
    assert set(checked["subject"]) <= set(ctx.subjects())
    declared = checked[[a is not None for a in checked["agrees"]]]
    assert declared["agrees"].all(), declared  # any figure risk.toml still declares is the evidence's


def test_evidence_inputs_compares_declared_figures_with_the_predictive(tmp_path: Path) -> None:
    from mtfs_model.risk.schema import EvidenceTable

    if "subject" not in EvidenceTable.model_fields:
        pytest.skip("risk.toml's [<input>.evidence] takes no subject yet (the i22-risk branch adds it)")
    ctx = EvidenceContext.for_edition(EDITION)
    q = ctx.predictive("hn_spend").ppf(np.array([0.1, 0.5, 0.9]), 1.0)
    section = "[high_needs.placement_costs.evidence]"
    risk = (EDITION.path / "risk.toml").read_text(encoding="utf-8")
    start = risk.index(section)
    end = risk.index("\n[", start + 1)
    agreeing = f'{section}\nsubject = "hn_spend"\np10 = {q[0]:.4f}\np50 = {q[1]:.4f}\np90 = {q[2]:.4f}\n'
    agreeing += 'pairs = ["devon_1920_hn_spend"]\nreason = "test"\n'
    ed = edition_copy(tmp_path / "a", replace=(("risk.toml", risk[start:end], agreeing),))
    row = evidence_inputs(ed).loc["high_needs.placement_costs"]
    assert row["subject"] == "hn_spend" and bool(row["agrees"])
    wrong = agreeing.replace(f"p90 = {q[2]:.4f}", f"p90 = {q[2] + 0.01:.4f}")
    ed = edition_copy(tmp_path / "b", replace=(("risk.toml", risk[start:end], wrong),))
    assert not bool(evidence_inputs(ed).loc["high_needs.placement_costs", "agrees"])
    # a cited pair the fan may not use is reported with why
    later = agreeing.replace('pairs = ["devon_1920_hn_spend"]', 'pairs = ["sandwell_2122_hn_spend"]')
    ed = edition_copy(tmp_path / "c", replace=(("risk.toml", risk[start:end], later),))
    assert "published 2022-12-31" in evidence_inputs(ed).loc["high_needs.placement_costs", "not_used"]


def _with_section(tmp_path: Path, body: str) -> object:
    """The edition with ``[high_needs.placement_costs.evidence]`` replaced by ``body``."""
    section = "[high_needs.placement_costs.evidence]"
    risk = (EDITION.path / "risk.toml").read_text(encoding="utf-8")
    start = risk.index(section)
    end = risk.index("\n[", start + 1)
    return edition_copy(tmp_path, replace=(("risk.toml", risk[start:end], f"{section}\n{body}\n"),))


def test_a_cited_pair_the_class_does_not_hold_is_refused(tmp_path: Path) -> None:
    from mtfs_model.risk.schema import EvidenceTable

    body = 'pairs = ["devon_1819_hn_spend", "no_such_pair"]\np10 = 0.9\np50 = 1.0\np90 = 1.1\nreason = "test"'
    if "subject" in EvidenceTable.model_fields:  # the risk branch's risk.toml names a subject
        body = 'subject = "hn_spend"\n' + body
    with pytest.raises(InputError) as exc:
        evidence_inputs(_with_section(tmp_path, body))  # type: ignore[arg-type]
    assert "high_needs.placement_costs.evidence.pairs[1]: expected a pair of the reference class" in str(exc.value)
