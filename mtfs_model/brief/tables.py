"""The content of a scenario brief: the :class:`Brief` and every table it shows.

Tables are presentation tables: rows carry the edition's printed labels, columns the
edition's years or year-free ids whose headers :func:`column_labels` builds from the
edition (``delivered_final`` -> ``Delivered 2024/25`` in the bundled edition).  GBP000
unless a column ends ``_pct`` (a fraction shown as a percentage).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.cells import cell, row_of
from mtfs_model.base.frames import Findings as FindingsFrame
from mtfs_model.brief.figures import (
    CONTINGENCY_LEVELS,
    answer_figures,
    contingency,
    gap_percentile,
    guarantee_worth,
    view_figures,
)
from mtfs_model.brief.findings import disagreements, row_names
from mtfs_model.brief.inputs import inputs_table
from mtfs_model.brief.labels import CIP_COLUMNS, MTFS_NAME, display_names
from mtfs_model.brief.text import display_name
from mtfs_model.charts import budget as charts
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.engine.labels import short_name
from mtfs_model.engine.run import Result, run, unique_names
from mtfs_model.reconciliation.findings import in_words
from mtfs_model.reconciliation.reconcile import engine_findings, paper_findings
from mtfs_model.risk.evidence import variant
from mtfs_model.risk.simulate import RiskResult, simulate
from mtfs_model.scenarios.load import Scenario, load_scenario

SEVERITY_ORDER = {"disagreement": 0, "note": 1, "rounding": 2, "ok": 3}
ENGINE_HOLD, ENGINE_FAIL = "every one holds", "FAILED"
"""The engine identities' status (the papers' disagreements are counted apart)."""


def as_edition(edition: Edition | str | Path | None = None) -> Edition:
    """An edition from what a caller or a notebook parameter gives: an :class:`Edition`,
    a path to an edition folder, or ``None`` / ``""`` for the bundled edition."""
    if isinstance(edition, Edition):
        return edition
    return load_edition(edition or None)


def run_scenarios(scenarios: Sequence[str | Path], edition: Edition | str | Path | None = None) -> list[Result]:
    """Run each scenario (a name or a ``.toml`` path) on the edition (see :func:`as_edition`)."""
    ed = as_edition(edition)
    return [run(load_scenario(s, edition=ed)) for s in scenarios]


def default_title(edition: Edition) -> str:
    """``Scenario brief: <the edition's title>``."""
    return f"Scenario brief: {edition.title}"


@dataclass(frozen=True)
class Brief:
    """Everything a brief shows: the edition's MTFS as published and the scenarios asked for."""

    title: str
    run_date: str
    requested: tuple[str, ...]
    """The scenarios as asked for (names or paths)."""
    baseline: Result
    results: tuple[Result, ...]
    """The requested scenarios' results (the baseline not repeated)."""
    terms: guarantee.Terms | None
    """The partner's guarantee (None: the edition links no programme to one)."""
    edition: Edition = field(repr=False)
    risk_n: int = 100_000
    """Monte Carlo trajectories a scenario in the budget-risk section (0: no section)."""
    risk_seed: int = 1
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Tables computed once per brief (see :func:`tables`)."""

    @property
    def data(self) -> Edition:
        """The edition (the name the first briefs used)."""
        return self.edition

    @property
    def years(self) -> tuple[str, ...]:
        return self.edition.years

    @property
    def all_results(self) -> tuple[Result, ...]:
        """The MTFS as published, then each requested scenario."""
        return (self.baseline, *self.results)

    @property
    def raw_names(self) -> list[str]:
        """Each of :attr:`all_results`' scenario names, made unique (as the engine's tables have them)."""
        return unique_names(self.all_results)

    @property
    def names(self) -> list[str]:
        """A unique name for reading for each of :attr:`all_results`: :data:`MTFS_NAME`
        first, then each scenario's name with underscores as spaces."""
        out: list[str] = []
        for i, raw in enumerate(self.raw_names):
            name = MTFS_NAME if i == 0 else display_name(raw)
            while name in out:
                name += "'"
            out.append(name)
        return out

    def renamed(self, frame: pd.DataFrame, level: str = "scenario") -> pd.DataFrame:
        """``frame`` with the engine's scenario names (``level`` of its index) as :attr:`names`."""
        mapping = dict(zip(self.raw_names, self.names, strict=True))
        if isinstance(frame.index, pd.MultiIndex):
            return frame.rename(index=lambda i: mapping.get(str(i), str(i)), level=level)
        return frame.rename(index=lambda i: mapping.get(str(i), str(i)))

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(r.scenario for r in self.results)


def risk_results(b: Brief) -> tuple[RiskResult, ...]:
    """:func:`mtfs_model.simulate` for the MTFS as published and each scenario, with the
    brief's trajectories and seed (computed once per brief; empty if ``risk_n`` is 0)."""
    if "risk" not in b.cache:
        b.cache["risk"] = (
            tuple(simulate(r.scenario, b.risk_n, b.risk_seed) for r in b.all_results) if b.risk_n > 0 else ()
        )
    return tuple(b.cache["risk"])


def risk_variants(b: Brief) -> dict[str, RiskResult]:
    """The MTFS as published simulated again with the brief's trajectories and seed (the
    same draws): ``paper`` in the view "as the paper assumes", ``failed`` with the
    partner's guarantee not honoured (only if the edition has one).  Empty if ``risk_n``
    is 0.  Computed once per brief."""
    if "risk variants" not in b.cache:
        out: dict[str, RiskResult] = {}
        if b.risk_n > 0:
            s = b.baseline.scenario
            out["paper"] = simulate(variant(s, view="paper"), b.risk_n, b.risk_seed)
            if b.terms is not None:
                out["failed"] = simulate(variant(s, honoured=False), b.risk_n, b.risk_seed)
        b.cache["risk variants"] = out
    return dict(b.cache["risk variants"])


def risk_views(b: Brief) -> pd.DataFrame:
    """The MTFS as published in both views (:func:`~mtfs_model.brief.figures.view_figures`)."""
    results, variants = risk_results(b), risk_variants(b)
    return view_figures(results[0], variants["paper"]) if results else pd.DataFrame()


def worth_table(b: Brief) -> pd.DataFrame:
    """What the guarantee is worth to the MTFS as published
    (:func:`~mtfs_model.brief.figures.guarantee_worth`); empty without a guarantee."""
    results, variants = risk_results(b), risk_variants(b)
    return guarantee_worth(results[0], variants["failed"]) if results and "failed" in variants else pd.DataFrame()


def risk_summary(b: Brief) -> pd.DataFrame:
    """Per scenario: the final-year gap to the MTFS at P10/P50/P80/P90 (GBP000), the High
    Needs deficit at P90, the probabilities (fractions, shown as percentages) of ending
    above the MTFS and, if the edition has a guarantee, of its floor binding, and the
    contingency at P80 and P90 (:func:`~mtfs_model.brief.figures.contingency`)."""
    results = risk_results(b)
    if not results:
        return pd.DataFrame()
    last = b.years[-1]
    table: dict[str, dict[str, Any]] = {}
    for name, rr in zip(b.names, results, strict=True):
        table[name] = {
            "gap_p10": cell(rr.gap, "P10", last),
            "gap_p50": cell(rr.gap, "P50", last),
            "gap_p80": gap_percentile(rr, 80.0),
            "gap_p90": cell(rr.gap, "P90", last),
            "hn_p90": cell(rr.hn_deficit, "P90", last),
            "above_pct": rr.p_exceeds_mtfs,
        }
        if getattr(rr, "p_guarantee_binds", None) is not None:
            table[name]["guarantee_binds_pct"] = rr.p_guarantee_binds
        for q in CONTINGENCY_LEVELS:
            table[name][f"contingency_p{q:g}"] = contingency(rr, q)
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("scenario")


def answer_table(b: Brief) -> pd.DataFrame:
    """The first page's figures (:func:`~mtfs_model.brief.figures.answer_figures`), GBP000."""
    return answer_figures(b.all_results, b.names, b.terms, risk_results(b))


def key_figures(b: Brief) -> pd.DataFrame:
    """Result.key_figures for the MTFS as published and each scenario, GBP000 by year;
    index (figure, scenario)."""
    parts = {name: r.key_figures() for name, r in zip(b.names, b.all_results, strict=True)}
    frame = pd.concat(parts, names=["scenario", "figure"]).swaplevel().sort_index(level=0, sort_remaining=False)
    order = list(b.baseline.key_figures().index)
    return frame.reindex(order, level="figure")


def _empty_by_figure(columns: Sequence[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([[], []], names=["figure", "scenario"])
    return pd.DataFrame(columns=list(columns), index=index, dtype="float64")


def changes_from_mtfs(b: Brief) -> pd.DataFrame:
    """Each scenario's key figures less the MTFS as published (GBP000), only the figures
    some scenario changes; index (figure, scenario).  Empty (with the year columns) when
    no scenario changes a key figure (a fee assumption, a discount rate, ...)."""
    base = b.baseline.key_figures()
    parts = {name: r.key_figures() - base for name, r in zip(b.names[1:], b.results, strict=True)}
    if not parts:
        return _empty_by_figure([str(c) for c in base.columns])
    frame = pd.concat(parts, names=["scenario", "figure"]).swaplevel()
    moved = frame.abs().gt(0.5e-3).any(axis=1).groupby(level="figure").any()
    keep = [f for f in base.index if bool(moved.get(f, False))]
    if not keep:  # pandas cannot reindex a level by an empty list
        return _empty_by_figure([str(c) for c in base.columns])
    return frame.reindex(keep, level="figure") + 0.0


def high_needs_table(results: Sequence[Result], names: Sequence[str] | None = None) -> pd.DataFrame:
    """High Needs annual gap and cumulative deficit by scenario (and the transfer refused,
    if the edition has a transfer lever), GBP000 by year; index (measure, scenario) with
    the edition's labels and ``names`` (default :func:`display_names`)."""
    if not results:
        return pd.DataFrame()
    ed = results[0].edition
    ids = [high_needs.ANNUAL_GAP, high_needs.CUMULATIVE]
    if results[0].scenario.inputs.hn_transfer_year is not None:
        ids.insert(0, high_needs.TRANSFER_REFUSED)
    table: dict[tuple[str, str], dict[str, float]] = {}
    for row in ids:
        for name, r in zip(names or display_names(results), results, strict=True):
            table[(ed.hn_label(row), name)] = row_of(r.high_needs, row)
    frame = pd.DataFrame.from_dict(table, orient="index", columns=list(ed.years)).astype("float64")
    frame.index = pd.MultiIndex.from_tuples(list(table), names=["measure", "scenario"])
    return frame


def has_properties(result: Result) -> bool:
    """True if the edition has invest-to-save properties to appraise."""
    return bool(result.scenario.inputs.properties)


def cip_table(results: Sequence[Result], names: Sequence[str] | None = None) -> pd.DataFrame:
    """Per scenario (``names``, default :func:`display_names`): the savings line linked to
    the properties by year (GBP000; columns ``<line> <year>``, if the edition links one),
    the properties' cash break-even year and ``cash_end``, the cumulative cash at the end
    of the series.  Empty if the edition has no properties."""
    if not results or not has_properties(results[0]):
        return pd.DataFrame()
    ed = results[0].edition
    line = ed.links.get("property_savings_line")
    be = charts.cip_break_even(results)
    table: dict[str, dict[str, Any]] = {}
    shown = names or display_names(results)
    for name, raw, r in zip(shown, unique_names(results), results, strict=True):
        values = row_of(r.cumulative, line) if line else {}
        table[name] = {f"{line} {y}": v for y, v in values.items()}
        table[name].update({str(k): v for k, v in be.loc[raw].items()})
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("scenario")


def cip_appraisal(result: Result) -> pd.DataFrame:
    """The property appraisal columns a reader needs (GBP000; paybacks in years;
    occupancy and IRR as fractions, a go-live as ``YYYY-MM``), one row per property by
    its short printed name (``Property 2``; none: an empty table).  Headers:
    :func:`appraisal_labels`."""
    if result.cip.empty:
        return pd.DataFrame(columns=list(CIP_COLUMNS)).rename_axis("property")
    out = result.cip.loc[:, list(CIP_COLUMNS)]
    if "name" in result.cip.columns:
        out = out.rename(index={i: short_name(str(n)) for i, n in result.cip["name"].items()})
    return out.rename_axis("property")


def scenarios_table(b: Brief) -> pd.DataFrame:
    """Each scenario's description, changes from the baseline and references (text)."""
    table = {
        name: {
            "description": r.scenario.description,
            "changes": "; ".join(r.scenario.changes) or "none",
            "references": "; ".join(x.get("title", "") for x in r.scenario.references),
        }
        for name, r in zip(b.names, b.all_results, strict=True)
    }
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("scenario")


def _reconciled(b: Brief, result: Result) -> pd.DataFrame:
    """:func:`mtfs_model.reconcile` of one result, the paper checks run once per brief
    (they read the edition as published, the same for every scenario) and the engine
    identities per result."""
    if "paper_findings" not in b.cache:
        b.cache["paper_findings"] = paper_findings(b.edition)
    frame = pd.concat([b.cache["paper_findings"], engine_findings(result)], ignore_index=True)
    return FindingsFrame(frame)


def reconciliation_table(b: Brief) -> pd.DataFrame:
    """Per scenario: the papers' checks by severity (the same for every scenario: the
    papers do not change) and the engine's identity checks, all of which must be ok."""
    table = {}
    for name, r in zip(b.names, b.all_results, strict=True):
        f = _reconciled(b, r)
        paper = f[f["kind"] == "paper"]["severity"].value_counts()
        engine = f[f["kind"] == "engine"]["severity"]
        table[name] = {
            "paper_checks": len(f[f["kind"] == "paper"]),
            "paper_disagreements": int(paper.get("disagreement", 0)),
            "paper_notes": int(paper.get("note", 0)),
            "paper_rounding": int(paper.get("rounding", 0)),
            "engine_checks": len(engine),
            "engine_not_ok": int((engine != "ok").sum()),
            "engine_identities": ENGINE_HOLD if (engine == "ok").all() else ENGINE_FAIL,
        }
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("scenario")


def paper_titles(edition: Edition, text: str) -> str:
    """``text`` with each source document's file name replaced by its title (sources.toml)."""
    for doc in edition.sources.get("documents", {}).values():
        if doc.get("file") and doc.get("title"):
            text = text.replace(str(doc["file"]), str(doc["title"]))
    return text


def plain_findings(b: Brief, frame: pd.DataFrame) -> pd.DataFrame:
    """Findings for reading: column names in words (never ids), sources by their titles."""
    out = frame.copy()
    names = row_names(b.edition)  # a statement or a property by its words, not its id
    if "row" in out:
        out["row"] = [names.get(str(c), in_words(str(c))) for c in out["row"]]
    for col in ("column", "check"):  # ids in words (net_2021_22 -> net 2021/22)
        if col in out:
            out[col] = [in_words(str(c)) for c in out[col]]
    if "source" in out:
        out["source"] = [paper_titles(b.edition, str(x)) for x in out["source"]]
    return out


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="finding")
    return out


def guarantee_tables(b: Brief) -> dict[str, pd.DataFrame]:
    """The guarantee's sheets (printed labels): its levels against the MTFS, each
    scenario's summary and its year-by-year table; none if the edition has no guarantee."""
    return {name: table(b, name) for name in GUARANTEE_SHEETS if b.terms is not None}


def _findings(b: Brief, worst_first: bool = False) -> pd.DataFrame:
    """The reconciler's findings on the MTFS as published (computed once per brief), in
    the reconciler's order or the worst first (stable within a severity)."""
    if "findings" not in b.cache:
        b.cache["findings"] = _reconciled(b, b.baseline)
    found: pd.DataFrame = b.cache["findings"]
    if worst_first:
        return found.iloc[found["severity"].map(SEVERITY_ORDER).argsort(kind="stable")]
    return found


def _guarantee_sheet(b: Brief, name: str) -> pd.DataFrame:
    if b.terms is None:
        return pd.DataFrame()
    res, ed = b.all_results, b.edition
    if name == "Guarantee levels":
        return guarantee.labelled(guarantee.levels(b.baseline, b.terms), ed)
    if name == "Guarantee summary":
        return b.renamed(guarantee.summary(res, b.terms))
    return b.renamed(guarantee.labelled(guarantee.guarantee_tables(res, b.terms), ed))


GUARANTEE_SHEETS = ("Guarantee levels", "Guarantee summary", "Guarantee by year")
BUILDERS: dict[str, Callable[[Brief], pd.DataFrame]] = {
    "Answer": answer_table,
    "Scenarios": scenarios_table,
    "Inputs": lambda b: inputs_table(b.results, b.names[1:]),
    "Key figures": key_figures,
    "Change from MTFS": changes_from_mtfs,
    **{name: partial(_guarantee_sheet, name=name) for name in GUARANTEE_SHEETS},
    "High Needs": lambda b: high_needs_table(b.all_results, b.names),
    "Properties": lambda b: cip_table(b.all_results, b.names),
    "Risk": risk_summary,
    "Risk views": risk_views,
    "Guarantee worth": worth_table,
    "Reconciliation": reconciliation_table,
    "Paper disagreements": lambda b: _numbered(
        disagreements(_findings(b).query("severity == 'disagreement'"), row_names(b.edition))
    ),
    "Reconciliation findings": lambda b: _numbered(
        plain_findings(b, _findings(b, worst_first=True).query("severity != 'ok'").drop(columns=["kind"]))
    ),
}
"""How each table of the brief is made, in reading order (see :func:`table`)."""


def table(b: Brief, name: str) -> pd.DataFrame:
    """One table of the brief by name (see :data:`BUILDERS`), computed once per brief, so
    a piece that needs one table never computes the others (the risk simulation, say)."""
    key = f"table:{name}"
    if key not in b.cache:
        b.cache[key] = BUILDERS[name](b)
    frame: pd.DataFrame = b.cache[key]
    return frame


def sheet_names(b: Brief) -> list[str]:
    """The tables the brief has: no guarantee sheets without a guarantee, no properties
    sheet without properties, no risk sheet if ``risk_n`` is 0."""
    names = []
    for name in BUILDERS:
        if name in GUARANTEE_SHEETS and b.terms is None:
            continue
        if name == "Properties" and not has_properties(b.baseline):
            continue
        if name in ("Risk", "Risk views", "Guarantee worth") and b.risk_n <= 0:
            continue
        if name == "Guarantee worth" and b.terms is None:
            continue
        names.append(name)
    return names


def tables(b: Brief) -> dict[str, pd.DataFrame]:
    """Every table the brief shows, by sheet-friendly name (GBP000 unless a column ends
    ``_pct``: a fraction shown as a percentage), each computed once per brief."""
    return {name: table(b, name) for name in sheet_names(b)}
