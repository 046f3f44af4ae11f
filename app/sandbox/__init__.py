"""Run a Python code block with limits, in a fresh folder, its whole process tree killed after.

`CodeRun` (runner.py) is the window's side; `ponder run-code` (supervisor.py)
is the process that applies the limits. docs/sandbox.md says what it does
and does not stop on each OS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sandbox.limits import RunResult, SandboxLimits

if TYPE_CHECKING:
    from app.sandbox.runner import CodeRun

__all__ = ["CodeRun", "RunResult", "SandboxLimits"]


def __getattr__(name: str) -> object:
    # CodeRun brings psutil and subprocess: loaded on first use, not with the limits.
    if name == "CodeRun":
        from app.sandbox.runner import CodeRun

        return CodeRun
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
