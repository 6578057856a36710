"""Ctrl-C at any moment -- while modules load, while a table is written, inside a brief's
notebook kernel -- ends ``mtfs`` with exactly one line, ``error: interrupted``, exit
status 130, no traceback, and nothing half-written.

Each child process starts with SIGINT at its default, as a program started at a terminal
does: a process started in the background of a non-interactive shell (``cmd &``)
inherits SIGINT *ignored*, and Python then never raises KeyboardInterrupt.  That is why
``test_real_sigint_in_a_subprocess`` once exited 0 on a loaded machine: run from a
background job, its child ignored the signal, slept its 10 s and wrote the file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mtfs_model.base.output import PARTIAL
from mtfs_model.cli.main import INTERRUPTED, CtrlC, main


def at_a_terminal() -> None:
    """In the child before exec: SIGINT as at a terminal (default), in its own process group."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setpgid(0, 0)


def python(script: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
        preexec_fn=at_a_terminal,
    )


def assert_interrupted(proc: subprocess.CompletedProcess[str], folder: Path) -> None:
    assert proc.returncode == INTERRUPTED, proc.stderr
    assert proc.stderr == "error: interrupted\n" and proc.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == []  # nothing written, no partial file


def test_a_child_sees_sigint_at_its_default() -> None:
    """The precondition the tests below rely on (and the flaky test lacked)."""
    script = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    proc = python(script, Path.cwd())
    assert proc.stdout.strip() == "True", proc.stderr


@pytest.mark.parametrize(
    "module",
    ["mtfs_model.cli.parser", "pandas", "numpy", "pydantic", "mtfs_model.edition.folder", "mtfs_model.engine.run"],
)
@pytest.mark.slow  # a subprocess or many examples
def test_ctrl_c_while_modules_load(tmp_path: Path, module: str) -> None:
    """SIGINT the moment ``module`` starts to load (a finder sends it), through ``python -m``."""
    out = tmp_path / "out"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import os, runpy, signal, sys

        class Interrupt:
            def find_spec(self, name, path=None, target=None):
                if name == {module!r}:
                    sys.meta_path.remove(self)
                    os.kill(os.getpid(), signal.SIGINT)
                return None

        sys.meta_path.insert(0, Interrupt())
        sys.argv = ["mtfs", "run", "baseline", "--table", "revenue", "-o", {str(out / "revenue.csv")!r}]
        runpy.run_module("mtfs_model", run_name="__main__")
        """
    )
    assert_interrupted(python(script, tmp_path), out)


@pytest.mark.slow  # a subprocess or many examples
def test_real_sigint_while_writing(tmp_path: Path) -> None:
    """SIGINT while the output's partial file is being flushed: it is removed."""
    out = tmp_path / "out"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from mtfs_model.base import output
        from mtfs_model.cli.main import main

        def fsync(path, **kw):
            assert any({PARTIAL!r} in p for p in os.listdir({str(out)!r}))
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(60)  # never reached: the signal interrupts the sleep

        output._fsync = fsync
        sys.exit(main(["run", "baseline", "--table", "revenue", "-o", {str(out / "revenue.csv")!r}]))
        """
    )
    started = time.monotonic()
    assert_interrupted(python(script, tmp_path), out)
    assert time.monotonic() - started < 60


@pytest.mark.slow  # a subprocess or many examples
def test_a_second_ctrl_c_while_unwinding_is_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from mtfs_model.base import output
        from mtfs_model.cli.main import main

        real_unlink = output.Path.unlink

        def unlink(self, *a, **k):  # the partial file's removal, interrupted again
            os.kill(os.getpid(), signal.SIGINT)
            return real_unlink(self, *a, **k)

        def fsync(path, **kw):
            output.Path.unlink = unlink
            os.kill(os.getpid(), signal.SIGINT)

        output._fsync = fsync
        sys.exit(main(["run", "baseline", "--table", "revenue", "-o", {str(out / "revenue.csv")!r}]))
        """
    )
    assert_interrupted(python(script, tmp_path), out)


@pytest.mark.slow  # a subprocess or many examples
def test_an_interrupt_a_library_swallows_still_stops_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtfs_model.cli import commands

    real_run = commands.run

    def swallowing(*args: object, **kwargs: object) -> object:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:  # a library's bare except
            pass
        return real_run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(commands, "run", swallowing)
    code = main(["run", "baseline", "--table", "revenue"])
    _, err = capsys.readouterr()
    assert code == INTERRUPTED and err == "error: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handed back to pytest


def test_sigint_ignored_at_start_stays_ignored() -> None:
    """A background job of a non-interactive shell ignores Ctrl-C at the terminal: so does mtfs."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        guard = CtrlC()
        guard.install()
        assert not guard.installed and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def kernels_of(pid: int) -> list[int]:
    """Process ids of the notebook kernels ``pid`` started (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text(encoding="utf-8")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status and b"ipykernel" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to see the kernel start")
def test_ctrl_c_inside_a_brief_kernel(tmp_path: Path) -> None:
    """Ctrl-C at the terminal (SIGINT to the process group) while the brief's notebook runs
    in its kernel: one error line after the progress lines, exit 130, no kernel traceback,
    no file, no partial file."""
    out = tmp_path / "out"
    out.mkdir()
    argv = ["-m", "mtfs_model", "brief", "baseline", "-o", str(out / "b.html"), "--xlsx", str(out / "b.xlsx")]
    argv += ["--n", "400000", "--date", "2021-01-01"]  # cells that run for seconds: the kernel is busy
    err_path = tmp_path / "stderr"
    with err_path.open("w", encoding="utf-8") as err_file:
        proc = subprocess.Popen(
            [sys.executable, *argv], stdout=subprocess.PIPE, stderr=err_file, preexec_fn=at_a_terminal, cwd=tmp_path
        )
        deadline = time.monotonic() + 120
        while not kernels_of(proc.pid):  # the notebook's kernel has started
            assert proc.poll() is None, err_path.read_text(encoding="utf-8")
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)  # and runs the first cells
        kernels = kernels_of(proc.pid)
        assert proc.poll() is None, err_path.read_text(encoding="utf-8")
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=120)
    err = err_path.read_text(encoding="utf-8")
    assert code == INTERRUPTED, err
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith(("mtfs brief: ", "Executing:"))]  # progress lines
    assert errors == ["error: interrupted"], err
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == []
    deadline = time.monotonic() + 30  # the kernel does not outlive the command (it polls its parent)
    while any(Path(f"/proc/{k}").exists() for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{k}").exists() for k in kernels), kernels


def test_ctrl_c_mid_progress_bar_takes_the_bar_off_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from mtfs_model.base import report
    from mtfs_model.cli import commands

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def interrupted_mid_bar(*_a: object, **_k: object) -> None:
        bar = report.terminal_progress("simulating", Terminal())
        assert bar is not None
        bar(1, 10)
        assert report.ACTIVE_BARS
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run", interrupted_mid_bar)
    assert main(["run", "baseline"]) == INTERRUPTED
    assert capsys.readouterr().err == "error: interrupted\n"
    assert report.ACTIVE_BARS == []  # stopped (rich gives the cursor back) before the line
