"""Formulas rendered on a worker thread, so new math never blocks the GUI.

ziamath is pure Python and takes 10-130 ms for a formula it has not drawn
before: on the GUI thread that is a visible stall per formula (while a reply
streams, and when a chat with many formulas opens). Views render with
`defer_math`, which shows such formulas as grey source and lists them in
`RenderedPiece.pending`; `MathQueue.submit` hands them to one long-lived
worker thread that fills the shared formula cache. When a job is done the
queue emits `formulas_ready` on the GUI thread and the waiting views render
their segment again, now from the cache (about a millisecond).

The same thread also runs the renderer's warm-up at start (imports, fonts,
lexer tables), so warm-up and formulas never fight each other for the GIL.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_Job = Callable[[], None]


class MathQueue(QObject):
    """One worker thread that renders deferred formulas and warms the renderer up.

    The worker is a daemon thread (it holds no resources worth closing), so
    quitting the app never waits for a formula.

    Signals:
        formulas_ready(): a job finished; views with pending formulas should
            check the cache and render again. Delivered on the GUI thread.
    """

    formulas_ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[tuple[_Job, tuple[object, ...]]] = queue.Queue()
        self._lock = threading.Lock()
        self._in_flight: set[object] = set()
        self._idle = threading.Event()
        self._idle.set()
        self._pending_jobs = 0
        self._is_warming = False
        self.jobs_done = 0
        """How many jobs the worker finished (tests and benchmarks read it)."""
        self._thread = threading.Thread(target=self._run, name="ponder-math", daemon=True)
        self._thread.start()

    def submit(self, pending: tuple[object, ...]) -> bool:
        """Render `pending` formulas on the worker; those already queued are skipped.

        Args:
            pending: `RenderedPiece.pending` of a segment.

        Returns:
            Whether a new job was queued.
        """
        with self._lock:
            new = tuple(f for f in pending if f not in self._in_flight)
            self._in_flight.update(new)
        if not new:
            return False
        from app.ui.chat import render_bridge

        self._put(lambda: render_bridge.render_pending(new), new)
        return True

    def warm_up(self) -> None:
        """Import the renderer and build its caches on the worker (~1-2 s); once."""
        if self._is_warming:
            return
        self._is_warming = True
        from app.ui.chat import math_metrics

        math_metrics.current()  # font metrics are measured here, on the GUI thread

        def job() -> None:
            from app.ui.chat import render_bridge

            render_bridge.warm_up()

        self._put(job, ())

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Block until every queued job is done (tests, benchmarks).

        Returns:
            False when `timeout_s` passed first.
        """
        return self._idle.wait(timeout_s)

    def _put(self, job: _Job, formulas: tuple[object, ...]) -> None:
        with self._lock:
            self._pending_jobs += 1
            self._idle.clear()
        self._jobs.put((job, formulas))

    def _run(self) -> None:
        while True:
            job, formulas = self._jobs.get()
            try:
                job()
            except Exception:  # a broken formula must not end the worker
                log.exception("background rendering failed")
            with self._lock:
                self._in_flight.difference_update(formulas)
                self._pending_jobs -= 1
                self.jobs_done += 1
                if self._pending_jobs == 0:
                    self._idle.set()
            # Emitted from this thread: Qt queues it to the GUI thread.
            self.formulas_ready.emit()


_queue: MathQueue | None = None


def math_queue() -> MathQueue:
    """The app's one MathQueue (created on first use, on the GUI thread)."""
    global _queue
    if _queue is None:
        _queue = MathQueue()
    return _queue


def warm_up_renderer() -> None:
    """Import the markdown/math renderer in the background (~1-2 s of imports).

    The first message shown would otherwise pay for it on the GUI thread. It
    runs on the math thread, ahead of any formula.
    """
    math_queue().warm_up()
