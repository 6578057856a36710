"""The notebooks in ``notebooks/``: each runs top to bottom in a fresh kernel of this
interpreter (papermill), declares typed and commented parameters, imports only the
library, and an unknown parameter fails before any kernel starts."""

from __future__ import annotations

import ast
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from mtfs_model import load_edition
from mtfs_model.base.errors import InputError
from mtfs_model.brief import build as brief

pytestmark = pytest.mark.slow  # notebooks and briefs: a kernel each (pytest -m "not slow" skips them)

NOTEBOOKS = sorted(p.name for p in brief.NOTEBOOK_DIR.glob("*.ipynb"))
SCENARIO_NOTEBOOKS = ["cip_paybacks.ipynb", "high_needs.ipynb", "scenario_brief.ipynb"]
"""The notebooks over a list of scenarios (``what_if.ipynb`` explores one: tests/test_display.py)."""
ALLOWED_IMPORTS = {"mtfs_model", "IPython"}


def test_the_notebooks_are_there() -> None:
    assert NOTEBOOKS == ["cip_paybacks.ipynb", "high_needs.ipynb", "scenario_brief.ipynb", "what_if.ipynb"]
    package = Path(brief.__file__).resolve().parent.parent  # mtfs_model/
    assert package.parent / "notebooks" == brief.NOTEBOOK_DIR


def outputs_of(nb: Any) -> list[dict[str, Any]]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize(
    ("name", "parameters", "expect"),
    [
        (
            "high_needs.ipynb",
            {},
            ["Cumulative Funding Gap", "Total Expenditure", "hn transfer refused", "data:image/png;base64,"],
        ),
        (
            "cip_paybacks.ipynb",
            {"edition": str(load_edition().path)},
            [
                "Cash break-even (year)",
                "Cumulative cash 2030/31 (£000)",
                "CF4 2024/25",
                "cip late go live",
                "data:image/png;base64,",
            ],
        ),
        (
            "scenario_brief.ipynb",
            {"scenarios": ["hn_transfer_refused", "cip_late_go_live"], "run_date": "2021-01-19", "risk_n": 2000},
            [
                "The answer in figures (£m)",
                "Reconciliation",
                "hn transfer refused",
                "2021-01-19",
                "The DCFSF (CF1-3) programme against the Newton Europe guarantee",
                "Scenario brief: Children and Family Services MTFS 2021/22–2024/25",
                "data:image/png;base64,",
            ],
        ),
    ],
)
def test_notebook_runs_top_to_bottom(name: str, parameters: dict[str, Any], expect: list[str]) -> None:
    nb = brief.execute_notebook(name, parameters, progress=False)
    outs = outputs_of(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert not [o for o in outs if o.output_type == "stream" and o.name == "stderr"]
    shown = "".join(o.get("data", {}).get("text/html", "") for o in outs)
    for part in expect:
        assert part in shown, part
    words = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+|<[^>]+>", " ", shown)
    assert not re.search(r"\bnan\b", words, re.IGNORECASE)


def test_unknown_parameter_fails_before_a_kernel_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    def no_kernel(*_: Any, **__: Any) -> Any:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    with pytest.raises(InputError, match=r"parameters\.scenario: expected one of scenarios"):
        brief.execute_notebook("high_needs", {"scenario": ["baseline"]})
    with pytest.raises(InputError, match=r"parameters\.date"):
        brief.execute_notebook("scenario_brief", {"scenarios": ["baseline"], "date": "2021-01-01"})


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_is_tagged_typed_and_commented(name: str) -> None:
    nb = nbformat.read(brief.NOTEBOOK_DIR / name, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = brief.notebook_parameters(name)
    if name in SCENARIO_NOTEBOOKS:
        assert "scenarios" in params
        assert params["edition"]["default"] == '""' and params["edition"]["inferred_type_name"] == "str"
    for p in params.values():
        assert p["inferred_type_name"] not in (None, "None"), p
        assert p["help"].strip(), p


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_imports_the_library_only_and_holds_no_logic(name: str) -> None:
    nb = nbformat.read(brief.NOTEBOOK_DIR / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        assert not c.get("outputs"), "notebooks are stored without outputs"
        tree = ast.parse(c.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert {a.name.split(".")[0] for a in node.names} <= ALLOWED_IMPORTS
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] in ALLOWED_IMPORTS
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.BinOp), ast.dump(node)


def test_the_kernel_is_this_interpreter(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('label: str = "x"  # a label', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import sys\nprint(sys.executable, label)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = tmp_path / "which.ipynb"
    nbformat.write(nb, path)
    done = brief.execute_notebook(path, {"label": "ok"}, progress=False, cwd=tmp_path)
    printed = "".join(o.get("text", "") for o in outputs_of(done)).split()
    assert os.path.realpath(printed[0]) == os.path.realpath(sys.executable)
    assert printed[1] == "ok"


def test_the_edition_is_passed_as_the_notebook_parameter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import papermill

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: seen.append(k["parameters"]))
    bundled = load_edition()
    shutil.copytree(bundled.path, tmp_path / "copy")
    other = load_edition(tmp_path / "copy")
    folder = str((tmp_path / "copy").resolve())
    brief.execute_notebook("high_needs", {"scenarios": ["baseline"]}, edition=other)
    brief.execute_notebook("high_needs", {"scenarios": ["baseline"]}, edition=tmp_path / "copy")
    brief.execute_notebook("high_needs", {"scenarios": ["baseline"], "edition": ""}, edition=other)  # given wins
    brief.execute_notebook("high_needs", {"scenarios": ["baseline"]}, edition=bundled)  # "": the bundled one
    brief.execute_notebook("high_needs", {"scenarios": ["baseline"]})
    assert [p.get("edition") for p in seen] == [folder, folder, "", "", None]


def test_the_brief_notebook_writes_the_workbook_from_its_own_runs(tmp_path: Path) -> None:
    """``workbook``: the last cell writes the auditor workbook from the notebook's own runs
    and simulations, and shows nothing (no path in the page)."""
    from openpyxl import load_workbook

    book = tmp_path / "brief.xlsx"
    params = {"scenarios": ["newton_guarantee"], "run_date": "2021-01-19", "risk_n": 500, "workbook": str(book)}
    nb = brief.execute_notebook("scenario_brief", params, progress=False)
    outs = outputs_of(nb)
    assert nb.cells[-1].get("outputs") == []
    assert str(book) not in str(outs) and "PosixPath" not in str(outs)
    wb = load_workbook(book)
    assert wb.sheetnames[0] == "Summary" and "Inputs" in wb.sheetnames
    assert str(wb["Summary"]["B6"].value).startswith("=")
