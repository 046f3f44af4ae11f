"""The child side: `ponder run-code FILE.py` runs the file under the limits.

The supervisor copies the file into a fresh folder (the working directory),
starts the code in a child process with the limits set before exec, relays
its output (stdout and stderr merged) up to the output cap, and ends the run
at the wall-time limit, at the cap, or on SIGTERM (the window's Stop). At the
end every process of the run is killed, whatever it did to hide (setsid,
double fork): see app/sandbox/posix.py and windows.py. The outcome goes to a
status file (JSON) when the caller names one (app/sandbox/runner.py does),
else one line on stderr.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.sandbox.limits import RUN_MARKER_ENV, RunResult, SandboxLimits, write_status

IS_WINDOWS = sys.platform == "win32"
POLL_S = 0.02
TAIL_BYTES = 4096
WINDOWS_QUOTA_EXIT = 1816
"""ERROR_NOT_ENOUGH_QUOTA: how Windows ends a process over the job's CPU-time limit."""
MEMORY_SIGNS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc")


def code_argv(file: Path) -> list[str]:
    """How the child runs the file: this interpreter, or the frozen build itself."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "run-code", "--exec", str(file)]
    return [sys.executable, str(file)]


def child_env(folder: Path, token: str, as_other_user: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        RUN_MARKER_ENV: token,
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(folder), "TEMP": str(folder), "TMP": str(folder),
    })
    # One thread each for numeric libraries: on Linux every thread counts
    # against the process limit, and OpenBLAS reserves memory per thread.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    if as_other_user:
        env["HOME"] = str(folder)
    return env


@dataclass
class _Output:
    """The relay of the code's output, capped (filled by a reader thread)."""

    cap: int
    out_fd: int
    sent: int = 0
    over_cap: bool = False
    eof: threading.Event = field(default_factory=threading.Event)
    tail: bytearray = field(default_factory=bytearray)

    def pump(self, read_fd: int) -> None:
        try:
            while True:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    return
                self.tail = (self.tail + chunk)[-TAIL_BYTES:]
                room = self.cap - self.sent
                if room <= 0:
                    self.over_cap = True
                    continue  # keep draining so the writer is not blocked
                piece = chunk[:room]
                self._write(piece)
                self.sent += len(piece)
                if len(chunk) > room:
                    self.over_cap = True
        except OSError:
            return
        finally:
            self.eof.set()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.out_fd, view)
            except OSError:
                return  # our reader is gone; keep counting
            view = view[written:]


class _Stop:
    """Set by SIGTERM/SIGINT (the window's Stop)."""

    requested = False

    @classmethod
    def on_signal(cls, _signum: int, _frame: Any) -> None:
        cls.requested = True


def _prepare_folder(code: Path, folder: Path | None,
                    drop_to: int | None) -> tuple[Path, Path, bool]:
    """(folder, the copy of the code, whether we made the folder)."""
    made = folder is None
    work = Path(tempfile.mkdtemp(prefix="ponder-code-")) if folder is None else folder
    work.mkdir(parents=True, exist_ok=True)
    target = work / code.name
    shutil.copyfile(code, target)
    if drop_to is not None:
        os.chown(work, drop_to, drop_to)
        os.chown(target, drop_to, drop_to)
        os.chmod(work, 0o700)
    return work, target, made


def _classify(code: int | None, cpu_s: float, limits: SandboxLimits, tail: bytes) -> str:
    if code == 0:
        return "finished"
    if IS_WINDOWS and code == WINDOWS_QUOTA_EXIT:
        return "cpu"
    if code is not None and code < 0 and (-code == getattr(signal, "SIGXCPU", -1) or (
            -code == getattr(signal, "SIGKILL", -1) and cpu_s >= limits.cpu_s - 0.5)):
        return "cpu"
    text = tail.decode("utf-8", "replace")
    if any(sign in text for sign in MEMORY_SIGNS):
        return "memory"
    return "error"


def supervise(code: Path, limits: SandboxLimits, folder: Path | None = None,
              status_file: Path | None = None, out_fd: int = 1) -> RunResult:
    """Run one file under the limits and return how it ended."""
    token = os.environ.get(RUN_MARKER_ENV) or uuid.uuid4().hex
    started = time.monotonic()
    parent = os.getppid()
    if not IS_WINDOWS:
        signal.signal(signal.SIGTERM, _Stop.on_signal)
        signal.signal(signal.SIGINT, _Stop.on_signal)
    drop_to: int | None = None
    if not IS_WINDOWS:
        from app.sandbox import posix

        drop_to = posix.UNPRIVILEGED_ID if posix.runs_as_root() else None
    work, target, made = _prepare_folder(code, folder, drop_to)
    env = child_env(work, token, drop_to is not None)
    read_fd, write_fd = os.pipe()
    output = _Output(cap=limits.output_bytes, out_fd=out_fd)
    try:
        if IS_WINDOWS:
            result = _run_windows(target, work, env, limits, output, read_fd, write_fd, started)
        else:
            result = _run_posix(target, work, env, limits, output, read_fd, write_fd, token,
                                drop_to, status_file, started, parent)
    finally:
        if made:
            shutil.rmtree(work, ignore_errors=True)
    result.output = ""  # the output went to out_fd as it came
    if os.getppid() != parent and not made:
        # The caller died (the window crashed or was killed): nobody will
        # read the status or remove the run's folder, so we do.
        base = work.parent if status_file is not None and status_file.parent == work.parent \
            else work
        shutil.rmtree(base, ignore_errors=True)
        return result
    if status_file is not None:
        write_status(status_file, {"reason": result.reason, "exit_code": result.exit_code,
                                   "truncated": result.truncated, "seconds": result.seconds,
                                   "detail": result.detail})
    return result


def _run_posix(target: Path, work: Path, env: dict[str, str], limits: SandboxLimits,
               output: _Output, read_fd: int, write_fd: int, token: str,
               drop_to: int | None, status_file: Path | None, started: float,
               parent: int) -> RunResult:
    from app.sandbox import posix

    subreaper = posix.become_subreaper()
    # The window gone (crashed, killed) counts as Stop. Not PR_SET_PDEATHSIG:
    # it fires when the *thread* that started us ends, which may be any thread.
    nproc = None
    if posix.IS_LINUX or drop_to is not None:
        uid = drop_to if drop_to is not None else os.getuid()
        nproc = posix.tasks_of_user(uid) + limits.processes
    plan = posix.ChildPlan(argv=code_argv(target), env=env, folder=work, limits=limits,
                           output_fd=write_fd, drop_to=drop_to, nproc=nproc)
    try:
        pid = posix.spawn(plan)
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return RunResult(None, "failed_to_start", "", False, 0.0, limits, str(exc))
    os.close(write_fd)
    if status_file is not None:
        write_status(status_file, {"child_pid": pid, "token": token})
    reader = threading.Thread(target=output.pump, args=(read_fd,), daemon=True)
    reader.start()
    reason: str | None = None
    reaped: posix.Reaped | None = None
    while reaped is None:
        reaped = posix.reap(pid)
        if reaped is not None:
            break
        if _Stop.requested or os.getppid() != parent:
            reason = "stopped"
        elif output.over_cap:
            reason = "output_cap"
        elif time.monotonic() - started > limits.wall_s:
            reason = "timeout"
        if reason is not None:
            break
        time.sleep(POLL_S)
    posix.kill_tree(pid, None if subreaper else token)
    if reaped is None:
        reaped = posix.reap(pid)
    output.eof.wait(0.5)  # what the code wrote just before the end
    reader_done = output.eof.is_set()
    if reader_done:
        os.close(read_fd)
    seconds = time.monotonic() - started
    code = posix.exit_code_of(reaped.status) if reaped is not None else None
    if reason is None:
        reason = "output_cap" if output.over_cap else _classify(
            code, reaped.cpu_s if reaped else 0.0, limits, bytes(output.tail))
    keep_code = reason in ("finished", "error", "cpu", "memory")
    return RunResult(code if keep_code else None, reason, "", output.over_cap, seconds, limits)


def _run_windows(target: Path, work: Path, env: dict[str, str], limits: SandboxLimits,
                 output: _Output, read_fd: int, write_fd: int,
                 started: float) -> RunResult:  # pragma: no cover - Windows only
    from app.sandbox.windows import Job

    try:
        job = Job(limits)
        job.add_this_process()
    except OSError as exc:  # no job for us (a very old Windows, a job that forbids it)
        os.close(read_fd)
        os.close(write_fd)
        return RunResult(None, "failed_to_start", "", False, 0.0, limits,
                         f"Windows refused the job object that limits the code ({exc})")
    try:
        proc = subprocess.Popen(code_argv(target), cwd=work, env=env, stdin=subprocess.DEVNULL,
                                stdout=write_fd, stderr=write_fd,
                                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except OSError as exc:
        os.close(write_fd)
        return RunResult(None, "failed_to_start", "", False, 0.0, limits, str(exc))
    os.close(write_fd)
    reader = threading.Thread(target=output.pump, args=(read_fd,), daemon=True)
    reader.start()
    reason: str | None = None
    while proc.poll() is None:
        if output.over_cap:
            reason = "output_cap"
        elif time.monotonic() - started > limits.wall_s:
            reason = "timeout"
        if reason is not None:
            break
        time.sleep(POLL_S)
    code = proc.poll()
    if reason is None:
        output.eof.wait(0.5)
        reason = "output_cap" if output.over_cap else _classify(
            code, 0.0, limits, bytes(output.tail))
    keep_code = reason in ("finished", "error", "cpu", "memory")
    # Whatever the code left running dies with the supervisor: its exit closes
    # the last handle of the job (KILL_ON_JOB_CLOSE).
    return RunResult(code if keep_code else None, reason, "", output.over_cap,
                     time.monotonic() - started, limits)

