"""Issue 22, evidence as it stood: publication dates, the evidence date, and the
out-of-sample rule wherever a fan is built (EvidenceContext.for_edition, the one door)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mtfs_model import InputError
from mtfs_model.evidence.context import EvidenceContext, evidence_date, papers_date
from mtfs_model.evidence.reference_class import load_reference_class, normalised_name, pair_published, published_by
from tests.evidence.helpers import EDITION, edition_copy, pair, record

EDITION_DATE = dt.date(2021, 3, 9)


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        ("2021-03-09", dt.date(2021, 3, 9)),
        ("2021-03", dt.date(2021, 3, 31)),
        ("2021", dt.date(2021, 12, 31)),
        ("2020-02", dt.date(2020, 2, 29)),
        ("2022/23 in-year", dt.date(2023, 3, 31)),
        ("2025 Q2", dt.date(2025, 9, 30)),
        ("2024 Q4", dt.date(2025, 3, 31)),
        ("plan", None),
        ("2021-13", None),
    ],
)
def test_a_record_is_published_by_the_last_day_its_date_can_mean(made: str, expected: dt.date | None) -> None:
    assert published_by(made) == expected


def test_a_pair_is_published_when_its_later_figure_is() -> None:
    rc = load_reference_class()
    r = rc.records
    assert pair_published(r["devon_1920_budget"], r["devon_1920_spend"]) == dt.date(2020, 12, 31)
    assert pair_published(r["rotherham_2122_plan"], r["rotherham_2122_o"]) == dt.date(2022, 12, 31)  # plan: unknown
    assert pair_published(r["staffs_2324_f2022"], r["staffs_2324_o"]) == dt.date(2024, 6, 30)


def test_the_evidence_date_is_the_papers_date_unless_risk_toml_says(tmp_path: Path) -> None:
    assert evidence_date(EDITION) == (EDITION_DATE, "the latest date of the edition's papers")
    later = edition_copy(tmp_path, risk_extra="evidence_as_of = 2026-01-01")
    assert evidence_date(later)[0] == dt.date(2026, 1, 1)
    assert papers_date(later) == EDITION_DATE  # what a back-test uses, whatever risk.toml says
    assert EvidenceContext.for_edition(later).as_of == dt.date(2026, 1, 1)


def test_the_bundled_fan_uses_no_pair_published_after_the_edition_s_papers() -> None:
    ctx = EvidenceContext.for_edition(EDITION)
    assert ctx.as_of == EDITION_DATE
    used = ctx.used_pairs()
    fan = used[used["used_by_fan"]]
    assert len(fan) >= 3 and all(d is not None and d <= EDITION_DATE for d in fan["published"])
    # the pairs the issue names are out, each saying why
    for pid in ("lga_2223_placements", "sandwell_2122_hn_spend", "staffs_2324_f2022"):
        assert not used.loc[pid, "used_by_fan"] and used.loc[pid, "why_not"].startswith("published 20")
    for subject in ctx.subjects():
        p = ctx.predictive(subject)
        assert set(p.pairs) <= set(fan.index) and p.as_of == EDITION_DATE
    # lifting the date brings the later pairs in: the rule is what kept them out
    later = EvidenceContext.for_edition(EDITION, as_of=dt.date(2026, 12, 31)).used_pairs()
    assert later["used_by_fan"].sum() > 4 * len(fan) and later.loc["sandwell_2122_hn_spend", "used_by_fan"]


def test_the_bundled_class_holds_30_council_pairs_with_an_outturn_each_with_a_gss_code() -> None:
    ctx = EvidenceContext.for_edition(EDITION, as_of=dt.date(2026, 12, 31))
    t = ctx.table
    council = t[(t["level"] == "council") & t["used"].astype(bool) & t["log_error"].notna()]
    assert len(council) >= 30
    assert all(r.gss for r in ctx.rc.records.values() if r.council)
    assert not any(r.gss == "E10000018" for r in ctx.rc.records.values())  # the bundled council is not there


# --- the out-of-sample rule, planted ------------------------------------------------------------

LEICS = "Leicestershire County Council"


def _planted(tmp_path: Path, **fields: object) -> Path:
    """A Leicestershire record (2022/23, in the horizon) and another council's."""
    path = tmp_path / "planted.toml"
    text = record("planted_f", "F", 1e6, period="2022/23", made="2020", **fields)  # type: ignore[arg-type]
    text += record("planted_o", "O", 1.1e6, period="2022/23", made="2020", **fields)  # type: ignore[arg-type]
    path.write_text(text + pair("planted", "planted_f", "planted_o"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "fields",
    [
        {"council": LEICS},  # with a council field
        {"council": None, "gss": "E10000018"},  # no council field: recognised by its GSS code
        {"council": None, "scope": "leicestershire"},  # no council, no code: by its name
        {"council": "Leicestershire CC"},  # spelt differently
        {"council": None, "body": "LEICESTERSHIRE COUNTY COUNCIL"},
    ],
)
def test_a_planted_record_of_the_edition_s_council_is_refused(tmp_path: Path, fields: dict[str, object]) -> None:
    planted = _planted(tmp_path, **fields)
    with pytest.raises(InputError) as exc:
        EvidenceContext.for_edition(EDITION, extra_files=[planted])
    lines = str(exc.value).splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{planted}: record[id=planted_") for line in lines)
    assert "own council (Leicestershire County Council)" in lines[0]


def test_a_neighbour_or_an_earlier_own_figure_is_not_refused(tmp_path: Path) -> None:
    city = _planted(tmp_path, council="Leicester City Council", gss="E06000016")
    assert EvidenceContext.for_edition(EDITION, extra_files=[city]).table.loc["planted", "used"]
    # a GSS code decides: another council's code with Leicestershire's name in the body is not refused
    other = tmp_path / "other.toml"
    text = record("x_f", "F", 1e6, made="2020", council=None, gss="E06000016", body=LEICS)
    other.write_text(
        text + record("x_o", "O", 1e6, made="2020", council=None, gss="E06000016") + pair("x", "x_f", "x_o")
    )
    EvidenceContext.for_edition(EDITION, extra_files=[other])
    before = tmp_path / "before.toml"  # the council's own figures before its horizon (2019/20) are evidence
    text = record("b_f", "F", 1e6, council=LEICS, gss="E10000018") + record("b_o", "O", 1e6, council=LEICS)
    before.write_text(text + pair("b", "b_f", "b_o"), encoding="utf-8")
    EvidenceContext.for_edition(EDITION, extra_files=[before])


def test_a_national_sum_that_may_include_the_council_is_flagged_and_left_out(tmp_path: Path) -> None:
    path = tmp_path / "national.toml"
    text = record("n_f", "F", 8e9, council=None, scope="england_all_councils", made="2019-06")
    text += record("n_o", "O", 9e9, council=None, scope="england_all_councils", made="2020-08")
    path.write_text(text + pair("n", "n_f", "n_o", level="national"), encoding="utf-8")
    ctx = EvidenceContext.for_edition(EDITION, extra_files=[path])
    assert not ctx.table.loc["n", "used_by_fan"]
    assert "national sum" in ctx.table.loc["n", "why_not"] and LEICS in ctx.table.loc["n", "why_not"]
    assert "n" in dict(ctx.predictive("hn_spend").excluded)
    # the user may opt in; a sum that states it excludes the council is not flagged
    assert EvidenceContext.for_edition(EDITION, extra_files=[path], include_national=True).table.loc["n", "used_by_fan"]
    path.write_text(
        path.read_text().replace(
            'scope = "england_all_councils"', 'scope = "england_all_councils"\nexcludes_gss = ["E10000018"]'
        ),
        encoding="utf-8",
    )
    assert EvidenceContext.for_edition(EDITION, extra_files=[path]).table.loc["n", "used_by_fan"]


def test_fans_built_from_the_same_inputs_share_one_context(tmp_path: Path) -> None:
    assert EvidenceContext.for_edition(EDITION) is EvidenceContext.for_edition(EDITION)
    assert EvidenceContext.for_edition(EDITION) is not EvidenceContext.for_edition(EDITION, as_of=dt.date(2025, 1, 1))
    own = tmp_path / "ours.toml"
    own.write_text(record("a_f", "F", 1e6) + record("a_o", "O", 1e6) + pair("a", "a_f", "a_o"), encoding="utf-8")
    first = EvidenceContext.for_edition(EDITION, extra_files=[own])
    own.write_text(record("a_f", "F", 1e6) + record("a_o", "O", 2e6) + pair("a", "a_f", "a_o"), encoding="utf-8")
    assert (
        EvidenceContext.for_edition(EDITION, extra_files=[own]).table.loc["a", "ratio"]
        == 2.0
        != first.table.loc["a", "ratio"]
    )  # the file changed on disk: read again


def test_the_bundled_national_sums_are_flagged() -> None:
    t = EvidenceContext.for_edition(EDITION).table
    assert "national sum" in t.loc["england_1718_csc", "why_not"]
    # opted in, England's 2017/18 sum counts half: it contains Dorset's pair of the same year
    t = EvidenceContext.for_edition(EDITION, include_national=True).table
    assert t.loc["england_1718_csc", "used_by_fan"] and t.loc["england_1718_csc", "weight"] == 0.5
    assert "contains another pair of the class: dorset_1718_childrens" in t.loc["england_1718_csc", "weight_reason"]


def test_an_edition_without_a_gss_code_still_refuses_by_name(tmp_path: Path) -> None:
    ed = edition_copy(tmp_path, replace=(("edition.toml", 'council_gss = "E10000018"', ""),))
    with pytest.raises(InputError):
        EvidenceContext.for_edition(ed, extra_files=[_planted(tmp_path, council=LEICS)])
    # without a code of its own, a record coded E10000018 but not named is not recognised: say so by testing it
    coded = _planted(tmp_path, council=None, gss="E10000018", scope="somewhere")
    EvidenceContext.for_edition(ed, extra_files=[coded])


def test_a_local_authority_table_row_of_the_council_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtfs_model.evidence import la_data

    table = tmp_path / "s251.csv"
    text = la_data.S251_FILE.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join([*text, text[1].replace(",Derby,", ",Leicestershire,")]) + "\n", encoding="utf-8")
    monkeypatch.setattr(la_data, "S251_FILE", table)
    with pytest.raises(InputError) as exc:
        EvidenceContext.for_edition(EDITION)
    assert str(exc.value).startswith(f"{table}: row {len(text) + 1}.la_name: expected no row of the edition's own")


def test_normalised_names() -> None:
    assert normalised_name("Leicestershire County Council") == normalised_name("leicestershire") == "leicestershire"
    assert normalised_name("Leicester City Council") != normalised_name("Leicestershire")
    bcp = "bournemouth christchurch and poole"
    assert (
        normalised_name("Bournemouth, Christchurch and Poole Council")
        == normalised_name("Bournemouth, Christchurch & Poole")
        == bcp
    )
