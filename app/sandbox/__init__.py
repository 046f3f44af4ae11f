"""Run a Python code block with limits, in a fresh folder, its whole process tree killed after.

`CodeRun` (runner.py) is the window's side; `ponder run-code` (supervisor.py)
is the process that applies the limits. docs/sandbox.md says what it does
and does not stop on each OS.
"""

from __future__ import annotations

from app.sandbox.limits import RunResult, SandboxLimits
from app.sandbox.runner import CodeRun

__all__ = ["CodeRun", "RunResult", "SandboxLimits"]
