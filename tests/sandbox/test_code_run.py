"""CodeRun with real processes: each limit ends a real run, and nothing of it outlives it.

Every test goes through `ponder run-code` (the real supervisor in a child
process) and the `mark` fixture, which finds the run's processes by a marker
in their environment, checks that none is left after the test, and that the
test process (standing in for the app) kept its own resource limits.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.sandbox import CodeRun, RunResult, SandboxLimits
from tests.sandbox.conftest import marked_pids, wait_until_gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="these tests count processes through /proc (Linux)")

FAST = SandboxLimits(wall_s=8, cpu_s=5, memory_mb=512, output_bytes=65536, processes=16)


def run(code: str, limits: SandboxLimits = FAST, timeout: float = 20) -> RunResult:
    job = CodeRun(code, limits)
    job.start()
    return job.wait(timeout)


def app_is_responsive() -> None:
    """The test process can still start a process and get its answer at once."""
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", "print(6*7)"], capture_output=True,
                         text=True, timeout=10, check=True)
    assert out.stdout.strip() == "42"
    assert time.monotonic() - started < 5


def test_output_streams_and_the_run_finishes(mark: str) -> None:
    pieces: list[str] = []
    job = CodeRun("import sys\nprint('hello')\nprint('to stderr', file=sys.stderr)\n"
                  "print(2 + 3)\n", FAST, on_output=pieces.append)
    job.start()
    result = job.wait(20)
    assert result.reason == "finished"
    assert result.exit_code == 0
    assert result.output == "hello\nto stderr\n5\n"
    assert "".join(pieces) == result.output
    assert not result.truncated
    assert result.summary().startswith("Finished in ")


def test_the_code_runs_in_a_fresh_folder_that_is_removed(mark: str) -> None:
    result = run("import os\nprint(os.getcwd())\nprint(sorted(os.listdir('.')))\n"
                 "open('made.txt', 'w').write('x')\n")
    folder, listing = result.output.splitlines()[:2]
    assert listing == "['main.py']"
    assert folder != os.getcwd()
    assert not os.path.exists(folder)
    assert not os.path.exists(os.path.dirname(folder))  # the run's base folder too


def test_the_code_runs_unprivileged_when_the_app_is_root(mark: str) -> None:
    result = run("import os\nprint(os.getuid(), os.getgid())\n")
    expected = "65534 65534" if os.geteuid() == 0 else f"{os.getuid()} {os.getgid()}"
    assert result.output.strip() == expected


def test_an_exception_shows_its_traceback(mark: str) -> None:
    result = run("def f():\n    return 1 / 0\nf()\n")
    assert result.reason == "error"
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output
    assert 'main.py", line 2, in f' in result.output
    assert result.output.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "exit code 1" in result.summary()


def test_sympy_is_importable_inside(mark: str) -> None:
    result = run("import sympy as sp\nx = sp.symbols('x')\n"
                 "print(sp.integrate(sp.sin(x) * sp.cos(x), (x, 0, sp.pi / 2)))\n"
                 "print(sp.factor(x**2 - 5*x + 6))\n")
    assert result.reason == "finished", result.output
    assert result.output.splitlines() == ["1/2", "(x - 3)*(x - 2)"]


def test_an_endless_loop_stops_at_the_wall_limit(mark: str) -> None:
    limits = SandboxLimits(wall_s=2, cpu_s=60, processes=8)
    started = time.monotonic()
    result = run("import time\nprint('start', flush=True)\nwhile True:\n    time.sleep(0.01)\n",
                 limits)
    took = time.monotonic() - started
    assert result.reason == "timeout"
    assert result.exit_code is None
    assert result.output == "start\n"
    # the supervisor stops it at 2 s of its own clock; the window's backstop at 3.5 s
    assert 2.0 <= took < 4.0, took
    assert "2 s time limit" in result.summary()
    app_is_responsive()


def test_a_busy_loop_hits_the_cpu_limit(mark: str) -> None:
    limits = SandboxLimits(wall_s=10, cpu_s=1, processes=8)
    started = time.monotonic()
    result = run("while True:\n    pass\n", limits)
    took = time.monotonic() - started
    assert result.reason == "cpu", (result, took)
    assert took < 9, took  # one CPU second, well before the 10 s wall limit (shared CPUs)
    assert "CPU-time limit" in result.summary()


def test_a_memory_bomb_is_stopped(mark: str) -> None:
    limits = SandboxLimits(wall_s=10, cpu_s=10, memory_mb=256, processes=8)
    rss_before = _rss_mb()
    result = run("blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n",
                 limits)
    assert result.reason == "memory", result
    assert "MemoryError" in result.output
    assert "256 MB memory limit" in result.summary()
    assert _rss_mb() - rss_before < 50  # the app did not pay for it
    app_is_responsive()


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


FORK_BOMB = """
import os, time
forked = 0
while True:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        forked = 0      # the child forks on too
    else:
        forked += 1
print("full after", forked, flush=True)
time.sleep(60)
"""


def test_a_fork_bomb_is_contained(mark: str) -> None:
    """At most `processes` processes at once; all gone within 1 s of the end."""
    limits = SandboxLimits(wall_s=3, cpu_s=10, processes=8)
    peak = 0
    done = threading.Event()

    def count() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, len(marked_pids(mark)))
            time.sleep(0.02)

    # RLIMIT_NPROC counts every process of the code's user (nobody, under root):
    # ones of another run that end meanwhile give room. None in CI.
    others = _processes_of(65534 if os.geteuid() == 0 else os.getuid()) - set(marked_pids(mark))
    counter = threading.Thread(target=count, daemon=True)
    job = CodeRun(FORK_BOMB, limits)
    counter.start()
    job.start()
    result = job.wait(20)
    ended = time.monotonic()
    done.set()
    counter.join()
    assert result.reason == "timeout"
    allowed = limits.processes + (len(others) if os.geteuid() == 0 else 0)
    assert 2 <= peak <= allowed, (peak, others)
    assert "full after" in result.output
    assert wait_until_gone(mark, within=1.0) < 1.0
    assert time.monotonic() - ended < 1.5
    app_is_responsive()


def _processes_of(uid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                found.add(int(entry.name))
        except OSError:
            continue
    return found


RELENTLESS_BOMB = """
import os, time
if os.fork() == 0:
    os.setsid()            # out of the code's process group: no single killpg reaches it
    while True:
        try:
            os.fork()      # every process forks again at once, forever
        except OSError:
            pass
time.sleep(60)
"""


def test_a_fork_bomb_in_its_own_session_that_never_stops_forking_is_killed(mark: str) -> None:
    limits = SandboxLimits(wall_s=2, cpu_s=10, processes=32)
    started = time.monotonic()
    result = run(RELENTLESS_BOMB, limits)
    assert result.reason == "timeout"
    assert time.monotonic() - started < 4.0
    assert wait_until_gone(mark, within=1.0) < 1.0
    app_is_responsive()


SETSID_ORPHAN = """
import os, time
pid = os.fork()
if pid == 0:
    os.setsid()            # a new session: not in the run's process group any more
    if os.fork() == 0:
        time.sleep(60)     # the grandchild outlives its parent, orphaned
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.3)
print("main exits", flush=True)
"""


def test_a_child_that_called_setsid_and_outlived_its_parent_is_killed(mark: str) -> None:
    seen: list[int] = []
    job = CodeRun(SETSID_ORPHAN, FAST,
                  on_output=lambda _text: seen.extend(marked_pids(mark)))
    job.start()
    result = job.wait(20)
    assert result.reason == "finished"
    assert result.output == "main exits\n"
    assert seen, "the orphan was never seen alive"
    assert wait_until_gone(mark, within=1.0) < 1.0


def test_an_output_flood_is_capped(mark: str) -> None:
    limits = SandboxLimits(wall_s=8, cpu_s=8, output_bytes=10_000, processes=8)
    pieces: list[str] = []
    job = CodeRun("while True:\n    print('x' * 999)\n", limits, on_output=pieces.append)
    job.start()
    result = job.wait(20)
    assert result.reason == "output_cap"
    assert result.truncated
    assert len(result.output.encode()) == 10_000
    assert "".join(pieces) == result.output
    assert result.seconds < 5
    assert "9.8 KB of output" in result.summary()


STOPPABLE = """
import subprocess, sys, time
kids = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        for _ in range(3)]
print("ready", flush=True)
time.sleep(60)
"""


def test_stop_mid_run_kills_everything(mark: str) -> None:
    ready = threading.Event()
    job = CodeRun(STOPPABLE, FAST, on_output=lambda text: ready.set() if "ready" in text else None)
    job.start()
    assert ready.wait(15)
    # the code and its three children (a child's environ shows a moment after exec)
    assert _settles_at(lambda: len(marked_pids(mark)), 4)
    asked = time.monotonic()
    job.stop()
    result = job.wait(10)
    assert time.monotonic() - asked < 2
    assert result.reason == "stopped"
    assert result.summary().startswith("Stopped after")
    assert wait_until_gone(mark, within=1.0) < 1.0


def _settles_at(value: Callable[[], int], expected: int, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while value() != expected:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_supervisor_killed_hard_leaves_nothing_behind(mark: str) -> None:
    """The window's side cleans up even when `ponder run-code` itself dies by SIGKILL."""
    ready = threading.Event()
    job = CodeRun(SETSID_ORPHAN.replace("os.waitpid(pid, 0)", "os.waitpid(pid, 0)\n"
                                        "print('ready', flush=True)\ntime.sleep(60)"),
                  FAST, on_output=lambda text: ready.set() if "ready" in text else None)
    job.start()
    assert ready.wait(15)
    supervisors = set(marked_pids(mark, with_supervisor=True)) - set(marked_pids(mark))
    assert len(supervisors) == 1
    os.kill(supervisors.pop(), 9)
    result = job.wait(10)
    assert result.reason == "error"
    assert "ended unexpectedly" in result.detail
    assert wait_until_gone(mark, within=1.0) < 1.0


def test_the_app_keeps_its_own_limits() -> None:
    before = resource.getrlimit(resource.RLIMIT_NPROC), resource.getrlimit(resource.RLIMIT_AS)
    run("print(1)")
    assert (resource.getrlimit(resource.RLIMIT_NPROC),
            resource.getrlimit(resource.RLIMIT_AS)) == before


APP_THAT_DIES = """
import os, sys, threading
from app.sandbox import CodeRun, SandboxLimits
ready = threading.Event()
job = CodeRun(f"# {os.environ['PONDER_TEST_SANDBOX_MARK']}\\n"
              "import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n"
              "print('ready', flush=True)\\ntime.sleep(60)\\n",
              SandboxLimits(wall_s=30, processes=8),
              on_output=lambda text: ready.set() if "ready" in text else None)
job.start()
ready.wait(15)
print("running", flush=True)
threading.Event().wait(60)
"""


def test_when_the_app_dies_hard_the_run_ends_too(mark: str) -> None:
    """The window's process killed by SIGKILL: the supervisor notices and kills its tree."""
    app = subprocess.Popen([sys.executable, "-c", APP_THAT_DIES], stdout=subprocess.PIPE,
                           text=True)
    try:
        assert app.stdout is not None
        assert app.stdout.readline() == "running\n"
        # the code and its setsid child (the app carries the marker too)
        assert _settles_at(lambda: len(set(marked_pids(mark)) - {app.pid}), 2)
        app.kill()
        app.wait(5)
        assert wait_until_gone(mark, within=1.5) < 1.5
        # the supervisor removed the run's folder too (its owner is gone)
        assert not [code for code in Path(tempfile.gettempdir()).glob("ponder-run-*/main.py")
                    if mark in code.read_text()]
    finally:
        app.kill()
        app.wait(5)
        if app.stdout is not None:
            app.stdout.close()


def test_a_crash_is_an_error_with_its_signal(mark: str) -> None:
    result = run("import os\nprint(os.getcwd(), flush=True)\nimport ctypes\nctypes.string_at(0)\n")
    assert result.reason == "error"
    assert result.exit_code == -11  # SIGSEGV
    assert result.summary().startswith("Ended by signal 11")
    assert not os.path.exists(result.output.splitlines()[0])  # the folder is gone


def test_the_code_runs_under_the_limits(mark: str) -> None:
    limits = SandboxLimits(wall_s=8, cpu_s=3, memory_mb=300, processes=5)
    result = run("import resource as r\nfor n in ('CPU', 'AS', 'FSIZE', 'CORE', 'NPROC'):\n"
                 "    print(n, *r.getrlimit(getattr(r, 'RLIMIT_' + n)))\n", limits)
    got = {line.split()[0]: tuple(int(v) for v in line.split()[1:])
           for line in result.output.splitlines()}
    assert got["CPU"] == (3, 4)  # SIGXCPU at 3 s, SIGKILL at 4 s
    assert got["AS"] == (300 * 2**20, 300 * 2**20)
    assert got["FSIZE"] == (64 * 2**20, 64 * 2**20)
    assert got["CORE"] == (0, 0)
    assert 5 <= got["NPROC"][0] < 10_000  # the code's user's processes now + 5
