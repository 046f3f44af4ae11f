"""`ponder math-worker`: the answer-equivalence worker (internal; JSON lines on stdin/stdout).

Started by app.tutor.equivalence.MathJudge through ponder_argv, so the
installed build, which has no separate interpreter, runs it the same way.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    subparsers.add_parser(
        "math-worker", help="internal: the answer-equivalence worker process (JSON lines)")


def run(args: argparse.Namespace) -> int:
    """Serve comparisons until stdin ends."""
    from app.tutor.equiv_worker import main

    return main()
