"""What a sandboxed run may use, and what came of it (plain values, stdlib only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REASONS = ("finished", "error", "timeout", "cpu", "memory", "output_cap", "stopped",
           "failed_to_start")
"""Why a run ended: RunResult.reason is one of these."""

FILE_SIZE_LIMIT_MB = 64
"""The largest file the code may write (RLIMIT_FSIZE on POSIX)."""

RUN_MARKER_ENV = "PONDER_SANDBOX_RUN"
"""Environment variable carrying one run's token into every process of that run."""


@dataclass
class SandboxLimits:
    """The limits of one run (the window's defaults)."""

    wall_s: float = 10
    """Seconds of real time before the run is stopped."""
    cpu_s: float = 10
    """Seconds of CPU time one process may use."""
    memory_mb: int = 512
    """Memory (address space) one process may take."""
    output_bytes: int = 65536
    """Bytes of output (stdout and stderr together) before the run is stopped."""
    processes: int = 32
    """Processes the code may have at once, where the OS can limit it."""

    def as_options(self) -> list[str]:
        """The `ponder run-code` options that carry these limits."""
        return ["--wall", f"{self.wall_s:g}", "--cpu", f"{self.cpu_s:g}",
                "--memory-mb", str(self.memory_mb), "--processes", str(self.processes),
                "--output-bytes", str(self.output_bytes)]


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{round(n / (1024 * 1024), 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024, 1):g} KB"
    return f"{n} bytes"


@dataclass
class RunResult:
    """How one run ended."""

    exit_code: int | None
    """The code's exit status (negative: killed by that signal); None when Ponder ended it."""
    reason: str
    """One of REASONS."""
    output: str
    """stdout and stderr as they came, up to the output limit."""
    truncated: bool
    """True when output was cut at the limit."""
    seconds: float
    """Wall time of the run."""
    limits: SandboxLimits | None = None
    """The limits it ran under (for the summary's numbers)."""
    detail: str = ""
    """One more fact for the summary (why it could not start...)."""

    def summary(self) -> str:
        """One plain sentence for the panel under the code block."""
        limits = self.limits or SandboxLimits()
        took = f"{self.seconds:.1f} s"
        text = {
            "finished": f"Finished in {took}.",
            "error": f"Ended with an error (exit code {self.exit_code}) after {took}."
                     if self.exit_code is None or self.exit_code >= 0
                     else f"Ended by signal {-self.exit_code} after {took}.",
            "timeout": f"Stopped: it ran longer than the {limits.wall_s:g} s time limit.",
            "cpu": f"Stopped: it used more than the {limits.cpu_s:g} s CPU-time limit.",
            "memory": f"Stopped: it needed more than the {limits.memory_mb} MB memory limit.",
            "output_cap": "Stopped: it printed more than "
                          f"{_size(limits.output_bytes)} of output.",
            "stopped": f"Stopped after {took}.",
            "failed_to_start": "The code could not be started"
                               + (f": {self.detail}." if self.detail else "."),
        }.get(self.reason, f"Ended after {took}.")
        if self.truncated and self.reason != "output_cap":
            text += f" The output was cut at {_size(limits.output_bytes)}."
        return text


def write_status(path: Path, data: dict[str, Any]) -> None:
    """Write the supervisor's status file in one piece (a reader never sees half)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def read_status(path: Path) -> dict[str, Any]:
    """The supervisor's status file ({} when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

