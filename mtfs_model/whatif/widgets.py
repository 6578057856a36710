"""A what-if panel for JupyterLab: sliders over the model's levers, re-run on every change.

>>> from mtfs_model.whatif.widgets import what_if
>>> what_if("baseline")            # doctest: +SKIP

Each slider is a lever (:mod:`mtfs_model.whatif.goalseek`): an override path, or several moved
together.  By default the levers are discovered from the scenario's edition, never named
in code: each savings programme's delivery (0-2), the headline driver of each line that
has drivers (the first its risk model treats as uncertain; 0-10x its baseline), and the
uncertain High Needs savings lines' delivery together (0-2).
On a change the panel rebuilds the scenario, runs it and shows the net budget, its
difference from the MTFS and the High Needs deficit by year (GBP000), and a line chart of
the net budget against the MTFS (£000).
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w  # type: ignore[import-untyped]
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mtfs_model.base import display
from mtfs_model.base.display import mark_axis_break
from mtfs_model.base.errors import InputError
from mtfs_model.base.rounding import gbp_m, number, pct
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.labels import FACTOR_UNIT, paths_label
from mtfs_model.engine.run import Result, run
from mtfs_model.scenarios.compose import as_scenario, rebuild
from mtfs_model.scenarios.load import Scenario
from mtfs_model.whatif.goalseek import Lever, current_value, hn_cumulative, make_lever, mtfs_result, net_budget
from mtfs_model.whatif.svg_chart import HEIGHT as SVG_HEIGHT
from mtfs_model.whatif.svg_chart import WIDTH as SVG_WIDTH
from mtfs_model.whatif.svg_chart import line_chart_svg

__all__ = ["WhatIf", "default_levers", "figures", "net_budget_chart", "net_budget_svg", "what_if"]

DRIVER_META = {"model", "description", "source", "notes"}
SLIDER_STEPS = 200


def _uncertain_inputs(scenario: Scenario) -> set[str]:
    """The inputs the edition's risk model declares uncertain (``lines.<code>.drivers.<k>``,
    ``high_needs.<line>`` ...): the assumptions worth a slider.  Empty if unavailable."""
    try:
        from mtfs_model.risk.spec import risk_spec

        return {str(d.name) for d in risk_spec(scenario).distributions}
    except (ImportError, AttributeError, KeyError, InputError):
        return set()


def _first_driver(code: str, drivers: Mapping[str, Any] | None, uncertain: set[str]) -> str | None:
    """A line's headline driver: the first the risk model treats as uncertain, else the
    first numeric, non-zero one."""
    numeric = [
        str(k)
        for k, v in (drivers or {}).items()
        if k not in DRIVER_META and isinstance(v, int | float) and not isinstance(v, bool) and v > 0
    ]
    return next((k for k in numeric if f"lines.{code}.drivers.{k}" in uncertain), numeric[0] if numeric else None)


def default_levers(scenario: Scenario) -> list[str | list[str]]:
    """Lever paths discovered from the scenario's edition (no id is named in code): each
    savings programme's delivery (unless the scenario sets the programme), each driven
    line's headline driver, and the uncertain High Needs savings lines moved together."""
    inputs = scenario.inputs
    uncertain = _uncertain_inputs(scenario)
    levers: list[str | list[str]] = []
    programmes: list[str] = []
    for line in inputs.lines.values():
        if line.kind != "growth" and line.programme not in programmes:
            programmes.append(line.programme)
    set_already = scenario.overrides.get("programmes", {})
    levers += [f"programmes.{p}.delivery" for p in programmes if p not in set_already]
    for code, line in inputs.lines.items():
        driver = _first_driver(code, line.drivers_base, uncertain)
        if driver:
            levers.append(f"lines.{code}.drivers.{driver}")
    savings = list(getattr(inputs, "hn_savings", {}))
    chosen = [k for k in savings if f"high_needs.{k}" in uncertain] or savings
    if chosen:
        levers.append([f"high_needs.savings_delivery.{k}" for k in chosen])
    return levers


P5_Z, P95_Z = -1.6448536269514722, 1.6448536269514722
"""The standard normal's 5th and 95th percentiles: a risk input's plausible band."""
SPREAD = 0.5
"""Without a risk input, a slider spans the baseline value +/- 50 %."""
DESCRIPTION_WIDTH = "270px"
"""Every slider's label box: wide enough for a short label, so the track keeps its width."""
SLIDER_LAYOUT = {"width": "100%", "max_width": "680px", "min_width": "400px"}


def _distributions(scenario: Scenario) -> dict[str, Any]:
    """The scenario's risk inputs by path (empty if the edition declares none)."""
    try:
        from mtfs_model.risk.spec import risk_spec

        return {str(d.name): d for d in risk_spec(scenario).distributions}
    except (ImportError, AttributeError, KeyError, InputError):
        return {}


def plausible_range(scenario: Scenario, paths: Sequence[str]) -> tuple[float, float]:
    """A slider's range: the risk input's P5-P95 times the baseline value (its P5/P95 as
    multipliers of the scenario's figure), else the baseline +/- 50 %; for a factor the
    baseline is 1.  The range always holds the current value."""
    dists = _distributions(scenario)
    lows, highs = [], []
    for path in paths:
        base = current_value(scenario, path)
        base = 1.0 if base is None else float(base)
        found = [dists[n] for n in _risk_names(scenario, path, dists) if n in dists]
        if found:  # a programme without its own input: its lines' inputs together
            bands = [d.multiplier(np.array([P5_Z, P95_Z])) for d in found]
            lo, hi = min(float(b[0]) for b in bands), max(float(b[1]) for b in bands)
        else:
            lo, hi = 1.0 - SPREAD, 1.0 + SPREAD
        lows.append(min(lo * base, base))
        highs.append(max(hi * base, base))
    return min(lows), max(highs)


def _risk_names(scenario: Scenario, path: str, dists: Mapping[str, Any]) -> list[str]:
    """The risk inputs that say how far ``path`` may plausibly move: its own (under the
    risk model's name), else for a programme's delivery or scale its lines' own."""
    parts = path.split(".")
    names = [path, _risk_name(path)]
    if parts[0] == "programmes" and len(parts) == 3:
        try:
            codes = scenario.edition.lines_of(parts[1])
        except (KeyError, ValueError):
            codes = []
        if not any(n in dists for n in names):
            names += [f"lines.{code}.{parts[2]}" for code in codes]
    return names


def _risk_name(path: str) -> str:
    """A lever path as the risk model names the same input (``high_needs.savings_delivery.x``
    -> ``high_needs.x``)."""
    parts = path.split(".")
    if parts[0] == "high_needs" and len(parts) == 3:
        return f"high_needs.{parts[2]}"
    return path


def slider_label(scenario: Scenario, lever: Lever) -> tuple[str, str]:
    """A slider's short label with its unit, and the long one (its tooltip), from the
    edition's own names (:func:`mtfs_model.labels.paths_label`)."""
    short, unit, long = paths_label(scenario.edition, lever.paths)
    if unit == FACTOR_UNIT:
        unit = "% of plan"
    return (f"{short} ({unit})" if unit else short), long


def figures(result: Result) -> pd.DataFrame:
    """The panel's figures by year (GBP000): net budget, its excess over the MTFS, and
    the High Needs cumulative deficit."""
    net = net_budget(result)
    mtfs = net_budget(mtfs_result(result.scenario))
    return pd.DataFrame(
        {
            "Net budget": net,
            "Net budget less the MTFS": net - mtfs,
            "High Needs cumulative deficit": hn_cumulative(result),
        }
    ).T.rename_axis("figure")


CHART_SIZE = (6.4, 3.2)
CHART_DPI = 100
"""The chart's size in inches and its resolution: shown at 640 x 320 px, never stretched."""


def net_budget_chart(result: Result, label: str | None = None) -> bytes:
    """PNG of the net budget by year against the MTFS (£m; greyscale, line styles); the
    axis does not start at zero, so it carries a break mark and says so.  (The panel
    draws the same chart as SVG: :func:`net_budget_svg`.)"""
    fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    years = [str(y) for y in result.revenue.columns]
    ax.plot(years, net_budget(mtfs_result(result.scenario)).to_numpy(), "--", color="0.55", marker="s", label="MTFS")
    ax.plot(years, net_budget(result).to_numpy(), "-", color="0.0", marker="o", label=label or result.scenario.name)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: gbp_m(x)))
    ax.set_ylabel("Net budget, £m\n(axis does not start at zero)", fontsize=8)
    mark_axis_break(ax)
    ax.set_title("Net budget against the MTFS (£m)", loc="left", fontsize=10)
    ax.grid(axis="y", color="0.85", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def net_budget_svg(result: Result, label: str | None = None) -> str:
    """The panel's chart: the net budget by year against the MTFS as inline SVG (£m, the
    axis break mark where the axis does not start at zero), about a millisecond to draw."""
    years = [str(y) for y in result.revenue.columns]
    return line_chart_svg(
        years,
        [
            ("MTFS", net_budget(mtfs_result(result.scenario)).tolist(), "dashed"),
            (label or result.scenario.name, net_budget(result).tolist(), "solid"),
        ],
        title="Net budget against the MTFS (£m)",
        y_label="Net budget, £m",
    )


def _current(scenario: Scenario, lever: Lever) -> float:
    """The lever's value in the scenario: its override, or 1 for a factor, or the baseline."""
    value = current_value(scenario, lever.paths[0])
    if value is None:
        value = 1.0
    return min(max(value, lever.lo), lever.hi)


class WhatIf(w.VBox):
    """The what-if panel: ``sliders`` (path label -> slider), ``summary`` (HTML of the
    figures), ``chart`` (PNG image); ``scenario`` and ``result`` are the latest run."""

    def __init__(self, scenario: Scenario, levers: Sequence[Lever]) -> None:
        self.base = scenario
        self.levers = list(levers)
        self.sliders: dict[str, w.FloatSlider] = {}
        self.labels: dict[str, str] = {}
        for lv in self.levers:
            label, long = slider_label(scenario, lv)
            percent = label.endswith("(% of plan)")
            slider = w.FloatSlider(
                value=_current(scenario, lv),
                min=lv.lo,
                max=lv.hi,
                step=(lv.hi - lv.lo) / SLIDER_STEPS,
                description=label,
                description_allow_html=False,
                tooltip=long,
                continuous_update=False,
                readout_format=".0%" if percent else (".2f" if lv.hi < 10 else ",.0f"),
                style={"description_width": DESCRIPTION_WIDTH},
                layout=w.Layout(**SLIDER_LAYOUT),
            )
            slider.observe(self._changed, names="value")
            self.sliders[label] = slider
            self.labels[lv.label] = label
        self.initial = {label: float(s.value) for label, s in self.sliders.items()}
        self.summary = w.HTML()
        self.chart = w.HTML(layout=w.Layout(width=f"{SVG_WIDTH}px", height=f"{SVG_HEIGHT}px"))
        self.scenario: Scenario = scenario
        self.result: Result | None = None
        super().__init__([*self.sliders.values(), self.summary, self.chart])
        self.update()

    def _changed(self, _change: Any) -> None:
        self.update()

    def current_scenario(self) -> Scenario:
        """The scenario with every lever at its slider's value."""
        raw: Mapping[str, Any] = self.base.overrides
        moved = False
        for lv, (label, slider) in zip(self.levers, self.sliders.items(), strict=True):
            if float(slider.value) != self.initial[label]:  # an untouched slider changes nothing
                raw = lv.apply(raw, float(slider.value), f"<{self.base.name}>")
                moved = True
        return rebuild(raw, self.base, self.base.name) if moved else self.base

    def update(self) -> None:
        """Re-run the model at the sliders' values and refresh the figures, then the chart.

        The numbers are sent first; in a running kernel the chart (a matplotlib render,
        the slow part) follows from the event loop once this change is handled, and only
        for the latest result, so a run of slider moves never queues stale pictures.
        Without a running event loop (a script, a test) the chart is drawn at once."""
        try:
            self.scenario = self.current_scenario()
            self.result = run(self.scenario)
        except InputError as exc:
            self.summary.value = f"<p><strong>error:</strong> {html.escape(str(exc))}</p>"
            return
        name = self.caption()
        shown = figures(self.result).rename_axis(None)  # the rows say what they are
        # the numbers first, then the picture: an SVG drawn in about a millisecond, so the
        # two arrive together (a matplotlib PNG took 50-150 ms and lagged the slider)
        self.summary.value = display.html_table(shown, "GBP000", caption=f"{name}: key figures (£000)")
        self.chart.value = net_budget_svg(self.result, label=name)

    def caption(self) -> str:
        """What the figures show: the scenario's name, and each moved slider at its value
        (``baseline with DCFSF (CF1-3) delivery at 50%``)."""
        moved = []
        for label, slider in self.sliders.items():
            if float(slider.value) != self.initial[label]:
                short = label.rsplit(" (", 1)[0]
                value = float(slider.value)
                shown = pct(value, 0) if label.endswith("(% of plan)") else number(value, 3 if value < 10 else 0)
                moved.append(f"{short} at {shown}")
        return self.base.name + (" with " + ", ".join(moved) if moved else "")


def what_if(
    scenario: Any = "baseline",
    levers: Sequence[str | Sequence[str]] | Mapping[str, Any] | None = None,
    edition: Edition | None = None,
) -> WhatIf:
    """A panel of sliders over ``levers`` for ``scenario`` (a name, ``"a+b"``, dict or
    Scenario).  ``levers`` is a list of override paths (a list inside it moves paths
    together), or a mapping path -> ``(lo, hi)``; default :func:`default_levers`."""
    s = as_scenario(scenario, edition=edition)
    if levers is None:
        levers = default_levers(s)
    built: list[Lever] = []
    if isinstance(levers, Mapping):
        for path, bounds in levers.items():
            lo, hi = (None, None) if bounds is None else bounds
            built.append(make_lever(s, path, lo, hi))
    else:
        for p in levers:
            paths = [p] if isinstance(p, str) else list(p)
            built.append(make_lever(s, paths, *plausible_range(s, paths)))
    return WhatIf(s, built)
