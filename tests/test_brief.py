"""``mtfs brief``: one self-contained, escaped HTML brief (and an Excel workbook) made by
running the scenario-brief notebook with papermill and exporting it with nbconvert.

One brief is generated for the module (the notebook run is the slow part): the Newton
guarantee and stretch scenarios and a hostile scenario whose name, description and
reference carry markup.  Expected figures are derived by hand from the printed papers.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from mtfs_model import brief, charts
from mtfs_model.cli import main
from mtfs_model.errors import InputError

HOSTILE = """
[scenario]
name = "evil<script>alert(1)</script>"
description = "Danger <script>alert(1)</script> & <img src=x onerror=alert(2)>"
references = [ { title = "<b>bold</b> ref", href = "javascript:alert(3)" } ]

[programmes.DCFSF]
recurring_2024_25 = -5000
"""
DATE = "2021-03-09"


@dataclass(frozen=True)
class Run:
    code: int
    stderr: str
    page: str
    html_path: Path
    xlsx_path: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("brief")
    hostile = d / "hostile.toml"
    hostile.write_text(HOSTILE, encoding="utf-8")
    out, book = d / "out" / "brief.html", d / "out" / "brief.xlsx"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        argv = ["brief", "newton_guarantee", "newton_stretch", str(hostile), "-o", str(out), "--xlsx", str(book)]
        code = main([*argv, "--date", DATE, "--n", "2000", "--seed", "7"])
    return Run(code, err.getvalue(), out.read_text(encoding="utf-8") if out.exists() else "", out, book)


def visible(page: str) -> str:
    """The page's text, images and styles left out."""
    text = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def test_brief_is_written_with_progress(made: Run) -> None:
    assert made.code == 0, made.stderr
    assert "mtfs brief: checking scenarios" in made.stderr
    assert "mtfs brief: executing scenario_brief.ipynb with papermill" in made.stderr
    assert f"mtfs brief: wrote {made.html_path}" in made.stderr
    # atomic writes: nothing but the two files
    assert sorted(p.name for p in made.html_path.parent.iterdir()) == ["brief.html", "brief.xlsx"]


def test_brief_has_the_charts_embedded(made: Run) -> None:
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', made.page)
    # net budget path, a bridge per scenario (3), High Needs deficit, CIP cash; then for
    # the MTFS and each of the 3 scenarios two fan charts and a tornado
    assert len(images) == 6 + 4 * 3
    assert all(len(i) > 5000 for i in images)
    assert made.page.count("<figcaption>") == 6 + 4 * 3
    assert made.page.count('alt="Fan chart: net budget') == 4
    assert made.page.count('alt="Tornado chart') == 4
    assert "stars mark break-even" in made.page


def test_brief_key_figures_by_hand(made: Run) -> None:
    text = visible(made.page)
    assert "Key figures by scenario (£000)" in text
    # 2024/25 net budget: printed 89,851 + the DCFSF savings not delivered (13,200 - delivered)
    for figure in ("89,851", "96,051", "89,951", "98,051"):  # baseline, guarantee, stretch, hostile (5,000)
        assert figure in text
    # the four-year cost of the gap to the MTFS for the guarantee: 29,700 x 6,200 / 13,200
    assert "13,950" in text
    assert "£0.1m above even the £13.1m stretch ambition" in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)


def test_brief_sections(made: Run) -> None:
    text = visible(made.page)
    for part in (
        "Scenario brief",
        f"Date: {DATE}",
        "Changes from the baseline",
        "DCFSF programme reaches -7,000 recurring by 2024/25",
        "The DCFSF programme against the Newton Europe guarantee",
        "Reconciliation status",
        "all ok",
        "The papers' disagreements",
        "Sources",
        "guaranteed to deliver an annual",
        "Run parameters",
        f"run_date = {DATE}",
        "Budget risk",
        "2,000 simulated trajectories a scenario (seed 7)",
        "risk_n = 2,000; risk_seed = 7",
        "newton_guarantee.toml",
    ):
        assert part in text, part
    assert re.search(r'<sup><a href="#src-\d+">\[\d+\]</a></sup>', made.page)


def test_brief_is_self_contained(made: Run) -> None:
    page = made.page
    assert "<script" not in page.lower()
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", page, re.IGNORECASE)
    assert "@import" not in page
    assert "<link" not in page.lower()
    assert brief.external_resources(page) == []


def test_brief_escapes_scenario_text(made: Run) -> None:
    page = made.page
    assert "<script>alert(1)</script>" not in page
    assert "evil&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Danger &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in page
    assert "<img src=x" not in page
    assert "javascript:" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; ref" in page
    assert "onerror=alert" not in re.sub(r"&lt;img src=x onerror=alert\(2\)&gt;", "", page)


def test_brief_workbook(made: Run) -> None:
    wb = load_workbook(made.xlsx_path)
    for sheet in ("Key figures", "Newton levels", "Newton summary", "Newton by year", "High Needs", "Reconciliation"):
        assert sheet in wb.sheetnames
    assert "Paper disagreements" in wb.sheetnames
    ws = wb["Newton summary"]
    header = [c.value for c in ws[1]]
    assert header[0] == "scenario" and "Delivered 2024/25" in header
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "B2"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    delivered = rows["newton_guarantee"][header.index("Delivered 2024/25")]
    assert delivered.value == pytest.approx(7000)
    assert delivered.number_format == "#,##0"
    assert rows["newton_guarantee"][header.index("Delivered, % of MTFS")].number_format == "0.0%"
    assert ws.column_dimensions["A"].width > 10
    kf = wb["Key figures"]
    assert kf.freeze_panes == "C2"  # two index columns: figure, scenario
    rec = wb["Paper disagreements"]
    assert rec.max_row > 1 and [c.value for c in rec[1]][:3] == ["finding", "table", "row"]
    findings = wb["Reconciliation findings"]
    col = [c.value for c in findings[1]].index("severity")
    severities = [r[col].value for r in findings.iter_rows(min_row=2)]
    assert set(severities) == {"disagreement", "note", "rounding"}  # every finding but the ok ones
    assert severities == sorted(severities, key=["disagreement", "note", "rounding"].index)
    scen = {r[0].value: r[1].value for r in wb["Scenarios"].iter_rows(min_row=2)}
    assert scen["evil<script>alert(1)</script>"].startswith("Danger")  # text in a cell, not markup


def test_workbook_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    import pandas as pd

    df = pd.DataFrame({"description": ['=HYPERLINK("http://x.example","click")'], "value": [1234.0]}, index=["s"])
    path = tmp_path / "t.xlsx"
    path.write_bytes(brief.workbook_bytes({"Scenarios": df}))
    ws = load_workbook(path)["Scenarios"]
    assert ws["B2"].data_type == "s" and ws["B2"].value.startswith("=HYPERLINK")
    assert ws["C2"].value == 1234 and ws["C2"].number_format == "#,##0"


def test_unknown_scenario_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_kernel(*_: Any, **__: Any) -> Any:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(brief, "execute_notebook", no_kernel)
    out = tmp_path / "brief.html"
    code = main(["brief", "newton_guarantee", "no_such_scenario", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: scenarios/: name: expected one of" in err and "'no_such_scenario'" in err
    assert not out.exists()


def test_bad_date_fails_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["brief", "newton_guarantee", "-o", str(tmp_path / "b.html"), "--date", "9 March"])
    assert code == 2 and "--date: expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> str:
        raise brief.BriefError("export failed")

    monkeypatch.setattr(brief, "execute_notebook", lambda *a, **k: object())
    monkeypatch.setattr(brief, "export_html", broken)
    out = tmp_path / "brief.html"
    out.write_text("the previous brief", encoding="utf-8")
    with pytest.raises(brief.BriefError):
        brief.write_brief(["newton_guarantee"], out, xlsx=tmp_path / "b.xlsx", progress=False)
    assert out.read_text(encoding="utf-8") == "the previous brief"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html"]


@pytest.mark.parametrize(
    "page",
    [
        '<script src="https://cdn.example/require.js"></script>',
        "<script>alert(1)</script>",
        '<link rel="stylesheet" href="https://fonts.example/css">',
        "<style>@import 'https://fonts.example/x.css';</style>",
        "<style>body{background:url(http://x.example/a.png)}</style>",
        '<img src="//x.example/a.png">',
    ],
)
def test_self_contained_check_catches_external_resources(page: str) -> None:
    assert brief.external_resources(page)
    with pytest.raises(brief.BriefError):
        brief.check_self_contained(page)


def test_self_contained_check_allows_embedded_images_and_links() -> None:
    page = '<img src="data:image/png;base64,AAAA"><a href="https://politics.leics.gov.uk/">papers</a>'
    page += '<a href="#src-1">1</a>'
    assert brief.external_resources(page) == []


def test_default_nbconvert_template_would_not_pass() -> None:
    """The reason for our own template: nbconvert's lab template pulls scripts from a CDN."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")])
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert any("http" in r for r in brief.external_resources(page))


def test_html_pieces_and_charts_are_deterministic() -> None:
    a = brief.build(["newton_guarantee", "hn_transfer_refused"], run_date=DATE)
    b = brief.build(["newton_guarantee", "hn_transfer_refused"], run_date=DATE)
    for piece in (brief.html_header, brief.html_key_figures, brief.html_newton, brief.html_charts, brief.html_footer):
        assert piece(a) == piece(b)
    assert charts.to_png(charts.cip_cash(a.all_results)) == charts.to_png(charts.cip_cash(b.all_results))


def test_html_table_escapes_and_formats() -> None:
    import pandas as pd

    df = pd.DataFrame({"2024/25": [96051.0, -0.4], "share_pct": [0.53, 1.0]}, index=["<b>x</b>", "y"])
    page = brief.html_table(df, "caption <i>")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "caption &lt;i&gt;" in page
    assert ">96,051<" in page and ">53.0%<" in page and ">-0<" in page


def test_unknown_scenario_in_build() -> None:
    with pytest.raises(InputError):
        brief.build(["no_such_scenario"])


def test_no_risk_section_when_risk_n_is_zero() -> None:
    from mtfs_model import brief

    b = brief.build(["newton_guarantee"], run_date=DATE, risk_n=0)
    assert brief.html_risk(b) == ""
    assert "Risk" not in brief.tables(b) or brief.tables(b)["Risk"].empty
