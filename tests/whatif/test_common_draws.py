"""Goal seek and data tables on a probability use common random numbers (issue 18): the
same draws for every lever value, so the probability is monotone where the model is and
equals simulate()'s exactly; a what-if slider sends its numbers before its chart."""

from __future__ import annotations

import numpy as np

from mtfs_model.risk.simulate import simulate
from mtfs_model.whatif import goalseek


def test_probability_goal_seek_and_table_are_monotone_on_common_draws() -> None:
    """Every lever value sees the same draws, so the chance of exceeding the MTFS falls
    monotonely as delivery rises (above 1 as below: one risk model).  The goal is the
    middle of the range the table spans, so it holds whatever the evidence's fan."""
    values = [1.02 + 0.04 * i for i in range(12)]
    table = goalseek.grid("baseline", {"programmes.DCFSF.delivery": values}, "p_exceeds_mtfs", n=4000)
    p = table.iloc[:, 0].to_numpy()
    assert (np.diff(p) <= 0).all() and p[0] > p[-1]
    goal = float(p[0] + p[-1]) / 2
    sol = goalseek.solve("baseline", lever="programmes.DCFSF.delivery", target="p_exceeds_mtfs", value=goal,
                         lo=1.01, hi=2.0, n=4000, bound="at_most")  # fmt: skip
    assert sol.achieved <= goal
    assert sol.achieved == simulate(sol.scenario, n=4000, seed=1).p_exceeds_mtfs


def test_the_what_if_numbers_come_first_and_the_chart_with_them() -> None:
    """A slider move sends the figures, then the chart, both before the move returns."""
    from mtfs_model.whatif.widgets import what_if

    panel = what_if("baseline")
    slider = next(iter(panel.sliders.values()))
    before_chart, before_summary = panel.chart.value, panel.summary.value
    order: list[str] = []
    panel.summary.observe(lambda _c: order.append("numbers"), names="value")
    panel.chart.observe(lambda _c: order.append("chart"), names="value")
    slider.value = slider.min + (slider.max - slider.min) * 0.25
    assert order == ["numbers", "chart"]
    assert panel.summary.value != before_summary and panel.chart.value != before_chart


def test_the_what_if_chart_is_svg_drawn_from_the_figures() -> None:
    """The panel's chart: inline SVG (no script, nothing fetched), the same text for the
    same figures, ticks in £m half up, the break mark when the axis does not reach zero."""
    import mtfs_model
    from mtfs_model.whatif.svg_chart import line_chart_svg, nice_ticks
    from mtfs_model.whatif.widgets import net_budget_svg

    half = mtfs_model.run("dcfsf_half_delivered")
    svg = net_budget_svg(half, "half delivered")
    assert svg == net_budget_svg(half, "half delivered")
    assert svg.startswith("<svg") and "<script" not in svg and "http://" not in svg.replace("http://www.w3.org", "")
    assert "£96.0m" in svg and "(axis does not start at zero)" in svg and "half delivered" in svg
    assert svg != net_budget_svg(mtfs_model.run("baseline"), "half delivered")
    through_zero = line_chart_svg(["a", "b"], [("x", [-500.0, 800.0], "solid")], title="t", y_label="£m")
    assert "axis does not start at zero" not in through_zero
    assert nice_ticks(88_717.0, 96_819.0) == [88_000.0, 90_000.0, 92_000.0, 94_000.0, 96_000.0, 98_000.0]
    assert nice_ticks(-0.3, 0.45)[0] <= -0.3 and nice_ticks(-0.3, 0.45)[-1] >= 0.45
