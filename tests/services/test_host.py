"""The model host: one owner, one queue, a fairness rule, cancel while waiting."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    StopReason,
)
from app.services.host import ModelHost, Priority
from app.services.loading import ModelLoader, ModelSource
from app.store.settings import Settings
from tests.services.recording import RecordingBuilder

USER = [ChatMessage(Role.USER, "Hi")]


def _host(tmp_path: Path) -> tuple[ModelHost, RecordingBuilder]:
    builder = RecordingBuilder()
    host = ModelHost(ModelLoader(builder))
    host.load(ModelSource(path=tmp_path / "a.gguf"), Settings(n_gpu_layers=0))
    return host, builder


def test_swap_closes_the_old_model(tmp_path: Path) -> None:
    host, _ = _host(tmp_path)
    first = host.loaded
    assert first is not None
    host.load(ModelSource(path=tmp_path / "b.gguf"), Settings(n_gpu_layers=0))
    assert first.backend.is_closed  # type: ignore[attr-defined]
    assert host.info is not None and host.info.model_name == "b.gguf"
    host.unload()
    assert host.info is None


def test_no_model_is_a_clear_error(tmp_path: Path) -> None:
    host = ModelHost(ModelLoader(RecordingBuilder()))
    try:
        list(host.stream(USER, GenerateOptions(), GenerationControl()))
    except Exception as exc:
        assert "No model is loaded" in str(exc)
    else:
        raise AssertionError("a reply without a model must fail")


def test_background_requests_are_not_starved(tmp_path: Path) -> None:
    host, _ = _host(tmp_path)
    order: list[str] = []
    release = threading.Event()

    def hold() -> None:
        with host.turn(Priority.INTERACTIVE):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    while len(host.turns_served) < 2:  # the load, then the holder
        time.sleep(0.01)

    def ask(name: str, priority: Priority) -> None:
        with host.turn(priority):
            order.append(name)

    threads: list[threading.Thread] = []
    queued = [("api0", Priority.BACKGROUND), ("api1", Priority.BACKGROUND)]
    queued += [(f"win{i}", Priority.INTERACTIVE) for i in range(4)]
    for count, (name, priority) in enumerate(queued, start=1):
        t = threading.Thread(target=ask, args=(name, priority))
        t.start()
        threads.append(t)
        while host.waiting < count:
            time.sleep(0.01)
    release.set()
    for t in [holder, *threads]:
        t.join(5)
    # The load and the holder were two interactive turns in a row, so the
    # oldest API request goes next; then the window gets two turns, then the
    # next API request, then the window again.
    assert order == ["api0", "win0", "win1", "api1", "win2", "win3"]


def test_cancel_while_waiting_leaves_the_queue(tmp_path: Path) -> None:
    host, _ = _host(tmp_path)
    control = GenerationControl()
    events: list[object] = []
    with host.turn():
        worker = threading.Thread(
            target=lambda: events.extend(host.stream(USER, GenerateOptions(), control,
                                                     Priority.BACKGROUND)))
        worker.start()
        while host.waiting < 1:
            time.sleep(0.01)
        control.cancel()
        worker.join(5)
        assert not worker.is_alive()
    assert host.waiting == 0
    assert len(events) == 1
    finished = events[0]
    assert isinstance(finished, Finished)
    assert finished.stats.stop_reason is StopReason.CANCELLED


def test_replies_take_turns_and_all_complete(tmp_path: Path) -> None:
    host, _ = _host(tmp_path)
    results: list[Finished] = []

    def ask() -> None:
        for event in host.stream(USER, GenerateOptions(), GenerationControl(),
                                 Priority.BACKGROUND):
            if isinstance(event, Finished):
                results.append(event)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert [r.answer for r in results] == ["ok"] * 4
