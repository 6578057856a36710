"""Notebook display (mtfs_model.base.display), the what-if sliders (mtfs_model.whatif.widgets) and
notebooks/what_if.ipynb run top to bottom."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import mtfs_model
from mtfs_model.base import display
from mtfs_model.base.errors import InputError
from mtfs_model.brief import build as brief
from mtfs_model.whatif import widgets
from mtfs_model.whatif.goalseek import net_budget


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"2021/22": [89086.0, -3750.0, -0.4], "2022/23": [89611.4, -3500.0, 0.0], "share_pct": [0.5, 0.25, 1.0]},
        index=pd.Index(["net_budget", "savings", "<tiny>"], name="row"),
    )


def cells(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>([^<]*)</td>", page)


def test_money_with_separators_and_a_minus(frame: pd.DataFrame) -> None:
    page = display.html_table(frame)
    assert cells(page) == ["89,086", "89,611", "50.0%", "-3,750", "-3,500", "25.0%", "0", "0", "100.0%"]
    assert "2021/22" in page and "&lt;tiny&gt;" in page and "<tiny>" not in page


def test_millions_to_one_decimal_and_labels(frame: pd.DataFrame) -> None:
    page = display.html_table(frame, unit="GBPm", labels={"net_budget": "Net budget", "savings": "Less savings"})
    assert cells(page)[:2] == ["89.1", "89.6"] and cells(page)[3] == "-3.8"
    assert ">Net budget<" in page and ">Less savings<" in page and "net_budget" not in page.split("<table")[1]
    with pytest.raises(InputError, match="unit"):
        display.html_table(frame, unit="USD")


def test_output_is_deterministic(frame: pd.DataFrame) -> None:
    a, b = display.html_table(frame, caption="x"), display.html_table(frame.copy(), caption="x")
    assert a == b
    assert display.html_table(frame * 2, caption="x") != a
    assert 'id="T_mtfs_' in a and "row0_col0" not in a  # no random uuid, no cell ids


def test_result_compare_findings_and_risk() -> None:
    result = mtfs_model.run("baseline")
    page = display.result_html(result)
    last = float(net_budget(result).iloc[-1])
    assert f"{last:,.0f}" in page and "Key figures (£000)" in page and "baseline" in page
    assert f"{last / 1000:,.1f}" in display.result_html(result, unit="GBPm")
    cmp = pd.DataFrame({"a | 2021/22": [1000.0], "b | 2021/22": [2000.0], "b - a | 2021/22": [1000.0]}, index=["x"])
    page = display.compare_html(cmp)
    assert ">b - a<" in page and "2,000" in page
    findings = mtfs_model.reconcile()
    page = display.findings_html(findings)
    assert "disagreement" in page and "font-weight: bold" in page
    risk = mtfs_model.simulate("baseline", n=2000, seed=1)
    page = display.risk_html(risk)
    assert "2,000 trajectories, seed 1" in page and "%" in page and "P50" in page


def test_what_if_sliders_rerun_the_model() -> None:
    panel = widgets.what_if("baseline")
    labels = list(panel.sliders)
    dcfsf = "DCFSF (CF1-3) delivery (% of plan)"  # the edition's short name, with the unit
    assert dcfsf in labels and "G1 unit cost current (£ a week)" in labels
    assert "High Needs savings delivery (% of plan)" in labels
    assert not any("_" in label for label in labels)  # no internal id reaches the reader
    mtfs = mtfs_model.run("baseline")
    assert f"{net_budget(mtfs).iloc[-1]:,.0f}" in panel.summary.value
    svg = panel.chart.value
    assert svg.startswith("<svg") and "Net budget against the MTFS (£m)" in svg
    assert "baseline: key figures (£000)" in panel.summary.value
    panel.sliders[dcfsf].value = 0.5
    half = mtfs_model.run("dcfsf_half_delivered")
    assert f"{net_budget(half).iloc[-1]:,.0f}" in panel.summary.value
    assert panel.scenario.overrides["programmes"]["DCFSF"]["delivery"] == 0.5
    assert "baseline with DCFSF (CF1-3) delivery at 50%: key figures (£000)" in panel.summary.value  # follows
    assert panel.chart.value != svg and "delivery at 50%" in panel.chart.value


def test_slider_ranges_are_the_plausible_band() -> None:
    """A slider spans its risk input's P5-P95 (G1: the lognormal through 0.875 / 1 / 1.143
    of £4,000 a week, about £3.4k-£4.7k), else the baseline +/- 50 %; every one holds its
    current value; the chart is drawn at its own size."""
    panel = widgets.what_if("baseline")
    g1 = panel.sliders["G1 unit cost current (£ a week)"]
    assert 3300 < g1.min < 3500 and 4600 < g1.max < 4800 and g1.value == 4000
    cip = panel.sliders["CIP (CF4) delivery (% of plan)"]
    assert 0.3 < cip.min < 0.4 and 1.1 < cip.max < 1.2  # the programme's one line's input (CF4: 0.5 / 1 / 1.1)
    base = mtfs_model.load_scenario("baseline")
    assert widgets.plausible_range(base, ["lines.G1.drivers.unit_cost_budgeted_gbp_week"]) == (1750, 5250)  # +/-50 %
    assert all(s.min <= s.value <= s.max for s in panel.sliders.values())
    assert all(s.style.description_width == widgets.DESCRIPTION_WIDTH for s in panel.sliders.values())
    assert panel.chart.layout.width == "640px" and 'width="640" height="320"' in panel.chart.value


def test_what_if_with_chosen_levers_and_ranges() -> None:
    panel = widgets.what_if(
        "placement_unit_cost_plus_10pct", {"lines.G1.drivers.unit_cost_current_gbp_week": (3000, 6000)}
    )
    (slider,) = panel.sliders.values()
    assert (slider.min, slider.max, slider.value) == (3000, 6000, 4400)
    slider.value = 4000
    assert f"{net_budget(mtfs_model.run('baseline')).iloc[-1]:,.0f}" in panel.summary.value


@pytest.mark.slow
def test_the_what_if_notebook_runs_top_to_bottom() -> None:
    assert "scenario" in brief.notebook_parameters("what_if")
    nb = brief.execute_notebook("what_if", {"scenario": "placement_unit_cost_plus_10pct"}, progress=False)
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outs if o.output_type == "error"]
    shown = "".join(o.get("data", {}).get("text/html", "") for o in outs)
    for part in ("DCFSF (CF1-3) delivery", "keeps the", "High Needs", "data:image/png;base64,", "Key figures (£m)"):
        assert part in shown, part
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outs)
