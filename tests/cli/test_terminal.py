"""The terminal a reader really has: tables fit its width (asked of the terminal, since a
shell does not export ``$COLUMNS``), a split never leaves a total apart from its figures,
and ``mtfs run`` starts without the libraries it does not use."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from mtfs_model.base.terminal import fit, is_total, segments, terminal_width, wrap_paragraphs

MTFS = [sys.executable, "-m", "mtfs_model"]
COMMANDS = [
    ["run", "baseline"],
    ["run", "baseline", "--table", "all"],
    ["compare", "baseline", "placement_unit_cost_plus_10pct", "guarantee_not_honoured"],
    ["reconcile"],
    ["simulate", "baseline", "--n", "2000"],
    ["evidence"],
    ["backtest", "--n", "2000"],
]


def in_a_terminal(argv: list[str], columns: int, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal of ``columns`` as its standard input, output and
    error (``$COLUMNS`` and ``$LINES`` unset unless ``env`` sets them); its exit status and
    everything it wrote, line ends as ``\\n``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=clean | (env or {}), close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=300)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_no_line_is_wider_than_the_terminal(argv: list[str], columns: int) -> None:
    code, out = in_a_terminal([*MTFS, *argv], columns)
    assert code == 0, out[-2000:]
    lines = out.splitlines()
    assert len(lines) > 3
    wide = [line for line in lines if len(line) > columns]
    assert not wide, f"{len(wide)} lines wider than {columns}, e.g. {wide[0]!r}"


def test_the_terminal_is_asked_before_columns() -> None:
    probe = [sys.executable, "-c", "from mtfs_model.base.terminal import terminal_width; print(terminal_width())"]
    assert in_a_terminal(probe, 93)[1].strip() == "93"
    assert in_a_terminal(probe, 93, {"COLUMNS": "200"})[1].strip() == "93"  # the real size wins
    piped = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    assert subprocess.run(probe, capture_output=True, text=True, env=piped).stdout.strip() == "120"
    assert subprocess.run(probe, capture_output=True, text=True, env=piped | {"COLUMNS": "90"}).stdout.strip() == "90"


def test_terminal_width_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width() == 120  # pytest captures standard output: not a terminal
    monkeypatch.setenv("COLUMNS", "20")
    assert terminal_width() == 40  # never narrower than the narrowest a table is fitted to


def _blocks(text: str) -> list[list[str]]:
    """Each block's column headers: the first line of each ``(columns i-j of n)`` block,
    split on runs of three or more spaces (the gap between columns)."""
    import re

    out = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        heads = (
            lines[1 : lines.index(next(x for x in lines if x.startswith("---")))] if lines[0].startswith("(") else []
        )
        out.append([h for line in heads for h in re.split(r"\s{2,}", line.strip()) if h])
    return out


def test_a_total_column_stays_with_the_columns_it_adds_up() -> None:
    header = ["", *(f"{y}/{y - 1999}" for y in range(2021, 2025)), "Total", "Other 1", "Other 2", "Other 3"]
    rows = [
        [f"Line {i}", *("12,345" for _ in range(4)), "49,380", "1", "2", "3"] for i in range(10)
    ]  # too many rows to transpose
    text = fit(header, rows, [False, *[True] * 8], 60)
    assert max(len(line) for line in text.splitlines()) <= 60
    first = text.split("\n\n")[0]
    assert "(columns 1-5 of 8)" in first and "Total" in first  # the four years and their total, together
    # narrower than the years and their total: the total still never stands alone
    narrow = fit(header, rows, [False, *[True] * 8], 40)
    for heads in _blocks(narrow):
        assert heads and not all(is_total(h) for h in heads), heads


def test_a_split_of_a_transposed_table_keeps_each_row_group_with_its_total() -> None:
    header = ["", *(f"Year {i}" for i in range(12))]
    labels = ["G1 growth", "G2 growth", "Total growth", "CF1 saving", "CF2 saving", "Total savings"]
    rows = [[label, *("1,000,000" for _ in range(12))] for label in labels]
    text = fit(header, rows, [False, *[True] * 12], 48)
    assert max(len(line) for line in text.splitlines()) <= 48
    for block in text.split("\n\n"):
        for total, members in (("Total growth", ("G1", "G2")), ("Total savings", ("CF1", "CF2"))):
            if total in block:
                assert all(m in block for m in members), block
    assert segments(labels) == [[0, 1, 2], [3, 4, 5]]


def test_the_capital_tables_are_never_split_at_80_columns() -> None:
    code, out = in_a_terminal(
        [*MTFS, "run", "baseline", "--table", "capital_programme", "--table", "capital_financing"], 80
    )
    assert code == 0 and "(columns" not in out
    for line in out.splitlines():
        if "2021/22" in line:
            assert "Total" in line  # the total column beside the years it adds up


def test_driver_rows_are_labelled_not_tuples(capsys: pytest.CaptureFixture[str]) -> None:
    from mtfs_model.cli.main import main

    assert main(["run", "baseline", "--table", "drivers"]) == 0
    out = capsys.readouterr().out
    assert "('G1'" not in out and "G1 2021/22" in out and "Line Year" in out


def test_paragraphs_wrap_and_bullets_stay_apart() -> None:
    text = "A first paragraph " * 10 + "\n\n* one bullet " + "word " * 30 + "\n* another bullet"
    out = wrap_paragraphs(text, 50)
    assert max(len(line) for line in out.splitlines()) <= 50
    bullets = [line for line in out.splitlines() if line.startswith("* ")]
    assert len(bullets) == 2
    assert all(line.startswith(("* ", "  ")) for line in out.split("\n\n")[1].splitlines())


def test_mtfs_run_imports_neither_the_goal_seek_nor_scipy_optimize_nor_matplotlib(tmp_path: Path) -> None:
    script = (
        "import sys, io, contextlib\n"
        "from mtfs_model.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['run', 'baseline'])\n"
        "heavy = ('matplotlib', 'scipy.optimize', 'mtfs_model.whatif.goalseek', "
        "'mtfs_model.reconciliation.reconcile', 'mtfs_model.forecast.backtest', "
        "'mtfs_model.forecast.outturns')\n"  # the bundled edition has no outturns.toml to check
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []", proc.stdout
