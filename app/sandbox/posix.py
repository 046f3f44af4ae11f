"""The POSIX side of the sandbox (Linux and macOS): limits, the child, killing the tree.

The supervisor (`ponder run-code`) calls these. On Linux it becomes a child
subreaper, so a process of the run that called setsid() and lost its parent
is re-parented to the supervisor instead of init and is still found among
its descendants. macOS has no subreaper: there the child's process group is
killed and the processes that carry the run's token in their environment
are looked up and killed (psutil).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from app.sandbox.limits import FILE_SIZE_LIMIT_MB, RUN_MARKER_ENV, SandboxLimits

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
UNPRIVILEGED_ID = 65534
"""nobody / nogroup: the code runs as this user when Ponder runs as root."""

IS_LINUX = sys.platform.startswith("linux")


def _prctl(option: int, value: int) -> bool:
    """prctl(2) through libc; False where it is missing or refused."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Make orphans of our descendants re-parent to us (Linux only)."""
    return IS_LINUX and _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(sig: int) -> None:
    """Linux: get `sig` when the parent process dies (a no-op elsewhere)."""
    if IS_LINUX:
        _prctl(PR_SET_PDEATHSIG, sig)


def runs_as_root() -> bool:
    return os.geteuid() == 0


def tasks_of_user(uid: int) -> int:
    """Processes (Linux: threads) that count against RLIMIT_NPROC for this uid now."""
    count = 0
    for proc in psutil.process_iter(["uids", "num_threads"]):
        info = proc.info
        uids = info.get("uids")
        if uids is None or uids.real != uid:
            continue
        count += int(info.get("num_threads") or 1) if IS_LINUX else 1
    return count


@dataclass
class ChildPlan:
    """What the forked child sets up before exec."""

    argv: list[str]
    env: dict[str, str]
    folder: Path
    limits: SandboxLimits
    output_fd: int
    drop_to: int | None
    """uid = gid to switch to (root only), or None."""
    nproc: int | None
    """RLIMIT_NPROC to set (the user's current tasks + the allowed processes)."""


def _set_limit(which: int, value: int) -> None:
    import resource

    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        # Below the current soft limit is always allowed; a hard limit lower
        # than ours (set by whoever started Ponder) stays as it is.
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and hard < value:
            resource.setrlimit(which, (hard, hard))


def _child_setup(plan: ChildPlan) -> None:
    """In the forked child: limits, its own process group, the user, then exec."""
    import resource

    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(plan.output_fd, 1)
    os.dup2(plan.output_fd, 2)
    os.chdir(plan.folder)
    limits = plan.limits
    cpu = max(1, int(limits.cpu_s + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL
    # Linux counts every mapping in RLIMIT_AS; macOS does not enforce it, and
    # RLIMIT_DATA is the closest it has (not enforced for large allocations).
    memory_limit = resource.RLIMIT_AS if IS_LINUX else resource.RLIMIT_DATA
    _set_limit(memory_limit, limits.memory_mb * 1024 * 1024)
    _set_limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_MB * 1024 * 1024)
    _set_limit(resource.RLIMIT_CORE, 0)
    if plan.nproc is not None:
        _set_limit(resource.RLIMIT_NPROC, plan.nproc)
    if plan.drop_to is not None:
        os.setgroups([])
        os.setgid(plan.drop_to)
        os.setuid(plan.drop_to)
    die_with_parent(signal.SIGKILL)  # after setuid, which clears it
    os.execve(plan.argv[0], plan.argv, plan.env)


class StartError(OSError):
    """The code's process could not be set up or exec'd (the reason is the message)."""


def spawn(plan: ChildPlan) -> int:
    """Fork and exec the code's process; its pid (also its process group).

    A failure before or at exec (a limit refused, the interpreter not
    readable by `nobody`...) comes back through a close-on-exec pipe and is
    raised as StartError, after the child is reaped.
    """
    err_read, err_write = os.pipe()  # both close-on-exec (PEP 446)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child execs or exits
        try:
            os.close(err_read)
            _child_setup(plan)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.write(err_write, str(exc).encode("utf-8", "replace")[:1000])
        os._exit(127)
    os.close(err_write)
    with contextlib.suppress(OSError):  # the child did it first, or already exec'd
        os.setpgid(pid, pid)
    with os.fdopen(err_read, "rb") as pipe:
        failure = pipe.read()
    if failure:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        raise StartError(failure.decode("utf-8", "replace"))
    return pid


@dataclass
class Reaped:
    """The exit of the code's own process."""

    status: int
    cpu_s: float


def reap(child_pid: int) -> Reaped | None:
    """Collect every exited child (orphans come to us as subreaper); the code's, if it ended."""
    found: Reaped | None = None
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return found
        if pid == 0:
            return found
        if pid == child_pid:
            found = Reaped(status, usage.ru_utime + usage.ru_stime)


def exit_code_of(status: int) -> int:
    """Like Popen.returncode: the exit status, or minus the signal that killed it."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def marked_processes(token: str) -> list[psutil.Process]:
    """Processes (not ourselves) whose environment carries this run's token."""
    found: list[psutil.Process] = []
    me = os.getpid()
    for proc in psutil.process_iter():
        if proc.pid == me:
            continue
        try:
            if proc.environ().get(RUN_MARKER_ENV) == token:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _alive(proc: psutil.Process) -> bool:
    try:
        return bool(proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def kill_tree(child_pid: int, token: str | None, timeout: float = 5.0) -> None:
    """Kill the code's process group and every descendant, until none is left.

    `token`: also look for the run's processes by their environment (where
    there is no subreaper to keep orphans among our descendants).

    A fork bomb keeps forking while we kill: the process group goes in one
    signal, then every descendant (subreaper: orphans too) and, where there
    is no subreaper, every process carrying the run's token; repeated until
    a pass finds nothing alive.
    """
    me = psutil.Process()
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child_pid, signal.SIGKILL)
        procs = me.children(recursive=True)
        if token is not None:
            procs += marked_processes(token)
        alive = [p for p in procs if _alive(p)]
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        reap(child_pid)
        if not alive or time.monotonic() > deadline:
            return
        time.sleep(0.01)


def kill_marked(token: str) -> int:
    """Kill every process carrying the run's token (the parent's last sweep); how many."""
    killed = 0
    for _ in range(50):
        alive = [p for p in marked_processes(token) if _alive(p)]
        if not alive:
            break
        for proc in alive:
            try:
                proc.kill()
                killed += 1
            except psutil.Error:
                pass
        time.sleep(0.02)
    return killed
