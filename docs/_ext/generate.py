"""Pages of the documentation that are generated, never typed (run by ``docs/conf.py``).

Everything lands in ``docs/_generated/`` (ignored by git, rebuilt on every build):

* ``notebooks/``: the notebooks that ship in the package (``notebooks/*.ipynb``), copied so
  Sphinx executes them; a file is rewritten only when its bytes change (the execution
  cache is keyed by content, so an unchanged notebook is not run twice locally).
* ``api/<name>.md``: one page for each name in ``mtfs_model.__all__`` (autodoc through the
  package's PEP 562 lazy names), with an example run by the doctest builder.
* ``cli/<command>.md``: one page for each ``mtfs`` subcommand, from the parser itself
  (``mtfs_model.cli.parser.build_parser``, sphinx-argparse).
* ``files/<file>.md``: one page for each file a user writes -- every edition file, a
  scenario, outturns, a reference class -- from the JSON Schema the library produces
  (``mtfs schema <file>``), with each key's type, unit and default and an example taken
  from the bundled files.
"""

from __future__ import annotations

import inspect
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mtfs_model

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "mtfs_model" / "editions" / "cfs_2021_22"

# What each page of a user-written file is, where its example comes from, and its money unit.
FILES: dict[str, tuple[str, Path | None, str]] = {
    "edition": (
        "The edition itself: id, title, papers, horizon, programmes, links, printed row labels.",
        EDITION / "edition.toml",
        "",
    ),
    "sources": ("The papers every figure cites (`doc` keys used by every `source`).", EDITION / "sources.toml", ""),
    "growth_savings": (
        "Appendix B's growth and savings lines: cumulative profiles, programmes, drivers.",
        EDITION / "growth_savings.toml",
        "£000 (cumulative, savings negative)",
    ),
    "revenue": (
        "The opening budget, transfers, the printed roll-forward and service areas.",
        EDITION / "revenue.toml",
        "£000",
    ),
    "high_needs": (
        "The High Needs (DSG) forecast: funding, expenditure, savings, deficits brought forward.",
        EDITION / "high_needs.toml",
        "£000",
    ),
    "capital": (
        "Appendix C: the capital programme by block and scheme, and its resources.",
        EDITION / "capital.toml",
        "£000",
    ),
    "cip": (
        "The invest-to-save (CIP) properties: cost and saving parts, occupancy, go-live, appraisal terms.",
        EDITION / "cip.toml",
        "£000 unless a key says £",
    ),
    "guarantee": (
        "The transformation partner's guarantee: floor, estimate, stretch, the programme it covers.",
        EDITION / "guarantee.toml",
        "£000",
    ),
    "risk": (
        "The budget-risk defaults: each input's P10 / P50 / P90 multiplier, evolution, source, evidence.",
        EDITION / "risk.toml",
        "multipliers of the scenario's own figure (1 = as published)",
    ),
    "checks": (
        "Checks the reconciler runs that are specific to these papers (selectors and kinds).",
        EDITION / "checks.toml",
        "as the selected figures",
    ),
    "headlines": (
        "Headline sentences of the papers and the figure each states.",
        EDITION / "headlines.toml",
        "as printed (see each headline's `unit`)",
    ),
    "scenario": (
        "A scenario: only what it changes from the edition.",
        ROOT / "scenarios" / "newton_guarantee.toml",
        "£000 for money, a factor for `delivery` and `scale`, a driver's own unit",
    ),
    "outturns": (
        "What happened: outturns and re-forecasts an edition records (optional `outturns.toml`).",
        None,
        "£000 for a table cell, a driver's own unit for a driver",
    ),
    "reference_class": (
        "The reference class: how comparable forecasts fared (records and pairs).",
        ROOT / "mtfs_model" / "evidence" / "reference_class.toml",
        "£ as printed",
    ),
}

OUTTURNS_EXAMPLE = """\
[documents.outturn_report]            # documents cited by key (or cite the edition's sources.toml)
title = "Provisional revenue outturn"
href = "https://example.org/outturn"

[[outturn]]
figure = { table = "revenue", row = "net_budget", year = "2021/22" }   # a cell of an engine table
value = 90512                                                          # GBP000
as_of = 2022-06-28                                                     # TOML date
source = { doc = "outturn_report", ref = "Appendix A", grep = "net budget" }

[[outturn]]
figure = "lines.G1.drivers.unit_cost_current_gbp_week"                 # a driver (its own unit)
year = "2021/22"
value = 4350
as_of = 2022-06-28
source = { doc = "outturn_report", ref = "para 5", grep = "unit cost" }
"""

# One example a public name, run by the doctest builder (`sphinx-build -b doctest`).
EXAMPLES: dict[str, str] = {
    "Edition": ">>> ed = mtfs_model.load_edition()\n>>> ed.years\n",
    "load_edition": ">>> ed = mtfs_model.load_edition()  # the bundled edition; a folder path for another\n>>> ed.id\n",
    "InputError": '>>> try:\n...     mtfs_model.run({"lines": {"G9": {"scale": 2}}})\n'
    "... except mtfs_model.InputError as exc:\n...     print(type(exc).__name__)\n",
    "Scenario": '>>> s = mtfs_model.load_scenario("newton_guarantee")\n>>> s.name\n',
    "load_scenario": '>>> mtfs_model.load_scenario("hn_transfer_refused").name\n',
    "available_scenarios": '>>> "newton_guarantee" in mtfs_model.available_scenarios()\n',
    "scenario": '>>> s = mtfs_model.scenario({"lines": {"G2": {"scale": 0.5}}}, name="g2_half",\n'
    '...                          description="G2 at half")\n>>> s.name\n',
    "combine": '>>> both = mtfs_model.combine("newton_guarantee", "hn_transfer_refused")\n>>> both.name\n',
    "as_scenario": '>>> mtfs_model.as_scenario("newton_guarantee+hn_transfer_refused").name\n',
    "Result": '>>> result = mtfs_model.run("baseline")\n>>> list(result.revenue.columns)\n',
    "run": '>>> result = mtfs_model.run("baseline")\n'
    '>>> round(float(result.revenue.loc["net_budget", "2024/25"]))  # £000\n',
    "compare": '>>> table = mtfs_model.compare(["baseline", "newton_guarantee"])\n>>> type(table).__name__\n',
    "reconcile": '>>> findings = mtfs_model.reconcile()\n>>> sorted(set(findings["severity"]))\n',
    "RiskResult": '>>> risk = mtfs_model.simulate("baseline", n=2000, seed=1)\n>>> list(risk.net_budget.index)\n',
    "simulate": '>>> risk = mtfs_model.simulate("baseline", n=2000, seed=1)\n>>> 0 <= risk.p_exceeds_mtfs <= 1\n',
    "load_outturns": ">>> len(mtfs_model.load_outturns(mtfs_model.load_edition()))  # the bundled edition has none\n",
    "backtest": ">>> callable(mtfs_model.backtest)  # needs an edition with outturns.toml: see the how-to\n",
    "reforecast": ">>> callable(mtfs_model.reforecast)  # needs an edition with outturns.toml: see the how-to\n",
    "solve": '>>> answer = mtfs_model.solve("baseline", lever="lines.G1.drivers.unit_cost_current_gbp_week",\n'
    '...                           target="net_vs_mtfs", value=2000)\n>>> type(answer).__name__\n',
    "grid": '>>> table = mtfs_model.grid("baseline", {"programmes.DCFSF.delivery": [0.5, 1.0]})\n>>> table.shape\n',
    "brief": ">>> callable(mtfs_model.brief)  # writes files: see the how-to on committee briefs\n",
}


def source_digest() -> str:
    """A short hash of the library's Python source and bundled data (names and bytes)."""
    import hashlib

    digest = hashlib.sha256()
    package = ROOT / "mtfs_model"
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _write(path: Path, text: str | bytes) -> None:
    """Write only when the content changes (keeps mtimes, and so Sphinx's and the execution cache's work)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _clean(folder: Path, keep: set[str]) -> None:
    """Remove generated files no longer produced (a renamed notebook, a dropped name)."""
    if folder.exists():
        for path in folder.iterdir():
            if path.name not in keep:
                path.unlink() if path.is_file() else shutil.rmtree(path)


def write_notebooks(out: Path) -> list[str]:
    """Copy the shipped notebooks into ``out`` (executed there by myst-nb)."""
    names = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        _write(out / nb.name, nb.read_bytes())
        names.append(nb.name)
    _clean(out, set(names))
    return names


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def _doctest_outputs(example: str) -> str:
    """Run ``example`` and return it with each expression's real output (doctest text)."""
    import doctest

    namespace: dict[str, Any] = {"mtfs_model": mtfs_model}
    out_lines: list[str] = []
    parser = doctest.DocTestParser()
    for ex in parser.get_examples(example):
        source = ex.source
        out_lines.extend(
            (">>> " if i == 0 else "... ") + line for i, line in enumerate(source.rstrip("\n").split("\n"))
        )
        try:
            value = eval(compile(source, "<example>", "eval"), namespace)  # an expression: show its repr
            if value is not None:
                out_lines.append(repr(value))
        except SyntaxError:
            import contextlib
            import io

            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(source, "<example>", "exec"), namespace)
            out_lines.extend(buffer.getvalue().rstrip("\n").split("\n") if buffer.getvalue() else [])
    return "\n".join(out_lines)


def write_api(out: Path) -> list[str]:
    """One page for each public name of ``mtfs_model``; returns the names."""
    api = mtfs_model._API  # the lazy-name table is the one list of where each name lives
    renamed = mtfs_model._RENAMED
    rows = []
    for name in mtfs_model.__all__:
        module = api[name]
        real = renamed.get(name, name)
        obj = getattr(__import__(module, fromlist=[real]), real)
        kind = "class" if inspect.isclass(obj) else "function"
        directive = "autoclass" if kind == "class" else "autofunction"
        options = "   :members:\n   :special-members: __call__\n" if kind == "class" else ""
        # A doctest re-run by `sphinx-build -b doctest`: its expected output is what the code
        # printed when this page was generated, so the check is that the build is repeatable.
        example = EXAMPLES.get(name, "")
        example_block = ""
        if example:
            example_block = "\n## Example\n\n```{doctest}\n" + _doctest_outputs(example) + "\n```\n"
        text = (
            f"# `mtfs_model.{name}`\n\n"
            f"{kind.capitalize()} `{module}.{real}`, importable as `mtfs_model.{name}` "
            f"(loaded on first use).\n\n"
            f"```{{eval-rst}}\n.. {directive}:: {module}.{real}\n{options}```\n{example_block}"
        )
        _write(out / f"{name}.md", text)
        rows.append(f"| [`{name}`]({name}.md) | {kind} | {_summary(obj)} |")
    index = (
        "# Public API: `mtfs_model`\n\n"
        "Every name in `mtfs_model.__all__`.  `import mtfs_model` is instant: each name loads its "
        "module on first use (PEP 562).  Money is £000 unless a page says otherwise; fiscal years "
        "are labelled `2021/22`.\n\n"
        "| name | kind | what it is |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "```{toctree}\n:hidden:\n:glob:\n\n*\n```\n"
    )
    _write(out / "index.md", index)
    _clean(out, {f"{n}.md" for n in mtfs_model.__all__} | {"index.md"})
    return list(mtfs_model.__all__)


def cli_commands() -> list[tuple[str, str]]:
    """Every ``mtfs`` subcommand (nested ones as ``edition export``) and its one-line help."""
    import argparse

    from mtfs_model.cli.parser import build_parser

    found: list[tuple[str, str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help or "" for a in action._choices_actions}
                for name, sub in action.choices.items():
                    path = f"{prefix} {name}".strip()
                    found.append((path, helps.get(name, "")))
                    walk(sub, path)

    walk(build_parser(), "")
    return found


def write_cli(out: Path) -> list[str]:
    """One page for each ``mtfs`` subcommand, generated from the parser."""
    commands = cli_commands()
    top = [c for c in commands if " " not in c[0]]
    names = []
    for path, help_text in top:
        slug = path.replace(" ", "_")
        names.append(slug)
        text = (
            f"# `mtfs {path}`\n\n{help_text[:1].upper() + help_text[1:]}.\n\n"
            "```{argparse}\n:module: mtfs_model.cli.parser\n:func: build_parser\n:prog: mtfs\n"
            f":path: {path}\n```\n"
        )
        _write(out / f"{slug}.md", text)
    rows = "\n".join(f"| [`mtfs {p}`]({p.split()[0]}.md) | {h} |" for p, h in commands)
    index = (
        "# Command line: `mtfs`\n\n"
        "Every subcommand, generated from the parser (`mtfs_model/cli/parser.py`).  Bad input "
        "exits with status 2 and one line per problem; Ctrl-C exits 130 with `error: interrupted`.  "
        "Every subcommand takes `--edition PATH` for an edition other than the bundled one.\n\n"
        "```{argparse}\n:module: mtfs_model.cli.parser\n:func: build_parser\n:prog: mtfs\n:nosubcommands:\n```\n\n"
        "| command | what it does |\n|---|---|\n" + rows + "\n\n"
        "```{toctree}\n:hidden:\n:glob:\n\n*\n```\n"
    )
    _write(out / "index.md", index)
    _clean(out, {f"{n}.md" for n in names} | {"index.md"})
    return [p for p, _ in commands]


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and pick the non-null branch of an optional ``anyOf``."""
    while "$ref" in node:
        node = {**defs[node["$ref"].split("/")[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        merged = {**node, **options[0]}
        merged.pop("anyOf", None)
        return _resolve(merged, defs)
    return node


def _type(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if _is_source(node, defs):
        return "source table: `doc`, `ref`, `grep` (or `title`, `href`)"
    node = _resolve(node, defs)
    if "enum" in node:
        return " or ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "anyOf" in node:
        return " or ".join(_type(o, defs) for o in node["anyOf"])
    kind = node.get("type", "")
    if kind == "array":
        return f"list of {_type(node.get('items', {}), defs)}"
    if kind == "object" and "properties" not in node:
        inner = node.get("additionalProperties") or next(iter(node.get("patternProperties", {}).values()), None)
        return f"table of {_type(inner, defs)}" if isinstance(inner, dict) else "table"
    bounds = []
    low, high = node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum")
    if low is not None and high is not None and low == -high:
        bounds.append(f"±{_num(high)}")
    else:
        if low is not None:
            bounds.append(f"{'>' if 'exclusiveMinimum' in node else '≥'} {_num(low)}")
        if high is not None:
            bounds.append(f"≤ {_num(high)}")
    return kind + (f" ({', '.join(bounds)})" if bounds and kind in ("number", "integer") else "")


def _num(value: float) -> str:
    """A bound as a reader writes it: 10,000,000 not 1e+07."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _unit(key: str, type_text: str, money: str) -> str:
    """The unit a key's value is in, read from the key's name (the schema's naming rule)."""
    leaf = key.rstrip("[]").split(".")[-1]
    rules = [
        ("_gbp_week", "£ a week"),
        ("_gbp000", "£000"),
        ("gbp000", "£000"),
        ("_gbp", "£"),
        ("_pct", "%"),
        ("_months", "months"),
        ("_years", "years"),
        ("_weeks", "weeks"),
    ]
    for suffix, unit in rules:
        if leaf.endswith(suffix):
            return unit
    counts = {"weeks": "weeks", "places": "places", "places_envelope": "places", "months": "months"}
    if leaf in counts:
        return counts[leaf]
    if leaf.endswith(("_date", "date", "_reason", "_note", "label", "title", "id")) or type_text.startswith("integer"):
        return ""
    if leaf in ("delivery", "scale", "occupancy", "p10", "p50", "p90", "multiplier"):
        return "factor (1 = as published)"
    if leaf in ("discount_rate", "rate", "fee_rate"):
        return "fraction a year" if leaf == "discount_rate" else "fraction"
    if type_text.startswith(("number", "table of number")) and money:
        # the page says the whole rule; a row shows its first word (£000, £, multiplier)
        return "multiplier" if money.startswith("multipliers") else money.split(" ")[0]
    return ""


def _is_source(node: dict[str, Any], defs: dict[str, Any]) -> bool:
    """A ``source`` table (a paper, a paragraph, a phrase to grep for): one shape in every file."""
    refs = [node.get("$ref", "")] + [o.get("$ref", "") for o in node.get("anyOf", [])]
    return any(r.split("/")[-1] in ("Source", "RiskSource") for r in refs)


def _keys(node: dict[str, Any], defs: dict[str, Any], prefix: str, depth: int = 0) -> Iterator[tuple[str, dict]]:
    node = _resolve(node, defs)
    if depth > 6:
        return
    for name, child in node.get("properties", {}).items():
        key = f"{prefix}.{name}" if prefix else name
        yield key, child
        if _is_source(child, defs):
            continue  # a source's keys are the same everywhere: listed once, under `source`
        resolved = _resolve(child, defs)
        if resolved.get("type") == "array":
            item = _resolve(resolved.get("items", {}), defs)
            if "properties" in item:
                yield from _keys(item, defs, f"{key}[]", depth + 1)
        elif "properties" in resolved:
            yield from _keys(resolved, defs, key, depth + 1)
        else:
            inner = resolved.get("additionalProperties")
            if not isinstance(inner, dict):
                inner = next(iter(resolved.get("patternProperties", {}).values()), None)
            if isinstance(inner, dict) and "properties" in _resolve(inner, defs):
                yield from _keys(inner, defs, f"{key}.<name>", depth + 1)


def _default(value: Any) -> str:
    """A key's default as it is written in TOML (nothing for none, an empty table or list)."""
    return "" if value in (None, {}, []) else _cell(json.dumps(value, ensure_ascii=False))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one user-written file, as ``mtfs schema`` prints it (risk: its table)."""
    if kind == "risk":
        from mtfs_model.risk.schema import RiskTable

        return RiskTable.model_json_schema()
    from mtfs_model.cli.schema import schema_json

    return json.loads(schema_json(kind))


def file_page(kind: str) -> str:
    """The MyST reference page of one user-written file."""
    what, example_path, money = FILES[kind]
    schema = schema_for(kind)
    defs = schema.get("$defs", {})
    rows = []
    for key, node in _keys(schema, defs, ""):
        resolved = _resolve(node, defs)
        type_text = _type(node, defs)
        default = resolved.get("default", node.get("default"))
        required = key.split(".")[-1].rstrip("[]") in _resolve(schema, defs).get("required", []) and "." not in key
        desc = "" if _is_source(node, defs) else resolved.get("description") or node.get("description") or ""
        desc = desc.replace("``", "`")  # the models' docstrings are reStructuredText
        rows.append(
            f"| `{key}` | {_cell(type_text)} | {_unit(key, type_text, money)} | "
            f"{'required' if required else _default(default)}"
            f" | {_cell(desc.split(chr(10) + chr(10))[0])} |"
        )
    filename = (
        "scenario file"
        if kind == "scenario"
        else ("a reference-class file" if kind == "reference_class" else f"{kind}.toml")
    )
    if example_path is not None:
        lines = example_path.read_text(encoding="utf-8").splitlines()
        example = "\n".join(lines[:45]) + ("\n# ... (the rest of the file)" if len(lines) > 45 else "")
        origin = f"`{example_path.relative_to(ROOT)}`" + (" (its first 45 lines)" if len(lines) > 45 else "")
    else:
        example, origin = OUTTURNS_EXAMPLE.rstrip("\n"), "a sketch (the bundled edition records no outturns)"
    schema_cmd = (
        "" if kind == "risk" else f"`mtfs schema {kind}` prints this schema (also `schemas/{kind}.schema.json`).  "
    )
    return (
        f"# `{filename}`\n\n{what}\n\n"
        f"{schema_cmd}Money: {money or 'none in this file'}.  Every key is declared: a misspelt key is an "
        "error naming the file and key; numbers are finite and bounded.\n\n"
        f"## Keys\n\n`<name>` stands for a key you choose (a line code, a year `2021/22`, an id).\n\n"
        "| key | type | unit | default | description |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\n## Example\n\nFrom {origin}:\n\n```toml\n{example}\n```\n"
    )


def appendix_page() -> str:
    """The reference page of an edition's ``appendix_a.csv``."""
    lines = (EDITION / "appendix_a.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    return (
        "# `appendix_a.csv`\n\nAppendix A of the papers line by line (optional): the reconciler checks every "
        "printed subtotal against its lines.  UTF-8 without BOM, valid CSV; the first four columns are "
        "`id,parent,kind,label`, then the money columns `revenue.toml`'s `[appendix_a]` declares (whole "
        "pounds, £), then `source_line`.  Each row has as many fields as the header, a unique `id`, `kind` "
        "`line` or `subtotal`; each `parent` is a subtotal row and there is no loop.\n\n"
        "## Columns of the bundled file\n\n" + "\n".join(f"* `{h}`" for h in header) + "\n\n"
        "## Example\n\nThe first rows of `mtfs_model/editions/cfs_2021_22/appendix_a.csv`:\n\n"
        "```text\n" + "\n".join(lines[:8]) + "\n```\n"
    )


def write_files(out: Path) -> list[str]:
    """One page for each user-written file; returns the file names documented."""
    names = []
    for kind in FILES:
        _write(out / f"{kind}.md", file_page(kind))
        names.append(kind)
    _write(out / "appendix_a.md", appendix_page())
    names.append("appendix_a")
    index = (
        "# Files: editions, scenarios, outturns, evidence\n\n"
        "Every file a user writes, generated from the JSON Schema the library checks it against.  An "
        "edition is a folder (`mtfs_model/editions/cfs_2021_22/` is the bundled one); a TOML editor with "
        "schema support (Taplo, VS Code's Even Better TOML) validates a file whose first line is "
        "`#:schema ../schemas/<file>.schema.json`.\n\n"
        "| file | what it holds |\n|---|---|\n"
        + "\n".join(f"| [{k}]({k}.md) | {FILES[k][0]} |" for k in FILES)
        + "\n| [appendix_a.csv](appendix_a.md) | Appendix A line by line (optional) |\n\n"
        "```{toctree}\n:hidden:\n:glob:\n\n*\n```\n"
    )
    _write(out / "index.md", index)
    _clean(out, {f"{n}.md" for n in names} | {"index.md"})
    return names


def write_all(docs: Path) -> None:
    """Write every generated page under ``docs/_generated/``."""
    out = docs / "_generated"
    write_notebooks(out / "notebooks")
    write_api(out / "api")
    write_cli(out / "cli")
    write_files(out / "files")
