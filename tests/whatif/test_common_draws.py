"""Goal seek and data tables on a probability use common random numbers (issue 18): the
same draws for every lever value, so the probability is monotone where the model is and
equals simulate()'s exactly; a what-if slider sends its numbers before its chart."""

from __future__ import annotations

import asyncio

import numpy as np

from mtfs_model.risk.simulate import simulate
from mtfs_model.whatif import goalseek


def test_probability_goal_seek_and_table_are_monotone_on_common_draws() -> None:
    """Every lever value sees the same draws, so the chance of exceeding the MTFS falls
    monotonely as delivery rises (above 1, where the scenario sets the figure)."""
    values = [1.02 + 0.04 * i for i in range(12)]
    table = goalseek.grid("baseline", {"programmes.DCFSF.delivery": values}, "p_exceeds_mtfs", n=4000)
    p = table.iloc[:, 0].to_numpy()
    assert (np.diff(p) <= 0).all() and p[0] > p[-1]
    sol = goalseek.solve("baseline", lever="programmes.DCFSF.delivery", target="p_exceeds_mtfs", value=0.4,
                         lo=1.01, hi=2.0, n=4000, bound="at_most")  # fmt: skip
    assert sol.achieved <= 0.4
    assert sol.achieved == simulate(sol.scenario, n=4000, seed=1).p_exceeds_mtfs


def test_the_what_if_numbers_come_first_and_the_chart_after() -> None:
    from mtfs_model.whatif.widgets import what_if

    panel = what_if("baseline")
    slider = next(iter(panel.sliders.values()))
    before_chart, before_summary = panel.chart.value, panel.summary.value

    async def move() -> tuple[bytes, str]:
        slider.value = slider.min + (slider.max - slider.min) * 0.25
        seen = (panel.chart.value, panel.summary.value)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return seen

    chart_then, summary_then = asyncio.run(move())
    assert summary_then != before_summary and chart_then == before_chart  # numbers first
    assert panel.chart.value != before_chart  # the picture after


def test_the_what_if_chart_moved_in_place_is_the_chart_drawn_anew() -> None:
    """The slider's chart is redrawn in place (a third of a new figure's time): same bytes."""
    import mtfs_model
    from mtfs_model.whatif.widgets import NetBudgetChart, net_budget_chart

    half = mtfs_model.run(
        mtfs_model.scenario({"programmes": {"DCFSF": {"delivery": 0.5}}}, name="half", description="half")
    )
    published = mtfs_model.run("baseline")
    chart = NetBudgetChart(published, "baseline")
    first = chart.png()
    assert chart.fits(half)
    chart.move(half, "half delivered")
    assert chart.png() == net_budget_chart(half, "half delivered") != first
    chart.move(published, "baseline")
    assert chart.png() == first
