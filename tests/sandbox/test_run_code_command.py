"""`ponder run-code FILE.py` from a terminal, the frozen build's `--exec` child, the job layout."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.self_command import ponder_argv
from app.sandbox.limits import RunResult, SandboxLimits

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")


def ponder(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ponder_argv(*args), capture_output=True, text=True,
                          timeout=timeout, check=False)


@POSIX_ONLY
def test_run_code_prints_the_output_and_a_summary(tmp_path: Path) -> None:
    file = tmp_path / "hello.py"
    file.write_text("import sympy\nprint(sympy.Rational(1, 3) + sympy.Rational(1, 6))\n")
    done = ponder("run-code", str(file))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1/2\n"
    assert done.stderr.startswith("Finished in ")
    assert file.read_text().startswith("import sympy")  # the original is only copied


@POSIX_ONLY
def test_run_code_passes_on_the_exit_status_and_its_limits(tmp_path: Path) -> None:
    (tmp_path / "exit3.py").write_text("raise SystemExit(3)\n")
    assert ponder("run-code", str(tmp_path / "exit3.py")).returncode == 3
    (tmp_path / "sleep.py").write_text("import time\ntime.sleep(30)\n")
    slow = ponder("run-code", "--wall", "1", str(tmp_path / "sleep.py"))
    assert slow.returncode == 1
    assert "1 s time limit" in slow.stderr


def test_run_code_refuses_a_missing_file(tmp_path: Path) -> None:
    done = ponder("run-code", str(tmp_path / "nope.py"))
    assert done.returncode == 2
    assert "is not a file" in done.stderr


def test_the_frozen_builds_child_runs_the_file_in_process(tmp_path: Path) -> None:
    """`run-code --exec` is what an installed build runs as the code's process."""
    file = tmp_path / "main.py"
    file.write_text("import sys\nprint(sys.argv[0].endswith('main.py'), __name__)\n"
                    "def f():\n    raise KeyError('k')\nf()\n")
    done = ponder("run-code", "--exec", str(file))
    assert done.returncode == 1
    assert done.stdout == "True __main__\n"
    # the traceback starts at the user's file: none of Ponder's frames show
    assert "runpy" not in done.stderr and "app/commands" not in done.stderr
    assert 'main.py", line 4, in f' in done.stderr
    assert done.stderr.rstrip().endswith("KeyError: 'k'")


def test_summaries_are_one_plain_sentence() -> None:
    limits = SandboxLimits(wall_s=10, memory_mb=512, output_bytes=65536)
    cases = {
        "finished": "Finished in 0.4 s.",
        "timeout": "Stopped: it ran longer than the 10 s time limit.",
        "memory": "Stopped: it needed more than the 512 MB memory limit.",
        "output_cap": "Stopped: it printed more than 64 KB of output.",
    }
    for reason, sentence in cases.items():
        result = RunResult(0 if reason == "finished" else None, reason, "", reason == "output_cap",
                           0.42, limits)
        assert result.summary() == sentence
    crashed = RunResult(-11, "error", "", False, 0.25, limits)
    assert crashed.summary() == "Ended by signal 11 after 0.2 s."
    failed = RunResult(None, "failed_to_start", "", False, 0.0, limits, "no such file")
    assert failed.summary() == "The code could not be started: no such file."


def test_the_windows_job_limits_have_the_windows_layout() -> None:
    """The job object's structures match JOBOBJECT_EXTENDED_LIMIT_INFORMATION (64-bit)."""
    from app.sandbox import windows

    if ctypes.sizeof(ctypes.c_void_p) != 8:
        pytest.skip("the sizes below are those of 64-bit Windows")
    assert ctypes.sizeof(windows._BasicLimits) == 64
    assert windows._ExtendedLimits.ProcessMemoryLimit.offset == 112
    assert ctypes.sizeof(windows._ExtendedLimits) == 144
    if sys.platform != "win32":
        with pytest.raises(OSError, match="Windows only"):
            windows.Job(SandboxLimits())


@POSIX_ONLY
def test_a_child_that_cannot_exec_is_a_start_failure(tmp_path: Path) -> None:
    """The exec error comes back through the close-on-exec pipe, not as exit status 127."""
    from app.sandbox import posix

    read_fd, write_fd = os.pipe()
    plan = posix.ChildPlan(argv=[str(tmp_path / "no-such-python")], env={}, folder=tmp_path,
                           limits=SandboxLimits(), output_fd=write_fd, drop_to=None, nproc=None)
    try:
        with pytest.raises(posix.StartError, match="No such file"):
            posix.spawn(plan)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    import psutil

    zombies = [p for p in psutil.Process().children() if p.status() == psutil.STATUS_ZOMBIE]
    assert zombies == []  # the failed child was reaped
