"""Scenario briefs: one self-contained HTML file, and optionally an Excel workbook.

``mtfs brief SCENARIO [SCENARIO ...] -o brief.html [--xlsx brief.xlsx]`` runs
``notebooks/scenario_brief.ipynb`` with papermill in a fresh kernel of *this*
interpreter, then exports it with nbconvert: code hidden, charts embedded as base64
PNG, no script and no external resource of any kind (so it renders offline and can be
emailed safely).  The notebook only calls the library; every figure comes from the
engine (:func:`mtfs_model.run`) and :mod:`mtfs_model.engine.guarantee`, every year, label and
name from the brief's edition (``edition=None``: the bundled one).

The brief is split by concern: this module builds it, runs notebooks and exports;
:mod:`mtfs_model.brief.tables` holds the :class:`Brief` and its tables,
:mod:`mtfs_model.brief.html` the HTML pieces (one per notebook cell),
:mod:`mtfs_model.brief.export` the nbconvert export and :mod:`mtfs_model.brief.xlsx` the
workbook.  Their public names are re-exported here, so
``brief.html_table``, ``brief.cip_table``, ... keep working.

Every piece of text that comes from a scenario file is HTML-escaped; a link is kept only
if it is ``http(s)``.  Files are written atomically (:func:`mtfs_model.base.report.atomic_write`):
never half a file.

Running notebooks: :func:`execute_notebook` checks the parameters against the
notebook's ``parameters`` cell (papermill itself only warns on an unknown one) and fails
with :class:`~mtfs_model.base.errors.InputError` on any it does not declare.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mtfs_model.base.args import check_whole
from mtfs_model.base.errors import InputError
from mtfs_model.base.output import atomic_write
from mtfs_model.brief.export import CSS, TEMPLATE, BriefError, check_self_contained, export_html, external_resources
from mtfs_model.brief.html import (
    BRIEF_NOTEBOOK,
    KERNEL_NAME,
    e,
    footnotes,
    html_answer,
    html_footer,
    html_header,
    html_key_figures,
    html_reconciliation,
    html_scenarios,
    html_sources,
    html_table,
    published,
    ref,
)
from mtfs_model.brief.labels import CIP_COLUMNS, appraisal_labels, column_labels, display_names
from mtfs_model.brief.sections import html_backtest, html_charts, html_guarantee, html_high_needs_cip, html_risk
from mtfs_model.brief.tables import (
    Brief,
    as_edition,
    changes_from_mtfs,
    cip_appraisal,
    cip_table,
    default_title,
    guarantee_tables,
    high_needs_table,
    key_figures,
    reconciliation_table,
    risk_results,
    risk_summary,
    run_scenarios,
    scenarios_table,
    sheet_names,
    table,
    tables,
)
from mtfs_model.brief.xlsx import workbook_bytes
from mtfs_model.edition.folder import DEFAULT_EDITION, Edition
from mtfs_model.engine import guarantee
from mtfs_model.engine.run import run
from mtfs_model.scenarios.load import Scenario, load_scenario, resolve

__all__ = [
    "BRIEF_NOTEBOOK",
    "CIP_COLUMNS",
    "CSS",
    "KERNEL_NAME",
    "NOTEBOOK_DIR",
    "TEMPLATE",
    "Brief",
    "BriefError",
    "appraisal_labels",
    "as_edition",
    "brief_edition",
    "build",
    "changes_from_mtfs",
    "check_date",
    "check_parameters",
    "check_self_contained",
    "cip_appraisal",
    "cip_table",
    "column_labels",
    "default_title",
    "display_names",
    "e",
    "execute_notebook",
    "export_html",
    "external_resources",
    "footnotes",
    "guarantee_tables",
    "high_needs_table",
    "html_answer",
    "html_backtest",
    "html_charts",
    "html_footer",
    "html_guarantee",
    "html_header",
    "html_high_needs_cip",
    "html_key_figures",
    "html_reconciliation",
    "html_risk",
    "html_scenarios",
    "html_sources",
    "html_table",
    "key_figures",
    "notebook_parameters",
    "notebook_path",
    "published",
    "reconciliation_table",
    "ref",
    "risk_results",
    "risk_summary",
    "run_scenarios",
    "save_workbook",
    "scenario_files",
    "scenarios_table",
    "sheet_names",
    "table",
    "tables",
    "workbook",
    "workbook_bytes",
    "write_brief",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # mtfs_model/
NOTEBOOK_DIR = next(
    (d for d in (PACKAGE_DIR.parent / "notebooks", PACKAGE_DIR / "_notebooks") if d.is_dir()),
    PACKAGE_DIR.parent / "notebooks",
)
"""The repository's ``notebooks/`` (an editable install), or the copy a wheel ships
inside the package (``mtfs_model/_notebooks``)."""
DEFAULT_TITLE = ""
"""The default title: "" for ``Scenario brief: <the edition's title>`` (:func:`default_title`)."""


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

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # the kernel's own log is not the brief's output: what it prints on its
            # stdout/stderr (a zmq traceback while it is shut down after Ctrl-C) would come
            # before the command's one error line.  Cell output and errors come by zmq.
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

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


def _edition_parameter(edition: Edition | str | Path | None) -> str:
    """The notebooks' ``edition`` parameter: "" for the bundled edition, else a folder path."""
    if edition is None or edition == "":
        return ""
    folder = (edition.path if isinstance(edition, Edition) else Path(edition)).resolve()
    return "" if folder == DEFAULT_EDITION.resolve() else str(folder)


def execute_notebook(
    name: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    output_path: str | Path | None = None,
    progress: bool = True,
    cwd: str | Path | None = None,
    timeout: int = 600,
    edition: Edition | str | Path | None = None,
) -> Any:
    """Run a notebook top to bottom in a fresh ``python3`` kernel of this interpreter.

    ``parameters`` are checked against the notebook's ``parameters`` cell first (an
    unknown one raises :class:`InputError`); ``edition`` (an Edition or a folder; None:
    the bundled one) is passed as the notebook's ``edition`` parameter unless
    ``parameters`` gives one; ``cwd`` defaults to ``notebooks/``; ``timeout`` is seconds
    per cell.  Returns the executed notebook (an ``nbformat.NotebookNode``); raises
    :class:`BriefError` if a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = notebook_path(name)
    params = dict(parameters or {})
    if edition is not None and "edition" not in params:
        params["edition"] = _edition_parameter(edition)
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


# --- building a brief -----------------------------------------------------------------


def check_date(text: str) -> str:
    """A ``YYYY-MM-DD`` date, or :class:`InputError`."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        raise InputError("(command line)", "--date", "a date as YYYY-MM-DD", text) from None


ScenarioLike = str | Path | Scenario
"""What a brief takes for a scenario: a name, a ``.toml`` path or a :class:`Scenario`."""


def brief_edition(scenarios: Sequence[ScenarioLike], edition: Edition | str | Path | None = None) -> Edition:
    """The edition a brief runs on: ``edition`` if given, else the edition of the
    :class:`Scenario` objects among ``scenarios``, else the bundled one.  Scenarios of
    another edition raise :class:`InputError`."""
    given = [s.edition for s in scenarios if isinstance(s, Scenario)]
    ed = as_edition(edition) if edition is not None or not given else given[0]
    others = sorted({g.id for g in given if g is not ed})
    if others:
        raise InputError("(arguments)", "scenarios", f"scenarios of the edition {ed.id!r}", ", ".join(others))
    return ed


def _requested(s: ScenarioLike) -> str:
    if isinstance(s, Scenario):
        return str(s.path) if s.path is not None else s.name
    return str(s)


def today() -> str:
    """The brief's date when ``--date`` is not given: ``SOURCE_DATE_EPOCH`` (seconds, the
    reproducible-builds convention) if set, else today; ``YYYY-MM-DD``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def build(
    scenarios: Sequence[ScenarioLike],
    *,
    run_date: str = "",
    title: str = DEFAULT_TITLE,
    risk_n: int = 100_000,
    risk_seed: int = 1,
    edition: Edition | str | Path | None = None,
) -> Brief:
    """Run the edition's MTFS as published and each scenario (names, ``.toml`` paths or
    :class:`Scenario` objects).

    ``edition``: an Edition, a folder path, or None / "" for the bundled one (or the
    edition of the Scenario objects given).  ``run_date`` (``YYYY-MM-DD``; "" for today)
    is printed on the brief; ``title`` "" gives ``Scenario brief: <the edition's
    title>``.  Raises :class:`InputError` for an unknown scenario.
    """
    ed = brief_edition(scenarios, edition or None)
    base = run(load_scenario("baseline", edition=ed))
    loaded = [s if isinstance(s, Scenario) else load_scenario(s, edition=ed) for s in scenarios]
    results = tuple(r for r in map(run, loaded) if r.scenario.name != "baseline" or r.scenario.changes)
    return Brief(
        title=title or default_title(ed),
        run_date=check_date(run_date) if run_date else today(),
        requested=tuple(_requested(s) for s in scenarios),
        baseline=base,
        results=results,
        terms=guarantee.load_terms(ed) if guarantee.applies(ed) else None,
        edition=ed,
        risk_n=risk_n,
        risk_seed=risk_seed,
    )


def workbook(b: Brief) -> bytes:
    """The auditor workbook of a brief (:mod:`mtfs_model.brief.workbook`): live formulas
    for every total and difference, the inputs, the sources and the findings, from the
    brief's own runs and simulations (nothing is run twice)."""
    from mtfs_model.brief.sheets import auditor_workbook

    return auditor_workbook(b)


def save_workbook(b: Brief, path: str | Path) -> None:
    """Write :func:`workbook` to ``path`` ("" or None: write nothing); the brief notebook's
    last cell, so the workbook comes from the notebook's own runs.  Returns nothing, so
    the cell shows nothing in the page."""
    if path:
        Path(path).write_bytes(workbook(b))


# --- the command ----------------------------------------------------------------------


def _terminal() -> bool:
    """Whether standard error is a terminal (papermill's progress bar only there)."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def _step(message: str, progress: bool) -> None:
    if progress:
        print(f"mtfs brief: {message}", file=sys.stderr, flush=True)


def scenario_files(scenarios: Sequence[ScenarioLike], edition: Edition, folder: Path) -> list[str]:
    """A file for the notebook for each scenario, every key checked now (before a kernel
    starts): a name or path resolved; a :class:`Scenario` by its own file, or written to
    ``folder`` if it has none (a combination, a scenario from a dict)."""
    paths = []
    for s in scenarios:
        if isinstance(s, Scenario) and s.path is not None and s.path.is_file():
            path = s.path.resolve()
        elif isinstance(s, Scenario):
            stem = re.sub(r"[^A-Za-z0-9_+'-]", "_", s.name)
            path = s.to_toml(folder / f"{stem}.toml")
        else:
            path = resolve(s, edition).resolve()
        load_scenario(path, edition=edition)
        paths.append(str(path))
    return paths


def _check_run(run_date: str | None, risk_n: int, risk_seed: int) -> str:
    """The date to print (today if none) after checking ``--n`` and ``--seed``."""
    date = check_date(run_date) if run_date else today()
    for key, value in (("--n", risk_n), ("--seed", risk_seed)):
        check_whole(key, value, 0, where="(command line)")
    return date


def _write(path: str | Path, content: str | bytes, progress: bool) -> Path:
    def write(tmp: Path) -> None:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8", newline="\n")

    target = atomic_write(path, write)
    _step(f"wrote {target}", progress)
    return target


def write_brief(
    scenarios: Sequence[ScenarioLike],
    output: str | Path,
    *,
    xlsx: str | Path | None = None,
    run_date: str | None = None,
    title: str = DEFAULT_TITLE,
    progress: bool = True,
    risk_n: int = 100_000,
    risk_seed: int = 1,
    edition: Edition | str | Path | None = None,
) -> Path:
    """Write the HTML brief for ``scenarios`` (names, paths or :class:`Scenario` objects)
    and, with ``xlsx``, the workbook, on ``edition`` (an Edition or a folder; None: the
    scenarios' edition or the bundled one).

    Scenarios are checked before any work (an unknown one raises :class:`InputError`);
    the notebook runs with papermill from ``notebooks/`` and, with ``xlsx``, writes the
    workbook from the same runs and simulations (its last cell) to a temporary file;
    both files are then written atomically.  Returns the HTML path.
    """
    date = _check_run(run_date, risk_n, risk_seed)  # arguments first: no progress line before their error
    if not scenarios:
        raise InputError("(command line)", "scenarios", "at least one scenario name", show_got=False)
    _step("checking scenarios", progress)
    ed = brief_edition(scenarios, edition or None)
    title = title or default_title(ed)
    with tempfile.TemporaryDirectory(prefix="mtfs-brief-") as folder:
        paths = scenario_files(scenarios, ed, Path(folder))
        params = {"scenarios": paths, "run_date": date, "title": title, "risk_n": risk_n, "risk_seed": risk_seed}
        params["edition"] = _edition_parameter(ed)
        book_path = Path(folder) / "workbook.xlsx"
        if xlsx is not None:
            params["workbook"] = str(book_path)  # the notebook writes it from its own runs
        _step(f"executing {BRIEF_NOTEBOOK} with papermill (kernel {KERNEL_NAME}: {sys.executable})", progress)
        nb = execute_notebook(BRIEF_NOTEBOOK, params, progress=progress and _terminal())  # a bar only on a terminal
        _step("exporting HTML with nbconvert (code hidden, charts embedded, no external resources)", progress)
        page = export_html(nb, title)
        book = None
        if xlsx is not None:
            if not book_path.is_file():
                raise BriefError(f"{BRIEF_NOTEBOOK}: the workbook was not written")
            _step("the Excel workbook came from the same runs", progress)
            book = book_path.read_bytes()
    target = _write(output, page, progress)
    if xlsx is not None and book is not None:
        _write(xlsx, book, progress)
    return target
