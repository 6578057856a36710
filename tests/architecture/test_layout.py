"""The architecture as tests: no import cycle (function-level imports included), no private
name imported across modules, a small package root, and a command line that starts at once.

The layer contract itself is ``lint-imports`` (``pyproject.toml``, run by ``.ci/run``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mtfs_model"
HEAVY = ("pandas", "numpy", "matplotlib", "scipy", "pydantic")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks (imports for type checkers only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[str, str]]:
    """``(module, imported name)`` for every import in ``path``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    out: list[tuple[str, str]] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names if a.name.startswith("mtfs_model")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("mtfs_model"):
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.append((target, "") if target in known else (base, alias.name))
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {
        name: {m for m, _ in imports_of(name, path, known) if m in known and m != name} for name, path in mods.items()
    }


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_function_level_included() -> None:
    g = graph()
    # a package's __init__ is imported with any of its modules: it may not import them back
    assert cycles(g) == []


def test_no_private_name_imported_across_modules() -> None:
    mods = modules()
    known = set(mods)
    bad = [
        f"{name} imports {what} from {where}"
        for name, path in mods.items()
        for where, what in imports_of(name, path, known)
        if what.startswith("_") and not what.startswith("__")
    ]
    assert bad == []


def test_package_root_holds_at_most_six_modules() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= 6, root


def test_subpackage_faces_import_nothing() -> None:
    """A subpackage's ``__init__`` is documentation only: importing one module of it never
    drags in its siblings (so ``mtfs --help`` stays light)."""
    for init in PACKAGE.glob("*/__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert not [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], init


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["simulate", "--n", "x"], ["frobnicate"]])
def test_help_and_argument_errors_import_no_heavy_library(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from mtfs_model.cli.main import main\n"
        f"status = main({argv!r})\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(status, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    status, _, heavy = done.stderr.strip().splitlines()[-1].partition(" ")
    assert heavy == "[]", done.stderr
    assert status in ("0", "2")


def test_import_mtfs_model_is_light_and_the_api_loads_on_use() -> None:
    code = (
        "import sys, mtfs_model\n"
        f"assert not [m for m in {HEAVY!r} if m in sys.modules], 'heavy at import'\n"
        "assert callable(mtfs_model.run) and 'pandas' in sys.modules\n"
        "assert 'mtfs_model.cli.main' not in sys.modules and 'mtfs_model.cli.commands' not in sys.modules\n"
        "print(sorted(mtfs_model.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_version_is_stated_once() -> None:
    import importlib.metadata

    import mtfs_model

    assert importlib.metadata.version("mtfs_model") == mtfs_model.__version__
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
