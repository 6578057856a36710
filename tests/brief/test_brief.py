"""``mtfs brief``: one self-contained, escaped HTML brief (and an auditor workbook) made
by running the scenario-brief notebook with papermill and exporting it with nbconvert.

One brief is generated for the module (the notebook run is the slow part): the Newton
guarantee and stretch scenarios and a hostile scenario whose name, description and
reference carry markup.  Expected figures are derived by hand from the printed papers.
Everything else is built in-process (``brief.build`` and the HTML pieces, no kernel):
the first page's sentences (derived from the figures), "only what differs", one voice
(no snake_case), the workbook's live formulas evaluated here and compared with the
engine, scenarios that change no key figure (issue 8), an edition with no guarantee and
no properties, and the five-year second edition.
"""

from __future__ import annotations

import ast
import contextlib
import html
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import mtfs_model
from mtfs_model import load_edition
from mtfs_model.base.errors import InputError
from mtfs_model.brief import build as brief
from mtfs_model.brief.labels import column_labels
from mtfs_model.charts import budget as charts
from mtfs_model.cli.main import main
from tests.paths import TESTS

pytestmark = pytest.mark.slow  # notebooks and briefs: a kernel each (pytest -m "not slow" skips them)

HOSTILE_NAME = "hostile"
"""The hostile scenario's file name (a name with markup is refused wherever it comes from:
``tests/cli/test_cli_inputs.py``); its description and references carry the markup."""
HOSTILE = """
[scenario]
description = "Danger <script>alert(1)</script> & <img src=x onerror=alert(2)>"
references = [ { title = "<b>bold</b> ref", href = "javascript:alert(3)" } ]

[programmes.DCFSF]
recurring = { year = "final", value = -5000 }
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
    hostile = d / f"{HOSTILE_NAME}.toml"
    hostile.write_text(HOSTILE, encoding="utf-8")
    out, book = d / "out" / "brief.html", d / "out" / "brief.xlsx"
    out.parent.mkdir()  # the command never creates a directory
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
    assert "mtfs brief: the Excel workbook came from the same runs" in made.stderr  # not simulated twice
    # atomic writes: nothing but the two files
    assert sorted(p.name for p in made.html_path.parent.iterdir()) == ["brief.html", "brief.xlsx"]


def test_brief_has_the_charts_embedded(made: Run) -> None:
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', made.page)
    # net budget path, the bridges from the MTFS (one figure), the net budget fans (one
    # figure), the High Needs fan (the same in every scenario: once) and a tornado; High
    # Needs and the properties are untouched: one line each, no chart
    assert len(images) == 5
    assert all(len(i) > 5000 for i in images)
    assert made.page.count("<figcaption>") == 5
    assert made.page.count('alt="Waterfall charts: from the MTFS') == 1
    assert made.page.count('alt="Tornado chart') == 1
    text = visible(made.page)
    assert "No scenario changes the High Needs forecast" in text
    assert "No scenario changes the properties" in text


def test_brief_key_figures_by_hand(made: Run) -> None:
    text = visible(made.page)
    assert "Key figures the scenarios change (£000)" in text
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
        "The question.",
        "The answer in figures (£m)",
        "newton guarantee. If the DCFSF (CF1-3) programme delivers only the £7.0m Newton Europe guarantees by 2024/25",
        "Changes (£000 unless stated)",
        "DCFSF (CF1-3) programme: recurring: -13,200 by 2024/25 → -7,000 by 2024/25",
        "The DCFSF (CF1-3) programme against the Newton Europe guarantee",
        "The MTFS books £13.2m a year from the DCFSF (CF1-3) programme by 2024/25",
        "against the MTFS as published (19 January 2021)",
        "Newton Europe guarantee and fee cap",
        "Scenario brief: Children and Family Services MTFS 2021/22–2024/25",
        "edition = cfs-2021-22",
        "Reconciliation",
        "every one holds",
        "The papers' disagreements",
        "Sources",
        "guaranteed to deliver an annual",
        "Run parameters",
        f"run_date = {DATE}",
        "Budget risk",
        "2,000 simulated futures a scenario (seed 7)",
        "risk_n = 2,000; risk_seed = 7",
        "newton_guarantee.toml",
        "From the MTFS to each scenario",
    ):
        assert part in text, part
    assert re.search(r'<sup><a href="#src-\d+">\[\d+\]</a></sup>', made.page)
    # sources name the paper, not a hashed text file
    assert not re.search(r"\b\d{3}_[0-9a-f]{16}\.txt", made.page)


def test_the_answer_comes_first(made: Run) -> None:
    page = made.page
    first = page.index('<section class="first-page">')
    assert first < page.index("The scenarios") < page.index("Budget risk")
    assert page.index("The question.") < page.index("The answer in figures") < page.index("<img")


def test_html_is_byte_for_byte_reproducible_for_a_fixed_date(made: Run, tmp_path: Path) -> None:
    hostile = tmp_path / f"{HOSTILE_NAME}.toml"
    hostile.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "again.html"
    argv = ["brief", "newton_guarantee", "newton_stretch", str(hostile), "-o", str(out)]
    with contextlib.redirect_stderr(io.StringIO()):
        assert main([*argv, "--date", DATE, "--n", "2000", "--seed", "7"]) == 0
    assert out.read_bytes() == made.html_path.read_bytes()


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
    assert "Danger &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in page
    assert "<img src=x" not in page
    assert "javascript:" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; ref" in page
    assert "onerror=alert" not in re.sub(r"&lt;img src=x onerror=alert\([29]\)&gt;", "", page)


def test_brief_workbook(made: Run) -> None:
    wb = load_workbook(made.xlsx_path)
    for sheet in (
        "Summary",
        "Inputs",
        "Revenue",
        "Growth and savings",
        "Change from MTFS",
        "Guarantee levels",
        "Guarantee summary",
        "Guarantee by year",
        "High Needs",
        "Capital",
        "Properties",
        "Risk",
        "Risk summary",
        "Risk views",
        "Guarantee worth",
        "Reconciliation",
        "Reconciliation findings",
        "Sources",
        "Scenarios",
    ):
        assert sheet in wb.sheetnames, sheet
    assert wb.sheetnames[0] == "Summary"
    ws = wb["Guarantee summary"]
    header = [c.value for c in ws[4]]
    assert header[0] == "Scenario" and "Delivered 2024/25 (£000)" in header
    assert "Gap to MTFS, 4 years (£000)" in header and "Net budget 2024/25 (£000)" in header
    assert all(c.font.bold for c in ws[4])
    assert ws.freeze_panes == "B5"
    levels = [r[0].value for r in wb["Guarantee levels"].iter_rows(min_row=5)]
    assert levels == ["Guarantee (Newton Europe floor)", "Estimate", "Stretch ambition", "MTFS assumes (CF1-CF3)"]
    findings = wb["Reconciliation findings"]
    head = [c.value for c in findings[4]]
    col = head.index("Severity")
    severities = [r[col].value for r in findings.iter_rows(min_row=5)]
    assert set(severities) == {"disagreement", "note", "rounding"}  # every finding but the ok ones
    assert severities == sorted(severities, key=["disagreement", "note", "rounding"].index)
    assert not any("_" in str(r[head.index("Column")].value) for r in findings.iter_rows(min_row=5))
    sources = [str(r[head.index("Source")].value) for r in findings.iter_rows(min_row=5)]
    assert not any(re.search(r"\d{3}_[0-9a-f]{16}\.txt", x) for x in sources)
    assert any("Medium Term Financial Strategy" in x for x in sources)
    scen = {r[0].value: r[1].value for r in wb["Scenarios"].iter_rows(min_row=5)}
    assert scen[HOSTILE_NAME].startswith("Danger")  # text in a cell, not markup
    assert wb["Scenarios"]["B" + str(4 + list(scen).index(HOSTILE_NAME) + 1)].data_type == "s"


def test_workbook_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    import pandas as pd

    df = pd.DataFrame({"description": ['=HYPERLINK("http://x.example","click")'], "value": [1234.0]}, index=["s"])
    path = tmp_path / "t.xlsx"
    path.write_bytes(brief.workbook_bytes({"Scenarios": df}))
    ws = load_workbook(path)["Scenarios"]
    assert ws["B5"].data_type == "s" and ws["B5"].value.startswith("=HYPERLINK")
    assert ws["C5"].value == 1234 and ws["C5"].number_format == "#,##0"


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
    assert "scenario: expected one of" in err and "'no_such_scenario'" in err
    assert not out.exists()


def test_a_name_with_markup_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_kernel(*_: Any, **__: Any) -> Any:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(brief, "execute_notebook", no_kernel)
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "evil<script>alert(1)</script>"\ndescription = "x"\n', encoding="utf-8")
    code = main(["brief", str(bad), "-o", str(tmp_path / "b.html")])
    assert code == 2 and "scenario.name: expected text matching the pattern" in capsys.readouterr().err
    assert not (tmp_path / "b.html").exists()


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
    for piece in (
        brief.html_header,
        brief.html_key_figures,
        brief.html_guarantee,
        brief.html_charts,
        brief.html_footer,
    ):
        assert piece(a) == piece(b)
    assert charts.to_png(charts.cip_cash(a.all_results)) == charts.to_png(charts.cip_cash(b.all_results))


def test_html_table_escapes_and_formats() -> None:
    import pandas as pd

    df = pd.DataFrame({"2024/25": [96051.0, -0.4], "share_pct": [0.53, 1.0]}, index=["<b>x</b>", "y"])
    page = brief.html_table(df, "caption <i>")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "caption &lt;i&gt;" in page
    assert ">96,051<" in page and ">53.0%<" in page and ">0<" in page and ">-0<" not in page


def test_unknown_scenario_in_build() -> None:
    with pytest.raises(InputError):
        brief.build(["no_such_scenario"])


def test_no_risk_section_when_risk_n_is_zero() -> None:
    from mtfs_model.brief import build as brief

    b = brief.build(["newton_guarantee"], run_date=DATE, risk_n=0)
    assert brief.html_risk(b) == ""
    assert "Risk" not in brief.tables(b) or brief.tables(b)["Risk"].empty


# --- scenarios that change no key figure (issue 8) -------------------------------------

NO_KEY_FIGURE = {
    "fee_only": "[guarantee]\nfee_rate = 0.1\n",
    "fee_capped": "[guarantee]\nfee_rate = 0.1\nfee_cap_gbp000 = 1000\n",
    "discount_rate": "[cip]\ndiscount_rate = 0.05\n",
    "retained_value": "[properties.P1]\nretained_value = 100\n",
}
PIECES = (
    "html_header",
    "html_scenarios",
    "html_key_figures",
    "html_guarantee",
    "html_charts",
    "html_high_needs_cip",
    "html_risk",
    "html_reconciliation",
    "html_sources",
    "html_footer",
)


def every_piece(b: brief.Brief) -> str:
    """What the notebook shows, cell by cell, in-process (no kernel)."""
    return "".join(getattr(brief, name)(b) for name in PIECES)


@pytest.mark.parametrize("name", sorted(NO_KEY_FIGURE))
def test_a_scenario_that_changes_no_key_figure_still_briefs(name: str, scenario_file: Any) -> None:
    path = scenario_file(f'[scenario]\ndescription = "{name}"\n' + NO_KEY_FIGURE[name], name)
    b = brief.build([str(path)], run_date=DATE, risk_n=0)
    changes = brief.changes_from_mtfs(b)
    assert changes.empty and list(changes.columns) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert changes.index.names == ["figure", "scenario"]
    page = every_piece(b)
    text = visible(page)
    assert "No scenario changes a key figure" in text
    assert "Change from the MTFS as published" not in text
    assert "89,851" in text and name.replace("_", " ") in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    book = load_workbook(io.BytesIO(brief.workbook(b)))
    ev = Evaluator(book)
    changes_sheet = book["Change from MTFS"]
    values = [
        ev.value("Change from MTFS", c.coordinate) for r in changes_sheet.iter_rows(min_row=5, min_col=3) for c in r
    ]
    assert values and all(abs(v) < 0.01 for v in values)  # every change a formula, every one zero


def test_fee_scenarios_show_the_fee_rows_and_notes(scenario_file: Any) -> None:
    fee = scenario_file('[scenario]\ndescription = "fee"\n' + NO_KEY_FIGURE["fee_only"], "fee_only")
    capped = scenario_file('[scenario]\ndescription = "capped"\n' + NO_KEY_FIGURE["fee_capped"], "fee_capped")
    b = brief.build([str(fee), str(capped)], run_date=DATE, risk_n=0)
    text = visible(brief.html_guarantee(b))
    assert "Fee ASSUMED (not printed) at 10.0% of the benefit delivered each year, uncapped" in text
    assert "capped at £1,000k over the 4 MTFS years" in text
    assert "Fee (ASSUMPTION: not printed)" in text
    by_year = brief.tables(b)["Guarantee by year"]
    # 10% of 2,200 / 5,300 / 9,000 / 13,200 delivered: 2,970 in all; capped at 1,000 (the cap binds in 2023/24)
    fee = "Fee (ASSUMPTION: not printed)"
    assert by_year.loc[("fee only", fee)].sum() == pytest.approx(2970)
    assert by_year.loc[("fee capped", fee)].tolist() == pytest.approx([220, 530, 250, 0])


def test_several_no_key_figure_scenarios_with_one_that_moves(scenario_file: Any) -> None:
    fee = scenario_file('[scenario]\ndescription = "fee"\n' + NO_KEY_FIGURE["fee_only"], "fee_only")
    b = brief.build([str(fee), "newton_guarantee"], run_date=DATE, risk_n=0)
    changes = brief.changes_from_mtfs(b)
    assert set(changes.index.get_level_values("scenario")) == {"fee only", "newton guarantee"}
    assert changes.loc[("Net budget", "newton guarantee"), "2024/25"] == pytest.approx(6200)
    assert changes.loc[("Net budget", "fee only")].abs().max() == 0


# --- an edition with no guarantee and no properties ----------------------------------------


@pytest.fixture(scope="module")
def bare_edition(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("editions") / "bare"
    shutil.copytree(load_edition().path, folder)
    text = (folder / "edition.toml").read_text(encoding="utf-8")
    text = re.sub(r"^(property_savings_line|guarantee_programme|guarantee_partner) = .*$", "", text, flags=re.M)
    (folder / "edition.toml").write_text(text.replace('id = "cfs-2021-22"', 'id = "bare"'), encoding="utf-8")
    cip = (folder / "cip.toml").read_text(encoding="utf-8")
    (folder / "cip.toml").write_text(cip[: cip.index("[properties.")], encoding="utf-8")
    for optional in ("headlines.toml", "checks.toml"):  # the reconciler's checks of the properties' figures
        (folder / optional).unlink()
    return load_edition(folder)


def test_an_edition_without_guarantee_or_properties_still_briefs(bare_edition: Any, scenario_file: Any) -> None:
    dearer = scenario_file(
        '[scenario]\ndescription = "dearer"\n[lines.G1.drivers]\nunit_cost_current_gbp_week = 4400\n'
    )
    b = brief.build([str(dearer)], run_date=DATE, risk_n=0, edition=bare_edition)
    assert b.terms is None and b.edition is bare_edition
    assert b.title == "Scenario brief: " + bare_edition.title
    text = visible(every_piece(b))
    assert "This edition links no savings programme to a guarantee." in text  # one line
    assert "No invest-to-save properties in this edition" in text
    assert "Newton" not in text and "DCFSF (CF1-3) programme" not in text
    assert "edition = bare" in text
    sheets = brief.tables(b)
    assert not {"Guarantee levels", "Guarantee summary", "Guarantee by year", "Properties"} & set(sheets)
    assert {"Key figures", "High Needs", "Reconciliation"} <= set(sheets)
    book = load_workbook(io.BytesIO(brief.workbook(b)))
    assert not {"Guarantee levels", "Guarantee summary", "Guarantee by year", "Properties"} & set(book.sheetnames)
    check_workbook(book, b)
    # the edition can be given as a folder path too (the notebooks' ``edition`` parameter)
    assert brief.build([], run_date=DATE, risk_n=0, edition=str(bare_edition.path)).edition is bare_edition


def test_edition_parameter_of_the_notebooks(bare_edition: Any) -> None:
    assert brief.as_edition(None) is load_edition() and brief.as_edition("") is load_edition()
    assert brief.as_edition(bare_edition.path) is bare_edition
    assert "edition" in brief.notebook_parameters("scenario_brief")
    results = brief.run_scenarios(["baseline"], str(bare_edition.path))
    assert results[0].edition is bare_edition


# --- no edition literal in the brief's code ----------------------------------------------

LITERAL = re.compile(
    r"20[0-9]{2}/[0-9]{2}|20[0-9]{2}_[0-9]{2}"  # fiscal years
    r'|"(?:G|CF|P)[0-9]"|\b(?:G|CF|P)\d\b'  # line and property codes
    r"|DCFSF|Proposed/provisional|Newton Europe"  # a programme id, a printed label, the partner
)


def code_without_docstrings(path: Path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # module, class, function and attribute docstrings
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            node.value.value = ""
    return ast.unparse(tree)


@pytest.mark.parametrize(
    "module",
    [
        "engine/guarantee",
        "engine/guarantee_terms",
        "charts/budget",
        "charts/risk",
        "charts/backtest",
        "brief/build",
        "brief/tables",
        "brief/html",
        "brief/sections",
        "brief/text",
        "brief/figures",
        "brief/inputs",
        "brief/css",
        "brief/xlsx",
        "brief/workbook",
        "brief/sheets",
        "brief/export",
    ],
)
def test_no_edition_literal_in_the_code(module: str) -> None:
    path = Path(mtfs_model.__file__).parent / f"{module}.py"
    found = LITERAL.findall(code_without_docstrings(path))
    assert not found, found
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500 or not module.startswith("brief")


def test_scenario_objects_are_briefed_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``mtfs brief a+b`` passes: Scenario objects, a combination with no file of its own."""
    from mtfs_model import load_scenario
    from mtfs_model.scenarios import compose

    seen: dict[str, Any] = {}

    def no_kernel(name: str, params: dict[str, Any], **_: Any) -> Any:
        seen.update(params, loaded=[load_scenario(p) for p in params["scenarios"]])
        return object()

    monkeypatch.setattr(brief, "execute_notebook", no_kernel)
    monkeypatch.setattr(brief, "export_html", lambda nb, title: "<p>the page</p>")
    combined = compose.combine("newton_guarantee", "hn_transfer_refused")
    stretch = load_scenario("newton_stretch")
    out = tmp_path / "brief.html"
    brief.write_brief([combined, stretch], out, progress=False, risk_n=0, run_date=DATE)
    assert out.read_text(encoding="utf-8") == "<p>the page</p>"
    assert seen["scenarios"][1] == str(stretch.path.resolve()) and seen["edition"] == ""
    assert seen["loaded"][0].overrides == combined.overrides and seen["loaded"][0].changes == combined.changes
    assert seen["title"] == "Scenario brief: Children and Family Services MTFS 2021/22–2024/25"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html"]  # the combination's file was temporary


# --- the first page: the question, and the answer from the figures ------------------------

PIECES_IN_ORDER = (
    "html_header",
    "html_answer",
    "html_scenarios",
    "html_key_figures",
    "html_charts",
    "html_guarantee",
    "html_high_needs_cip",
    "html_risk",
    "html_reconciliation",
    "html_sources",
    "html_footer",
)


@pytest.fixture(scope="module")
def newton() -> brief.Brief:
    return brief.build(["newton_guarantee", "newton_estimate", "newton_stretch"], run_date=DATE, risk_n=4000)


def test_first_page_sentences_come_from_the_figures(newton: brief.Brief) -> None:
    text = visible(brief.html_answer(newton))
    assert "The question. What does each of the three scenarios do to the 2024/25 net budget" in text
    assert (
        "newton guarantee. If the DCFSF (CF1-3) programme delivers only the £7.0m Newton Europe guarantees by "
        "2024/25 (the MTFS books £13.2m), the 2024/25 net budget is £96.1m, £6.2m above the MTFS, and the council "
        "bears £14.0m more than the MTFS over the four years."
    ) in text
    assert "If the DCFSF (CF1-3) programme delivers its £9.3m estimate by 2024/25" in text
    assert "delivers its £13.1m stretch ambition" in text and "£90.0m, £0.1m above the MTFS" in text
    assert "As published, the MTFS sets the 2024/25 net budget at £89.9m" in text
    answer = brief.table(newton, "Answer")
    assert answer.loc["newton guarantee", "above_final"] == pytest.approx(6200)
    assert answer.loc["newton guarantee", "council_horizon"] == pytest.approx(13950)  # 29,700 x 6,200 / 13,200
    assert answer.loc["MTFS as published", "net_final"] == pytest.approx(89851)
    row = answer.loc["newton guarantee"]
    assert row["contingency_p80"] <= row["contingency_p90"] and 0 < row["above_pct"] < 1
    # the figures the sentences quote are the table's, in £m
    assert "(£m)" in text and "96.1" in text and "Contingency for 4 years at P90 (£m)" in text


def test_change_a_scenario_and_its_sentence_changes(scenario_file: Any) -> None:
    dearer = scenario_file(
        '[scenario]\ndescription = "d"\n[programmes.DCFSF]\nrecurring = { year = "final", value = -8000 }\n'
    )
    g1 = scenario_file(
        '[scenario]\ndescription = "g"\n[lines.G1.drivers]\nunit_cost_current_gbp_week = 4400\n', "g1_dearer"
    )
    refused = scenario_file(
        '[scenario]\ndescription = "r"\n[high_needs]\nschools_block_transfer_approved = false\n', "r"
    )
    b = brief.build([str(dearer), str(g1), str(refused)], run_date=DATE, risk_n=0)
    text = visible(brief.html_answer(b))
    assert "If the DCFSF (CF1-3) programme saves £8.0m a year by 2024/25 instead of the £13.2m the MTFS books, " in text
    assert "the 2024/25 net budget is £95.1m, £5.2m above the MTFS" in text
    assert "If Demographic growth - Social Care Placements (G1) costs" in text
    assert "If High Needs schools block transfer not approved cost £2.0m more over the four years" in text
    assert "the High Needs deficit reaches £31.2m by the end of 2024/25, £2.0m above the forecast" in text
    assert "contingency" not in text.lower().split("the question.")[1].split("?")[0]  # no risk: not asked
    assert "What does each of the three scenarios do" in text


def test_surprising_figures_are_explained(newton: brief.Brief) -> None:
    risk = visible(brief.html_risk(newton))
    assert "About even (" in risk and "exactly at the £7.0m floor" in risk
    assert "times the forecast" in risk and "random walk" in risk
    answer = visible(brief.html_answer(newton))
    assert "Even the MTFS as published ends above itself" in answer
    assert '<sup class="mark">' in brief.html_risk(newton)


# --- one voice and only what differs ---------------------------------------------------------

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def test_no_snake_case_or_code_ids_in_headers_and_text(newton: brief.Brief) -> None:
    page = "".join(getattr(brief, p)(newton) for p in PIECES_IN_ORDER if p != "html_footer")
    headers = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]
    assert headers and not [h for h in headers if SNAKE.search(h)]
    assert not SNAKE.findall(visible(page))
    for bad in ("gap_2024/25_P10", "exceeds_mtfs_pct", "internal_income", "baseline"):
        assert bad not in visible(page)
    # every header of a figures table carries its unit (or is a word column)
    tables = [t for t in re.findall(r"<table.*?</table>", page, re.S) if ">Unit</th>" not in t]  # else a unit a row
    numeric_heads = [h for t in tables for h in re.findall(r'<th scope="col" class="num">(.*?)</th>', t)]
    assert numeric_heads and all(re.search(r"\((£000|£m|%|count|£000 or £|year)", h) for h in numeric_heads)


def test_only_what_differs(newton: brief.Brief) -> None:
    hn_cip = visible(brief.html_high_needs_cip(newton))
    assert "No scenario changes the High Needs forecast" in hn_cip and "<img" not in brief.html_high_needs_cip(newton)
    assert "No scenario changes the properties" in hn_cip
    kf = visible(brief.html_key_figures(newton))
    assert "The same in every scenario (2024/25): Growth (cumulative) £23.1m" in kf
    assert "Capital programme" not in kf.split("The same in every scenario")[0]
    guarantee_text = visible(brief.html_guarantee(newton))
    assert "the same in every scenario" in guarantee_text  # MTFS assumes, floor: once
    risk_text = visible(brief.html_risk(newton))
    assert "High Needs deficit 2024/25, P90 (£000)" in risk_text and "the same in every scenario" in risk_text
    # a bridge per scenario, from the MTFS, adding up
    for r in newton.results:
        t = charts.mtfs_bridge_table(r, newton.baseline)
        assert t.index[0] == "MTFS as published" and t["running"].iloc[0] == pytest.approx(89851)
        assert t["running"].iloc[-1] == pytest.approx(float(r.net_budget.iloc[-1]))
        assert t["change"].iloc[1:-1].sum() == pytest.approx(t["running"].iloc[-1] - 89851)


def test_a_touched_section_shows_its_table_and_chart() -> None:
    b = brief.build(["hn_transfer_refused", "cip_late_go_live"], run_date=DATE, risk_n=0)
    page = brief.html_high_needs_cip(b)
    assert page.count("<img") == 2 and "No scenario changes" not in visible(page)
    assert "High Needs Block: annual gap and cumulative deficit (£000)" in visible(page)


def test_a4_print_css() -> None:
    css = brief.CSS.replace(" ", "")
    assert "@page{size:A4" in css and "margin:" in css
    assert "break-after:avoid" in css and "break-inside:avoid" in css
    assert "thead{display:table-header-group}" in css
    assert "url(" not in css and "@import" not in css


def test_each_simulation_runs_once_for_the_html_and_the_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtfs_model.brief import tables as brief_tables

    calls: list[str] = []
    real = brief_tables.simulate

    def counting(scenario: Any, *a: Any, **k: Any) -> Any:
        calls.append(scenario.name)
        return real(scenario, *a, **k)

    monkeypatch.setattr(brief_tables, "simulate", counting)
    b = brief.build(["newton_guarantee", "newton_stretch"], run_date=DATE, risk_n=1000)
    for piece in PIECES_IN_ORDER:
        getattr(brief, piece)(b)
    brief.workbook(b)
    # each scenario once, then the MTFS as published in the view "as the paper assumes" and
    # with the guarantee not honoured (the two views; what the guarantee is worth), once each
    assert calls == [
        "baseline", "newton_guarantee", "newton_stretch", "baseline - paper view", "baseline - guarantee not honoured"
    ]  # fmt: skip


def test_contingency_reads_the_samples(newton: brief.Brief) -> None:
    import numpy as np

    from mtfs_model.brief.figures import contingency, gap_percentile

    rr = brief.risk_results(newton)[1]
    assert gap_percentile(rr, 90) == pytest.approx(float(rr.gap.loc["P90", "2024/25"]))
    summed = (rr.samples.net - rr.reference.iloc[0].to_numpy()).sum(axis=1)
    assert contingency(rr, 80) == pytest.approx(max(float(np.percentile(summed, 80)), 0.0))
    assert contingency(rr, 80) < contingency(rr, 90)


# --- the auditor workbook: live formulas that evaluate to the engine's figures ---------------

SHEET = r"(?:(?:'([^']+)'|([A-Za-z][A-Za-z0-9_]*))!)?"
RANGE = re.compile(SHEET + r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
REF = re.compile(SHEET + r"\$?([A-Z]{1,3})\$?(\d+)\b")


class Evaluator:
    """Evaluates the workbook's formulas here (no spreadsheet program): references
    (sheet-qualified or not), ranges, SUM, MAX, MIN, + - * / and numbers only."""

    def __init__(self, wb: Any) -> None:
        self.wb, self.memo = wb, {}

    def value(self, sheet: str, coord: str) -> Any:
        key = (sheet, coord)
        if key not in self.memo:
            v = self.wb[sheet][coord].value
            if isinstance(v, str) and v.startswith("="):
                v = self.formula(sheet, v[1:])
            self.memo[key] = 0.0 if v is None else v
        return self.memo[key]

    def formula(self, sheet: str, f: str) -> float:
        from openpyxl.utils import column_index_from_string as ci
        from openpyxl.utils import get_column_letter as gl

        ranges: list[list[Any]] = []

        def rng(m: re.Match[str]) -> str:
            sh = m.group(1) or m.group(2) or sheet
            c0, r0, c1, r1 = ci(m.group(3)), int(m.group(4)), ci(m.group(5)), int(m.group(6))
            ranges.append([self.value(sh, f"{gl(c)}{r}") for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)])
            return f"§{len(ranges) - 1}§"

        f = RANGE.sub(rng, f)
        f = REF.sub(lambda m: repr(self.value(m.group(1) or m.group(2) or sheet, f"{m.group(3)}{m.group(4)}")), f)
        f = re.sub(r"§(\d+)§", r"RANGES[\1]", f)
        assert re.fullmatch(r"[\w\s.+\-*/(),\[\]e]*", f), f

        def total(*xs: Any) -> float:
            return float(sum(sum(x) if isinstance(x, list) else x for x in xs))

        env = {"SUM": total, "RANGES": ranges, "MAX": max, "MIN": min, "__builtins__": {}}
        return float(eval(f, env))


def rows_of(ws: Any) -> dict[tuple[str, str], int]:
    """(scenario, row label) -> row number, for the year sheets (A scenario, B label)."""
    return {(str(r[0].value), str(r[1].value)): r[0].row for r in ws.iter_rows(min_row=5) if r[0].value}


def is_formula(ws: Any, coord: str) -> bool:
    return isinstance(ws[coord].value, str) and ws[coord].value.startswith("=")


def check_workbook(book: Any, b: brief.Brief) -> None:
    """Every total and difference a formula, and each evaluating to the engine's figure."""
    from mtfs_model.base import rows
    from mtfs_model.engine import guarantee, high_needs

    ev = Evaluator(book)
    ed, years = b.edition, list(b.years)
    cols = [chr(ord("C") + j) for j in range(len(years))]
    rev, gs, hn = book["Revenue"], book["Growth and savings"], book["High Needs"]
    at_rev, at_gs, at_hn = rows_of(rev), rows_of(gs), rows_of(hn)
    net_label = ed.label("revenue", rows.NET_BUDGET)
    for name, r in zip(b.names, b.all_results, strict=True):
        for j, y in enumerate(years):
            coord = f"{cols[j]}{at_rev[(name, net_label)]}"
            assert is_formula(rev, coord)
            assert ev.value("Revenue", coord) == pytest.approx(float(r.revenue.loc[rows.NET_BUDGET, y]), abs=0.01)
            gap = f"{cols[j]}{at_rev[(name, 'Gap to the MTFS (net budget - MTFS)')]}"
            expected = float(r.revenue.loc[rows.NET_BUDGET, y] - b.baseline.revenue.loc[rows.NET_BUDGET, y])
            assert is_formula(rev, gap) and ev.value("Revenue", gap) == pytest.approx(expected, abs=0.01)
            for prog in ed.programmes:
                coord = f"{cols[j]}{at_gs[(name, prog.label or f'Total {prog.short}')]}"
                assert is_formula(gs, coord)
                value = float(r.cumulative.loc[rows.programme_total(prog.id), y])
                assert ev.value("Growth and savings", coord) == pytest.approx(value, abs=0.01)
            for rid in (high_needs.TOTAL_EXPENDITURE, high_needs.ANNUAL_GAP, high_needs.CUMULATIVE):
                coord = f"{cols[j]}{at_hn[(name, ed.hn_label(rid))]}"
                assert is_formula(hn, coord)
                assert ev.value("High Needs", coord) == pytest.approx(float(r.high_needs.loc[rid, y]), abs=0.01)
    if b.terms is not None:
        gy = book["Guarantee by year"]
        at_g = rows_of(gy)
        labels = guarantee.measure_labels(ed)
        for name, r in zip(b.names, b.all_results, strict=True):
            g = guarantee.guarantee_table(r, b.terms)
            for rid in (guarantee.GAP, guarantee.PARTNER, guarantee.COUNCIL, guarantee.CUM_COUNCIL):
                for j, y in enumerate(years):
                    coord = f"{cols[j]}{at_g[(name, labels[rid])]}"
                    assert is_formula(gy, coord)
                    assert ev.value("Guarantee by year", coord) == pytest.approx(float(g.loc[rid, y]), abs=0.01)
    summary = book["Summary"]
    head = [c.value for c in summary[4]]
    answer = brief.table(b, "Answer")
    keys = {"above_final": 3, "council_horizon": 6, "hn_final": 7}
    for row in summary.iter_rows(min_row=5):
        name = row[0].value
        linked = [1, 2, 3, 4, 6, 7] + ([5] if b.terms is not None else [])  # no guarantee: the partner bears 0
        assert all(is_formula(summary, row[i].coordinate) for i in linked)
        for key, i in keys.items():
            assert ev.value("Summary", row[i].coordinate) == pytest.approx(float(answer.loc[name, key]), abs=0.02), (
                name,
                head[i],
            )
        if "contingency_p90" in answer:
            assert ev.value("Summary", row[11].coordinate) == pytest.approx(float(answer.loc[name, "contingency_p90"]))
            assert ev.value("Summary", row[9].coordinate) == pytest.approx(float(answer.loc[name, "gap_p90"]), abs=0.01)
    cap = book["Capital"]
    lcc = next(r for r in cap.iter_rows(min_row=5) if r[0].value == ed.label("capital", "lcc_requirement"))
    for j, y in enumerate(years):
        assert ev.value("Capital", lcc[1 + j].coordinate) == pytest.approx(
            float(b.baseline.capital_financing.loc["lcc_requirement", y]), abs=0.01
        )
    for ws in book:  # print setup and units on every sheet
        assert (
            int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and int(ws.page_setup.fitToWidth or 1) == 1
        )  # 1 is the default
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$4:$4"
        assert ws.oddHeader.center.text
        heads = [str(c.value) for c in ws[4] if c.value is not None]
        assert not [h for h in heads if SNAKE.search(h)], (ws.title, heads)
        for c in ws[5]:
            if isinstance(c.value, float):
                assert round(c.value, 3) == c.value  # to the pound


def test_workbook_formulas_evaluate_to_the_engine_figures(newton: brief.Brief) -> None:
    book = load_workbook(io.BytesIO(brief.workbook(newton)))
    check_workbook(book, newton)
    rev = book["Revenue"]
    assert "2021/22 (£000)" in [c.value for c in rev[4]]
    assert (
        rev.page_setup.orientation == "portrait"
        and book["Reconciliation findings"].page_setup.orientation == "landscape"
    )
    f = book["Reconciliation findings"]
    head = [c.value for c in f[4]]
    i, j, k = (
        head.index("Derived from the parts (£000 or £)"),
        head.index("Printed (£000 or £)"),
        head.index("Printed - derived (£000 or £)"),
    )
    ev = Evaluator(book)
    for r in f.iter_rows(min_row=5):
        assert is_formula(f, r[k].coordinate)
        assert ev.value("Reconciliation findings", r[k].coordinate) == pytest.approx(r[j].value - r[i].value)
    inputs = {
        (r[0].value, r[2].value): (r[3].value, r[4].value, r[5].value) for r in book["Inputs"].iter_rows(min_row=5)
    }
    mtfs, new, source = inputs[("newton guarantee", "DCFSF (CF1-3) programme: recurring")]
    assert (mtfs, new) == ("-13,200 by 2024/25", "-7,000 by 2024/25") and "guaranteed to deliver" in source
    src = [[c.value for c in r] for r in book["Sources"].iter_rows(min_row=5)]
    assert src and all(r[1] and r[2] and r[3] and ".txt" not in str(r[1]) for r in src)


def test_workbook_for_high_needs_properties_and_fee_scenarios(scenario_file: Any) -> None:
    fee = scenario_file('[scenario]\ndescription = "fee"\n' + NO_KEY_FIGURE["fee_capped"], "fee_capped")
    b = brief.build(["hn_transfer_refused", "cip_late_go_live", "hn_savings_half", str(fee)], run_date=DATE, risk_n=500)
    book = load_workbook(io.BytesIO(brief.workbook(b)))
    check_workbook(book, b)
    inputs = [[c.value for c in r] for r in book["Inputs"].iter_rows(min_row=5)]
    assert ["hn savings half", "High Needs: Demand Savings delivered", "100 %", "50 %"] in [
        [r[0], *r[2:5]] for r in inputs
    ]
    assert ["fee capped", "Guarantee (assumption, not printed): fee rate", "not set", "10 %"] in [
        [r[0], *r[2:5]] for r in inputs
    ]


def test_the_five_year_edition_briefs() -> None:
    ed = load_edition(TESTS / "editions" / "cfs_2022_23")
    b = brief.build(["baseline"], run_date=DATE, risk_n=500, edition=ed)
    assert len(b.years) == 5
    page = "".join(getattr(brief, p)(b) for p in PIECES_IN_ORDER)
    text = visible(page)
    assert "over the five years of the MTFS" in text and "2026/27" in text
    check_workbook(load_workbook(io.BytesIO(brief.workbook(b))), b)


# --- the workbook as an auditor opens it: values without recalculation, formats by what a figure is


def test_workbook_opens_with_values_anywhere(newton: brief.Brief) -> None:
    """Every formula carries its computed value (a preview, pandas or Protected View sees
    the figures without recalculating), and the cached values are the engine's figures."""
    import pandas as pd

    data = brief.workbook(newton)
    live, cached = load_workbook(io.BytesIO(data)), load_workbook(io.BytesIO(data), data_only=True)
    formulas = [
        (ws.title, c.coordinate) for ws in live for row in ws.iter_rows() for c in row if is_formula(ws, c.coordinate)
    ]
    assert len(formulas) > 500
    assert [f for f in formulas if cached[f[0]][f[1]].value is None] == []
    rev = rows_of(live["Revenue"])
    net_label = newton.edition.label("revenue", "net_budget")
    for name, r in zip(newton.names, newton.all_results, strict=True):
        at = f"F{rev[(name, net_label)]}"
        assert cached["Revenue"][at].value == pytest.approx(float(r.revenue.loc["net_budget", "2024/25"]), abs=0.01)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=3)
    summary = sheets["Summary"].set_index("Scenario")
    assert summary.notna().all().all() and summary.index[0] == "MTFS as published"
    assert "newton guarantee" in summary.index  # names, not ids


def test_workbook_formats_follow_what_a_figure_is(newton: brief.Brief) -> None:
    book = load_workbook(io.BytesIO(brief.workbook(newton)))
    ws = book["Property appraisal"]
    head = [c.value for c in ws[4]]
    fmt = {h: ws.cell(5, j + 1).number_format for j, h in enumerate(head)}
    assert fmt["Internal rate of return (%)"] == "0.0%" and fmt["Occupancy (%)"] == "0.0%"
    assert fmt["Simple payback, net (years)"] == "0.00" and fmt["Capital cost (£000)"] == "#,##0"
    assert fmt["Go-live (month)"] == "mmm yyyy" and ws.cell(5, head.index("Go-live (month)") + 1).is_date
    assert str(ws["A5"].value).startswith("Property 1")  # the property's name, not P1
    irr = ws.cell(5, head.index("Internal rate of return (%)") + 1).value
    assert 0.1 < irr < 0.3  # stored as a fraction, shown 18.4 %
    risk = book["Risk summary"]
    head = [c.value for c in risk[4]]
    assert risk.cell(5, head.index(column_labels(newton.edition)["above_pct"]) + 1).number_format == "0.0%"
    revenue = [r[1].value for r in book["Revenue"].iter_rows(min_row=5, max_row=5)]
    assert revenue[0] == "Prior-year budget (then last year's net)"  # not the "Original prior year budget"


def test_workbook_bytes_repeat_with_the_date(newton: brief.Brief) -> None:
    """The same brief and --date give the same bytes; the document's created date is the
    brief's date, not the clock."""
    import zipfile

    first, second = brief.workbook(newton), brief.workbook(newton)
    assert first == second
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{DATE}T00:00:00Z</dcterms:created>' in core


def test_workbook_text_that_looks_like_a_formula_is_neutralised(tmp_path: Path) -> None:
    import pandas as pd

    df = pd.DataFrame({"description": ["+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "plain"]}, index=list("abcd"))
    book = load_workbook(io.BytesIO(brief.workbook_bytes({"Scenarios": df})))
    ws = book["Scenarios"]
    cells = [ws[f"B{r}"] for r in range(5, 9)]
    assert [c.data_type for c in cells] == ["s"] * 4
    assert [c.quotePrefix for c in cells] == [True, True, True, False]  # Excel keeps them text when edited
    assert cells[0].value == "+cmd|' /C calc'!A0"


def test_no_internal_id_reaches_the_workbook(newton: brief.Brief) -> None:
    book = load_workbook(io.BytesIO(brief.workbook(newton)))
    ids = {
        (ws.title, m)
        for ws in book
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and not c.value.startswith("=")
        for m in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", c.value)
    }
    assert ids == set()
