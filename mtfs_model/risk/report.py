"""The simulation as a reader sees it: titled tables of percentiles, probabilities, the
tornado and the inputs, for the terminal, CSV, JSON or markdown; progress on standard error."""

from __future__ import annotations

import sys

from mtfs_model.base.report import tables_text, terminal_progress
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.labels import COLUMN_LABELS, path_label
from mtfs_model.risk.sensitivity import tornado_columns
from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE, RiskResult, simulate

# --- Reporting ----------------------------------------------------------------------------


WORST_WORDS = {
    "median_percentile": "Median percentile in the worst 10%",
    "worse_when": "Worse when",
    "went_wrong": "Went wrong",
}
"""The worst-futures table's columns in words (terminal and markdown)."""


def titles(final_year: str) -> dict[str, str]:
    """The tables' titles for an edition whose final year is ``final_year``."""
    return {
        "net_budget": "Net budget, simulated: percentiles by year (£000)",
        "gap": "Gap to the published MTFS: simulated net budget less the MTFS (£000)",
        "hn_deficit": "High Needs cumulative deficit, simulated: percentiles by year (£000)",
        "reference": "Reference figures (£000)",
        "probabilities": "Probabilities",
        "reserve": (
            "Reserve: overspend against the published MTFS by year, over the MTFS years (each future's sum) and the "
            f"structural gap in {final_year} (£000; P80 = exceeded in 1 future in 5)"
        ),
        "worst": (
            "What went wrong in the worst 10% of futures (by the overspend over the MTFS years): each input's median "
            "percentile there (50 = as usual)"
        ),
        "tornado": f"Tornado: {final_year} net budget and High Needs deficit, one input at a time at P10 / P90 (£000)",
        "variance": f"What drives the variance of the {final_year} gap, by line (£000, shares of variance)",
        "inputs": "Distributions simulated (multipliers of the scenario's figures)",
    }


def report_text(result: RiskResult, fmt: str = "table") -> str:
    """The simulation's tables as ``table`` (thousands separators), ``csv``, ``json`` or
    ``markdown``, rendered with :func:`mtfs_model.base.report.to_text`."""
    frames = result.tables()
    named = titles(result.years[-1])
    if fmt == "table":
        net_at = tornado_columns(result.years[-1])[3:5]  # the gap columns say the same
        frames["tornado"] = frames["tornado"].drop(columns=["label", *net_at])
        frames["inputs"] = frames["inputs"].drop(columns=["label", "source or reason"])
        frames["worst"] = frames["worst"].drop(columns=["label"])
    if fmt in ("table", "markdown"):  # words, not identifiers
        frames["worst"] = frames["worst"].rename(columns=WORST_WORDS)
        frames["inputs"] = frames["inputs"].replace({"shape": {"student_t": "Student-t"}})
    labels: dict[str, str] = {}
    if fmt in ("table", "markdown"):  # inputs by the edition's short names, columns in words
        ed = result.scenario.edition
        for key in ("tornado", "inputs", "worst"):
            frames[key] = frames[key].rename(index=lambda p: _input_words(ed, str(p)))
        labels = COLUMN_LABELS
    head = f"Scenario {result.scenario.name!r}: {result.n:,} trajectories, seed {result.seed}"
    meta = {"scenario": result.scenario.name, "n": result.n, "seed": result.seed}
    return tables_text(head, frames, named, fmt, meta, labels=labels)


def _input_words(edition: Edition, path: str) -> str:
    """A risk input's path as a reader's label: ``G1 unit cost current (£ a week)``; a
    reference-class multiplier's as its input's with "(reference class)"."""
    if path.startswith("evidence:"):
        return _input_words(edition, path.removeprefix("evidence:")) + " (reference class)"
    if path.startswith("guarantee."):
        partner = edition.links.get("guarantee_partner") or "partner"
        return f"{partner} guarantee: remedy {path.split('.', 1)[1]} (share of the shortfall)"
    short, unit, _ = path_label(edition, path)
    return f"{short} ({unit})" if unit else short


def stderr_progress(done: int, total: int) -> None:
    """Print ``done / total trajectories`` to standard error (for the CLI)."""
    print(f"mtfs simulate: {done:,} / {total:,} trajectories", file=sys.stderr, flush=True)


def cli_report(
    scenario: str, n: int, seed: int, chunk_size: int | None, fmt: str, *, edition: Edition | None = None
) -> str:
    """Run :func:`simulate` for the command line, progress on stderr if it takes chunks."""
    chunk = chunk_size or DEFAULT_CHUNK_SIZE
    progress = terminal_progress("simulating") if n > chunk else None
    result = simulate(scenario, n=n, seed=seed, chunk_size=chunk, edition=edition, progress=progress)
    return report_text(result, fmt)
