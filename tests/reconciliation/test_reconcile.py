"""The reconciler finds the papers' own disagreements by itself, with their sizes.

The expected disagreements were found by reading and adding up the papers by hand
(each is described where it is asserted); the reconciler must find each one, size it,
and class rounding as rounding.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mtfs_model import InputError, load_edition, run
from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.reconciliation.checks import REGISTRY
from mtfs_model.reconciliation.reconcile import paper_findings, reconcile, summary


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return reconcile()


def one(findings: pd.DataFrame, table: str, row: str, column: str, check: str | None = None) -> pd.Series:
    hit = findings[findings["table"].str.startswith(table) & (findings["row"] == row) & (findings["column"] == column)]
    if check is not None:
        hit = hit[hit["check"].str.contains(check, regex=False)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_engine_identities_all_hold(findings: pd.DataFrame) -> None:
    engine = findings[findings["kind"] == "engine"]
    assert len(engine) > 100
    assert (engine["severity"] == "ok").all()


@pytest.mark.parametrize(
    ("table", "row", "column", "check", "difference"),
    [
        # Appendix A: TOTAL CHILDRENS SOCIAL CARE internal income prints -449,619; its rows
        # (SIQA -101,119, CiC -98,500, others 0) sum to -199,619.
        ("Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "internal_income", "subtotal", -250_000),
        # Total Education Quality & Inclusion employees print 4,058,923; rows sum 4,085,824.
        ("Appendix A", "Total Education Quality & Inclusion", "employees", "subtotal", -26_901),
        # Para 12 prints Business Support 4,455; Appendix A LA Block gives 4,436,750 + 19,035.
        ("Net budget by service area", "Business Support and Commissioning", "2021/22", None, -0.785),
        # Para 19 heads CF1 "£2.2m 2021/22 rising to £13.2m": those are the CF1-CF3 total.
        ("Growth and savings narrative", "CF1", "2021/22", None, -2_200 + 1_200),
        ("Growth and savings narrative", "CF1", "2024/25", None, -13_200 + 4_800),
        # G6: 2 extra cases a month x 12 x £20k = £480k; the MTFS provides £400k, every year.
        ("Growth drivers", "G6", "2021/22", None, -80),
        ("Growth drivers", "G6", "2024/25", None, -80),
        # Para 43 prints the Additional School Places total "58.321" (for 58,321), SEND "14.000".
        ("Capital programme (para 43)", "Additional School Places", "Total", "Appendix C", 58.321 - 58_321),
        ("Capital programme (para 43)", "SEND Programme", "Total", "Appendix C", 14.000 - 14_000),
        # CIP property 3: 869 - 600 = 269, printed "reducing the net investment to £369k".
        ("Properties", "P3", "net investment", None, 100),
        # Para 40's DSG £578.3m against Appendix A's Dedicated Schools Grant £577,659,247.
        ("Headline statements", "appendix_a_dsg_2021_22", "", None, 578_300 - 577_659.247),
    ],
)
def test_finds_the_papers_disagreements(
    findings: pd.DataFrame, table: str, row: str, column: str, check: str | None, difference: float
) -> None:
    f = one(findings, table, row, column, check)
    assert f["severity"] == "disagreement"
    assert f["difference"] == pytest.approx(difference, abs=1e-6)


@pytest.mark.parametrize(
    ("table", "row", "column", "check", "difference"),
    [
        # 26,398 - 24,308 = 2,090, printed 2,089: rounding
        ("High Needs forecast", "Annual Revenue Funding Gap", "2023/24", "derived from the printed lines", -1),
        # para 43 Other Capital 3,959 / 2,891 against Appendix C 3,960 / 2,890
        ("Capital programme (para 43)", "Other Capital", "2021/22", None, -1),
        ("Capital programme (para 43)", "Other Capital", "2022/23", None, 1),
        # "growth ... totals £23.1m" against 23,055
        ("Headline statements", "growth_cumulative_2024_25", "", None, 45),
        # property 1: 431 / 82 = 5.26 years, stated "a payback of five years"
        ("Properties", "P1", "payback (gross)", None, 431 / 82 - 5),
    ],
)
def test_rounding_is_rounding(
    findings: pd.DataFrame, table: str, row: str, column: str, check: str | None, difference: float
) -> None:
    f = one(findings, table, row, column, check)
    assert f["severity"] == "rounding"
    assert f["difference"] == pytest.approx(difference, abs=1e-6)


def test_stated_paybacks_that_hold_are_ok(findings: pd.DataFrame) -> None:
    # property 2: 437 / 188 = 2.32 years, "within 2.5 years"
    assert one(findings, "Properties", "P2", "payback (gross)")["severity"] == "ok"
    assert one(findings, "Properties", "P4", "payback (derived saving)")["severity"] == "ok"


def test_a_changed_printed_figure_is_caught() -> None:
    # The reconciler can fail: move one printed total by 100 and it must say so.
    b = load_edition()
    hn = copy.deepcopy(b.high_needs)
    hn["forecast"]["printed"]["annual_gap"]["2021/22"] = 5750
    changed = dataclasses.replace(b, high_needs=hn)
    f = paper_findings(changed)
    hit = f[(f["row"] == "Annual Revenue Funding Gap") & (f["column"] == "2021/22") & (f["severity"] == "disagreement")]
    assert not hit.empty
    assert set(hit["difference"].round(6)) == {100.0}


def test_findings_have_no_nan_and_known_severities(findings: pd.DataFrame) -> None:
    assert not findings[["expected", "actual", "difference", "tolerance"]].isna().any().any()
    assert set(findings["severity"]) <= {"ok", "rounding", "note", "disagreement"}
    counts = summary(findings)
    assert counts.loc["paper", "disagreement"] >= 8


# Every disagreement and note on the bundled edition, as found before the checks became
# data (table prefix, row, column, printed - derived): nothing lost, nothing softened.
PAPER_DISAGREEMENTS = {
    ("Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "internal_income", -250_000),
    ("Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "gross_budget", -250_000),
    ("Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "external_income", 250_000),
    ("Appendix A", "Total Education Quality & Inclusion", "employees", -26_901),
    ("Appendix A", "Total Education Quality & Inclusion", "running_expenses", 26_901),
    ("Net budget by service area", "Business Support and Commissioning", "2021/22", -0.785),
    ("Growth and savings narrative", "CF1", "2021/22", -1_000),
    ("Growth and savings narrative", "CF1", "2024/25", -8_400),
    ("Capital programme", "Additional School Places", "Total", 58.321 - 58_321),
    ("Capital programme", "SEND Programme", "Total", 14.0 - 14_000),
    ("Properties", "P3", "net investment", 100),
    ("Headline statements", "appendix_a_dsg_2021_22", "", 578_300 - 577_659.247),
    *(("Growth drivers", "G6", y, -80) for y in ("2021/22", "2022/23", "2023/24", "2024/25")),
}
PAPER_NOTES = {
    ("Properties", "P1", "annual saving", 82 - 183 * 52 * 3 / 1000),
    ("Properties", "P3", "go-live (months after Appendix 1 date)", 8),
    ("Properties", "All properties", "cash capital", 17),
    ("Headline statements", "cip_capital_programme_line", "", 1_500 - 2_517),
    ("Headline statements", "cip_property_savings_2024_25", "", 500 - 737),
    *(
        ("Growth drivers", "G1", y, d)
        for y, d in zip(
            ("2021/22", "2022/23", "2023/24", "2024/25"), (1642.93, 4942.93, 8742.93, 12542.93), strict=True
        )
    ),
}


def _found(findings: pd.DataFrame, severity: str) -> set[tuple[str, str, str, float]]:
    hit = findings[(findings["kind"] == "paper") & (findings["severity"] == severity)]
    return {
        (t.split(" (")[0], r, c, round(d, 1))
        for t, r, c, d in zip(hit["table"], hit["row"], hit["column"], hit["difference"], strict=True)
    }


def test_every_disagreement_and_note_is_found(findings: pd.DataFrame) -> None:
    assert _found(findings, "disagreement") == {(t, r, c, round(d, 1)) for t, r, c, d in PAPER_DISAGREEMENTS}
    assert _found(findings, "note") == {(t, r, c, round(d, 1)) for t, r, c, d in PAPER_NOTES}
    counts = summary(findings)
    assert counts.loc["paper"].to_dict() == {"ok": 474, "rounding": 62, "note": 9, "disagreement": 16}


def test_the_check_vocabulary() -> None:
    assert set(REGISTRY) >= {"sum_of_parts", "equals", "within_printed_precision", "headline", "driver_implied"}


def test_tolerance_is_half_a_unit_per_rounded_figure(findings: pd.DataFrame) -> None:
    # TOTAL CHILDRENS SOCIAL CARE sums 4 printed rows: 5 figures rounded to the pound
    f = one(findings, "Appendix A", "TOTAL CHILDRENS SOCIAL CARE", "internal_income", "subtotal")
    assert f["tolerance"] == 2.5
    # "£23.1m" (to 100) against the growth total derived from 6 lines (to 1 each)
    assert one(findings, "Headline statements", "growth_cumulative_2024_25", "")["tolerance"] == 50 + 6 * 0.5


def test_reconcile_is_deterministic() -> None:
    assert reconcile().to_csv() == reconcile().to_csv()


# --- editions other than the bundled one ------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_EDITION, folder)
    return folder


def _engine_ok(findings: pd.DataFrame) -> bool:
    engine = findings[findings["kind"] == "engine"]
    return bool(len(engine) > 0 and (engine["severity"] == "ok").all())


def test_an_edition_without_declared_checks_or_appendix_reconciles(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    for name in ("headlines.toml", "checks.toml", "appendix_a.csv"):
        (folder / name).unlink()
    revenue = (folder / "revenue.toml").read_text(encoding="utf-8")  # and what refers to Appendix A
    (folder / "revenue.toml").write_text(revenue[: revenue.index("[service_areas]")], encoding="utf-8")
    ed = load_edition(folder)
    f = reconcile(ed)
    assert _engine_ok(f)
    assert not f["table"].str.startswith(("Headline statements", "Appendix A", "Growth drivers")).any()
    # the generic identities still run on what the edition has
    assert one(f, "Capital programme (para 43)", "Additional School Places", "Total")["severity"] == "disagreement"
    assert len(f[f["kind"] == "paper"]) < len(reconcile()[lambda x: x["kind"] == "paper"])


def test_an_added_line_needs_no_code(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with (folder / "growth_savings.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[lines.G7]\nkind = "growth"\ntitle = "A new pressure"\nprogramme = "growth"\n'
            'values = { "2021/22" = 100, "2022/23" = 200, "2023/24" = 300, "2024/25" = 400 }\n'
            'source = { doc = "mtfs_report", ref = "Appendix B", grep = "G7" }\n'
        )
    f = reconcile(load_edition(folder))
    assert _engine_ok(f)
    # the papers' growth no longer matches the lines: para 9 and the headline say so
    growth = one(f, "Revenue roll-forward", "Add proposed growth", "2021/22")
    assert growth["severity"] == "disagreement" and growth["difference"] == pytest.approx(-100)
    assert one(f, "Headline statements", "growth_cumulative_2024_25", "")["difference"] == pytest.approx(45 - 400)
    # Appendix B's printed growth total names its six lines: still exact
    assert one(f, "Growth and savings", "TOTAL (growth)", "2024/25")["severity"] == "ok"


def test_an_added_year_needs_no_code(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    # every table of years gains 2025/26 = its 2024/25 figure; the horizon gains the year
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'"2024/25" = (-?[0-9.]+)', r'"2024/25" = \1, "2025/26" = \1', text)
        text = text.replace('"2023/24", "2024/25"]\nbase_year', '"2023/24", "2024/25", "2025/26"]\nbase_year')
        path.write_text(text, encoding="utf-8")
    ed = load_edition(folder)
    assert ed.final_year == "2025/26"
    f = reconcile(ed)
    assert _engine_ok(f)
    # "each" checks and the generic identities cover the new year; "final" moves to it
    net = one(f, "Revenue roll-forward (para 9)", "Proposed/provisional net budget", "2025/26", "sub total")
    assert net["severity"] == "ok"
    assert one(f, "Growth drivers", "G6", "2025/26")["difference"] == pytest.approx(-80)
    hn = run(edition=ed).high_needs.loc["cumulative_gap", "2025/26"]
    assert one(f, "Headline statements", "hn_cumulative_2024_25", "")["expected"] == pytest.approx(hn)


def test_an_added_check_needs_no_code(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with (folder / "checks.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[check]]\nid = "g1.each_year"\nkind = "equals"\ntable = "Extra"\nrow = "G1"\n'
            'printed = { data = "growth_savings.lines.G1.values", year = "each" }\n'
            'derived = { table = "cumulative", row = "G1", year = "each" }\n'
            '\n[[check]]\nid = "para12.rounds.appendix"\nkind = "within_printed_precision"\ntable = "Extra"\n'
            'printed = { data = "revenue.service_areas.printed_total" }\n'
            'derived = { table = "appendix_a", row = "total_cfs", column = "la_block", scale = 0.001 }\n'
        )
    f = reconcile(load_edition(folder))
    extra = f[f["table"] == "Extra"]
    each = extra[extra["row"] == "G1"]
    assert list(each["column"]) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert (each["severity"] == "ok").all() and list(each["tolerance"]) == [1.0] * 4
    # 89,087 printed against Appendix A's lines, which sum to GBP 89,086,507: within half a unit
    rounded = extra[extra["row"] == "para12.rounds.appendix"].iloc[0]
    assert rounded["severity"] == "rounding" and rounded["tolerance"] == 0.5
    assert rounded["difference"] == pytest.approx(89_087 - 89_086.507)
    assert rounded["column"] == "la_block"


def test_a_selector_naming_what_is_not_there_is_an_input_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "checks.toml").read_text(encoding="utf-8")
    text = text.replace(
        '{ data = "revenue.roll_forward.printed.growth", year = "each" }',
        '{ data = "revenue.roll_forward.printed.growht", year = "each" }',
    )
    (folder / "headlines.toml").write_text(
        (folder / "headlines.toml").read_text(encoding="utf-8").replace('row = "total:DCFSF"', 'row = "total:NOPE"'),
        encoding="utf-8",
    )
    (folder / "checks.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        reconcile(load_edition(folder))
    lines = err.value.lines()
    assert len(lines) == 2  # every problem at once
    assert "headlines.toml" in lines[0] and "dcfsf_cumulative_2024_25" in lines[0] and "total:NOPE" in lines[0]
    assert "checks.toml" in lines[1] and "roll_forward.printed_net" in lines[1] and "growht" in lines[1]


def test_a_missing_appendix_is_named_by_the_checks_that_need_it(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "appendix_a.csv").unlink()
    with pytest.raises(InputError) as err:
        reconcile(load_edition(folder))
    lines = err.value.lines()
    assert any("revenue.toml: appendix_a: expected an appendix_a.csv file" in line for line in lines)
    declared = [line for line in lines if "headlines.toml" in line]
    assert declared and all("appendix_a" in line for line in declared)
    assert any("gross_budget_2021_22" in line for line in declared)


def test_a_malformed_check_file_reports_every_problem(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "checks.toml").write_text(
        '[[check]]\nid = "a"\nkind = "sum_of_parts"\ntotal = { table = "revenue", row = "net_budget" }\n'
        'parts = [{ data = "revenue.x", table = "revenue", year = "final" }]\n'
        '[[check]]\nid = "b"\nkind = "no_such_kind"\n'
        '[[check]]\nid = "a"\nkind = "driver_implied"\nline = "G6"\nyear = "next"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        reconcile(load_edition(folder))
    text = str(err.value)
    assert len(err.value.lines()) >= 4
    assert all("checks.toml" in line for line in err.value.lines())
    assert "year or column with table" in text and "exactly one of table" in text and "no_such_kind" in text


def test_a_misprint_is_shown_as_printed_and_counted_once(findings: pd.DataFrame) -> None:
    """Para 43's "58.321" (a decimal point for a thousands separator): one finding with
    its kind and the figure as printed; the printed total checks against the rows as
    meant (58,321), so the misprint is not counted again there."""
    from mtfs_model.reconciliation.findings import reader_view, thousands_misprint

    assert thousands_misprint("58.321") == 58_321 and thousands_misprint("14.000") == 14_000
    assert thousands_misprint("58.3") is None and thousands_misprint("84,421") is None
    para43 = findings[findings["table"] == "Capital programme (para 43)"]
    misprints = para43[para43["printed_as"] != ""]
    assert list(misprints["printed_as"]) == ["58.321", "14.000"]
    assert all(c.startswith("misprint: a decimal point for a thousands separator") for c in misprints["check"])
    total = para43[(para43["row"] == "Total") & (para43["check"].str.contains("sum of its printed rows"))]
    assert set(total["severity"]) <= {"ok", "rounding"}
    view = reader_view(misprints)
    at = list(view.columns).index("printed")
    assert list(view.columns[at : at + 3]) == ["printed", "derived", "printed − derived"]
    assert list(view["printed"]) == ["58.321", "14.000"]
    assert list(view["derived"]) == ["58,321.000", "14,000"]
    assert list(view["printed − derived"]) == ["-58,262.679", "-13,986"]
