"""One rule per kind of figure (mtfs_model.base.formats)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mtfs_model.base import formats


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (13200.0, "money", "13,200"),
        (-3750.5, "money", "-3,751"),
        (-0.4, "money", "0"),
        (13950, "money_m", "14.0"),
        (58.321, "exact", "58.321"),
        (13200.0, "exact", "13,200"),
        (0.75, "share", "75.0%"),
        (0.18449, "share", "18.4%"),
        (0.2833, "years", "0.28"),
        (math.inf, "years", "never"),
        ("2021-12", "month", "Dec 2021"),
        (1.25, "multiplier", "1.25×"),
        (100_000, "count", "100,000"),
        (np.float64(0.5), "share", "50.0%"),
        (np.int64(3), "count", "3"),
        (None, "money", ""),
        (math.nan, "share", ""),
        (True, "money", "yes"),
        ("2023/24", "money", "2023/24"),
    ],
)
def test_each_kind_has_one_rule(value: object, kind: formats.Kind, expected: str) -> None:
    assert formats.text(value, kind) == expected


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("occupancy", "share"),
        ("irr", "share"),
        ("above_pct", "share"),
        ("simple_payback_gross", "years"),
        ("discounted_payback", "years"),
        ("stated_payback_years", "years"),
        ("go_live", "month"),
        ("places", "count"),
        ("npv", "money"),
        ("capital_cost", "money"),
        ("2021/22", "money"),
        (("G1", "2021/22"), "money"),
        ("difference", "exact"),
        ("break_even", "text"),
    ],
)
def test_kind_from_the_column_id(column: object, kind: str) -> None:
    assert formats.kind_of(column) == kind


def test_header_gets_the_unit_once() -> None:
    assert formats.header("Occupancy", "share") == "Occupancy (%)"
    assert formats.header("Capital cost (£000)", "money") == "Capital cost (£000)"
    assert formats.header("Property", "text") == "Property"


def test_every_kind_has_a_rule_an_excel_format_and_a_unit() -> None:
    for kind in formats.KINDS:
        assert kind in formats.RULES and kind in formats.EXCEL_FORMATS and kind in formats.UNITS


def test_styler_prints_each_column_by_its_kind() -> None:
    frame = pd.DataFrame(
        {"occupancy": [0.75], "irr": [0.184], "simple_payback_net": [0.2833], "go_live": ["2021-12"], "npv": [1234.6]},
        index=pd.Index(["p2"], name="property"),
    )
    html = formats.styler(frame, labels={"irr": "Internal rate of return", "p2": "Property 2"}).to_html()
    for shown in ("75.0%", "18.4%", "0.28", "Dec 2021", "1,235", "Internal rate of return (%)", "Property 2"):
        assert shown in html
    assert "npv (£000)" in html and "irr (£000)" not in html and "Occupancy (%)" not in html  # no label given
    assert "occupancy (%)" in html
    assert html == formats.styler(frame, labels={"irr": "Internal rate of return", "p2": "Property 2"}).to_html()
