"""The engine worker thread with the scripted FakeBackend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.errors import BackendError
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    NoticeKind,
    Role,
    StopReason,
)
from app.engine.fake import FakeBackend
from app.ui.threads.worker import EngineClient
from tests.ui.helpers import adopted

USER = [ChatMessage(Role.USER, "What is 2+2?")]


@pytest.fixture
def client() -> Iterator[EngineClient]:
    engine = EngineClient(batch_interval_s=0.03)
    yield engine
    engine.shutdown()
    assert not engine.engine_thread.isRunning()


def _load(qtbot: QtBot, client: EngineClient, backend: FakeBackend) -> None:
    with qtbot.waitSignal(client.model_loaded, timeout=5000) as blocker:
        client.adopt(adopted(lambda: backend))
    assert blocker.args is not None and blocker.args[0].model_name == backend.info.model_name


def test_stream_arrives_in_batches_and_adds_up(qtbot: QtBot, client: EngineClient) -> None:
    backend = FakeBackend("Let me add. " * 20, "The answer is \\boxed{4}.", chunk_chars=3,
                          delay_s=0.002)
    _load(qtbot, client, backend)
    batches: list[tuple[int, str, str]] = []
    client.token_batch_ready.connect(lambda *args: batches.append(args))
    with qtbot.waitSignal(client.finished, timeout=10000) as blocker:
        rid = client.generate(USER, GenerateOptions())
    finished = blocker.args[1]
    assert isinstance(finished, Finished)
    assert blocker.args[0] == rid
    reasoning = "".join(b[1] for b in batches)
    answer = "".join(b[2] for b in batches)
    assert reasoning == "Let me add. " * 20
    assert answer == "The answer is \\boxed{4}."
    assert finished.boxed == "4"
    tokens = -(-len(reasoning) // 3) + -(-len(answer) // 3)
    # Coalesced: far fewer batches than tokens, but more than one.
    assert 1 < len(batches) < tokens / 2
    assert all(b[0] == rid for b in batches)
    assert backend.calls == [USER]


def test_cancel_from_gui_thread_stops_a_busy_worker(qtbot: QtBot, client: EngineClient) -> None:
    backend = FakeBackend("", "word " * 2000, chunk_chars=5, delay_s=0.005)
    _load(qtbot, client, backend)
    with qtbot.waitSignal(client.token_batch_ready, timeout=5000):
        client.generate(USER, GenerateOptions())
    with qtbot.waitSignal(client.finished, timeout=5000) as blocker:
        client.cancel()
    finished = blocker.args[1]
    assert finished.stats.stop_reason is StopReason.CANCELLED
    assert 0 < len(finished.answer) < len("word " * 2000)
    with qtbot.assertNotEmitted(client.token_batch_ready, wait=200):
        pass


def test_answer_now_and_notices_reach_the_gui(qtbot: QtBot, client: EngineClient) -> None:
    backend = FakeBackend("hmm " * 3000, "Done.", chunk_chars=4, delay_s=0.002)
    _load(qtbot, client, backend)
    notices: list[tuple[int, str, str]] = []
    client.notice.connect(lambda *args: notices.append(args))
    with qtbot.waitSignal(client.notice, timeout=5000):
        client.generate(USER, GenerateOptions())
    with qtbot.waitSignal(client.finished, timeout=5000) as blocker:
        client.answer_now()
    assert blocker.args[1].answer == "Done."
    kinds = [n[1] for n in notices]
    assert kinds == [NoticeKind.REASONING_LOOP.value, NoticeKind.ANSWER_NOW.value]


def test_backend_error_becomes_failed_with_message(qtbot: QtBot, client: EngineClient) -> None:
    error = BackendError("The server went away. Check it and try again.")
    backend = FakeBackend("", "partial answer", chunk_chars=2, error=error, error_after_chunks=3)
    _load(qtbot, client, backend)
    with qtbot.waitSignal(client.failed, timeout=5000) as blocker:
        client.generate(USER, GenerateOptions())
    assert blocker.args[1] == str(error)


def test_generate_without_model_fails_clearly(qtbot: QtBot, client: EngineClient) -> None:
    with qtbot.waitSignal(client.failed, timeout=5000) as blocker:
        client.generate(USER, GenerateOptions())
    assert "No model is loaded" in blocker.args[1]


def test_load_failure_is_reported(qtbot: QtBot, client: EngineClient) -> None:
    def broken() -> FakeBackend:
        raise ValueError("Failed to load model from file")

    with qtbot.waitSignal(client.load_failed, timeout=5000) as blocker:
        client.adopt(adopted(broken))
    assert "could not be loaded" in blocker.args[0]
    assert "GGUF" in blocker.args[0]


def test_new_load_closes_the_old_backend_on_the_worker(qtbot: QtBot,
                                                        client: EngineClient) -> None:
    first = FakeBackend("", "a", model_name="first")
    second = FakeBackend("", "b", model_name="second")
    _load(qtbot, client, first)
    _load(qtbot, client, second)
    assert first.is_closed and not second.is_closed


def test_shutdown_waits_for_a_busy_worker_instead_of_aborting(qtbot: QtBot) -> None:
    import time

    engine = EngineClient(batch_interval_s=0.03)

    def slow_load() -> FakeBackend:
        time.sleep(0.6)  # a model load cannot be interrupted
        return FakeBackend("", "ok")

    engine.adopt(adopted(slow_load))
    qtbot.wait(100)  # the worker is inside the load now
    started = time.monotonic()
    engine.shutdown(timeout_ms=50)
    assert not engine.engine_thread.isRunning()
    assert time.monotonic() - started >= 0.3
