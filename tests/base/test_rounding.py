"""Rounding as the papers and Excel round: half up, decimal-exact, everywhere a reader looks."""

from __future__ import annotations

import pytest

from mtfs_model.base.rounding import gbp_m, half_up, millions, number, pct


def test_half_up_pins_the_committee_figures() -> None:
    assert gbp_m(13950) == "£14.0m"  # Python's round-half-even on the float says £13.9m
    assert gbp_m(8775) == "£8.8m"
    assert gbp_m(13949.999) == "£14.0m"  # the table prints 13,950: prose follows the table
    assert gbp_m(-2250) == "-£2.3m" and gbp_m(-40) == "£0.0m"  # never -£0.0m
    assert millions(96050.999) == "96.1"


@pytest.mark.parametrize(
    ("x", "places", "text"),
    [(2.5, 0, "3"), (-2.5, 0, "-3"), (0.125, 2, "0.13"), (1234.5, 0, "1,235"), (-0.4, 0, "0"), (0.1 + 0.2, 1, "0.3")],
)
def test_number_rounds_half_away_from_zero(x: float, places: int, text: str) -> None:
    assert number(x, places) == text


def test_percentages_and_specials() -> None:
    assert pct(0.1845) == "18.5%" and pct(0.0005) == "0.1%" and pct(0.125, 0) == "13%"
    assert number(float("inf")) == "never" and number(float("nan")) == ""
    assert str(half_up(2.675, 2)) == "2.68"  # the float 2.675 is 2.67499...; the printed figure is 2.675


def test_every_reader_surface_rounds_half_up() -> None:
    from mtfs_model.base.display import cell_text
    from mtfs_model.base.report import display_frame
    from mtfs_model.brief.text import m
    from mtfs_model.charts.budget import millions as chart_millions

    assert m(13950) == "£14.0m" and chart_millions(13950) == "£14.0m"
    assert cell_text(8775.0, "x", unit="GBPm") == "8.8" and cell_text(2.5, "x") == "3"
    import pandas as pd

    assert display_frame(pd.DataFrame({"x": [1234.5]})).iloc[0, 0] == "1,235"


def test_no_reader_figure_is_formatted_by_python_rounding() -> None:
    """Every figure text, table or chart shows goes through ``base/rounding.py`` (half up):
    no ``f"{x:,.0f}"``, ``:.1f``, ``:.1%`` left in the package, bar error messages quoting
    a whole-number limit."""
    import re
    from pathlib import Path

    import mtfs_model

    fmt = re.compile(r"\{[^{}]*:,?\.\d+[f%]\}")
    root = Path(mtfs_model.__file__).parent
    found = [
        f"{p.relative_to(root)}:{i}"
        for p in root.rglob("*.py")
        if p.name != "rounding.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if fmt.search(line) and not re.search(r"\b(problems|p)\.add\(", line)
    ]
    assert found == []
