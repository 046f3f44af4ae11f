"""Run a Python code block safely-ish: limits, a fresh folder, the whole tree killed.

`CodeRun` (runner.py) is the window's side; `ponder run-code` (supervisor.py)
is the process that applies the limits. docs/sandbox.md says what it does
and does not stop on each OS.
"""

from __future__ import annotations

from app.sandbox.limits import RunResult, SandboxLimits

__all__ = ["CodeRun", "RunResult", "SandboxLimits"]


def __getattr__(name: str) -> object:
    # CodeRun pulls in psutil and subprocess; load it on first use only.
    if name == "CodeRun":
        from app.sandbox.runner import CodeRun

        return CodeRun
    raise AttributeError(name)
