"""The tutor's checks off the GUI thread: Qt plumbing around app.services.tutor.

"Check this answer" draws more samples through the window's ModelHost (the
host hands out turns, so a check queues behind a running reply and the chat
queues behind a check); "Is my answer right?" asks the MathJudge, a worker
process. Neither may block the GUI thread: each runs on a QThread here and
reports through signals, which Qt delivers on the GUI thread. Planning,
sampling, voting and the equivalence test are the services' and app.tutor's;
this module only moves them off the GUI thread.

The names the chat widgets need (VoteResult, Sample, Group, Verdict,
CheckPlan) are re-exported from here, so the tutor is imported in one place.
app.services.tutor (the engine's parallel decode, the hardware probe) is
imported on the check's own thread, at its first use: the window's start
does not grow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal

from app.core.errors import BackendError, PonderError
from app.core.types import ChatMessage, GenerateOptions, GenerationControl
from app.services.host import NO_MODEL_MESSAGE, ModelHost
from app.tutor.equivalence import MathJudge as MathJudge
from app.tutor.equivalence import Verdict as Verdict
from app.tutor.vote import CheckPlan as CheckPlan
from app.tutor.vote import Group as Group
from app.tutor.vote import Sample as Sample
from app.tutor.vote import SampleDone, SampleProgress, VoteFinished, VoteUpdate
from app.tutor.vote import VoteResult as VoteResult
from app.ui.threads.model_tasks import Report, TaskFn

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1
"""Token counts go to the GUI at most this often (never once per token)."""


@dataclass(frozen=True)
class CheckRequest:
    """What one "Check this answer" needs.

    Attributes:
        messages: the conversation up to the question (as the reply saw it).
        options: the sampling options of a reply now.
        original: the answer being checked (it is sample 0).
        original_reasoning: its think block (kept with sample 0).
        decode_tps: the original reply's decode speed (0: unknown), for the plan.
    """

    messages: Sequence[ChatMessage]
    options: GenerateOptions
    original: str
    original_reasoning: str = ""
    decode_tps: float = 0.0


def plan_job(host: ModelHost, request: CheckRequest, wanted: int | None,
             max_tokens: int | None) -> TaskFn:
    """A TaskThread job: measure the prompt, then plan the check (services.tutor)."""

    def job(_report: Report, _cancel: threading.Event) -> CheckPlan:
        from app.services.tutor import plan_check

        loaded = host.loaded
        if loaded is None:
            raise BackendError(NO_MODEL_MESSAGE)
        measure = host.measure(request.messages, request.options)
        prompt_tokens = measure.tokens if measure is not None else 0
        return plan_check(loaded, prompt_tokens, wanted, max_tokens,
                          decode_tps=request.decode_tps or None)

    return job


class CheckRun(QThread):
    """Draws the samples of one check and votes (services.tutor.run_check).

    Signals:
        tokens(object): {sample index: tokens so far}, coalesced.
        sample_done(object): a finished Sample.
        vote(object): the VoteResult so far (after each sample).
        finished_vote(object): the final VoteResult (also when stopped).
        failed(str): a sentence for the user.
    """

    tokens = Signal(object)
    sample_done = Signal(object)
    vote = Signal(object)
    finished_vote = Signal(object)
    failed = Signal(str)

    def __init__(self, host: ModelHost, request: CheckRequest, plan: CheckPlan,
                 judge: MathJudge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ponder-check")
        self._host = host
        self._request = request
        self.plan = plan
        self._judge = judge
        self.control = GenerationControl()
        """Stop sets it from the GUI thread (a queued slot would not run while busy)."""

    def stop(self) -> None:
        """Cancel every sample now; the votes in so far are kept."""
        self.control.cancel()

    def run(self) -> None:
        pending: dict[int, int] = {}
        last = 0.0
        request = self._request
        try:
            from app.services.tutor import run_check

            for event in run_check(self._host, request.messages, request.options,
                                   request.original, self.plan, self.control, self._judge,
                                   original_reasoning=request.original_reasoning):
                if isinstance(event, SampleProgress):
                    pending[event.index] = event.tokens
                    now = time.monotonic()
                    if now - last >= PROGRESS_INTERVAL_S:
                        self.tokens.emit(dict(pending))
                        pending.clear()
                        last = now
                    continue
                if pending:
                    self.tokens.emit(dict(pending))
                    pending.clear()
                if isinstance(event, SampleDone):
                    self.sample_done.emit(event.sample)
                elif isinstance(event, VoteUpdate):
                    self.vote.emit(event.result)
                elif isinstance(event, VoteFinished):
                    self.finished_vote.emit(event.result)
                    return
        except PonderError as exc:
            log.warning("answer check failed: %s", exc)
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("answer check crashed")
            self.failed.emit(f"The check stopped with an error ({type(exc).__name__}). "
                             "The details are in the log file; try again.")
            return
        self.failed.emit("The check ended without a result. Try again.")


TIMED_OUT = "timed_out"
UNREADABLE = "unreadable"
MODEL_UNREADABLE = "model_unreadable"
"""Why the judge could not tell (StudentVerdict.reason)."""


@dataclass(frozen=True)
class StudentVerdict:
    """The judge's word on the student's answer.

    Attributes:
        verdict: equivalent, not equivalent or can't tell.
        reason: for can't tell: TIMED_OUT, UNREADABLE (the student's answer is
            not math the judge reads) or MODEL_UNREADABLE; "" otherwise.
    """

    verdict: Verdict
    reason: str = ""


def student_job(judge: MathJudge, gold: str, answer: str) -> TaskFn:
    """A TaskThread job: compare the student's `answer` with the model's `gold` answer."""

    def job(_report: Report, _cancel: threading.Event) -> StudentVerdict:
        was_running = judge.worker_pid is not None
        start = time.monotonic()
        verdict = judge.compare(gold, answer)
        if verdict is not Verdict.CANT_TELL:
            return StudentVerdict(verdict)
        # The first comparison also starts the worker: only a warm one is timed.
        if was_running and time.monotonic() - start >= judge.time_limit_s * 0.9:
            return StudentVerdict(verdict, TIMED_OUT)
        if not judge.parses(answer):
            return StudentVerdict(verdict, UNREADABLE)
        if not judge.parses(gold):
            return StudentVerdict(verdict, MODEL_UNREADABLE)
        return StudentVerdict(verdict, TIMED_OUT)

    return job
