"""The command line that runs Ponder itself again, in a child process.

A source checkout runs `python -m app ...`; an installed (frozen) build has
no separate interpreter, so its own executable takes the subcommand. The
tutor's helpers (`ponder run-code`, the math worker) start through this so
both kinds of install behave the same.
"""

from __future__ import annotations

import sys


def ponder_argv(*args: str) -> list[str]:
    """argv for `ponder ARGS...` in a child process of this one."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "app", *args]
