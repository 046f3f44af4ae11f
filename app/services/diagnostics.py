"""A diagnostics report the user can copy into a bug report: nothing personal, nothing sent.

It lists versions, the operating system, the CPU's features, the GPU, the
llama.cpp build and backend, the loaded model's name and the last errors of
the log file. Paths in log lines have the home folder and the user name
replaced, chat text never appears (the app does not log it), and the report
only goes where the user pastes it.
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app import __version__
from app.core import paths

# Re-exported: the window reads the llama.cpp build through services, never the engine.
from app.engine.build_info import LlamaBuild as LlamaBuild
from app.engine.build_info import llama_build as llama_build
from app.hardware.cpu import describe_features, probe_cpu
from app.hardware.types import HardwareReport

LOG_NAME = "ponder.log"
MAX_ERRORS = 15
MAX_LINE = 300
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ (ERROR|WARNING|CRITICAL) ")


@dataclass(frozen=True)
class DiagnosticsInput:
    """What only the caller knows (the GUI passes its toolkit's versions).

    Attributes:
        toolkit: lines such as ``("Qt", "6.11.3")``.
        model_name: the loaded model's display name ("" when none).
        model_backend: where it runs ("CPU", "CUDA"...; "" when none).
        hardware: the last hardware probe, if one ran.
    """

    toolkit: Sequence[tuple[str, str]] = ()
    model_name: str = ""
    model_backend: str = ""
    hardware: HardwareReport | None = None


def redact(text: str) -> str:
    """Replace the home folder and the user name in `text`.

    Args:
        text: a log line or path.

    Returns:
        The text with ``~`` for the home folder and ``<user>`` for the name.
    """
    home = str(Path.home())
    if home and home not in ("/", "\\"):
        text = text.replace(home, "~").replace(home.replace("\\", "/"), "~")
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = os.environ.get("USERNAME", "")
    if len(user) >= 3:
        text = re.sub(re.escape(user), "<user>", text, flags=re.IGNORECASE)
    return text


def last_errors(log_file: Path, limit: int = MAX_ERRORS) -> list[str]:
    """The first line of the last `limit` errors and warnings in a log file, redacted.

    Args:
        log_file: the app's log file.
        limit: how many entries to keep.

    Returns:
        Oldest first; empty when there is no log file.
    """
    try:
        with log_file.open(encoding="utf-8", errors="replace") as handle:
            lines = [line.rstrip("\n") for line in handle if _ENTRY.match(line)]
    except OSError:
        return []
    return [redact(line)[:MAX_LINE] for line in lines[-limit:]]


def _hardware_lines(report: HardwareReport | None) -> list[str]:
    if report is None:
        cpu = probe_cpu()
        return [
            f"CPU: {cpu.brand or cpu.arch} ({cpu.physical_cores} cores, "
            f"{cpu.logical_cores} threads), features: {describe_features(cpu.features)}",
            "GPU: not probed yet",
        ]
    cpu = report.cpu
    gpus = ", ".join(
        f"{gpu.name} ({gpu.kind.value}, {gpu.total_bytes / 2**30:.1f} GiB)" for gpu in report.gpus
    )
    return [
        f"CPU: {cpu.brand or cpu.arch} ({cpu.physical_cores} cores, "
        f"{cpu.logical_cores} threads), features: {describe_features(cpu.features)}",
        f"RAM: {report.ram_total_bytes / 2**30:.1f} GiB",
        f"GPU: {gpus or 'none usable'}",
    ]


def _llama_lines(build: LlamaBuild) -> list[str]:
    return [
        f"llama-cpp-python: {build.version or 'not installed'}",
        f"llama.cpp backends: {build.backend_text}"
        f" (GPU offload {'available' if build.gpu_offload else 'not built in'})",
        f"llama.cpp CPU features: {', '.join(build.cpu_features) or '—'}",
    ]


def diagnostics_report(given: DiagnosticsInput, *, log_file: Path | None = None) -> str:
    """The whole report as plain text.

    Args:
        given: what the caller knows.
        log_file: the log to take errors from; the app's own by default.

    Returns:
        Lines of ``name: value``, then the last errors.
    """
    lines = [
        f"Ponder {__version__}",
        f"Python {platform.python_version()} ({sys.implementation.name})",
        *(f"{name} {version}" for name, version in given.toolkit),
        f"OS: {platform.system()} {platform.release()} ({platform.machine()})",
        *_hardware_lines(given.hardware),
        *_llama_lines(llama_build()),
        f"Model: {given.model_name or 'none loaded'}"
        + (f" on {given.model_backend}" if given.model_backend else ""),
        "",
        "Last errors and warnings:",
    ]
    errors = last_errors(log_file or paths.logs_dir() / LOG_NAME)
    lines += errors or ["(none)"]
    return "\n".join(redact(line) for line in lines) + "\n"
