"""Is an answer right? Mathematical equivalence of two answers, judged in a worker process.

The judging is math-verify's (sympy underneath), run inside `ponder
math-worker` (app.tutor.equiv_worker) with the library's own SIGALRM
time-outs off; this module keeps its own time limit per request and kills
the worker when a comparison runs past it. Nothing here imports math_verify
or sympy, so the window's start does not grow: the worker starts on the first
comparison and is kept for the next ones.

How answers are read (app.tutor.equiv_text.prepare, then math-verify):
- Plain typed answers are wrapped as LaTeX; `$...$`, `\\(...\\)`, a whole
  `\\boxed{...}` and a final period are taken off first. `\\dfrac`/`\\frac`,
  `\\left(`/`(`, spaces, `1/2`, `sqrt(2)`, `√2`, `π`, `1e3`, `1\\,000`, `1 000`
  all read the same. Only the LaTeX reader is used: math-verify's plain one
  takes a piece of a broken answer (`1+` as 1).
- Numbers: exact or within 6 decimals (0.333333 is 1/3, 0.333 is not; 3.14 is
  not pi). A percent is a hundredth (50% = 0.5), and a percent sign left out
  is forgiven like a unit (50% against 50 is equivalent; 0.5 against 50 is not).
  `2\\frac{1}{2}` is a mixed number (5/2); bare `2 3` is CANT_TELL (23? 5?).
- Units and degrees: a trailing unit is dropped (`5\\text{ cm}` = 5), and so is
  a degree mark (90° = 90, also `\\text{ degrees}`); degrees are also read as
  pi/180, so 90° = pi/2 and `\\sin 60°` = √3/2.
- Tuples keep their order ((1,2) is not (2,1)); sets do not ({2,3} = {3,2});
  an interval's brackets count ([0,1) is not [0,1]); an inequality equals its
  interval (x<3 = (-∞,3)), and `x<1 or x>2` equals the union of two intervals;
  `x=2 or x=3`, `x=2, x=3` and `x \\in \\{2,3\\}` equal {2,3}; `x=2` equals 2.
  An interval never equals a finite set of values ((1,2) is not {1,2}), which
  math-verify on its own would allow.
- Matrices compare entry by entry, pmatrix and bmatrix alike.

Verdicts: EQUIVALENT only when both answers parse and the library says they
match. CANT_TELL when there is nothing to compare: an empty answer, a cut-off
box, words that are not math ("no solution", "I don't know": they would
otherwise parse as products of letters; a word answer is CANT_TELL even
against the same word), a parse failure, an answer over MAX_ANSWER_CHARS, a
worker that did not start, or a comparison past the time limit.
NOT_EQUIVALENT when both parse and no reading makes them match, including
answers of different kinds (a tuple against a set, a column vector against a
pair).

compare(gold, answer) follows math-verify's order (the reference first); on
the corpus in tests/tutor it gives the same verdict both ways round. Calls
block (up to the time limit, and the worker's first start): call from a
worker thread, never the GUI thread. Concurrent calls queue on one lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from enum import Enum
from types import TracebackType
from typing import IO, Any

from app.core.self_command import ponder_argv

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10

    class StrEnum(str, Enum):
        """str-valued enum (enum.StrEnum before 3.11)."""

        def __str__(self) -> str:
            return str(self.value)


START_LIMIT_S = 60.0
"""How long the worker may take to start (it imports sympy; slow on a cold disk)."""
MAX_ANSWER_CHARS = 5000
"""Longer answers are not sent to the worker (CANT_TELL): no one types that much."""
START_RETRY_S = 30.0
"""After a failed start, requests answer CANT_TELL at once for this long before a new try."""


class Verdict(StrEnum):
    """What the judge says about an answer against the reference."""

    EQUIVALENT = "equivalent"
    """Both parse and are the same mathematical object."""
    NOT_EQUIVALENT = "not_equivalent"
    """Both parse and differ."""
    CANT_TELL = "cant_tell"
    """Empty, not math, unparseable, or the comparison ran past the time limit."""


class _Worker:
    """One running `ponder math-worker` and the thread that reads its replies."""

    def __init__(self) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        env = dict(os.environ, PONDER_MATH_PARENT=str(os.getpid()))
        self.process = subprocess.Popen(
            ponder_argv("math-worker"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1, env=env,
            creationflags=flags,
        )
        self.replies: queue.Queue[str | None] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=self._read, args=(stdout,), daemon=True,
                         name="math-judge-reader").start()

    def _read(self, stdout: IO[str]) -> None:
        try:
            for line in stdout:
                self.replies.put(line)
        except (OSError, ValueError):
            pass
        self.replies.put(None)

    def reply(self, deadline: float, want: Any) -> dict[str, Any] | None:
        """The reply whose "id" (or "ready") is `want`, or None past the deadline or at EOF."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.replies.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and (data.get("id") == want
                                           or (want is None and data.get("ready"))):
                return data

    def send(self, request: dict[str, Any]) -> bool:
        """Write one request; False when the worker is gone."""
        stdin = self.process.stdin
        if stdin is None or self.process.poll() is not None:
            return False
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
        except (OSError, ValueError):
            return False
        return True

    def kill(self) -> None:
        """End the process now and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class MathJudge:
    """Judges answers in one killable worker process, started lazily and kept; thread-safe.

    Args:
        time_limit_s: the most one comparison may take; past it the worker is
            killed, the verdict is CANT_TELL and the next request starts a new one.
    """

    def __init__(self, time_limit_s: float = 5.0) -> None:
        self.time_limit_s = time_limit_s
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._next_id = 0
        self._failed_start: float | None = None
        self.problem: str | None = None
        """One sentence when the checker could not start (None while all is well)."""

    @property
    def worker_pid(self) -> int | None:
        """The running worker's process id (None before the first request or after close)."""
        worker = self._worker
        return None if worker is None else worker.process.pid

    def compare(self, gold: str, answer: str) -> Verdict:
        """The verdict on `answer` against the reference `gold` (both LaTeX or typed text)."""
        if not gold.strip() or not answer.strip() or \
                max(len(gold), len(answer)) > MAX_ANSWER_CHARS:
            return Verdict.CANT_TELL
        reply = self._request({"op": "compare", "gold": gold, "answer": answer})
        try:
            return Verdict(str(reply["verdict"])) if reply else Verdict.CANT_TELL
        except (KeyError, ValueError):
            return Verdict.CANT_TELL

    def parses(self, text: str) -> bool:
        """True when `text` is math the judge can read (within the time limit)."""
        if not text.strip() or len(text) > MAX_ANSWER_CHARS:
            return False
        reply = self._request({"op": "parses", "text": text})
        return bool(reply and reply.get("parses") is True)

    def group(self, answers: Sequence[str]) -> list[list[int]]:
        """Equivalence classes of `answers` as lists of indices, biggest first (ties: first index).

        Each answer joins the first class whose first member it is equivalent
        to; one the judge cannot read forms a class of its own (never merged,
        not even with the same text).
        """
        groups: list[list[int]] = []
        readable: list[bool] = [self.parses(a) for a in answers]
        for index, answer in enumerate(answers):
            home: list[int] | None = None
            if readable[index]:
                for members in groups:
                    first = members[0]
                    if not readable[first]:
                        continue
                    if answers[first].strip() == answer.strip() or \
                            self.compare(answers[first], answer) is Verdict.EQUIVALENT:
                        home = members
                        break
            if home is None:
                groups.append([index])
            else:
                home.append(index)
        return sorted(groups, key=lambda members: (-len(members), members[0]))

    def close(self) -> None:
        """End the worker (a later request starts a new one)."""
        with self._lock:
            self._stop()

    def __enter__(self) -> MathJudge:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    def _started(self) -> _Worker | None:
        """The running worker, started (and waited for) if there is none; None if it fails."""
        running = self._worker
        if running is not None and running.process.poll() is None:
            return running
        self._stop()
        if self._failed_start is not None \
                and time.monotonic() - self._failed_start < START_RETRY_S:
            return None
        worker: _Worker | None = None
        try:
            worker = _Worker()
            is_ready = worker.reply(time.monotonic() + START_LIMIT_S, None) is not None
        except OSError:
            is_ready = False
        if worker is None or not is_ready:
            if worker is not None:
                worker.kill()
            self._failed_start = time.monotonic()
            self.problem = "The answer checker could not start, so answers cannot be compared."
            return None
        self._failed_start = None
        self.problem = None
        self._worker = worker
        return worker

    def _request(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """Send a request and wait for its reply within the time limit (None: no answer)."""
        with self._lock:
            for _attempt in range(2):  # a worker that died in between is started again once
                worker = self._started()
                if worker is None:
                    return None
                self._next_id += 1
                ident = self._next_id
                if not worker.send({**request, "id": ident}):
                    self._stop()
                    continue
                reply = worker.reply(time.monotonic() + self.time_limit_s, ident)
                if reply is None:
                    self._stop()  # past the limit (or the worker died): kill it
                return reply
            return None


def compare_answers(gold: str, answer: str, time_limit_s: float = 5.0) -> Verdict:
    """One comparison in a worker of its own (started and ended here: ~1 s or more)."""
    with MathJudge(time_limit_s) as judge:
        return judge.compare(gold, answer)
