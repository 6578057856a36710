"""Every user file beside the edition under the discipline of the edition's own files: the
hostile and broken ``outturns.toml`` and reference-class (``--reference-class``) files of
``tests/user_files/cases.toml`` each give the named problem through the API and one
``error:`` line a problem on the command line (exit 2, no traceback), and a hypothesis test
mutates the valid files one change at a time: each mutant loads or is refused in plain words.

The reference-class cases are changes to the bundled reference-class file as
:func:`load_reference_class` finds it, read as a user's file, so they follow that file.
"""

from __future__ import annotations

import itertools
import math
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_model import InputError
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.evidence.reference_class import load_reference_class
from mtfs_model.forecast.outturns import FILE, load_outturns
from tests.edition.mutants import NEW_KEYS, TOML_OPS, VALUES, mutate_toml, paths
from tests.plain_words import library_words

HERE = Path(__file__).resolve().parents[1] / "user_files"
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
OUTTURNS = HERE / "outturns.toml"
REFERENCE_CLASS = load_reference_class().files[0]
BASES = {"outturns": OUTTURNS, "reference_class": REFERENCE_CLASS}
_names = itertools.count()


def file_bytes(case: dict[str, Any]) -> bytes | None:
    """The case's file as bytes (None: a folder in its place)."""
    base = BASES[case["target"]]
    if case.get("folder"):
        return None
    if "content" in case:
        return str(case["content"]).encode("utf-8")
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    text = base.read_text(encoding="utf-8")
    if case.get("bom"):
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if case.get("cp1252"):
        return ("# £000\n" + text).encode("cp1252", errors="replace")
    doc = mutate_toml(tomllib.loads(text), case["op"], tuple(case["path"]), case.get("value"))
    return tomli_w.dumps(doc).encode("utf-8")


def place(data: bytes | None, target: str, tmp: Path) -> Path:
    """The file where its loader reads it: ``outturns.toml`` in a copy of the bundled
    edition (returns the folder), or a reference-class file of its own name (returns it)."""
    if target == "outturns":
        folder = tmp / f"edition{next(_names)}"
        shutil.copytree(DEFAULT_EDITION, folder)
        where = folder / FILE
    else:
        folder = where = tmp / f"ours{next(_names)}.toml"
    if data is None:
        where.mkdir()
    else:
        where.write_bytes(data)
    return folder


def shown_file(target: str, placed: Path) -> Path:
    return (placed / FILE).resolve() if target == "outturns" else placed


def load(target: str, placed: Path) -> object:
    if target == "outturns":
        return load_outturns(placed)
    return load_reference_class(placed, bundled=False)


def plain(error: InputError, file: Path) -> None:
    """Every problem names the file, on one line, in the user's words."""
    for p in error.problems:
        assert Path(p.file).resolve() == file.resolve(), p
        assert p.key and "\n" not in str(p), p
        assert not library_words(str(p)), (library_words(str(p)), str(p))


def test_corpus_covers_both_files_and_every_kind_of_change() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 50
    for target in BASES:
        mine = [c for c in CASES if c["target"] == target]
        kinds = {k for c in mine for k in ("op", "content", "hex", "bom", "cp1252", "folder") if k in c}
        assert kinds == {"op", "content", "hex", "bom", "cp1252", "folder"}, target
        assert {c["op"] for c in mine if "op" in c} >= {"set", "delete", "add", "duplicate_item"}


def test_the_valid_files_load() -> None:
    assert len(load_outturns(place(OUTTURNS.read_bytes(), "outturns", Path(_tmp())))) == 4
    assert load_reference_class(REFERENCE_CLASS, bundled=False).records


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="user_files.")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_user_file_api(case: dict[str, Any], tmp_path: Path) -> None:
    placed = place(file_bytes(case), case["target"], tmp_path)
    file = shown_file(case["target"], placed)
    with pytest.raises(InputError) as err:
        load(case["target"], placed)
    plain(err.value, file)
    matching = [p for p in err.value.problems if p.key == case["key"]]
    assert matching, f"no problem at {case['key']!r}:\n" + "\n".join(err.value.lines())
    assert any(case["phrase"] in p.expected for p in matching), "\n".join(str(p) for p in matching)


@pytest.mark.parametrize("case", CASES[::3], ids=[c["id"] for c in CASES[::3]])
def test_bad_user_file_cli(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    placed = place(file_bytes(case), case["target"], tmp_path)
    file = shown_file(case["target"], placed)
    if case["target"] == "outturns":
        code = main(["outturns", "--edition", str(placed)])
    else:
        code = main(["evidence", "--reference-class", str(placed)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", err
    lines = err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert not library_words(err), err
    assert any(line.startswith(f"error: {file}: {case['key']}: expected ") for line in lines), err


@st.composite
def mutants(draw: Any) -> tuple[str, bytes]:
    target = draw(st.sampled_from(sorted(BASES)))
    doc = tomllib.loads(BASES[target].read_text(encoding="utf-8"))
    op = draw(st.sampled_from(TOML_OPS))
    path = draw(st.sampled_from(list(paths(doc))))
    value = draw(st.sampled_from(NEW_KEYS if op in ("rename", "add") else VALUES))
    return target, tomli_w.dumps(mutate_toml(doc, op, path, value)).encode("utf-8")


def _finite(frame: pd.DataFrame) -> None:
    numbers = frame.select_dtypes("number").to_numpy(dtype=float)
    assert not (numbers == math.inf).any() and not (numbers == -math.inf).any()


def check_mutant(target: str, data: bytes, tmp: Path) -> str:
    placed = place(data, target, tmp)
    try:
        loaded = load(target, placed)
    except InputError as exc:
        plain(exc, shown_file(target, placed))
        return "refused"
    _finite(loaded if isinstance(loaded, pd.DataFrame) else loaded.table())  # type: ignore[attr-defined]
    return "loaded"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutant=mutants())
def test_a_mutated_user_file_loads_or_is_refused_in_plain_words(mutant: tuple[str, bytes], tmp_path: Path) -> None:
    assert check_mutant(*mutant, tmp_path) in ("refused", "loaded")


@pytest.mark.slow  # 400 mutants
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutant=mutants())
def test_many_mutated_user_files(mutant: tuple[str, bytes], tmp_path: Path) -> None:
    assert check_mutant(*mutant, tmp_path) in ("refused", "loaded")
