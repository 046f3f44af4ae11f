"""The parent side: `CodeRun` starts `ponder run-code` for one code block and watches it.

The supervisor (app/sandbox/supervisor.py) applies the limits and kills its
tree; this side is the backstop that holds even when the supervisor itself
is killed hard: the wall-time limit (plus a grace), the output cap, Stop,
then the supervisor's session (start_new_session, killpg), the code's own
process group (its pid comes in the status file) and every process that
still carries the run's token in its environment. Two threads per run: one
reads the output, one watches the clock and the process.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from app.core.self_command import ponder_argv
from app.sandbox.limits import RUN_MARKER_ENV, RunResult, SandboxLimits, read_status

IS_WINDOWS = sys.platform == "win32"
GRACE_S = 1.5
"""How long past the wall limit the parent waits for the supervisor's own time-out."""
TERM_WAIT_S = 1.5
"""How long the supervisor gets after SIGTERM before everything is killed hard."""
CODE_NAME = "main.py"


class CodeRun:
    """One run of a code block in the sandbox.

    `on_output` is called from the reader thread with each piece of output
    (text, stdout and stderr merged) as it arrives; `wait` returns the result.
    """

    def __init__(self, code: str, limits: SandboxLimits | None = None,
                 on_output: Callable[[str], None] | None = None) -> None:
        self.code = code
        self.limits = limits or SandboxLimits()
        self._on_output = on_output
        self._token = uuid.uuid4().hex
        self._base: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._pieces: list[str] = []
        self._received = 0
        self._truncated = False
        self._reason: str | None = None  # the parent's own reason to end the run
        self._stop = threading.Event()
        self._reader_done = threading.Event()
        self._done = threading.Event()
        self._result: RunResult | None = None
        self._lock = threading.Lock()
        self._started = 0.0

    @property
    def is_running(self) -> bool:
        return self._proc is not None and not self._done.is_set()

    def start(self) -> None:
        """Write the code into a fresh folder and start the supervisor."""
        if self._proc is not None or self._done.is_set():
            raise RuntimeError("a CodeRun starts once")
        self._started = time.monotonic()
        base = Path(tempfile.mkdtemp(prefix="ponder-run-"))
        self._base = base
        # The code may run as another user (root drops it to nobody): let it
        # reach its own folder, not read the rest of ours.
        base.chmod(0o711)
        (base / CODE_NAME).write_text(self.code, encoding="utf-8")
        (base / CODE_NAME).chmod(0o644)
        argv = ponder_argv("run-code", str(base / CODE_NAME), *self.limits.as_options(),
                           "--folder", str(base / "work"), "--status-file",
                           str(base / "status.json"))
        env = dict(os.environ)
        env[RUN_MARKER_ENV] = self._token
        env["PYTHONUNBUFFERED"] = "1"
        kwargs: dict[str, object] = {}
        if IS_WINDOWS:  # pragma: no cover - Windows only
            kwargs["creationflags"] = (getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                                       | getattr(subprocess, "CREATE_NO_WINDOW", 0))
        else:
            kwargs["start_new_session"] = True
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, cwd=base, env=env, **kwargs)  # type: ignore[call-overload]
        except OSError as exc:
            self._finish(RunResult(None, "failed_to_start", "", False, 0.0, self.limits,
                                   str(exc)))
            return
        threading.Thread(target=self._read, name="code-run-output", daemon=True).start()
        threading.Thread(target=self._watch, name="code-run-watch", daemon=True).start()

    def stop(self) -> None:
        """End the run now (the whole process tree); wait() gives reason "stopped"."""
        with self._lock:
            if self._reason is None:
                self._reason = "stopped"
        self._stop.set()

    def wait(self, timeout: float | None = None) -> RunResult:
        """The result, once the run has ended (TimeoutError if it has not by then)."""
        if not self._done.wait(timeout):
            raise TimeoutError("the code is still running")
        assert self._result is not None
        return self._result

    # -- the reader thread ---------------------------------------------------

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        cap = self.limits.output_bytes
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                room = cap - self._received
                if room <= 0:
                    self._over_cap()
                    continue
                if len(chunk) > room:
                    chunk = chunk[:room]
                    self._over_cap()
                self._received += len(chunk)
                self._emit(decoder.decode(chunk))
            self._emit(decoder.decode(b"", final=True))
        finally:
            self._proc.stdout.close()
            self._reader_done.set()

    def _over_cap(self) -> None:
        self._truncated = True
        with self._lock:
            if self._reason is None:
                self._reason = "output_cap"
        self._stop.set()

    def _emit(self, text: str) -> None:
        if not text:
            return
        self._pieces.append(text)
        if self._on_output is not None:
            with contextlib.suppress(Exception):  # a failing panel must not stop the run
                self._on_output(text)

    # -- the watch thread ----------------------------------------------------

    def _watch(self) -> None:
        proc = self._proc
        assert proc is not None
        deadline = self._started + self.limits.wall_s + GRACE_S
        while proc.poll() is None:
            if time.monotonic() > deadline:
                with self._lock:
                    if self._reason is None:
                        self._reason = "timeout"
                self._stop.set()
            if self._stop.wait(0.05):
                self._end_supervisor(proc)
                break
        self._reader_done.wait(1.0)
        status = read_status(self._base / "status.json") if self._base else {}
        self._kill_leftovers(status)
        self._reader_done.wait(1.0)
        self._finish(self._result_from(status, proc.returncode))

    def _end_supervisor(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM (the supervisor kills its tree), then everything hard."""
        with contextlib.suppress(OSError):
            proc.terminate()
        try:
            proc.wait(TERM_WAIT_S)
        except subprocess.TimeoutExpired:
            self._kill_session(proc)
            proc.wait()

    def _kill_session(self, proc: subprocess.Popen[bytes]) -> None:
        if IS_WINDOWS:  # pragma: no cover - the job dies with the supervisor
            proc.kill()
            return
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)

    def _kill_leftovers(self, status: dict[str, object]) -> None:
        """After the supervisor: its finished status means its tree is gone; else sweep."""
        if IS_WINDOWS or "reason" in status:
            return
        child = status.get("child_pid")
        if isinstance(child, int):
            with contextlib.suppress(OSError):
                os.killpg(child, signal.SIGKILL)
        from app.sandbox.posix import kill_marked

        kill_marked(self._token)

    def _result_from(self, status: dict[str, object], returncode: int | None) -> RunResult:
        seconds = time.monotonic() - self._started
        output = "".join(self._pieces)
        reason = self._reason
        exit_code: int | None = None
        detail = ""
        status_reason = status.get("reason")
        if isinstance(status_reason, str):
            if reason is None:
                reason = status_reason
                code = status.get("exit_code")
                exit_code = code if isinstance(code, int) else None
            detail = str(status.get("detail") or "")
            self._truncated = self._truncated or bool(status.get("truncated"))
        elif reason is None:
            if "child_pid" in status:
                reason, exit_code = "error", returncode
                detail = "the sandbox ended unexpectedly"
            else:
                reason = "failed_to_start"
                detail = output.strip().splitlines()[-1] if output.strip() else (
                    f"ponder run-code ended with status {returncode}")
        return RunResult(exit_code, reason, output, self._truncated, seconds, self.limits,
                         detail)

    def _finish(self, result: RunResult) -> None:
        if self._base is not None:
            _remove_tree(self._base)
        self._result = result
        self._done.set()


def _remove_tree(path: Path) -> None:
    """Remove the run's folder, also when the code left read-only parts in it."""
    def make_writable(func: Callable[..., object], target: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(target), 0o700)
            os.chmod(target, 0o700)
            func(target)

    shutil.rmtree(path, onerror=make_writable)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
