"""Editions as data: a second edition built only as data runs end to end, generated
editions keep every identity, two editions run side by side, and the package code holds
no edition literal."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtfs_model
from mtfs_model import load_edition, load_scenario, run
from mtfs_model.base import rows
from mtfs_model.engine.run import Result
from mtfs_model.scenarios.load import scenario_from_dict
from tests.edition_factory import make_edition
from tests.paths import REPO, TESTS

SECOND = TESTS / "editions" / "cfs_2022_23"
PACKAGE = Path(mtfs_model.__file__).parent


def assert_identities(r: Result) -> None:
    """The engine's identities, from the tables alone (no edition figure typed here)."""
    ed, years = r.edition, list(r.years)
    rev = r.revenue
    for i, y in enumerate(years):
        parts = [rows.PRIOR_YEAR_BUDGET, rows.TRANSFERS, rows.GROWTH, rows.SAVINGS]
        assert rev.at[rows.NET_BUDGET, y] == pytest.approx(sum(rev.at[p, y] for p in parts), abs=1e-6)
        if i:
            assert rev.at[rows.PRIOR_YEAR_BUDGET, y] == pytest.approx(rev.at[rows.NET_BUDGET, years[i - 1]])
    lines = r.cumulative.loc[list(ed.line_codes)]
    for prog in ed.programmes:
        members = ed.lines_of(prog.id)
        total = r.cumulative.loc[rows.programme_total(prog.id)]
        pd.testing.assert_series_equal(total, lines.loc[members].sum(), check_names=False, atol=1e-6)
    savings = [c for c in ed.line_codes if r.line_info.at[c, "kind"] == "saving"]
    pd.testing.assert_series_equal(
        r.cumulative.loc[rows.TOTAL_SAVINGS], lines.loc[savings].sum(), check_names=False, atol=1e-6
    )
    assert (lines.loc[savings] <= 0).all().all()  # a saving never turns into a cost
    in_year_total = r.in_year.loc[rows.TOTAL_SAVINGS].cumsum()
    pd.testing.assert_series_equal(in_year_total, r.cumulative.loc[rows.TOTAL_SAVINGS], check_names=False, atol=1e-6)
    rev_savings = r.revenue.loc[rows.SAVINGS].cumsum()
    pd.testing.assert_series_equal(rev_savings, r.cumulative.loc[rows.TOTAL_SAVINGS], check_names=False, atol=1e-6)
    hn = r.high_needs
    assert hn.loc[rows.HN_CUMULATIVE, years[-1]] == pytest.approx(
        hn.loc[rows.HN_ANNUAL_GAP].sum() + sum(hn.loc[k, years[0]] for k in r.scenario.inputs.hn_brought_forward)
    )
    for name, frame in r.tables().items():
        assert not frame.select_dtypes("number").isna().any().any(), name


def test_second_edition_runs_with_no_code_change() -> None:
    ed = load_edition(SECOND)
    assert ed.years == ("2022/23", "2023/24", "2024/25", "2025/26", "2026/27")
    assert "G7" in ed.line_codes and "CF6" in ed.line_codes and "digital" in ed.programme_ids()
    assert len(ed.cip["properties"]) == 3
    r = run(edition=ed)
    assert_identities(r)
    # the new programme's saving is in every total and in the net budget
    assert r.cumulative.at["CF6", "2026/27"] == -1200
    assert r.cumulative.at[rows.programme_total("digital"), "2026/27"] == -1200
    bundled = run()
    assert r.revenue.at[rows.NET_BUDGET, "2022/23"] != bundled.revenue.at[rows.NET_BUDGET, "2022/23"]


def test_two_editions_side_by_side() -> None:
    a, b = run(), run(edition=load_edition(SECOND))
    assert a.edition is not b.edition
    assert a.revenue.at[rows.NET_BUDGET, "2024/25"] == 89851  # the bundled edition is untouched
    assert list(b.revenue.columns) == list(b.edition.years)
    assert run().edition is a.edition  # cached, read-only


def test_scenario_keys_are_relative_to_the_edition() -> None:
    ed = load_edition(SECOND)
    s = scenario_from_dict(
        {"scenario": {"description": "x"}, "programmes": {"digital": {"recurring": {"year": "final", "value": -600}}}},
        edition=ed,
    )
    r = run(s)
    assert r.cumulative.at["CF6", "2026/27"] == pytest.approx(-600)
    assert r.cumulative.at["CF6", "2022/23"] == pytest.approx(-50)
    # the bundled scenarios run on the second edition where their keys exist
    g = run(load_scenario("newton_guarantee", edition=ed))
    assert -g.cumulative.at[rows.programme_total("DCFSF"), "2026/27"] == pytest.approx(7000)


def test_second_edition_reconciles() -> None:
    findings = mtfs_model.reconcile(edition=load_edition(SECOND))
    assert not findings.empty


def test_second_edition_simulates() -> None:
    ed = load_edition(SECOND)
    r = mtfs_model.simulate(load_scenario("baseline", edition=ed), n=2000, seed=1)
    assert list(r.net_budget.columns) == list(ed.years)


def test_second_edition_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mtfs_model.cli.main import main

    assert main(["run", "baseline", "--edition", str(SECOND), "--table", "revenue", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "2026/27" in out
    assert main(["compare", "baseline", "newton_guarantee", "--edition", str(SECOND)]) == 0
    assert main(["reconcile", "--edition", str(SECOND)]) in (0, 1)


@st.composite
def editions(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    n_years = draw(st.integers(3, 6))
    n_new = draw(st.integers(0, 3))
    programmes = [{"id": f"prog{i}", "kind": "saving", "label": f"Total programme {i}"} for i in range(n_new)]
    lines = {}
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["growth", "saving"]))
        prog = "growth" if kind == "growth" else draw(st.sampled_from(["departmental", *[p["id"] for p in programmes]]))
        step = draw(st.floats(0, 5000))
        sign = 1 if kind == "growth" else -1
        lines[f"N{i}"] = {"kind": kind, "programme": prog, "values": [sign * step * (j + 1) for j in range(n_years)]}
    return {
        "first_year": draw(st.integers(2019, 2030)),
        "n_years": n_years,
        "new_lines": lines,
        "new_programmes": programmes,
        "properties": draw(st.lists(st.sampled_from(["P1", "P2", "P3", "P4"]), unique=True)),
        "property_line": draw(st.sampled_from(["keep", None])),
        "guarantee_programme": draw(st.sampled_from(["keep", None])),
    }


@pytest.mark.slow  # many examples or whole-edition round trips (the full suite runs it)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=editions(), delivery=st.floats(0, 2), occupancy=st.floats(0, 1))
def test_generated_editions_keep_every_identity(tmp_path_factory, spec, delivery, occupancy) -> None:  # type: ignore[no-untyped-def]
    d = make_edition(tmp_path_factory.mktemp("ed"), edition_id="generated", **spec)
    ed = load_edition(d)
    assert_identities(run(edition=ed))
    raw: dict = {"scenario": {"description": "generated"}, "programmes": {"departmental": {"delivery": delivery}}}  # type: ignore[type-arg]
    if spec["properties"]:
        raw["properties"] = {spec["properties"][0]: {"occupancy": occupancy}}
    assert_identities(run(scenario_from_dict(raw, edition=ed)))


# --- no edition literal in the package code ------------------------------------------
def edition_literals() -> re.Pattern[str]:
    """Every literal that belongs to the bundled edition: its years (as labels and as
    ``2021_22``), line codes, programme ids (those that are not also a kind), property
    codes, printed row labels and the partner's name."""
    ed = load_edition()
    years = [*ed.years, ed.base_year, ed.appraisal_last_year]
    words = years + [y.replace("/", "_") for y in years]
    words += list(ed.line_codes) + list(ed.cip["properties"])
    words += [p.id for p in ed.programmes if p.id not in ("growth", "saving")]
    words += [label for table in ed.rows.values() for label in table.values() if " " in label]
    words.append(str(ed.links["guarantee_partner"]))
    return re.compile(
        "|".join(rf"(?<![\w/]){re.escape(w)}(?![\w/])" for w in sorted(set(words), key=len, reverse=True))
    )


def code_strings(path: Path) -> list[tuple[int, str]]:
    """String and name tokens of a module; docstrings (a string that is a statement on its
    own) and comments left out."""
    out = []
    skip = (tokenize.NL, tokenize.COMMENT)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
              if t.type not in skip]  # fmt: skip
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.STRING:
            prev = tokens[i - 1] if i else None
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            starts = prev is None or prev.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            alone = nxt is None or nxt.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
            if not (starts and alone):
                out.append((tok.start[0], tok.string))
        elif tok.type == tokenize.NAME:
            out.append((tok.start[0], tok.string))
    return out


def test_package_code_holds_no_edition_literal() -> None:
    literals = edition_literals()
    assert literals.search('"2024/25"') and literals.search('"CF4"') and literals.search("DCFSF")  # the test can fail
    found = [
        f"{p.relative_to(PACKAGE)}:{line}: {text[:60]}"
        for p in sorted(PACKAGE.rglob("*.py"))
        for line, text in code_strings(p)
        if literals.search(text)
    ]
    assert not found, "\n".join(found)
    assert len(list(PACKAGE.rglob("*.py"))) > 60  # every subpackage is read, not only the root


def test_committed_json_schemas_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    """``schemas/*.json`` (what editors read) is what ``mtfs schema`` prints today."""
    from mtfs_model.cli.main import main
    from mtfs_model.cli.parser import SCHEMA_KINDS
    from mtfs_model.cli.schema import KINDS

    assert sorted(SCHEMA_KINDS) == sorted(KINDS)  # the parser (no pydantic) lists them all
    for kind in KINDS:
        assert main(["schema", kind]) == 0
        printed = capsys.readouterr().out
        committed = (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert printed == committed, f"run: mtfs schema {kind} -o schemas/{kind}.schema.json"


def test_json_schema_validates_the_bundled_scenarios() -> None:
    """Every bundled scenario is valid under the JSON Schema an editor reads, and a typo is not."""
    import json
    import tomllib

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text())
    for path in sorted((REPO / "scenarios").glob("*.toml")):
        jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"scenario": {"description": "x"}, "lines": {"G1": {"sclae": 1}}}, schema)
