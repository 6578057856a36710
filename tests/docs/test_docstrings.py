"""Every public function, class and method of ``mtfs_model`` has a docstring.

Public: a module-level ``def`` or ``class`` whose name does not start with ``_``, and a
method (or property) of a public class whose name does not start with ``_``, in a module
whose own name and package path have no ``_`` prefix.  ``typing.overload`` stubs and
functions nested in functions are not counted (they are not reachable by name).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import REPO as ROOT

PACKAGE = ROOT / "mtfs_model"


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id == "overload") or (isinstance(d, ast.Attribute) and d.attr == "overload")
        for d in node.decorator_list
    )


def public_definitions(path: Path) -> list[tuple[str, bool]]:
    """``(qualified name, has a docstring)`` for each public definition in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found: list[tuple[str, bool]] = []
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, (*functions, ast.ClassDef)) and not node.name.startswith("_"):
            if isinstance(node, functions) and _is_overload(node):
                continue
            found.append((f"{module}.{node.name}", ast.get_docstring(node) is not None))
            if isinstance(node, ast.ClassDef):
                for member in node.body:
                    public = isinstance(member, functions) and not member.name.startswith("_")
                    if public and not _is_overload(member):
                        found.append((f"{module}.{node.name}.{member.name}", ast.get_docstring(member) is not None))
    return found


def all_public_definitions() -> list[tuple[str, bool]]:
    """Every public definition of the package, in file order."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        found.extend(public_definitions(path))
    return found


def test_the_counter_sees_what_it_should(tmp_path: Path) -> None:
    sample = ROOT / "mtfs_model" / "base" / "errors.py"
    names = [name for name, _ in public_definitions(sample)]
    assert "mtfs_model.base.errors.InputError" in names
    assert not any(n.split(".")[-1].startswith("_") for n in names)


def test_every_public_definition_has_a_docstring() -> None:
    found = all_public_definitions()
    missing = [name for name, documented in found if not documented]
    assert len(found) > 400  # the package, not an empty walk
    assert not missing, f"{len(found) - len(missing)} of {len(found)} documented; without a docstring:\n" + "\n".join(
        missing
    )
