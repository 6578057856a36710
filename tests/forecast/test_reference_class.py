"""The reference class (issue 15): shipped with sources and a schema, out of sample, a
calibration that gives no uplift where forecasts were right, recovers a known
distribution, widens with larger errors, checks itself leave-one-out, and the figures the
bundled risk.toml declares are the fit of the pairs it cites; proper scores against their
closed forms."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from mtfs_model import InputError, load_edition
from mtfs_model.evidence.calibration import fit, leave_one_out, reference_fit
from mtfs_model.evidence.reference_class import (
    REFERENCE_CLASS_FILE,
    OwnCouncil,
    check_edition,
    fiscal_years,
    load_reference_class,
    screen,
)
from mtfs_model.forecast.scores import crps, interval_score

EDITION = load_edition()
COUNCIL = str(EDITION.meta["council"])
RECORD = """
[[record]]
id = "{id}"
scope = "{scope}"
{council}
subject = "hn_spend"
body = "A council"
made = "2021"
refers_to = "{period}"
kind = "{kind}"
value_gbp = {value}
timing = "{timing}"
source = {{ title = "A page", href = "https://example.org/{id}", phrase = "a phrase" }}
"""


def record(
    rid: str, kind: str, value: float, period: str = "2019/20", council: str | None = "Somewhere Council"
) -> str:
    return RECORD.format(
        id=rid, scope="somewhere", council=f'council = "{council}"' if council else "", period=period, kind=kind,
        value=value, timing="budget" if kind == "F" else "actual",
    )  # fmt: skip


def pair(pid: str, forecast: str, outturn: str, **extra: object) -> str:
    lines = [f'id = "{pid}"', f'forecast = "{forecast}"', f'outturn = "{outturn}"', 'subject = "hn_spend"',
             'measure = "spend"', "horizon_years = 1.0", 'level = "council"']  # fmt: skip
    lines += [f"{k} = {v!r}".replace("'", '"').replace("True", "true") for k, v in extra.items()]
    return "[[pair]]\n" + "\n".join(lines) + "\n"


def class_file(tmp_path: Path, ratios: list[float], name: str = "ours.toml") -> Path:
    """A reference class of ``len(ratios)`` spending pairs with outturn / forecast = ratio."""
    text = ""
    for i, r in enumerate(ratios):
        text += record(f"f{i}", "F", 1_000_000) + record(f"o{i}", "O", 1_000_000 * r) + pair(f"p{i}", f"f{i}", f"o{i}")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the data ----------------------------------------------------------------------------------


def test_the_package_ships_the_reference_class_with_sources() -> None:
    rc = load_reference_class()
    assert REFERENCE_CLASS_FILE.is_file() and REFERENCE_CLASS_FILE.parent.name == "evidence"
    assert len(rc.records) >= 69 and len(rc.pairs) >= 20
    for r in rc.records.values():
        assert r.source.title and r.source.href.startswith("http") and r.source.phrase
    table = rc.table()
    used = table[table["used"].astype(bool)]
    # every pair the calibration may use has an outturn and a finite log error
    assert used["log_error"].notna().sum() >= 15
    assert np.allclose(np.exp(used["log_error"].dropna()), used.loc[used["log_error"].notna()].apply(
        lambda row: row["spend_ratio"] if row["subject"].endswith("_spend") else row["ratio"], axis=1))  # fmt: skip


def test_pairs_are_transcribed_from_the_evidence() -> None:
    """A few pairs against the figures of ../shared/evidence/README.md section 4."""
    t = load_reference_class().table()
    assert t.loc["devon_1920_hn_spend", "ratio"] == pytest.approx(82_798_000 / 63_723_000)
    assert t.loc["wokingham_2223_start", "ratio"] == pytest.approx(7.2 / 3.9)
    assert t.loc["lga_2223_placements", "ratio"] == pytest.approx(4.7 / 4.1)
    assert t.loc["devon_1819_hn_spend", "spend_ratio"] == pytest.approx(1.0614)
    assert t.loc["devon_1920_m8", "error_share"] == pytest.approx((19_774_000 - 21_500_000) / 63_723_000)
    assert t.loc["wokingham_2223_start", "horizon"] == "year_ahead"
    assert t.loc["wiltshire_1819_m11", "horizon"] == "in_year"
    assert not t.loc["bcp_2526_budget", "used"]  # its later figure is an in-year forecast
    # section 5 (multi-year plans, budgets and in-year forecasts against what followed)
    assert t.loc["staffs_2324_f2022", "ratio"] == pytest.approx(20 / 8)
    assert t.loc["bcp_2025_cum_f2024", "ratio"] == pytest.approx(113.3 / 92)
    assert t.loc["bcp_2425_budget", "ratio"] == pytest.approx(50 / 28)
    assert t.loc["westberks_2122_budget", "ratio"] == pytest.approx(1.27 / 1.6)
    assert t.loc["devon_2324_hn_spend", "spend_ratio"] == pytest.approx(149.4 / 135.6)
    assert t.loc["cheshire_east_dsg_2324", "ratio"] == pytest.approx(80 / 85.9)
    assert t.loc["staffs_2324_f2022", "horizon_years"] == 1.4 and t.loc["staffs_2425_f2023", "weight"] == 0.5


def test_the_bundled_class_is_out_of_sample_for_the_bundled_edition() -> None:
    rc = load_reference_class()
    own = OwnCouncil(COUNCIL, "E10000018", EDITION.years[0])
    assert screen(rc, own).refused == ()
    assert check_edition(EDITION) == rc


def test_a_record_of_the_edition_s_own_council_in_its_horizon_is_refused(tmp_path: Path) -> None:
    own_file = tmp_path / "own.toml"
    own_file.write_text(record("lcc_f", "F", 1e6, "2022/23", "Leicestershire County Council")
                        + record("lcc_o", "O", 1.2e6, "2023-03-31", "Leicestershire County Council")
                        + pair("lcc", "lcc_f", "lcc_o"), encoding="utf-8")  # fmt: skip
    rc = load_reference_class(own_file)
    found = screen(rc, OwnCouncil("Leicestershire County Council", None, EDITION.years[0])).refused
    assert len(found) == 2 and "own council" in str(found[0])
    # another council's record, or the council's own before the horizon, is fine
    assert screen(rc, OwnCouncil("Wiltshire Council", None, EDITION.years[0])).refused == ()
    assert screen(rc, OwnCouncil("Leicestershire County Council", None, "2025/26")).refused == ()


def test_fiscal_years_of_a_period() -> None:
    assert fiscal_years("2021/22") == {"2021/22"}
    assert fiscal_years("2022-03-31") == {"2021/22"}
    assert fiscal_years("2024-10") == {"2024/25"}
    assert fiscal_years("2025") == {"2024/25", "2025/26"}


def test_a_bad_reference_class_file_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(record("a", "F", 1e6) + record("a", "O", 2e6) + pair("p", "a", "missing")
                   + pair("q", "missing_too", "a") + "[[pair]]\nid = \"r\"\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError) as exc:
        load_reference_class(bad, bundled=False)
    text = str(exc.value)
    assert "record[1].id" in text and "pair[0].outturn" in text and "pair[1].forecast" in text
    assert all(line.startswith(str(bad)) for line in text.splitlines())


# --- the method --------------------------------------------------------------------------------


def test_forecasts_equal_to_their_outturns_give_zero_uplift(tmp_path: Path) -> None:
    rc = load_reference_class(class_file(tmp_path, [1.0] * 6), bundled=False)
    row = reference_fit(rc).iloc[0]
    assert row["uplift_p50"] == 1.0 and row["p10"] == 1.0 and row["p90"] == 1.0
    assert row["pairs"] == 6 and row["loo_checked"] == 6


def test_a_class_drawn_from_a_known_distribution_recovers_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(20_261_130)
    mu, sigma, n = 0.12, 0.2, 400
    ratios = np.exp(rng.normal(mu, sigma, n)).tolist()
    rc = load_reference_class(class_file(tmp_path, ratios), bundled=False)
    row = reference_fit(rc).iloc[0]
    se = sigma / math.sqrt(n)
    assert abs(math.log(row["uplift_p50"]) - mu) < 3 * se
    z90 = NormalDist().inv_cdf(0.9)
    assert math.log(row["p90"]) == pytest.approx(mu + z90 * sigma, abs=0.03)
    assert math.log(row["p10"]) == pytest.approx(mu - z90 * sigma, abs=0.03)
    # and the leave-one-out ranks are about uniform: about 80 % inside P10-P90
    assert 0.74 <= row["loo_inside"] / row["loo_checked"] <= 0.86


def test_larger_historic_errors_give_a_wider_fan() -> None:
    base = [0.05, -0.1, 0.2, 0.0, 0.15]
    widths = [fit([k * e for e in base]).half_width for k in (0.5, 1.0, 2.0, 4.0)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    # fewer points from the same spread: wider (the Student-t prediction interval)
    assert fit(base[:3] * 1).half_width > fit(base * 4).half_width


def test_few_points_say_so() -> None:
    assert math.isnan(fit([0.1]).p90) and fit([0.1]).p50 == pytest.approx(math.exp(0.1))
    assert leave_one_out([0.1, 0.2]) == []
    table = reference_fit()
    assert table["statement"].str.contains("pair").all()
    one = table[table["pairs"] == 1]
    assert one["statement"].str.contains("no spread").all()


# --- proper scores -----------------------------------------------------------------------------


def normal_crps(y: float, mu: float, sigma: float) -> float:
    """The closed form (Gneiting and Raftery 2007): sigma [z(2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]."""
    z = (y - mu) / sigma
    nd = NormalDist()
    return sigma * (
        z * (2 * nd.cdf(z) - 1) + 2 * math.exp(-z * z / 2) / math.sqrt(2 * math.pi) - 1 / math.sqrt(math.pi)
    )


@pytest.mark.parametrize(
    ("y", "mu", "sigma"), [(0.0, 0.0, 1.0), (1.0, 0.3, 2.0), (-2.5, 1.0, 0.5), (90_000, 89_851, 4_000)]
)
def test_crps_matches_the_normal_closed_form(y: float, mu: float, sigma: float) -> None:
    n = 200_000
    quantiles = stats.norm.ppf((np.arange(n) + 0.5) / n, loc=mu, scale=sigma)
    assert crps(quantiles, y) == pytest.approx(normal_crps(y, mu, sigma), abs=1e-3 * max(1.0, sigma))


def test_a_point_forecast_s_crps_is_its_absolute_error_and_width_is_paid_for() -> None:
    assert crps([5.0], 7.5) == pytest.approx(2.5)
    assert crps(np.full(1000, 5.0), 7.5) == pytest.approx(2.5)
    centred = np.random.default_rng(1).normal(0.0, 1.0, 50_000)
    assert crps(centred, 0.0) < crps(3 * centred, 0.0)  # only wider: worse
    assert interval_score(-1.0, 1.0, 0.0) == 2.0
    assert interval_score(-1.0, 1.0, 2.0) == pytest.approx(2.0 + 10.0 * 1.0)
    assert interval_score(-3.0, 3.0, 0.0) > interval_score(-1.0, 1.0, 0.0)


def transcription_problems(csv_path: Path) -> list[str]:
    """Every record of the bundled class that differs from its row of the evidence CSV
    (value, subject, kind, period, timing, address, phrase), and every row not transcribed."""
    import csv

    rows = {r["id"]: r for r in csv.DictReader(csv_path.open(encoding="utf-8"))}
    records = load_reference_class().records
    found = [f"{rid}: not transcribed" for rid in rows if rid not in records]
    for rid, row in rows.items():
        r = records.get(rid)
        if r is None:
            continue
        value = float(row["value_gbp"]) if row["value_gbp"] else None
        pairs = {
            "value_gbp": (r.value_gbp, value), "subject": (r.subject, row["subject"]), "kind": (r.kind, row["kind"]),
            "refers_to": (r.refers_to, row["refers_to"]), "made": (r.made, row["made"]),
            "timing": (r.timing, row["timing"]), "href": (r.source.href, row["url"]),
            "phrase": (r.source.phrase, row["phrase"]), "basis": (r.basis or "", row["basis"]),
        }  # fmt: skip
        found += [f"{rid}.{k}: {a!r} != {b!r}" for k, (a, b) in pairs.items() if a != b]
    return found


def test_the_records_are_the_evidence_transcribed_exactly() -> None:
    from tests.paths import SHARED

    csv_path = SHARED / "evidence" / "reference_class.csv"
    if not csv_path.is_file():
        pytest.skip("the evidence folder is not beside the repository")
    assert transcription_problems(csv_path) == []


# --- on the command line -----------------------------------------------------------------------


def test_the_bundled_class_validates_against_its_json_schema() -> None:
    import json
    import tomllib

    jsonschema = pytest.importorskip("jsonschema")
    from tests.paths import REPO

    schema = json.loads((REPO / "schemas" / "reference_class.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(tomllib.loads(REFERENCE_CLASS_FILE.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"pair": [{"id": "x", "outturn": "y", "subjekt": "hn_spend"}]}, schema)
