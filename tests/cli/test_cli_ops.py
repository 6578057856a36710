"""Operational failures of the ``mtfs`` command: every one is ONE line on stderr, the
right exit status, no traceback, nothing written and no partial file left behind.

Bad output paths, Ctrl-C, argument errors, the simulation's memory guard, broken
scenarios in ``mtfs scenarios``, and tables holding NaN or infinity.
"""

from __future__ import annotations

import errno
import json
import math
import os
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mtfs_model import InputError
from mtfs_model.base import limits, output
from mtfs_model.base.output import PARTIAL, atomic_write
from mtfs_model.base.report import to_text
from mtfs_model.cli import commands
from mtfs_model.cli.main import main

REVENUE = ["run", "baseline", "--table", "revenue", "--format", "csv"]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str, *needles: str) -> str:
    """The single ``error: ...`` line of ``err``, which must contain every needle."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err and "usage:" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# --- -o: where output may go ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (lambda d: d, "expected a file name, not a directory"),
        (lambda d: f"{d}/", "expected a file name, not a directory"),
        (lambda d: d / "missing" / "x.csv", "does not exist"),
        (lambda d: d / "afile" / "x.csv", "is not a directory"),  # read-only, as root can write anywhere
        (lambda d: "/proc/self/mtfs.csv", "expected a file outside /proc, /sys, /dev"),
        (lambda d: "/sys/mtfs.csv", "expected a file outside /proc, /sys, /dev"),
        (lambda d: "/dev/null", "expected a file outside /proc, /sys, /dev"),
    ],
)
def test_bad_output_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: Callable[[Path], object], expected: str
) -> None:
    (tmp_path / "afile").write_text("not a directory", encoding="utf-8")
    target = str(where(tmp_path))
    code, out, err = run_cli(capsys, *REVENUE, "-o", target)
    assert code == 2 and out == ""
    one_error(err, f"error: {target}: -o/--output: ", expected)
    assert listing(tmp_path) == ["afile"]  # nothing written, no directory made
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "not a directory"


def test_read_only_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)  # tests run as root: pretend
    target = tmp_path / "out.csv"
    code, _, err = run_cli(capsys, *REVENUE, "-o", str(target))
    assert code == 2
    one_error(err, str(target), "-o/--output: expected a file in a writable directory", "is read-only")
    assert listing(tmp_path) == []


def test_simulate_checks_output_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtfs_model.risk import simulate as risk_module

    def no_work(*_a: object, **_k: object) -> None:
        raise AssertionError("simulated before checking -o")

    monkeypatch.setattr(risk_module, "simulate", no_work)
    target = tmp_path / "nowhere" / "risk.json"
    code, _, err = run_cli(capsys, "simulate", "--n", "1000", "--format", "json", "-o", str(target))
    assert code == 2
    one_error(err, "-o/--output", "does not exist")
    assert listing(tmp_path) == []


def test_brief_checks_both_outputs_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "brief", "baseline", "-o", str(tmp_path / "b.html"), "--xlsx", str(tmp_path))
    assert code == 2
    one_error(err, f"error: {tmp_path}: --xlsx: expected a file name, not a directory")
    same = str(tmp_path / "b.html")
    code, _, err = run_cli(capsys, "brief", "baseline", "-o", same, "--xlsx", same)
    assert code == 2
    one_error(err, "(arguments): --xlsx: expected a file other than -o/--output's")
    assert listing(tmp_path) == []


def test_write_failure_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(_path: Path, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_fsync", disk_full)
    target = tmp_path / "revenue.csv"
    target.write_text("the previous file", encoding="utf-8")
    code, _, err = run_cli(capsys, *REVENUE, "-o", str(target))
    assert code == 2
    one_error(err, f"error: {target}: (output): expected a file that can be written, got 'No space left on device'")
    assert listing(tmp_path) == ["revenue.csv"]
    assert target.read_text(encoding="utf-8") == "the previous file"


def test_good_output_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "revenue.csv"
    code, out, err = run_cli(capsys, *REVENUE, "-o", str(target))
    assert code == 0 and out == "" and err == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8").startswith("row,2021/22")
    assert listing(tmp_path) == ["revenue.csv"]


# --- atomic_write -------------------------------------------------------------------------


def test_partial_file_name_cannot_be_mistaken_for_output(tmp_path: Path) -> None:
    seen: list[Path] = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        assert listing(tmp_path) == [tmp.name]  # created first, empty, in the target's directory
        tmp.write_text("x", encoding="utf-8")

    atomic_write(tmp_path / "brief.html", write)
    (tmp,) = seen
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".brief.html" + PARTIAL) and not tmp.name.endswith(".html")
    assert listing(tmp_path) == ["brief.html"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError, OSError])
def test_partial_file_removed_on_any_exception(tmp_path: Path, exc: type[BaseException]) -> None:
    target = tmp_path / "brief.html"
    target.write_text("old", encoding="utf-8")

    def write(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise exc("stop")

    with pytest.raises(exc):
        atomic_write(target, write)
    assert listing(tmp_path) == ["brief.html"] and target.read_text(encoding="utf-8") == "old"


def test_stale_partial_files_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".out.csv{PARTIAL}999999999-deadbeef"  # no such process
    alive = tmp_path / f".out.csv{PARTIAL}{os.getppid()}-cafef00d"  # a writer still running
    other = tmp_path / f".other.csv{PARTIAL}999999999-deadbeef"  # another target's
    for p in (dead, alive, other):
        p.write_text("half", encoding="utf-8")
    output.write_text(tmp_path / "out.csv", "a,b\n")
    assert listing(tmp_path) == sorted([alive.name, other.name, "out.csv"])


def test_atomic_write_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(output.OutputError, match="does not exist") as err:
        output.write_text(tmp_path / "missing" / "x.txt", "x")
    assert isinstance(err.value, OSError) and "\n" not in str(err.value)
    assert listing(tmp_path) == []


# --- Ctrl-C and out of memory ---------------------------------------------------------------


def test_interrupt_is_one_line_exit_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run", interrupted)
    code, out, err = run_cli(capsys, "run", "baseline")
    assert code == 130 and out == "" and err == "error: interrupted\n"


def test_interrupt_while_writing_removes_the_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(_path: Path, **_k: object) -> None:
        assert any(PARTIAL in name for name in listing(tmp_path))  # the partial file exists now
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_fsync", interrupted)
    code, _, err = run_cli(capsys, *REVENUE, "-o", str(tmp_path / "revenue.csv"))
    assert code == 130 and err == "error: interrupted\n"
    assert listing(tmp_path) == []


@pytest.mark.slow  # a subprocess or many examples
def test_real_sigint_in_a_subprocess(tmp_path: Path) -> None:
    """The child starts with SIGINT at its default, as at a terminal.  Run from a shell's
    background job (``pytest &``, a loaded CI box) it used to inherit SIGINT *ignored*:
    the signal was then lost, the child slept 10 s, wrote the file and exited 0."""
    import signal

    def at_a_terminal() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    target = tmp_path / "revenue.csv"
    script = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from mtfs_model.base import output
        from mtfs_model.cli.main import main

        def fsync(path, **kw):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(10)

        output._fsync = fsync
        sys.exit(main(["run", "baseline", "--table", "revenue", "-o", {str(target)!r}]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=at_a_terminal,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "error: interrupted\n" and proc.stdout == ""
    assert listing(tmp_path) == []


def test_out_of_memory_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def no_memory(*_a: object, **_k: object) -> None:
        raise MemoryError

    monkeypatch.setattr(commands, "run", no_memory)
    code, _, err = run_cli(capsys, "run", "baseline")
    assert code == 1
    one_error(err, "error: out of memory")


def test_a_real_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(commands, "run", bug)
    with pytest.raises(ZeroDivisionError):
        main(["run", "baseline"])


# --- Arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["simulate", "--seed", "1.5"], "error: (arguments): --seed: expected a whole number, got '1.5'"),
        (["simulate", "--n", "1e6"], "error: (arguments): --n: expected a whole number, got '1e6'"),
        (
            ["simulate", "--n", "20000001"],
            "error: (arguments): --n: expected a whole number <= 20,000,000, got '20000001'",
        ),
        (
            ["simulate", "--n", "1000000000000"],
            "error: (arguments): --n: expected a whole number <= 20,000,000, got '1000000000000'",
        ),
        (
            ["simulate", "--n", "1000", "--chunk-size", "99999999"],
            "error: (arguments): --chunk-size: expected a whole number <= 20,000,000, got '99999999'",
        ),
        (["simulate", "--n", "0"], "error: (arguments): n: expected a whole number >= 1, got 0"),
        (["simulate", "--n", "-5"], "error: (arguments): n: expected a whole number >= 1, got -5"),
        (["simulate", "--n", "1000", "--seed", "-1"], "error: (arguments): seed: expected a whole number >= 0, got -1"),
        (
            ["simulate", "--n", "1000", "--chunk-size", "0"],
            "error: (arguments): chunk_size: expected a whole number >= 1, got 0",
        ),
        (["brief", "baseline", "-o", "b.html", "--n", "20000001"], "error: (arguments): --n: expected a whole number"),
        (
            ["run", "--format", "xml"],
            "error: (arguments): --format: expected one of table, csv, json, markdown, got 'xml'",
        ),
        (["nonsense"], "error: (arguments): command: expected one of run, compare"),
        ([], "error: (arguments): command: expected a value (required)"),
        (["run", "--bogus"], "error: (arguments): --bogus: expected an argument this command takes"),
        (["run", "-o"], "error: (arguments): -o/--output: expected one argument"),
        (["reconcile", "--all=yes"], "error: (arguments): --all: expected no value, got 'yes'"),
        (["brief", "baseline"], "error: (arguments): -o/--output: expected a value (required)"),
        (["compare", "baseline"], "error: (arguments): scenarios: expected at least two scenario names, got 1"),
    ],
)
def test_argument_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], line: str) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert one_error(err).startswith(line)


def test_chunk_size_is_memory_only(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = [
        run_cli(capsys, "simulate", "--n", "1000", "--format", "csv", *extra)[1]
        for extra in ([], ["--chunk-size", "300"])
    ]
    assert outputs[0] == outputs[1] and outputs[0].startswith("# Scenario 'baseline': 1,000 trajectories")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "simulate", "--help")
    assert code == 0 and "20,000,000" in out


# --- The memory guard -----------------------------------------------------------------------


def test_memory_guard_in_the_api() -> None:
    from mtfs_model.risk.simulate import simulate

    with pytest.raises(InputError) as err:
        simulate("baseline", n=10**12, seed=1)
    e = err.value
    assert (e.file, e.key) == ("(arguments)", "--n")
    assert "trajectories under the memory limit of 4,096 MiB (about" in e.expected and "MiB needed" in e.expected
    most = int(e.expected.split()[2].replace(",", ""))
    assert limits.estimate_simulation_bytes(most) <= 4096 * limits.MIB < limits.estimate_simulation_bytes(most + 1)


def test_memory_guard_on_the_command_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(limits.MEMORY_ENV, "2")
    code, out, err = run_cli(capsys, "simulate", "--n", "10000")
    assert code == 2 and out == ""
    one_error(err, "error: (arguments): --n: expected at most ", "under the memory limit of 2 MiB", "got 10000")
    assert run_cli(capsys, "simulate", "--n", "10", "--format", "csv")[0] == 0  # a smaller run fits


@pytest.mark.parametrize("value", ["lots", "0", "-1", "1.5"])
def test_bad_memory_limit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str) -> None:
    monkeypatch.setenv(limits.MEMORY_ENV, value)
    code, _, err = run_cli(capsys, "simulate", "--n", "1000")
    assert code == 2
    one_error(err, f"error: (environment): MTFS_MEMORY_LIMIT_MB: expected a whole number of MiB >= 1, got {value!r}")


def test_memory_estimate_matches_simulate() -> None:
    from mtfs_model import load_scenario
    from mtfs_model.risk.draws import Sampler
    from mtfs_model.risk.simulate import BLOCK_SIZE, DEFAULT_CHUNK_SIZE, simulate

    scenario = load_scenario("baseline")
    small = simulate(scenario, n=100, seed=1)  # also warms the caches
    assert limits.DEFAULT_CHUNK_SIZE == DEFAULT_CHUNK_SIZE
    assert small.samples.net.shape[1] == limits.BASELINE_YEARS
    assert small.samples.line_change.shape[1] == limits.BASELINE_LINES
    assert len(small.spec.distributions) == limits.BASELINE_INPUTS
    assert limits.BLOCK_SIZE == BLOCK_SIZE
    assert Sampler(small.spec, limits.BASELINE_YEARS).rows == limits.BASELINE_NORMALS
    # the README's figures: 72 bytes kept a trajectory, a peak of about 161 MiB for a million (issue 22: the
    # reference-class multipliers by year and the guarantee's effectiveness)
    assert limits.estimate_simulation_bytes(2_000_000) - limits.estimate_simulation_bytes(1_000_000) == 72_000_000
    assert 150 <= limits.estimate_simulation_bytes(1_000_000) / limits.MIB <= 170
    n, chunk = 12_000, 4_000  # tracemalloc slows numpy down: keep it small
    tracemalloc.start()
    try:
        simulate(scenario, n=n, seed=1, chunk_size=chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = limits.estimate_simulation_bytes(n, chunk_size=chunk)
    assert peak <= estimate <= 1.25 * peak, (peak, estimate)


# --- mtfs scenarios -------------------------------------------------------------------------


def test_scenarios_lists_good_and_reports_each_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "zz_broken.toml"
    broken.write_text('[scenario]\ndescription = "broken"\n[lines.G9]\nscale = 1.1\n', encoding="utf-8")
    (tmp_path / "zz_good.toml").write_text('[scenario]\ndescription = "fine"\n', encoding="utf-8")
    monkeypatch.setenv("MTFS_SCENARIOS", str(tmp_path))
    code, out, err = run_cli(capsys, "scenarios")
    assert code == 0
    assert "baseline" in out and "zz_good" in out and "zz_broken" not in out
    one_error(err, f"error: {broken}: lines.G9")


def test_scenarios_exit_2_when_none_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "zz_broken.toml"
    broken.write_text("[scenario]\n", encoding="utf-8")
    monkeypatch.setenv("MTFS_SCENARIOS", str(tmp_path))
    monkeypatch.setattr(commands, "available_scenarios", lambda edition=None: ["zz_broken"])
    code, out, err = run_cli(capsys, "scenarios")
    assert code == 2 and out == ""
    one_error(err, f"error: {broken}: ")
    monkeypatch.setattr(commands, "available_scenarios", lambda edition=None: [])
    code, _, err = run_cli(capsys, "scenarios")
    assert code == 2
    one_error(err, "expected at least one scenario")


# --- Non-finite numbers in output -------------------------------------------------------------


def frame(value: float, column: str = "2021/22") -> pd.DataFrame:
    return pd.DataFrame({column: [1.0, value]}, index=pd.Index(["a", "Net budget"], name="row"))


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_is_refused(fmt: str, value: float) -> None:
    with pytest.raises(InputError) as err:
        to_text(frame(value), fmt, "Revenue", name="revenue")
    assert str(err.value) == f"(output): revenue.Net budget.2021/22: expected a finite number, got {value!r}"


def test_payback_infinity_means_never() -> None:
    df = frame(math.inf, "simple_payback_gross")
    assert json.loads(to_text(df, "json"))["rows"][1]["simple_payback_gross"] is None
    assert to_text(df, "csv").splitlines()[-1] == "Net budget,"
    assert "never" in to_text(df, "table") and "never" in to_text(df, "markdown")
    with pytest.raises(InputError, match="payback"):
        to_text(frame(math.nan, "simple_payback_gross"), "json")  # NaN is never legitimate


def test_non_finite_on_the_command_line_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(commands, "table_of", lambda _result, _name: frame(math.nan))
    target = tmp_path / "revenue.json"
    for fmt in ("json", "csv"):
        code, _, err = run_cli(capsys, "run", "--table", "revenue", "--format", fmt, "-o", str(target))
        assert code == 2
        one_error(err, "error: (output): revenue.Net budget.2021/22: expected a finite number, got nan")
    assert listing(tmp_path) == []


def test_compare_never_paying_back_is_valid_json(
    scenario_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario_file('[scenario]\ndescription = "empty"\n[properties.P1]\noccupancy = 0\n', "empty_p1")
    code, out, err = run_cli(capsys, "compare", str(path), "baseline", str(path), "--table", "cip", "--format", "json")
    assert code == 0, err
    rows = {r["property"]: r for r in json.loads(out)["rows"]}
    p1 = rows["P1"]
    assert p1["empty_p1 | simple_payback_gross"] is None  # never pays back
    diffs = [v for k, v in p1.items() if " - " in k and k.endswith("| simple_payback_gross")]
    assert diffs == [None, 0.0]  # baseline less never: never; never less never: no difference
