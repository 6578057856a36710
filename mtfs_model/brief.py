"""Scenario briefs: one self-contained HTML file, and optionally an Excel workbook.

``mtfs brief SCENARIO [SCENARIO ...] -o brief.html [--xlsx brief.xlsx]`` runs
``notebooks/scenario_brief.ipynb`` with papermill in a fresh kernel of *this*
interpreter, then exports it with nbconvert: code hidden, charts embedded as base64
PNG, no script and no external resource of any kind (so it renders offline and can be
emailed safely).  The notebook only calls the functions below; every figure comes from
the engine (:func:`mtfs_model.run`) and :mod:`mtfs_model.newton`.

Every piece of text that comes from a scenario file (its name, description, changes and
references) is HTML-escaped; a link is kept only if it is ``http(s)``.  Files are
written atomically (:func:`mtfs_model.report.atomic_write`): never half a file.

Running notebooks: :func:`execute_notebook` checks the parameters against the
notebook's ``parameters`` cell (papermill itself only warns on an unknown one) and fails
with :class:`~mtfs_model.errors.InputError` on any it does not declare.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, charts, high_needs, newton, revenue, risk_charts
from .data import Baseline, load_baseline, row_of
from .data import cell as data_cell
from .engine import Result, run, unique_names
from .errors import InputError
from .reconcile import reconcile
from .report import atomic_write, display_frame
from .risk import RiskResult, simulate
from .scenarios import Scenario, load_scenario, resolve
from .years import YEARS

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOK_DIR = PACKAGE_DIR.parent / "notebooks"
"""The notebooks, beside the package in the repository (an editable install)."""
BRIEF_NOTEBOOK = "scenario_brief.ipynb"
KERNEL_NAME = "python3"
DEFAULT_TITLE = "Scenario brief: Children and Family Services MTFS 2021/22-2024/25"


class BriefError(RuntimeError):
    """A notebook failed to execute, or the exported HTML is not self-contained."""


# --- running notebooks ----------------------------------------------------------------


def notebook_path(name: str | Path) -> Path:
    """A notebook by file name in ``notebooks/`` (``"high_needs"`` or ``"high_needs.ipynb"``)
    or by path."""
    p = Path(name)
    if p.suffix != ".ipynb":
        p = p.with_suffix(".ipynb")
    if not p.is_absolute() and p.parent == Path("."):
        p = NOTEBOOK_DIR / p.name
    if not p.is_file():
        raise InputError(p, "(file)", "an existing notebook in " + str(NOTEBOOK_DIR), show_got=False)
    return p


def notebook_parameters(path: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook's ``parameters`` cell declares: name -> papermill's
    ``{name, inferred_type_name, default, help}``."""
    import papermill

    params: dict[str, dict[str, Any]] = papermill.inspect_notebook(str(notebook_path(path)))
    return params


def check_parameters(path: str | Path, parameters: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` for any parameter the notebook does not declare."""
    declared = notebook_parameters(path)
    for key in parameters:
        if key not in declared:
            raise InputError(notebook_path(path), f"parameters.{key}", "one of " + ", ".join(declared), show_got=False)


def _kernel_manager_class() -> type:
    """An async kernel manager whose ``python3`` kernel is always this interpreter.

    jupyter_client already swaps a kernelspec's ``python``/``python3`` for
    ``sys.executable``, but a user-level kernelspec naming another interpreter by path
    would win; this one ignores installed kernelspecs altogether.
    """
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreterKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # encrypt the local kernel channels where jupyter_client and libzmq can (and so
            # spare the kernel's "running over TCP without encryption" warning)
            import zmq

            if self.has_trait("transport_encryption") and zmq.has("curve"):
                self.transport_encryption = "auto"

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client sends SIGINT before every shutdown request; after a finished
            # run it only makes the kernel log a spurious "KeyboardInterrupt caught"
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

        @property
        def kernel_spec(self) -> KernelSpec | None:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
            return self._kernel_spec

    return ThisInterpreterKernelManager


def execute_notebook(
    name: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    output_path: str | Path | None = None,
    progress: bool = True,
    cwd: str | Path | None = None,
    timeout: int = 600,
) -> Any:
    """Run a notebook top to bottom in a fresh ``python3`` kernel of this interpreter.

    ``parameters`` are checked against the notebook's ``parameters`` cell first (an
    unknown one raises :class:`InputError`); ``cwd`` defaults to ``notebooks/``;
    ``timeout`` is seconds per cell.  Returns the executed notebook (an
    ``nbformat.NotebookNode``); raises :class:`BriefError` if a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = notebook_path(name)
    params = dict(parameters or {})
    check_parameters(path, params)
    try:
        return papermill.execute_notebook(
            str(path),
            None if output_path is None else str(output_path),
            parameters=params,
            kernel_name=KERNEL_NAME,
            progress_bar=progress,
            cwd=str(cwd or NOTEBOOK_DIR),
            execution_timeout=timeout,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        raise BriefError(f"{path.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}") from None


# --- the brief's content -------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """Everything a brief shows: the MTFS as published and the scenarios asked for."""

    title: str
    run_date: str
    requested: tuple[str, ...]
    """The scenarios as asked for (names or paths)."""
    baseline: Result
    results: tuple[Result, ...]
    """The requested scenarios' results (the baseline not repeated)."""
    terms: newton.Terms
    data: Baseline = field(repr=False)
    risk_n: int = 100_000
    """Monte Carlo trajectories a scenario in the budget-risk section (0: no section)."""
    risk_seed: int = 1
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Tables computed once per brief (see :func:`tables`)."""

    @property
    def all_results(self) -> tuple[Result, ...]:
        """The MTFS as published, then each requested scenario."""
        return (self.baseline, *self.results)

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(r.scenario for r in self.results)


def check_date(text: str) -> str:
    """A ``YYYY-MM-DD`` date, or :class:`InputError`."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        raise InputError("(command line)", "--date", "a date as YYYY-MM-DD", text) from None


def build(
    scenarios: Sequence[str],
    *,
    run_date: str = "",
    title: str = DEFAULT_TITLE,
    risk_n: int = 100_000,
    risk_seed: int = 1,
) -> Brief:
    """Run the MTFS as published and each scenario (names or ``.toml`` paths).

    ``run_date`` (``YYYY-MM-DD``; "" for today) is printed on the brief.  Raises
    :class:`InputError` for an unknown scenario.
    """
    data = load_baseline()
    base = run(load_scenario("baseline", baseline=data), baseline=data)
    results = tuple(run(load_scenario(s, baseline=data), baseline=data) for s in scenarios)
    results = tuple(r for r in results if r.scenario.name != "baseline" or r.scenario.changes)
    return Brief(
        title=title,
        run_date=check_date(run_date) if run_date else dt.date.today().isoformat(),
        requested=tuple(str(s) for s in scenarios),
        baseline=base,
        results=results,
        terms=newton.load_terms(),
        data=data,
        risk_n=risk_n,
        risk_seed=risk_seed,
    )


def risk_results(b: Brief) -> tuple[RiskResult, ...]:
    """:func:`mtfs_model.simulate` for the MTFS as published and each scenario, with the
    brief's trajectories and seed (computed once per brief; empty if ``risk_n`` is 0)."""
    if "risk" not in b.cache:
        b.cache["risk"] = (
            tuple(simulate(r.scenario, b.risk_n, b.risk_seed, baseline=b.data) for r in b.all_results)
            if b.risk_n > 0
            else ()
        )
    return tuple(b.cache["risk"])


def risk_summary(b: Brief) -> pd.DataFrame:
    """Per scenario: the 2024/25 gap to the MTFS at P10/P50/P90 (GBP000) and the two
    probabilities (fractions, shown as percentages)."""
    rows = {}
    results = risk_results(b)
    if not results:
        return pd.DataFrame()
    for name, rr in zip(unique_names(b.all_results), results, strict=True):
        last = YEARS[-1]
        rows[name] = {
            "gap_2024/25_P10": data_cell(rr.gap, "P10", last),
            "gap_2024/25_P50": data_cell(rr.gap, "P50", last),
            "gap_2024/25_P90": data_cell(rr.gap, "P90", last),
            "hn_deficit_2024/25_P90": data_cell(rr.hn_deficit, "P90", last),
            "exceeds_mtfs_pct": rr.p_exceeds_mtfs,
            "guarantee_binds_pct": rr.p_guarantee_binds,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def key_figures(b: Brief) -> pd.DataFrame:
    """Result.key_figures for the MTFS as published and each scenario, GBP000 by year;
    index (figure, scenario)."""
    parts = {name: r.key_figures() for name, r in zip(unique_names(b.all_results), b.all_results, strict=True)}
    frame = pd.concat(parts, names=["scenario", "figure"]).swaplevel().sort_index(level=0, sort_remaining=False)
    order = list(b.baseline.key_figures().index)
    return frame.reindex(order, level="figure")


def changes_from_mtfs(b: Brief) -> pd.DataFrame:
    """Each scenario's key figures less the MTFS as published (GBP000), only the figures
    some scenario changes; index (figure, scenario)."""
    base = b.baseline.key_figures()
    parts = {name: r.key_figures() - base for name, r in zip(unique_names(b.all_results)[1:], b.results, strict=True)}
    if not parts:
        return pd.DataFrame(
            columns=list(YEARS), index=pd.MultiIndex.from_arrays([[], []], names=["figure", "scenario"])
        )
    frame = pd.concat(parts, names=["scenario", "figure"]).swaplevel()
    moved = frame.abs().gt(0.5e-3).any(axis=1).groupby(level="figure").any()
    keep = [f for f in base.index if moved.get(f, False)]
    return frame.reindex(keep, level="figure") + 0.0


def high_needs_table(results: Sequence[Result]) -> pd.DataFrame:
    """High Needs annual gap and cumulative deficit by scenario, GBP000 by year; index
    (measure, scenario)."""
    measures = {
        "Schools Block transfer refused": high_needs.TRANSFER_REFUSED,
        "Annual revenue funding gap": high_needs.ANNUAL_GAP,
        "Cumulative deficit": high_needs.CUMULATIVE,
    }
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for measure, label in measures.items():
        for name, r in zip(unique_names(results), results, strict=True):
            rows[(measure, name)] = row_of(r.high_needs, label)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(YEARS)).astype("float64")
    frame.index = pd.MultiIndex.from_tuples(list(rows), names=["measure", "scenario"])
    return frame


def cip_table(results: Sequence[Result]) -> pd.DataFrame:
    """Per scenario: CF4 (the CIP savings line) by year, GBP000, and the properties'
    break-even year and cumulative cash at the end of the series."""
    be = charts.cip_break_even(results)
    rows: dict[str, dict[str, Any]] = {}
    for name, r in zip(unique_names(results), results, strict=True):
        cf4 = row_of(r.cumulative, revenue.PROGRAMME_LABELS["CIP"])
        rows[name] = {f"CF4 {y}": cf4[y] for y in YEARS}
        rows[name].update({str(k): v for k, v in be.loc[name].items()})
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


CIP_COLUMNS = (
    "capital_cost",
    "net_investment",
    "annual_saving",
    "saving_derived",
    "occupancy",
    "go_live",
    "simple_payback_gross",
    "simple_payback_net",
    "discounted_payback",
    "stated_payback_years",
    "npv",
    "irr",
)


def cip_appraisal(result: Result) -> pd.DataFrame:
    """The CIP property appraisal columns a reader needs (GBP000; paybacks in years;
    occupancy and IRR as fractions), one row per property."""
    return result.cip.loc[:, list(CIP_COLUMNS)]


def tables(b: Brief) -> dict[str, pd.DataFrame]:
    """Every table the brief shows, by sheet-friendly name (GBP000 unless a column ends
    ``_pct``: a fraction shown as a percentage), computed once per brief."""
    if "tables" not in b.cache:
        b.cache["tables"] = _tables(b)
    return dict(b.cache["tables"])


def scenarios_table(b: Brief) -> pd.DataFrame:
    """Each scenario's description, changes from the baseline and references (text)."""
    rows = {
        name: {
            "description": r.scenario.description,
            "changes": "; ".join(r.scenario.changes) or "none",
            "references": "; ".join(x.get("title", "") for x in r.scenario.references),
        }
        for name, r in zip(unique_names(b.all_results), b.all_results, strict=True)
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def _tables(b: Brief) -> dict[str, pd.DataFrame]:
    res = b.all_results
    findings = reconcile(b.baseline)
    order = findings["severity"].map({"disagreement": 0, "note": 1, "rounding": 2, "ok": 3})
    shown = findings.iloc[order.argsort(kind="stable")]
    return {
        "Scenarios": scenarios_table(b),
        "Key figures": key_figures(b),
        "Change from MTFS": changes_from_mtfs(b),
        "Newton levels": newton.levels(b.baseline, b.terms),
        "Newton summary": newton.summary(res, b.terms),
        "Newton by year": newton.guarantee_tables(res, b.terms),
        "High Needs": high_needs_table(res),
        "CIP": cip_table(res),
        **({"Risk": risk_summary(b)} if b.risk_n > 0 else {}),
        "Reconciliation": reconciliation_table(b),
        "Paper disagreements": _numbered(
            findings[findings["severity"] == "disagreement"].drop(columns=["kind", "tolerance"])
        ),
        "Reconciliation findings": _numbered(shown[shown["severity"] != "ok"].drop(columns=["kind"])),
    }


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="finding")
    return out


def reconciliation_table(b: Brief) -> pd.DataFrame:
    """Per scenario: the papers' checks by severity (the same for every scenario: the
    papers do not change) and the engine's identity checks, all of which must be ok."""
    rows = {}
    for name, r in zip(unique_names(b.all_results), b.all_results, strict=True):
        f = reconcile(r)
        paper = f[f["kind"] == "paper"]["severity"].value_counts()
        engine = f[f["kind"] == "engine"]["severity"]
        rows[name] = {
            "paper_checks": len(f[f["kind"] == "paper"]),
            "paper_disagreements": int(paper.get("disagreement", 0)),
            "paper_notes": int(paper.get("note", 0)),
            "paper_rounding": int(paper.get("rounding", 0)),
            "engine_checks": len(engine),
            "engine_not_ok": int((engine != "ok").sum()),
            "engine_identities": "all ok" if (engine == "ok").all() else "FAILED",
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


# --- HTML pieces (every scenario-supplied string escaped) ----------------------------

LABELS = {
    "delivered_2024_25": "Delivered 2024/25",
    "mtfs_2024_25": "MTFS assumes 2024/25",
    "delivered_pct": "Delivered, % of MTFS",
    "gap_2024_25": "Gap to MTFS 2024/25",
    "partner_bears_2024_25": "Partner bears 2024/25",
    "council_bears_2024_25": "Council bears 2024/25",
    "net_budget_2024_25": "Net budget 2024/25",
    "gap_four_years": "Gap to MTFS, 4 years",
    "council_bears_four_years": "Council bears, 4 years",
    "benefit": "Recurring by 2024/25",
    "mtfs_minus_benefit": "MTFS minus this",
    "benefit_pct": "% of MTFS",
    "break_even": "Break-even (cash)",
    "cash_2030_31": "Cumulative cash 2030/31",
    "paper_checks": "Papers: checks",
    "paper_disagreements": "disagreements",
    "paper_notes": "notes",
    "paper_rounding": "rounding",
    "engine_checks": "Engine: identities",
    "engine_not_ok": "not ok",
    "engine_identities": "status",
}

FOOTNOTES: tuple[tuple[str, str], ...] = (
    ("roll_forward", "Net budget roll-forward"),
    ("appendix_b", "Growth and savings lines G1-G6, CF1-CF5"),
    ("mtfs_dcfsf", "What the MTFS books from the DCFSF programme"),
    ("guarantee", "Newton Europe guarantee and fee cap"),
    ("estimate", "Estimate"),
    ("stretch", "Stretch ambition"),
    ("horizon", "Horizon of the estimate and stretch"),
    ("high_needs", "High Needs forecast"),
    ("transfer", "Schools Block transfer"),
    ("cip", "CIP residential properties"),
    ("capital", "Capital programme"),
)


def e(text: object) -> str:
    """HTML-escape anything (quotes included)."""
    return html.escape(str(text), quote=True)


def _sources(b: Brief) -> dict[str, Mapping[str, Any]]:
    d = b.data
    return {
        "roll_forward": d.revenue["roll_forward"]["source"],
        "appendix_b": d.growth_savings["lines"]["G1"]["source"],
        "mtfs_dcfsf": b.terms.sources["mtfs"],
        "guarantee": b.terms.sources["guarantee"],
        "estimate": b.terms.sources["estimate"],
        "stretch": b.terms.sources["stretch"],
        "horizon": b.terms.sources["horizon"],
        "high_needs": d.high_needs["forecast"]["source"],
        "transfer": d.high_needs["schools_block_transfer"]["source"],
        "cip": d.cip["properties"]["P1"]["source"],
        "capital": d.capital["programme"]["source"],
    }


def ref(*keys: str) -> str:
    """Footnote markers ``[n]`` for source keys (see :data:`FOOTNOTES`)."""
    order = [k for k, _ in FOOTNOTES]
    return "".join(f'<sup><a href="#src-{order.index(k) + 1}">[{order.index(k) + 1}]</a></sup>' for k in keys)


def _m(x: float) -> str:
    """GBP000 as GBP millions to one decimal: 13,200 -> ``£13.2m``."""
    return f"£{x / 1000:,.1f}m"


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def html_table(
    df: pd.DataFrame,
    caption: str = "",
    *,
    caption_html: str = "",
    labels: Mapping[str, str] | None = None,
) -> str:
    """A DataFrame as an HTML table: figures with thousands separators (``_pct``
    columns as percentages), right-aligned; a two-level row index grouped with
    ``rowspan``.  Every label and cell is escaped; ``caption_html`` is trusted markup
    (footnote markers) appended to the escaped ``caption``."""
    labels = {**LABELS, **(labels or {})}
    shown = display_frame(df)
    numeric = {str(c) for c in df.select_dtypes("number").columns}
    levels = df.index.nlevels
    names = [n or "" for n in df.index.names]
    head = "".join(f'<th scope="col">{e(n)}</th>' for n in names)
    head += "".join(
        f'<th scope="col" class="{"num" if str(c) in numeric else "text"}">{e(labels.get(str(c), c))}</th>'
        for c in df.columns
    )
    body = []
    keys: list[tuple[Any, ...]] = [k if isinstance(k, tuple) else (k,) for k in df.index]
    for i, (parts, row) in enumerate(zip(keys, shown.itertuples(index=False), strict=True)):
        cells = ""
        for lvl, part in enumerate(parts):
            if levels > 1 and lvl == 0:
                if i > 0 and keys[i - 1][0] == part:
                    continue
                span = sum(1 for k in keys if k[0] == part)
                cells += f'<th scope="rowgroup" rowspan="{span}" class="group">{e(part)}</th>'
            else:
                cells += f'<th scope="row">{e(part)}</th>'
        for c, v in zip(df.columns, row, strict=True):
            cls = "num" if str(c) in numeric else "text"
            cells += f'<td class="{cls}">{e(v)}</td>'
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{e(caption)}{caption_html}</caption>" if caption or caption_html else ""
    table = f'<table class="figures">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="table">{table}</div>'


def _link(reference: Mapping[str, str]) -> str:
    title = e(reference.get("title", ""))
    href = str(reference.get("href", ""))
    if href.startswith(("https://", "http://")):
        return f'<a href="{e(href)}" rel="noopener noreferrer">{title}</a>'
    return title


def html_header(b: Brief) -> str:
    """Title, date and the scenarios in one line each."""
    names = ", ".join(e(r.scenario.name) for r in b.results) or "the MTFS as published only"
    return (
        f'<header class="brief"><h1>{e(b.title)}</h1>'
        f'<p class="meta">Date: <time datetime="{e(b.run_date)}">{e(b.run_date)}</time> &middot; '
        f"Scenarios: {names} &middot; against the MTFS as published (19 January 2021). "
        "Money in £000 (GBP thousands) unless stated; savings negative, as published.</p></header>"
    )


def html_scenarios(b: Brief) -> str:
    """Each scenario's description, its changes from the baseline and its references."""
    out = ["<section><h2>Scenarios and their changes from the MTFS as published</h2>"]
    for r in b.results:
        s = r.scenario
        changes = "".join(f"<li>{e(c)}</li>" for c in s.changes) or "<li>No changes: the MTFS as published.</li>"
        refs = "".join(f"<li>{_link(x)}</li>" for x in s.references)
        out.append(
            f'<div class="scenario"><h3>{e(s.name)}</h3><p>{e(s.description)}</p>'
            f"<p><strong>Changes from the baseline</strong></p><ul>{changes}</ul>"
            + (f'<p><strong>References</strong></p><ul class="refs">{refs}</ul>' if refs else "")
            + "</div>"
        )
    if not b.results:
        out.append("<p>No scenario asked for: the brief shows the MTFS as published.</p>")
    out.append("</section>")
    return "".join(out)


def html_key_figures(b: Brief) -> str:
    """The key-figures table and, for each scenario, its change from the MTFS."""
    t = tables(b)
    out = ["<section><h2>Key figures</h2>"]
    out.append(
        html_table(
            t["Key figures"],
            "Key figures by scenario (£000)",
            caption_html=ref("roll_forward", "appendix_b", "high_needs", "capital"),
        )
    )
    if len(t["Change from MTFS"]):
        out.append(
            html_table(
                t["Change from MTFS"],
                "Change from the MTFS as published (£000; figures no scenario changes are left out)",
            )
        )
    out.append("</section>")
    return "".join(out)


def html_newton(b: Brief) -> str:
    """The Newton Europe guarantee: the printed levels against the MTFS, each scenario's
    summary and its year-by-year table, and how the unprinted terms are read."""
    lv = newton.levels(b.baseline, b.terms)
    mtfs = float(lv.iloc[-1]["benefit"])
    above = newton.mtfs_above_stretch(b.baseline, b.terms)
    t = tables(b)
    out = [
        "<section><h2>The DCFSF programme against the Newton Europe guarantee</h2>",
        f'<p class="headline">The MTFS books <strong>{_m(mtfs)}</strong> a year from the DCFSF programme '
        f"(CF1-CF3) by 2024/25{ref('mtfs_dcfsf', 'appendix_b')}: <strong>{_m(abs(above))} "
        f"{'above' if above > 0 else 'below'} even the {_m(b.terms.stretch)} stretch ambition</strong>"
        f"{ref('stretch')}, {_m(mtfs - b.terms.estimate)} above the {_m(b.terms.estimate)} estimate"
        f"{ref('estimate')} and {_m(mtfs - b.terms.floor)} above the {_m(b.terms.floor)} Newton Europe "
        f"guarantees{ref('guarantee')}.</p>",
        html_table(lv, "The printed levels against the MTFS (£000 a year by 2024/25)"),
        html_table(
            t["Newton summary"],
            "Each scenario against the guarantee (£000; benefits positive)",
            caption_html=ref("guarantee", "horizon"),
        ),
        html_table(
            t["Newton by year"].loc[unique_names(b.all_results)[1:]] if b.results else t["Newton by year"],
            "Year by year (£000; cumulative rows: 2024/25 is the four-year total)",
        ),
        "<ul class='notes'>",
    ]
    notes: dict[str, list[str]] = {}
    for name, r in zip(unique_names(b.all_results), b.all_results, strict=True):
        nw = r.scenario.inputs.newton
        fee = (
            f"Fee ASSUMED (not printed) at {nw.fee_rate:.1%} of the benefit delivered each year"
            + (f", capped at £{nw.fee_cap:,.0f}k over the four years" if nw.fee_cap is not None else ", uncapped")
            if nw.fee_rate is not None
            else "Fee not modelled: the papers say it is capped but print neither the fee nor the cap"
        )
        notes.setdefault(f"{newton.phasing_note(nw.floor_phasing)} {fee}.", []).append(name)
    for note, names in notes.items():
        who = "All scenarios" if len(notes) == 1 else ", ".join(names)
        out.append(f"<li><strong>{e(who)}</strong>: {e(note)}</li>")
    out.append(
        "<li>Below the floor, Newton Europe puts in additional resource at its own cost; the paper does not say by "
        "when. 'Net budget counting on the guarantee' assumes the remedy lands in the same year.</li></ul></section>"
    )
    return "".join(out)


def html_charts(b: Brief) -> str:
    """The four charts, each an embedded PNG with alt text and a caption."""
    res = list(b.all_results)
    figs = [
        charts.figure_html(
            charts.net_budget_path(res),
            "Line chart: net budget by scenario, 2020/21 base to 2024/25, £000",
            "Net budget path by scenario (£000).",
        )
    ]
    for r in b.results or (b.baseline,):
        figs.append(
            charts.figure_html(
                charts.growth_savings_bridge(r),
                f"Waterfall chart: 2020/21 base to 2024/25 net budget, {r.scenario.name}, £000",
                f"Growth and savings bridge, {r.scenario.name}: 2020/21 base + transfers + growth + savings "
                "= 2024/25 net budget (£000).",
            )
        )
    figs.append(
        charts.figure_html(
            charts.high_needs_deficit(res),
            "Line chart: High Needs cumulative deficit by scenario, £000",
            "High Needs cumulative DSG deficit by scenario (£000).",
        )
    )
    figs.append(
        charts.figure_html(
            charts.cip_cash(res),
            "Line chart: CIP cumulative cash by fiscal year, break-even marked, £000",
            "CIP residential properties: cumulative cash, all four properties (£000); stars mark break-even.",
        )
    )
    return "<section><h2>Charts</h2>" + "".join(figs) + "</section>"


def html_risk(b: Brief) -> str:
    """Budget risk: the probabilities, the 2024/25 gap percentiles, and for each
    scenario the fan charts of net budget and High Needs deficit and the tornado."""
    results = risk_results(b)
    if not results:
        return ""
    parts = [
        "<section><h2>Budget risk</h2>",
        f"<p>{b.risk_n:,} simulated trajectories a scenario (seed {b.risk_seed}): every growth line's drivers, "
        "every savings line's delivery and the High Needs costs and savings drawn from the distributions in "
        "<code>data/risk.toml</code> (each with its source or reason). The gap is the simulated net budget less "
        "the MTFS as published.</p>",
        html_table(risk_summary(b), "Risk by scenario (£000; probabilities as percentages)"),
    ]
    for name, rr in zip(unique_names(b.all_results), results, strict=True):
        parts.append(f"<h3>{e(name)}</h3>")
        parts.append(
            charts.figure_html(
                risk_charts.fan_chart(rr, "net_budget"),
                f"Fan chart: net budget P5 to P95 by year, {name}, £m",
                f"Net budget, {name}: median with P10-P90 and P5-P95 bands; dashed, the MTFS as published.",
            )
        )
        parts.append(
            charts.figure_html(
                risk_charts.fan_chart(rr, "hn_deficit"),
                f"Fan chart: High Needs cumulative deficit P5 to P95 by year, {name}, £m",
                f"High Needs cumulative deficit, {name}: median and bands; dashed, the deterministic forecast.",
            )
        )
        parts.append(
            charts.figure_html(
                risk_charts.tornado_chart(rr, "net"),
                f"Tornado chart: 2024/25 net budget with each input at its P10 and P90, {name}, £m",
                f"Which inputs move the 2024/25 net budget most, {name}: each at its P10 and P90, the others at "
                "their medians.",
            )
        )
    return "".join(parts) + "</section>"


def html_high_needs_cip(b: Brief) -> str:
    """High Needs by scenario and the CIP paybacks by scenario."""
    res = list(b.all_results)
    return (
        "<section><h2>High Needs and the CIP properties</h2>"
        + html_table(
            high_needs_table(res),
            "High Needs Block: annual gap and cumulative deficit (£000)",
            caption_html=ref("high_needs", "transfer"),
        )
        + html_table(
            cip_table(res),
            "CIP (CF4) savings line (£000, negative) and the properties' cash break-even",
            caption_html=ref("cip", "appendix_b"),
        )
        + "</section>"
    )


def html_reconciliation(b: Brief) -> str:
    """The reconciler's status: the papers' own disagreements and the engine identities."""
    t = tables(b)
    rec = t["Reconciliation"]
    ok = bool((rec["engine_identities"] == "all ok").all())
    dis = t["Paper disagreements"][["table", "row", "column", "expected", "actual", "difference"]]
    return (
        "<section><h2>Reconciliation status</h2>"
        f"<p>Engine identities (every total = the sum of its parts, net = prior + transfers + growth + savings, "
        f"...): <strong>{'all ok' if ok else 'FAILED'}</strong> for every scenario. "
        f"The papers disagree with themselves beyond their printed precision in "
        f"<strong>{len(dis)}</strong> places (difference = printed - derived); the model keeps the printed parts "
        "and never corrects them.</p>"
        + html_table(rec, "Checks by scenario (count)")
        + html_table(
            dis,
            "The papers' disagreements (£000 unless the table says GBP)",
            labels={"expected": "derived from the parts", "actual": "printed", "difference": "printed - derived"},
        )
        + "</section>"
    )


def html_sources(b: Brief) -> str:
    """Numbered source footnotes: document, place and a phrase to search for."""
    src = _sources(b)
    docs = b.data.sources["documents"]
    items = []
    for i, (key, what) in enumerate(FOOTNOTES, start=1):
        s = src[key]
        doc = docs.get(s.get("doc", ""), {})
        items.append(
            f'<li id="src-{i}"><strong>{e(what)}</strong>: {e(doc.get("title", s.get("doc", "")))} '
            f"({e(doc.get('file', ''))}), {e(s.get('ref', ''))}; search for &ldquo;{e(s.get('grep', ''))}&rdquo;.</li>"
        )
    return "<section><h2>Sources</h2><ol class='sources'>" + "".join(items) + "</ol></section>"


def html_footer(b: Brief) -> str:
    """The run's parameters: scenarios as asked for, date, title, package version."""
    asked = ", ".join(e(Path(s).name) for s in b.requested) or "(none)"
    return (
        '<footer class="run"><p>Run parameters: scenarios = ' + asked + f"; run_date = {e(b.run_date)}; "
        f"title = &ldquo;{e(b.title)}&rdquo;; risk_n = {b.risk_n:,}; risk_seed = {b.risk_seed}; "
        f"notebook = {e(BRIEF_NOTEBOOK)} (papermill, kernel "
        f"{e(KERNEL_NAME)}); mtfs_model {e(__version__)}; Python {e(sys.version.split()[0])}.</p></footer>"
    )


# --- export ---------------------------------------------------------------------------

CSS = """
body{font-family:Georgia,'Times New Roman',serif;color:#111;background:#fff;max-width:62rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:1px solid #444;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.2rem}.meta{color:#333}
table.figures{border-collapse:collapse;margin:1rem 0;font-size:.85rem;font-family:Arial,Helvetica,sans-serif}
table.figures caption{text-align:left;font-weight:bold;padding:.3rem 0}
table.figures th,table.figures td{border:1px solid #999;padding:.2rem .45rem;vertical-align:top}
table.figures thead th{background:#e6e6e6}table.figures th.group{background:#f3f3f3;text-align:left}
table.figures td.num,table.figures th.num{text-align:right;font-variant-numeric:tabular-nums}
table.figures td.num{white-space:nowrap}table.figures thead th{vertical-align:bottom}
div.table{max-width:100%;overflow-x:auto}
table.figures th[scope=row]{text-align:left;font-weight:normal}
figure.chart{margin:1.2rem 0}figure.chart img{max-width:100%;height:auto;border:1px solid #ccc}
figcaption{font-size:.85rem;color:#333}.headline{font-size:1.05rem}
footer.run{margin-top:2rem;border-top:1px solid #444;font-size:.8rem;color:#333}
ol.sources,ul.notes{font-size:.85rem}
@media print{body{max-width:none;margin:0}section{break-inside:auto}figure.chart{break-inside:avoid}}
"""

TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    '{%- block header -%}<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
    "<title>{{ nb.metadata.get('title', '') | e }}</title>\n<style>{{ resources.brief_css }}</style>\n</head>"
    "{%- endblock header -%}\n"
    "{%- block body_header -%}<body>\n<main>{%- endblock body_header -%}\n"
    "{%- block body_footer -%}</main>\n</body>{%- endblock body_footer -%}\n"
    "{%- block footer -%}</html>\n{%- endblock footer -%}\n"
    "{%- block data_javascript scoped -%}{%- endblock data_javascript -%}\n"
    "{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}\n"
)
"""nbconvert template: the lab template's cell markup with our own head (one inline
style sheet) and none of its scripts (require.js, MathJax, mermaid, widgets: all from a
CDN) or javascript outputs."""


def export_html(nb: Any, title: str) -> str:
    """The executed notebook as one self-contained HTML page: inputs, prompts and
    markdown hidden; outputs only; checked by :func:`check_self_contained`."""
    import copy

    import jinja2
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    # cells with nothing to show (the parameters, and papermill's injected cell with its
    # random id) are dropped, so the same inputs give the same page byte for byte
    nb.cells = [c for c in nb.cells if c.get("cell_type") != "code" or c.get("outputs")]
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"mtfs_brief.html.j2": TEMPLATE})],
        template_file="mtfs_brief.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"brief_css": CSS})
    check_self_contained(body)
    return str(body)


def external_resources(page: str) -> list[str]:
    """Every script tag and every non-``data:`` URL a page would load by itself (src,
    link href, CSS url() or @import); anchors (``<a href>``) are links, not resources."""
    import re

    found = [m.group(0)[:80] for m in re.finditer(r"<script\b[^>]*>", page, re.IGNORECASE)]
    for m in re.finditer(r"<(?!a\b)[a-z]+\b[^>]*\b(?:src|href|srcset|data)\s*=\s*[\"']?([^\"'\s>]+)", page, re.I):
        if not m.group(1).startswith(("data:", "#")):
            found.append(m.group(0)[:80])
    for m in re.finditer(r"url\(\s*[\"']?([^\"')\s]+)|@import\s+[\"']?([^\"';\s]+)", page, re.IGNORECASE):
        target = m.group(1) or m.group(2) or ""
        if not target.startswith(("data:", "#")):
            found.append(m.group(0)[:80])
    return found


def check_self_contained(page: str) -> None:
    """Raise :class:`BriefError` if the page carries script or loads anything external."""
    bad = external_resources(page)
    if bad:
        raise BriefError("the brief is not self-contained: " + "; ".join(bad[:5]))


# --- Excel ----------------------------------------------------------------------------


def workbook_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The tables as a formatted .xlsx: one sheet each, bold headers, frozen panes,
    column widths, ``#,##0`` for GBP000 and ``0.0%`` for ``_pct`` columns.  Text that
    starts with ``=`` is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, df in sheets.items():
        ws = wb.create_sheet(title[:31])
        flat = df.reset_index()
        index_cols = df.index.nlevels
        header = [LABELS.get(str(c), str(c)) for c in flat.columns]
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in flat.itertuples(index=False):
            ws.append([_excel_value(v) for v in row])
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # scenario text is text, never a formula
        for j, col in enumerate(flat.columns, start=1):
            letter = get_column_letter(j)
            numeric = _is_number_column(flat[col])
            fmt = "0.0%" if str(col).endswith("_pct") else "#,##0"
            if str(col) in ("expected", "actual", "difference", "tolerance"):
                fmt = "#,##0.0##"  # findings: some differences are fractions of a printed unit
            width = len(header[j - 1])
            for i in range(2, ws.max_row + 1):
                c = ws[f"{letter}{i}"]
                if numeric and j > index_cols:
                    c.number_format = fmt
                    width = max(width, len(f"{c.value:,.0f}") + 1 if _is_number(c.value) else 4)
                else:
                    width = max(width, min(len(str(c.value or "")), 70))
            ws.column_dimensions[letter].width = min(max(width + 2, 8), 72)
        ws.freeze_panes = ws.cell(row=2, column=index_cols + 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _is_number_column(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s)) and not bool(pd.api.types.is_bool_dtype(s))


def _excel_value(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:  # NaN never reaches a table; keep the cell empty if it did
        return None
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "never"
    return v


# --- the command ----------------------------------------------------------------------


def _step(message: str, progress: bool) -> None:
    if progress:
        print(f"mtfs brief: {message}", file=sys.stderr, flush=True)


def write_brief(
    scenarios: Sequence[str],
    output: str | Path,
    *,
    xlsx: str | Path | None = None,
    run_date: str | None = None,
    title: str = DEFAULT_TITLE,
    progress: bool = True,
    risk_n: int = 100_000,
    risk_seed: int = 1,
) -> Path:
    """Write the HTML brief for ``scenarios`` (and, with ``xlsx``, the workbook).

    Scenario names are checked before any work (an unknown one raises
    :class:`InputError`); the notebook runs with papermill from ``notebooks/``; both
    files are produced in memory and then written atomically.  Returns the HTML path.
    """
    _step("checking scenarios", progress)
    if not scenarios:
        raise InputError("(command line)", "scenarios", "at least one scenario name", show_got=False)
    paths = [str(resolve(s).resolve()) for s in scenarios]
    for p in paths:
        load_scenario(p)  # every key checked now, before a kernel starts
    date = check_date(run_date) if run_date else dt.date.today().isoformat()
    for key, value, least in (("--n", risk_n, 0), ("--seed", risk_seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError("(command line)", key, f"a whole number >= {least}", value)
    params = {"scenarios": paths, "run_date": date, "title": title, "risk_n": risk_n, "risk_seed": risk_seed}
    _step(f"executing {BRIEF_NOTEBOOK} with papermill (kernel {KERNEL_NAME}: {sys.executable})", progress)
    nb = execute_notebook(BRIEF_NOTEBOOK, params, progress=progress)
    _step("exporting HTML with nbconvert (code hidden, charts embedded, no external resources)", progress)
    page = export_html(nb, title)
    book = None
    if xlsx is not None:
        _step("building the Excel workbook", progress)
        b = build(paths, run_date=date, title=title, risk_n=risk_n, risk_seed=risk_seed)
        book = workbook_bytes(tables(b))

    def write_page(tmp: Path) -> None:
        tmp.write_text(page, encoding="utf-8", newline="\n")

    target = atomic_write(output, write_page)
    _step(f"wrote {target}", progress)
    if xlsx is not None and book is not None:
        data = book

        def write_book(tmp: Path) -> None:
            tmp.write_bytes(data)

        xpath = atomic_write(xlsx, write_book)
        _step(f"wrote {xpath}", progress)
    return target
