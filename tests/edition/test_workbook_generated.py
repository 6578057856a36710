"""Round trip of generated editions (tests/edition_factory.py) through the workbook."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_model.edition.workbook.export import book_bytes, export_edition, read_folder
from mtfs_model.edition.workbook.importer import import_book

from ..edition_factory import make_edition
from .test_workbook import book_content, same_files, validate


@st.composite
def editions(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    n_years = draw(st.integers(1, 7))
    lines = {}
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["growth", "saving"]))
        prog = "growth" if kind == "growth" else draw(st.sampled_from(["departmental", "DCFSF", "CIP"]))
        step = draw(st.integers(0, 5000)) if draw(st.booleans()) else draw(st.floats(0, 5000)).__round__(3)
        sign = 1 if kind == "growth" else -1
        lines[f"{'G' if kind == 'growth' else 'CF'}{10 + i}"] = {
            "kind": kind,
            "programme": prog,
            "title": draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)),
            "values": [round(sign * step * (k + 1), 3) for k in range(n_years)],
        }
    return {
        "first_year": draw(st.integers(2015, 2040)),
        "n_years": n_years,
        "new_lines": lines,
        "properties": draw(st.lists(st.sampled_from(["P1", "P2", "P3", "P4"]), unique=True)),
        "property_line": draw(st.sampled_from(["keep", None])),
        "guarantee_programme": draw(st.sampled_from(["keep", None])),
    }


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=editions())
def test_generated_editions_round_trip(spec: dict, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("gen")
    folder = make_edition(tmp / "ed", edition_id="generated", **spec)
    book = tmp / "book.xlsx"
    export_edition(folder, book)
    out = tmp / "imported"
    import_book(book, out, validate)
    original, imported = read_folder(folder), read_folder(out)
    same_files(imported, original)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {p.name: p.read_bytes() for p in folder.iterdir()}
    assert book_bytes(imported, "") == book_bytes(original, "")
    again = tmp / "again.xlsx"
    export_edition(out, again)
    assert book_content(again) == book_content(book)
