"""The bad-edition corpus: each case of ``tests/bad_editions/cases.toml`` is ONE change to
a copy of the bundled edition, and loading it must raise an :class:`InputError` with a
problem naming the expected file, key and phrase (every problem naming a file of the
folder, one line each); on the command line it is exit status 2, only ``error:`` lines
and no traceback, before any output.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mtfs_model import InputError, load_edition
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION

CORPUS = Path(__file__).parent.parent / "bad_editions" / "cases.toml"
CASES: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]


def make_case(case: dict[str, Any], tmp_path: Path) -> Path:
    """A copy of the bundled edition with the case's one change."""
    folder = tmp_path / "edition"
    shutil.copytree(DEFAULT_EDITION, folder)
    target = folder / case["file"]
    if case.get("delete"):
        target.unlink()
    elif case.get("folder"):
        target.unlink()
        target.mkdir()
    else:
        text = target.read_text(encoding="utf-8")
        if "content" in case:
            text = case["content"]
        elif "find" in case:
            assert case["find"] in text, f"{case['id']}: the bundled {case['file']} no longer holds {case['find']!r}"
            text = text.replace(case["find"], case["replace"], 1)
        data = text.encode(case.get("encoding", "utf-8"))
        target.write_bytes((b"\xef\xbb\xbf" if case.get("bom") else b"") + data)
    return folder


def test_corpus_is_large_and_each_case_is_one_named_change() -> None:
    assert len(CASES) >= 100
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert {"id", "file", "key", "phrase"} <= set(case), case
        changes = [k for k in ("find", "content", "delete", "folder", "bom") if k in case]
        assert len(changes) == 1, case
    assert len({c["file"] for c in CASES}) >= 12  # every file of the edition has its cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_edition_api(case: dict[str, Any], tmp_path: Path) -> None:
    folder = make_case(case, tmp_path)
    with pytest.raises(InputError) as err:
        load_edition(folder)
    problems = err.value.problems
    for p in problems:  # every problem names a file of the folder and a key, on one line
        assert Path(p.file).parent == folder or Path(p.file) == folder, p
        assert p.key and "\n" not in str(p) and "Traceback" not in str(p), p
    wanted = str(folder / case.get("expect_file", case["file"]))
    matching = [p for p in problems if p.file == wanted and p.key == case["key"]]
    assert matching, f"no problem at {case['key']!r} in {wanted}:\n" + "\n".join(err.value.lines())
    assert any(case["phrase"] in p.expected for p in matching), "\n".join(str(p) for p in matching)


@pytest.mark.parametrize("case", CASES[::7], ids=[c["id"] for c in CASES[::7]])
def test_bad_edition_cli(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_case(case, tmp_path)
    out_file = tmp_path / "out.csv"
    code = main(["run", "baseline", "--edition", str(folder), "--format", "csv", "-o", str(out_file)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert "Traceback" not in err
    assert any(case["key"] in line for line in lines), err
    assert not out_file.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["edition"]


def _plain(node: Any) -> Any:
    """TOML's dates as the text an editor validates."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node.isoformat() if hasattr(node, "isoformat") else node


def test_json_schemas_validate_the_bundled_edition_and_catch_a_typo() -> None:
    """``schemas/<file>.schema.json`` (what a TOML editor reads) accepts every file of the
    bundled edition, and flags a misspelt key as the finance partner types it."""
    import json

    import jsonschema

    from mtfs_model.cli.schema import EDITION_FILES

    schemas = Path(__file__).parent.parent.parent / "schemas"
    for name in EDITION_FILES:
        schema = json.loads((schemas / f"{name}.schema.json").read_text(encoding="utf-8"))
        data = _plain(tomllib.loads((DEFAULT_EDITION / f"{name}.toml").read_text(encoding="utf-8")))
        jsonschema.validate(data, schema)
        key = next(iter(data))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**data, f"{key}_typo": data[key]}, schema)


def test_appendix_a_csv_without_its_declaration(tmp_path: Path) -> None:
    """``appendix_a.csv`` whose columns ``revenue.toml`` does not declare is refused."""
    folder = make_case({"id": "x", "file": "edition.toml", "find": "[edition]", "replace": "[edition]"}, tmp_path)
    text = (folder / "revenue.toml").read_text(encoding="utf-8")
    (folder / "revenue.toml").write_text(text[: text.index("[service_areas]")], encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(folder)
    wanted = f"{folder / 'revenue.toml'}: appendix_a: expected an [appendix_a] table declaring the columns"
    assert err.value.lines()[0].startswith(wanted), err.value.lines()
