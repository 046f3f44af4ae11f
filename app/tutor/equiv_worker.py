"""The answer-equivalence worker: math-verify behind JSON lines on stdin/stdout.

Runs only in the child process `ponder math-worker` (app.commands.math_worker);
the window's process never imports this module, so math_verify and sympy load
here and nowhere else. math-verify's own time-outs use SIGALRM (main thread
only, absent on Windows), so they are off; the parent (MathJudge) kills this
process when a request runs past its limit.

Protocol, one JSON object per line:
    start:   {"ready": true}                          (after the imports and a warm-up)
    request: {"id": N, "op": "compare", "gold": str, "answer": str}
             -> {"id": N, "verdict": "equivalent" | "not_equivalent" | "cant_tell"}
    request: {"id": N, "op": "parses", "text": str}  -> {"id": N, "parses": bool}
    anything else -> {"id": N, "error": str}
The worker exits when stdin ends (its parent closed it, or died), even in the
middle of a long comparison.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import Any, TextIO

from math_verify import LatexExtractionConfig, parse, verify
from sympy import Basic, FiniteSet, Interval, Union
from sympy.core.relational import Equality, Relational
from sympy.matrices import MatrixBase

from app.tutor.equiv_text import degrees_as_radians, has_degrees, prepare

EQUIVALENT = "equivalent"
NOT_EQUIVALENT = "not_equivalent"
CANT_TELL = "cant_tell"

# LaTeX only: it reads typed `1/2`, `sqrt(2)` and `2^(1/2)` too, while math-verify's
# plain-expression extractor settles for a piece of a malformed answer (`1+` read
# as 1, `1,2,` as 1.2), which could make a broken answer "equivalent".
_CONFIG = (LatexExtractionConfig(),)


def parse_answer(latex: str) -> list[Any]:
    """The sympy readings of a prepared answer (empty: it does not parse)."""
    found = parse(f"${latex}$", extraction_config=_CONFIG, fallback_mode="no_fallback",
                  parsing_timeout=None)
    return [_as_set(x) for x in found if isinstance(x, Basic | MatrixBase)]


def _as_set(value: Any) -> Any:
    """`x<1 or x>2` (a set of inequalities in one variable) as the union it describes."""
    if isinstance(value, FiniteSet) and len(value) > 0 and all(
        isinstance(e, Relational) and not isinstance(e, Equality) for e in value.args
    ):
        symbols = set().union(*(e.free_symbols for e in value.args))
        if len(symbols) == 1:
            return Union(*(e.as_set() for e in value.args))
    return value


def _kinds_clash(gold: list[Any], answer: list[Any]) -> bool:
    """An interval against a finite set of values: `(1,2)` is never `\\{1,2\\}`.

    math-verify lets these match (it reads the interval's ends as a list);
    for a student they are different answers. A set of equations in several
    variables (`x=2, y=3`, a point) is left to the library.
    """
    def values_only(s: Any) -> bool:
        if not isinstance(s, FiniteSet):
            return False
        if all(not isinstance(e, Relational) for e in s.args):
            return True
        if not all(isinstance(e, Equality) for e in s.args):
            return False
        return len(set().union(*(e.free_symbols for e in s.args))) == 1

    g, a = gold[0], answer[0]
    return (isinstance(g, Interval) and values_only(a)) or \
        (isinstance(a, Interval) and values_only(g))


def _matches(gold: list[Any], answer: list[Any]) -> bool | None:
    """math-verify's word on two readings; None when it failed (out of memory, a sympy bug).

    The library would count a failure as "no match"; for a student that would
    be a wrong "not equivalent", so failures surface here as None (CANT_TELL).
    """
    try:
        return bool(verify(gold, answer, allow_set_relation_comp=True, timeout_seconds=None,
                           raise_on_error=True))
    except Exception:
        return None


def judge(gold: str, answer: str) -> str:
    """The verdict on `answer` against `gold` (no time limit: the parent keeps one)."""
    g_text, a_text = prepare(gold), prepare(answer)
    if g_text is None or a_text is None:
        return CANT_TELL
    g, a = parse_answer(g_text), parse_answer(a_text)
    if not g or not a:
        return CANT_TELL
    matched = _matches(g, a)
    if matched is None:
        return CANT_TELL
    if matched:
        return NOT_EQUIVALENT if _kinds_clash(g, a) else EQUIVALENT
    if has_degrees(g_text) or has_degrees(a_text):
        g2, a2 = parse_answer(degrees_as_radians(g_text)), parse_answer(degrees_as_radians(a_text))
        if g2 and a2 and _matches(g2, a2):
            return EQUIVALENT
    return NOT_EQUIVALENT


def parses(text: str) -> bool:
    """True when the answer is math the judge can read."""
    prepared = prepare(text)
    return prepared is not None and bool(parse_answer(prepared))


def answer_request(request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request object."""
    reply: dict[str, Any] = {"id": request.get("id")}
    op = request.get("op")
    try:
        if op == "compare":
            reply["verdict"] = judge(str(request["gold"]), str(request["answer"]))
        elif op == "parses":
            reply["parses"] = parses(str(request["text"]))
        else:
            reply["error"] = f"unknown op {op!r}"
    except Exception as exc:  # a parser bug must not end the worker
        reply["error"] = f"{type(exc).__name__}: {exc}"
    return reply


class _Inbox:
    """Request lines read on a thread, so that stdin's EOF is seen even mid-comparison."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.busy = False
        self.cond = threading.Condition()

    def read(self, stdin: TextIO) -> None:
        """Queue lines until EOF; then exit once the queue is answered (or after a grace)."""
        for line in stdin:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.wait_for(lambda: not self.lines and not self.busy, timeout=EOF_GRACE_S)
        os._exit(0)

    def next(self) -> str:
        """The next request line (blocks)."""
        with self.cond:
            self.busy = False
            self.cond.notify_all()
            self.cond.wait_for(lambda: bool(self.lines))
            self.busy = True
            return self.lines.pop(0)


EOF_GRACE_S = 2.0
"""After stdin ends, how long queued requests may still run before the worker exits."""


def serve(stdin: TextIO, stdout: TextIO) -> int:
    """Answer requests until stdin ends (the process exits there)."""
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    parse_answer(r"\frac{1}{2}")  # loads the LaTeX grammar now, not in the first request
    inbox = _Inbox()
    threading.Thread(target=inbox.read, args=(stdin,), daemon=True,
                     name="math-worker-stdin").start()
    stdout.write(json.dumps({"ready": True}) + "\n")
    stdout.flush()
    while True:
        line = inbox.next()
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if not isinstance(request, dict):
            continue
        stdout.write(json.dumps(answer_request(request)) + "\n")
        stdout.flush()


def _die_with_parent() -> None:
    """Linux: be killed when the parent goes, even while a big-number step holds the GIL.

    stdin's EOF covers every other case, but a thread cannot see it while one
    C-level sympy operation holds the interpreter lock. The signal is tied to
    the parent's thread that started us; if that thread ends first, MathJudge
    sees the pipe close and starts a new worker on its next request.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    expected = os.environ.get("PONDER_MATH_PARENT", "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(0)  # the parent died before the signal was asked for


MEMORY_LIMIT_BYTES = 1 << 30
"""Linux: the worker's address space (idle: ~140 MB). A comparison that needs more
fails with MemoryError (CANT_TELL) instead of eating the machine's memory before
the time limit ends it; 2^(2^40) grows by ~70 MB a second."""


def _cap_memory() -> None:
    """Linux only: other systems do not enforce an address-space limit the same way."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard,
                                                                             MEMORY_LIMIT_BYTES)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):
        pass


def main() -> int:
    """Run the worker on this process's stdin/stdout; library prints go to stderr."""
    if sys.stdin is None or sys.stdout is None:  # started without pipes: nothing to serve
        return 2
    _die_with_parent()
    _cap_memory()
    protocol = sys.stdout
    sys.stdout = sys.stderr
    return serve(sys.stdin, protocol)
