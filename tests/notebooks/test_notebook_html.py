"""What a reader of an executed notebook's static HTML sees (nbconvert, as a preview or an
emailed copy shows it): the property appraisal with each kind of figure printed as the
brief prints it, scenario names rather than ids, and the what-if panel readable without a
kernel."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

import mtfs_model
from mtfs_model.base import formats
from mtfs_model.brief import build as brief
from mtfs_model.engine.labels import short_name

pytestmark = pytest.mark.slow  # a kernel each


class Tables(HTMLParser):
    """Every ``<table>`` of a page as rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def static_html(name: str, parameters: dict[str, Any]) -> str:
    """The notebook executed, then exported by nbconvert's own HTML exporter (code shown,
    as anyone converting it would)."""
    from nbconvert import HTMLExporter

    nb = brief.execute_notebook(name, parameters, progress=False)
    body, _ = HTMLExporter().from_notebook_node(nb)
    return str(body)


def tables_of(page: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def column(table: list[list[str]], header: str) -> dict[str, str]:
    """``{row label: cell}`` of the column whose header is ``header``."""
    j = table[0].index(header)
    return {row[0]: row[j] for row in table[1:]}


@pytest.fixture(scope="module")
def cip_page() -> str:
    return static_html("cip_paybacks", {"scenarios": ["baseline", "cip_lower_occupancy", "cip_late_go_live"]})


def test_the_appraisal_prints_shares_years_and_months_as_the_brief(cip_page: str) -> None:
    appraisal = next(t for t in tables_of(cip_page) if "Internal rate of return (%)" in t[0])
    head = appraisal[0]
    for wrong in ("go live (£000)", "irr (£000)", "occupancy (£000)"):
        assert wrong not in cip_page, wrong
    assert "Occupancy (%)" in head and "Go-live (month)" in head
    assert "Simple payback, net (years)" in head
    # the paper (9 March 2021, para 14): Property 2 at 75 % occupancy; Property 1's IRR 18.4 %
    assert column(appraisal, "Occupancy (%)")["Property 2"] == "75.0%"
    assert column(appraisal, "Internal rate of return (%)")["Property 1"] == "18.4%"
    net = column(appraisal, "Simple payback, net (years)")
    assert net["Property 2"] == "0.28"  # 52 / 188, not the whole years a £000 format printed (0)
    assert column(appraisal, "Go-live (month)")["Property 1"] == "Dec 2021"
    # every row as the one rule for its kind prints the engine's figure
    cip = mtfs_model.run("baseline").cip
    for pid, row in cip.iterrows():
        name = short_name(str(row["name"]))
        assert column(appraisal, "Internal rate of return (%)")[name] == formats.share(row["irr"])
        assert column(appraisal, "Discounted payback (years)")[name] == formats.years(row["discounted_payback"])
        assert column(appraisal, "Capital cost (£000)")[name] == formats.money(row["capital_cost"]), pid


def test_the_notebook_names_scenarios_as_the_brief_does(cip_page: str) -> None:
    words = re.sub(r"<[^>]+>", " ", cip_page)
    assert "cip late go live" in words and "cip lower occupancy" in words
    for table in tables_of(cip_page):
        for row in table:
            for cell in row:
                assert "cip_late_go_live" not in cell and "cip_lower_occupancy" not in cell, cell


def test_the_what_if_panel_is_readable_without_a_kernel() -> None:
    page = static_html("what_if", {"scenario": "baseline"})
    # the panel's figures and its SVG chart as static output, before the live widget
    assert "<svg" in page and "Net budget against the MTFS" in page
    panel = next(t for t in tables_of(page) if t and any("Net budget less the MTFS" in r[0] for r in t[1:]))
    assert len(panel) == 4
    assert "no kernel is there to move the sliders" in page
