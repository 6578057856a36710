"""``mtfs brief``: one self-contained, escaped HTML brief (and an Excel workbook) made by
running the scenario-brief notebook with papermill and exporting it with nbconvert.

One brief is generated for the module (the notebook run is the slow part): the Newton
guarantee and stretch scenarios and a hostile scenario whose name, description and
reference carry markup.  Expected figures are derived by hand from the printed papers.
Everything else is built in-process (``brief.build`` and the HTML pieces, no kernel):
scenarios that change no key figure (issue 8) and an edition with no guarantee and no
properties.
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

from mtfs_model import brief, charts, load_edition
from mtfs_model.cli import main
from mtfs_model.errors import InputError

HOSTILE_NAME = "evil<img src=x onerror=alert(9)>"
"""A name with markup: a file name (``[scenario] name`` itself refuses markup)."""
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
        "The DCFSF (CF1-3) programme against the Newton Europe guarantee",
        "The MTFS books £13.2m a year from the DCFSF (CF1-3) programme by 2024/25",
        "against the MTFS as published (19 January 2021)",
        "Newton Europe guarantee and fee cap",
        "Scenario brief: Children and Family Services MTFS 2021/22–2024/25",
        "edition = cfs-2021-22",
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
    assert "evil&lt;img src=x onerror=alert(9)&gt;" in page
    assert "Danger &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in page
    assert "<img src=x" not in page
    assert "javascript:" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; ref" in page
    assert "onerror=alert" not in re.sub(r"&lt;img src=x onerror=alert\([29]\)&gt;", "", page)


def test_brief_workbook(made: Run) -> None:
    wb = load_workbook(made.xlsx_path)
    for sheet in (
        "Key figures",
        "Guarantee levels",
        "Guarantee summary",
        "Guarantee by year",
        "High Needs",
        "Properties",
        "Risk",
        "Reconciliation",
    ):
        assert sheet in wb.sheetnames
    assert "Paper disagreements" in wb.sheetnames
    ws = wb["Guarantee summary"]
    header = [c.value for c in ws[1]]
    assert header[0] == "scenario" and "Delivered 2024/25" in header
    assert "Gap to MTFS, 4 years" in header and "Net budget 2024/25" in header
    assert "Cumulative cash 2030/31" in [c.value for c in wb["Properties"][1]]
    assert "Gap 2024/25 P90" in [c.value for c in wb["Risk"][1]]
    levels = [r[0].value for r in wb["Guarantee levels"].iter_rows(min_row=2)]
    assert levels == ["Guarantee (Newton Europe floor)", "Estimate", "Stretch ambition", "MTFS assumes (CF1-CF3)"]
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
    assert scen[HOSTILE_NAME].startswith("Danger")  # text in a cell, not markup


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
    assert brief.html_newton is brief.html_guarantee  # the first briefs' name
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
    assert "89,851" in text and name in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    book = load_workbook(io.BytesIO(brief.workbook(b)))
    assert book["Change from MTFS"].max_row == 1  # the header only


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
    assert by_year.loc[("fee_only", fee)].sum() == pytest.approx(2970)
    assert by_year.loc[("fee_capped", fee)].tolist() == pytest.approx([220, 530, 250, 0])


def test_several_no_key_figure_scenarios_with_one_that_moves(scenario_file: Any) -> None:
    fee = scenario_file('[scenario]\ndescription = "fee"\n' + NO_KEY_FIGURE["fee_only"], "fee_only")
    b = brief.build([str(fee), "newton_guarantee"], run_date=DATE, risk_n=0)
    changes = brief.changes_from_mtfs(b)
    assert set(changes.index.get_level_values("scenario")) == {"fee_only", "newton_guarantee"}
    assert changes.loc[("Net budget", "newton_guarantee"), "2024/25"] == pytest.approx(6200)
    assert changes.loc[("Net budget", "fee_only")].abs().max() == 0


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
    assert load_workbook(io.BytesIO(brief.workbook(b))).sheetnames == list(sheets)
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
    "module", ["guarantee", "newton", "charts", "brief", "brief_tables", "brief_html", "brief_xlsx", "brief_export"]
)
def test_no_edition_literal_in_the_code(module: str) -> None:
    path = Path(brief.__file__).with_name(f"{module}.py")
    found = LITERAL.findall(code_without_docstrings(path))
    assert not found, found
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500 or not module.startswith("brief")


def test_scenario_objects_are_briefed_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``mtfs brief a+b`` passes: Scenario objects, a combination with no file of its own."""
    from mtfs_model import compose, load_scenario

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
