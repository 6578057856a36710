"""Every command in the README's ``bash`` blocks runs as written after the README's set-up
(the set-up block itself -- create and activate ``.venv``, install -- is what this test
environment already is: its ``bin`` comes first on ``PATH``, as activation does).

Each command runs in a scratch folder that holds the repository's ``mtfs_model``,
``scenarios`` and ``notebooks`` (so relative paths in the README resolve and the files
the commands write land outside the repository), and must exit 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```(?:bash|sh|shell)\n(.*?)```", re.S)
SET_UP = "python3 -m venv"


def readme_commands() -> list[str]:
    """The README's shell commands, one a line, the set-up block left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in FENCE.findall(text):
        if SET_UP in block:
            continue
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_the_readme_has_commands_and_a_set_up() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = FENCE.findall(text)
    assert any(SET_UP in b and ". .venv/bin/activate" in b for b in blocks)  # so `mtfs` is on PATH after it
    assert len(readme_commands()) >= 20
    assert all(c.split()[0] in ("mtfs", "python") for c in readme_commands())


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(command: str, tmp_path: Path) -> None:
    for name in ("mtfs_model", "scenarios", "notebooks"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("COLUMNS", None)
    proc = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"


# --- "Questions it answers": worked examples with their output ----------------------------------
#
# The section's fenced blocks run in order in one scratch folder: ```console blocks are
# "$ command" lines each followed by its output; a ```python block is a script whose output
# is the ```text block after it; a ```toml block whose first line is "# <path>" is a file
# the reader writes there.  The shown output is compared with the real output with every
# number masked (the figures move when the risk model's evidence does; the words and the
# layout must not), a "…" line ending an excerpt.  Refresh the shown output after a change
# that moves the words:  python tests/test_readme.py --refresh

QUESTIONS = "## Questions it answers"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)
NUMBER = re.compile(r"[-−]?£?\d[\d,]*(?:\.\d+)?%?m?")
MORE = "…"


def questions_section(text: str | None = None) -> str:
    """The README's ``## Questions it answers`` section (up to the next ``## `` heading)."""
    text = text if text is not None else (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(QUESTIONS)
    end = text.find("\n## ", start + len(QUESTIONS))
    return text[start : end if end >= 0 else len(text)]


def steps(section: str) -> list[tuple[str, str, str, tuple[int, int]]]:
    """The section's steps in order: (kind, what, shown output, span of the shown output in
    ``section``); kind ``command`` (a shell line), ``python`` (a script) or ``file`` (what
    is ``path\\ncontent``)."""
    out: list[tuple[str, str, str, tuple[int, int]]] = []
    blocks = list(BLOCK.finditer(section))
    for k, block in enumerate(blocks):
        lang, body = block.group(1), block.group(2)
        if lang == "console":
            at = block.start(2)
            chunks = re.split(r"(?m)^\$ ", body)
            offset = at + len(chunks[0])
            for chunk in chunks[1:]:
                command, _, shown = chunk.partition("\n")
                start = offset + 2 + len(command) + 1
                out.append(("command", command.strip(), shown, (start, start + len(shown))))
                offset += 2 + len(chunk)
        elif lang == "python":
            text_block = blocks[k + 1] if k + 1 < len(blocks) and blocks[k + 1].group(1) == "text" else None
            assert text_block is not None, "a ```python example is followed by a ```text block of its output"
            out.append(("python", body, text_block.group(2), (text_block.start(2), text_block.end(2))))
        elif lang == "toml":
            first = body.splitlines()[0]
            path = first.removeprefix("#").split()[0]
            out.append(("file", f"{path}\n{body}", "", (0, 0)))
    return out


def run_step(kind: str, what: str, folder: Path) -> str:
    """Carry out one step in ``folder`` (a pipe: 120 columns); the output of a command or script."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("COLUMNS", None)
    if kind == "file":
        path, _, content = what.partition("\n")
        (folder / path).write_text(content, encoding="utf-8")
        return ""
    argv = ["bash", "-c", what] if kind == "command" else [sys.executable, "-c", what]
    proc = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, f"{what}\n{proc.stderr[-2000:]}"
    return proc.stdout


def masked(text: str) -> list[str]:
    """The words of ``text`` with each number (£, %, m, thousands separators) as ``#``."""
    return NUMBER.sub("#", text).split()


def agrees(shown: str, real: str) -> bool:
    """Whether the shown output is the real one, numbers aside (an excerpt ends ``…``)."""
    lines = shown.rstrip("\n").splitlines()
    if lines and lines[-1].strip() == MORE:
        want = masked("\n".join(lines[:-1]))
        return masked(real)[: len(want)] == want
    return masked(real) == masked(shown)


def excerpt(shown: str, real: str) -> str:
    """The real output cut as the shown one was: whole, or to the end of the paragraph where
    the shown excerpt stopped, then ``…``."""
    lines = shown.rstrip("\n").splitlines()
    if not (lines and lines[-1].strip() == MORE):
        return real
    real_lines = real.rstrip("\n").splitlines()
    n = max(len(lines) - 1, 1)
    while n < len(real_lines) and real_lines[n - 1].strip():
        n += 1
    return "\n".join([*real_lines[:n], MORE]) + "\n"


def _scratch(folder: Path) -> None:
    for name in ("mtfs_model", "scenarios", "notebooks"):
        (folder / name).symlink_to(ROOT / name)


def test_the_questions_section_has_its_three_questions() -> None:
    section = questions_section()
    kinds = [k for k, *_ in steps(section)]
    assert kinds.count("python") == 1 and kinds.count("file") == 1 and kinds.count("command") >= 5
    for _, what, shown, _span in steps(section):
        if what.startswith(("mtfs solve", "mtfs outturns", "mtfs backtest")) or what.startswith("import"):
            assert shown.strip(), f"{what.splitlines()[0]}: its output is shown"
    assert "not Leicestershire's outturns" in section  # invented figures say so


@pytest.mark.slow
def test_each_question_is_answered_as_shown(tmp_path: Path) -> None:
    """Every step runs; every shown output is what it prints (numbers aside); and each
    answer is not its input echoed back."""
    _scratch(tmp_path)
    outputs: dict[str, str] = {}
    for kind, what, shown, _span in steps(questions_section()):
        real = run_step(kind, what, tmp_path)
        outputs[what] = real
        if kind != "file":
            assert agrees(shown, real), (
                f"{what.splitlines()[0]}: the README shows other words than it prints; if the change is meant, "
                f"refresh with: python tests/test_readme.py --refresh\n--- prints:\n{real[:3000]}"
            )
    _answers_are_not_echoes(outputs, tmp_path)


def _answers_are_not_echoes(outputs: dict[str, str], folder: Path) -> None:
    import json

    from mtfs_model.scenarios.compose import as_scenario
    from mtfs_model.whatif.goalseek import current_value

    solves = [c for c in outputs if c.startswith("mtfs solve")]
    assert len(solves) >= 2
    for command in solves:  # the lever found is not where the scenario had it, and meets the target
        doc = json.loads(run_step("command", command + " --format json", folder))
        parts = command.split()
        lever = parts[parts.index("--lever") + 1]
        start = current_value(as_scenario(parts[2]), lever)
        start = 1.0 if start is None else start  # a factor the scenario leaves alone is 1 (the plan)
        assert abs(doc["value"] - start) > 1e-3 * max(abs(start), 1.0), (command, doc)
        assert doc["achieved"] <= doc["goal"] + 0.5  # at_most: within the MTFS
    script = next(w for w in outputs if w.startswith("import"))
    found = re.search(r"passes £60m at £([\d,]+) a week \(P80 reserve there: £([\d.]+)m\)", outputs[script])
    assert found, outputs[script]
    cost, reserve = float(found.group(1).replace(",", "")), float(found.group(2))
    assert cost != 4000 and abs(reserve - 60.0) <= 0.5  # a cost of its own, and its reserve is the target
    backtest = next(c for c in outputs if c.startswith("mtfs backtest"))
    assert "against 3 outturns" in outputs[backtest]
    doc = json.loads(run_step("command", backtest + " --format json", folder))
    rows = next(v["rows"] for v in doc.values() if isinstance(v, dict) and "rows" in v)
    errors = [r.get("error") for r in rows if r.get("error") is not None]
    assert errors and all(e != 0 for e in errors)  # the outturns are not the forecast handed back


def refresh() -> None:
    """Run the section and write each step's real output into README.md in place of the shown one."""
    import tempfile

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = questions_section(text)
    at = text.index(section)
    new = section
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _scratch(folder)
        edits = []
        for kind, what, shown, span in steps(section):
            real = run_step(kind, what, folder)
            if kind != "file":
                edits.append((span, excerpt(shown, real)))
        for (start, end), replacement in sorted(edits, reverse=True):
            new = new[:start] + replacement + new[end:]
    (ROOT / "README.md").write_text(text[:at] + new + text[at + len(section) :], encoding="utf-8")
    print(f"refreshed {len(edits)} outputs in {ROOT / 'README.md'}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--refresh"]:
        refresh()
    else:
        print("usage: python tests/test_readme.py --refresh   (rewrite the shown outputs of 'Questions it answers')")
