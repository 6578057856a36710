"""Scenarios built in Python (mtfs_model.scenarios.compose): from a dict with the file's checks,
written to TOML and read back identically, combined, and resolved from anything."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtfs_model
from mtfs_model.base.errors import InputError, OutputError
from mtfs_model.scenarios import compose
from mtfs_model.whatif.goalseek import net_budget

G1_4400 = {"lines": {"G1": {"drivers": {"unit_cost_current_gbp_week": 4400}}}}


def final_net(s: mtfs_model.Scenario) -> float:
    return float(net_budget(mtfs_model.run(s)).iloc[-1])


def test_a_dict_scenario_runs_like_the_same_file() -> None:
    s = compose.scenario(G1_4400, name="g1", description="G1 at 4,400 a week")
    assert s.name == "g1" and s.description == "G1 at 4,400 a week"
    assert s.overrides["lines"] == G1_4400["lines"]
    file = mtfs_model.load_scenario("placement_unit_cost_plus_10pct")
    assert final_net(s) == pytest.approx(final_net(file), abs=1e-9)


def test_tables_by_keyword() -> None:
    s = compose.scenario(name="half", description="DCFSF half", programmes={"DCFSF": {"delivery": 0.5}})
    assert final_net(s) == pytest.approx(final_net(mtfs_model.load_scenario("dcfsf_half_delivered")), abs=1e-9)
    with pytest.raises(InputError, match=r"programmes"):
        compose.scenario({"programmes": {}}, name="x", description="d", programmes={"DCFSF": {"delivery": 0.5}})


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"lines": {"NO_SUCH_LINE": {"scale": 1.0}}}, "lines.NO_SUCH_LINE"),
        ({"programmes": {"DCFSF": {"delivery": "half"}}}, "programmes.DCFSF.delivery"),
        ({"nonsense": 1}, "nonsense"),
    ],
)
def test_bad_dict_input_is_one_line_naming_the_key(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(InputError) as info:
        compose.scenario(overrides, name="bad", description="bad input")
    text = str(info.value)
    assert text.startswith("<bad>: ") and key in text and "expected" in text
    assert "\n" not in text


def test_a_description_is_required() -> None:
    with pytest.raises(InputError, match=r"<nodesc>: scenario\.description"):
        compose.scenario(G1_4400, name="nodesc")


@pytest.mark.parametrize("name", mtfs_model.available_scenarios())
def test_every_bundled_scenario_round_trips_through_toml(name: str, tmp_path: Path) -> None:
    s = mtfs_model.load_scenario(name)
    path = compose.to_toml(s, tmp_path / f"{name}.toml")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == s.overrides
    back = mtfs_model.load_scenario(path)
    assert back.overrides == s.overrides
    assert back.description == s.description
    assert final_net(back) == final_net(s)


def test_scenario_to_toml_method(tmp_path: Path) -> None:
    s = compose.scenario(G1_4400, name="g1", description='A "quoted" £ description\twith a tab')
    with pytest.raises(OutputError, match="does not exist"):  # one atomic writer: it never creates a folder
        s.to_toml(tmp_path / "out" / "g1.toml")
    (tmp_path / "out").mkdir()
    path = s.to_toml(tmp_path / "out" / "g1.toml")
    assert mtfs_model.load_scenario(path).overrides == s.overrides
    assert not [p for p in path.parent.iterdir() if p.name != "g1.toml"], "no temporary file left"


def test_dumps_layout_is_readable() -> None:
    text = compose.dumps(
        {"lines": {"G1": {"drivers": {"unit_cost_current_gbp_week": 4400}}}, "scenario": {"description": "d"}}
    )
    assert text.startswith('[scenario]\ndescription = "d"\n')
    assert "[lines.G1.drivers]\nunit_cost_current_gbp_week = 4400\n" in text


def test_values_toml_cannot_hold_are_refused() -> None:
    with pytest.raises(InputError, match="to_toml"):
        compose.dumps({"a": None})
    with pytest.raises(InputError, match="to_toml"):
        compose.dumps({"a": 2**64})


int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
scalars = st.text(max_size=12) | int64 | st.floats(allow_nan=False) | st.booleans()
keys = st.text(max_size=8)
inline = st.dictionaries(keys, scalars, max_size=3)
leaves = scalars | st.lists(st.text(max_size=6) | int64 | st.floats(allow_nan=False), max_size=4)
leaves = leaves | st.lists(inline, max_size=3)
tables = st.recursive(
    st.dictionaries(keys, leaves, max_size=4),
    lambda children: st.dictionaries(keys, leaves | children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_any_override_shaped_dict_round_trips(data: dict[str, Any]) -> None:
    assert tomllib.loads(compose.dumps(data)) == data


def test_infinities_round_trip() -> None:
    back = tomllib.loads(compose.dumps({"x": {"a": math.inf, "b": -math.inf, "c": [-0.0, 1e300]}}))
    assert back == {"x": {"a": math.inf, "b": -math.inf, "c": [0.0, 1e300]}}


def test_combine_merges_and_joins_descriptions() -> None:
    both = compose.combine("placement_unit_cost_plus_10pct", "dcfsf_half_delivered")
    assert both.name == "placement_unit_cost_plus_10pct+dcfsf_half_delivered"
    a = mtfs_model.load_scenario("placement_unit_cost_plus_10pct")
    b = mtfs_model.load_scenario("dcfsf_half_delivered")
    assert both.description == f"{a.description} + {b.description}"
    assert both.overrides["lines"] == a.overrides["lines"]
    assert both.overrides["programmes"] == b.overrides["programmes"]
    mtfs = final_net(mtfs_model.load_scenario("baseline"))
    assert final_net(both) - mtfs == pytest.approx((final_net(a) - mtfs) + (final_net(b) - mtfs), abs=1e-6)
    refs = both.overrides["scenario"].get("references", [])
    assert len(refs) >= len(a.overrides["scenario"].get("references", []))


def test_combine_refuses_one_key_set_two_ways() -> None:
    a = compose.scenario(name="a", description="a", programmes={"DCFSF": {"delivery": 0.5}})
    b = compose.scenario(name="b", description="b", programmes={"DCFSF": {"delivery": 0.7}})
    with pytest.raises(InputError) as info:
        compose.combine(a, b)
    text = str(info.value)
    assert "programmes.DCFSF.delivery" in text and "'a'" in text and "'b'" in text
    assert "0.5" in text and "0.7" in text and "\n" not in text
    same = compose.combine(a, compose.scenario(name="c", description="c", programmes={"DCFSF": {"delivery": 0.5}}))
    assert same.overrides["programmes"] == {"DCFSF": {"delivery": 0.5}}


def test_as_scenario_takes_anything() -> None:
    s = mtfs_model.load_scenario("hn_savings_half")
    assert compose.as_scenario(s) is s
    assert compose.as_scenario("hn_savings_half").overrides == s.overrides
    assert compose.as_scenario(s.path).overrides == s.overrides
    plus = compose.as_scenario("hn_savings_half + hn_transfer_refused")
    assert set(plus.overrides["high_needs"]) == {"savings_delivery", "schools_block_transfer_approved"}
    from_dict = compose.as_scenario({"scenario": {"description": "d"}, **G1_4400})
    assert from_dict.overrides["lines"] == G1_4400["lines"]
    with pytest.raises(InputError):
        compose.as_scenario("hn_savings_half+")
    with pytest.raises(InputError):
        compose.as_scenario(42)
