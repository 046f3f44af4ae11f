"""The Windows side of the sandbox: one job object per run (ctypes; untested here).

The supervisor puts itself into a new job before it starts the code, so the
code and everything it starts are in the job too (no breakaway is allowed).
The job limits each process's memory, the number of processes alive at once
and each process's CPU time, and kills every process in it when its last
handle closes: when the supervisor ends, or is killed by the window's Stop.
"""

from __future__ import annotations

import ctypes
import sys
from ctypes import wintypes
from typing import Any

from app.sandbox.limits import SandboxLimits

JOB_OBJECT_LIMIT_PROCESS_TIME = 0x00000002
JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
TICKS_PER_SECOND = 10_000_000  # job times are in 100 ns units


class _BasicLimits(ctypes.Structure):
    # DWORD is spelled c_uint32: wintypes.DWORD is 8 bytes off Windows, and the
    # layout is checked by a test on every OS (64 and 144 bytes on 64-bit).
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", ctypes.c_uint32),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", ctypes.c_uint32),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", ctypes.c_uint32),
        ("SchedulingClass", ctypes.c_uint32),
    ]


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", _BasicLimits),
        ("IoInfo", _IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


class Job:
    """A job object holding the supervisor and the code (Windows only)."""

    def __init__(self, limits: SandboxLimits) -> None:
        if sys.platform != "win32":
            raise OSError("job objects exist on Windows only")
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
        kernel32.SetInformationJobObject.argtypes = [
            wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD]
        kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
        kernel32.GetCurrentProcess.restype = wintypes.HANDLE
        kernel32.TerminateJobObject.argtypes = [wintypes.HANDLE, wintypes.UINT]
        self._kernel32: Any = kernel32
        handle = kernel32.CreateJobObjectW(None, None)
        if not handle:
            raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]
        self._handle: Any = handle
        info = _ExtendedLimits()
        basic = info.BasicLimitInformation
        basic.LimitFlags = (JOB_OBJECT_LIMIT_PROCESS_TIME | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
                            | JOB_OBJECT_LIMIT_PROCESS_MEMORY
                            | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
                            | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
        basic.PerProcessUserTimeLimit = int(limits.cpu_s * TICKS_PER_SECOND)
        basic.ActiveProcessLimit = limits.processes + 1  # the supervisor is in the job too
        info.ProcessMemoryLimit = limits.memory_mb * 1024 * 1024
        self._check(kernel32.SetInformationJobObject(
            handle, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(info), ctypes.sizeof(info)))

    def _check(self, ok: int) -> None:
        if not ok:
            raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]

    def add_this_process(self) -> None:
        """Put the supervisor in the job; the code it starts then is in it too."""
        self._check(self._kernel32.AssignProcessToJobObject(
            self._handle, self._kernel32.GetCurrentProcess()))

    def kill_all(self, exit_code: int = 1) -> None:
        """End every process in the job, the supervisor included."""
        self._kernel32.TerminateJobObject(self._handle, exit_code)
