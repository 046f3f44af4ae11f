"""GenerationControl: flags and cancel callbacks across threads."""

from __future__ import annotations

import threading

from app.core.types import GenerationControl


def test_cancel_runs_registered_callbacks_once() -> None:
    control = GenerationControl()
    calls: list[str] = []
    control.call_on_cancel(lambda: calls.append("a"))
    control.call_on_cancel(lambda: calls.append("b"))
    assert calls == [] and not control.is_cancelled
    worker = threading.Thread(target=control.cancel)
    worker.start()
    worker.join()
    assert control.is_cancelled and calls == ["a", "b"]
    control.cancel()  # a second cancel does not repeat them
    assert calls == ["a", "b"]


def test_a_callback_registered_after_cancel_runs_at_once() -> None:
    control = GenerationControl()
    control.cancel()
    calls: list[int] = []
    control.call_on_cancel(lambda: calls.append(1))
    assert calls == [1]
