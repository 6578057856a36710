"""A brief never fails on a valid scenario (issue 8): hypothesis generates valid scenarios
-- ones that change nothing, only assumptions, only CIP settings, or a mix -- and each is
briefed by running the brief notebook's own cells in-process (``risk_n = 0``, no
kernel), so the suite stays fast and the code path is the notebook's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import IPython.display
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_model.brief.build import notebook_path
from mtfs_model.scenarios import compose
from mtfs_model.scenarios.load import baseline_inputs

pytestmark = pytest.mark.slow  # notebooks and briefs: a kernel each (pytest -m "not slow" skips them)

INPUTS = baseline_inputs()
PROPS = sorted(INPUTS.properties)
factor = st.floats(0, 2, allow_nan=False)
month = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2020, 2026), st.integers(1, 12))


def run_brief_cells(params: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> str:
    """The brief notebook's code cells, executed here with ``params``; the HTML they display."""
    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    cells = [c for c in json.loads(notebook_path("scenario_brief").read_text())["cells"] if c["cell_type"] == "code"]
    ns: dict[str, Any] = {}
    exec("".join(cells[0]["source"]), ns)  # the parameters cell: every parameter declared
    assert set(params) <= set(ns), "unknown notebook parameter"
    ns.update(params)
    for cell in cells[1:]:
        exec("".join(cell["source"]), ns)
    return "".join(shown)


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    raw: dict[str, Any] = {"scenario": {"description": "generated"}}
    kind = draw(st.sampled_from(["nothing", "assumptions", "cip", "mixed"]))
    if kind in ("assumptions", "mixed"):
        g: dict[str, Any] = {"floor_phasing": draw(st.sampled_from(["final_year", "pro_rata"]))}
        if draw(st.booleans()):
            g["fee_rate"] = draw(st.floats(0, 1))
            if draw(st.booleans()):
                g["fee_cap_gbp000"] = draw(st.floats(0, 5000))
        raw["guarantee"] = g
    if kind in ("cip", "mixed"):
        raw["cip"] = {"discount_rate": draw(st.floats(0, 0.2)), "life_years": draw(st.integers(1, 40))}
        if draw(st.booleans()):
            raw["cip"]["properties_feed_line"] = draw(st.booleans())
        code = draw(st.sampled_from(PROPS))
        raw["properties"] = {
            code: draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "occupancy": st.floats(0, 1),
                        "go_live": month,
                        "retained_value": st.floats(0, 5000),
                    },
                )
            )
        }
    if kind == "mixed":
        raw["programmes"] = {"DCFSF": {"delivery": draw(factor)}}
        raw["high_needs"] = {"schools_block_transfer_approved": draw(st.booleans())}
    return raw


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=valid_scenarios())
def test_brief_builds_for_any_valid_scenario(
    raw: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = compose.to_toml(compose.scenario(raw, name="generated"), tmp_path / "generated.toml")
    html = run_brief_cells({"scenarios": [str(path)], "risk_n": 0, "run_date": "2026-01-01"}, monkeypatch)
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", html)  # the embedded charts
    assert "Traceback" not in text
    assert not re.search(r"\b(nan|inf)\b", text, flags=re.IGNORECASE), "a non-finite figure reached the brief"
    assert "generated" in text


def test_brief_of_a_scenario_that_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = run_brief_cells({"scenarios": ["baseline"], "risk_n": 0, "run_date": "2026-01-01"}, monkeypatch)
    assert "baseline" in html


def test_a_brief_gets_a_backtest_section_when_its_edition_has_outturns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: the edition records outturns, so the brief judges the MTFS against them;
    the bundled edition records none, so its brief has no such section."""
    import datetime as dt

    from mtfs_model.base import rows
    from tests.forecast.test_outturns import cell, write_edition

    ed_dir = write_edition(
        tmp_path / "ed", [cell("revenue", rows.NET_BUDGET, "2021/22", 90500.0, as_of=dt.date(2022, 6, 30))]
    )
    params = {"scenarios": ["baseline"], "risk_n": 2000, "run_date": "2026-01-01"}
    with_outturns = run_brief_cells({**params, "edition": str(ed_dir)}, monkeypatch)
    assert "Back-test" in with_outturns and "90,500" in with_outturns
    assert "Back-test" not in run_brief_cells(params, monkeypatch)
