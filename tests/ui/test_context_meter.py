"""The live context meter in the status bar, and the divider where the model stops reading.

Fast cases run on the scripted FakeBackend (its measure counts characters);
the trimming and "no reasoning counted" cases run through real llama.cpp with
the tiny R1-shaped model and a 256-token context, measured by the window's
own ModelHost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.types import ChatMessage, GenerateOptions, PromptMeasure, SamplingParams
from app.engine.fake import FakeBackend
from app.services.loading import ModelSource
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus
from app.store.settings import Settings
from app.ui.shell.context_meter import ContextMeter
from tests.ui.helpers import ANSWER, REASONING, Rig, adopted, make_rig, snap


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def _conversation(store: ChatStore, turns: int, reasoning: str = "", words: int = 12) -> int:
    cid = store.create_conversation("Long chat").id
    for i in range(turns):
        user = store.add_user_message(cid, f"Question {i}: " + "why is that so " * words)
        reply = store.start_reply(user.id, model="test")
        store.append_stream(reply.id, reasoning, f"Answer {i}: " + "because it is " * words)
        store.finish_stream(reply.id, MessageStatus.COMPLETE)
    return cid


def _meter(rig: Rig, options: GenerateOptions | None = None) -> ContextMeter:
    return ContextMeter(rig.controller, lambda: options or GenerateOptions())


def _load(qtbot: QtBot, rig: Rig, backend: FakeBackend) -> None:
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: backend))


def _open(qtbot: QtBot, rig: Rig, meter: ContextMeter, cid: int) -> PromptMeasure:
    with qtbot.waitSignal(meter.measured, timeout=10000) as got:
        rig.controller.open_conversation(cid)
    measure = got.args[0]
    assert isinstance(measure, PromptMeasure)
    return measure


def _used(rig: Rig) -> int:
    text = rig.window.status.context_label.text()  # "Context 1,234 / 4,096"
    return int(text.split()[1].replace(",", ""))


def test_meter_updates_on_switch_while_streaming_and_warns_at_80_percent(
        qtbot: QtBot, rig: Rig, screenshot_dir: Path) -> None:
    backend = FakeBackend(REASONING, ANSWER, chunk_chars=4, delay_s=0.002, n_ctx=2048)
    meter = _meter(rig)
    _load(qtbot, rig, backend)
    short = _conversation(rig.store, 2)
    long = _conversation(rig.store, 18)
    status = rig.window.status
    # Right after switching chats, before anything is sent.
    small = _open(qtbot, rig, meter, short)
    assert _used(rig) == small.tokens > 0
    big = _open(qtbot, rig, meter, long)
    assert big.tokens > small.tokens and _used(rig) == big.tokens
    assert big.fraction >= 0.8 and status.is_context_warning
    snap(status, screenshot_dir / "status_context_warning.png")
    assert "font-weight: 600" in status.context_label.styleSheet()
    small_again = _open(qtbot, rig, meter, short)
    assert small_again.tokens == small.tokens and not status.is_context_warning
    assert status.context_label.styleSheet() == ""
    snap(status, screenshot_dir / "status_context_normal.png")
    # When the prompt is built, then while the reply streams: prompt + reply tokens.
    seen: list[int] = []
    rig.controller.client.progress.connect(lambda *_: seen.append(_used(rig)))
    with qtbot.waitSignal(meter.measured, timeout=10000) as built:
        rig.controller.send("And one more question?")
    prompt = built.args[0]
    assert prompt.tokens > small.tokens  # the new question is in the prompt
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=20000):
        pass
    growing = [n for n in seen if n > prompt.tokens]
    assert len(set(growing)) >= 3 and growing == sorted(growing)
    # After the reply: the next prompt, whose history keeps only the answer.
    qtbot.waitUntil(lambda: meter.last is not None and meter.last is not prompt, timeout=5000)
    after = meter.last
    assert after is not None and after.tokens > prompt.tokens
    assert _used(rig) == after.tokens


def test_measure_runs_off_the_gui_thread_and_stale_results_are_dropped(
        qtbot: QtBot, rig: Rig) -> None:
    threads: list[str] = []
    backend = FakeBackend("", "ok", n_ctx=4096)

    def slow_measure(messages: Sequence[ChatMessage], options: GenerateOptions
                     ) -> PromptMeasure | None:
        threads.append(threading.current_thread().name)
        time.sleep(0.2 if len(messages) > 10 else 0.0)  # the long chat answers last
        return backend.measure_prompt(messages, options)

    meter = ContextMeter(rig.controller, GenerateOptions, slow_measure)
    _load(qtbot, rig, backend)
    long = _conversation(rig.store, 8)
    short = _conversation(rig.store, 1)
    started = time.perf_counter()
    rig.controller.open_conversation(long)
    assert time.perf_counter() - started < 0.15  # the GUI did not wait for the 0.2 s measure
    with qtbot.waitSignal(meter.measured, timeout=5000) as got:
        rig.controller.open_conversation(short)
    qtbot.wait(400)  # the long chat's result arrives now, and must not be shown
    assert meter.last is got.args[0]
    assert _used(rig) == got.args[0].tokens
    assert threads and all(name.startswith("ponder-measure") for name in threads)
    meter.shutdown()


@pytest.fixture
def r1_rig(qtbot: QtBot, rig: Rig, tiny_r1_gguf: Path) -> Rig:
    with qtbot.waitSignal(rig.controller.model_changed, timeout=60000):
        rig.client.load(ModelSource(path=tiny_r1_gguf),
                        Settings(n_ctx=256, n_gpu_layers=0, n_threads=1))
    return rig


@pytest.mark.slow
def test_history_reasoning_is_not_counted(qtbot: QtBot, r1_rig: Rig) -> None:
    options = GenerateOptions(sampling=SamplingParams(max_tokens=16))
    meter = _meter(r1_rig, options)
    plain = _open(qtbot, r1_rig, meter, _conversation(r1_rig.store, 2, words=2))
    thought = _open(qtbot, r1_rig, meter, _conversation(r1_rig.store, 2, "let me think " * 30,
                                                          words=2))
    assert not plain.is_estimate and plain.n_ctx == 256
    assert thought.tokens == plain.tokens
    assert r1_rig.window.chat_view.trim_divider.isHidden()


@pytest.mark.slow
def test_trimmed_chat_shows_the_divider_above_the_first_message_read(
        qtbot: QtBot, r1_rig: Rig, screenshot_dir: Path) -> None:
    options = GenerateOptions(sampling=SamplingParams(max_tokens=16))
    meter = _meter(r1_rig, options)
    cid = _conversation(r1_rig.store, 6, words=6)
    measure = _open(qtbot, r1_rig, meter, cid)
    assert measure.dropped_messages > 0 and measure.tokens <= 256
    view = r1_rig.window.chat_view
    path = r1_rig.store.active_path(cid)
    first_read = path[measure.dropped_messages]
    divider = view.trim_divider
    qtbot.waitUntil(divider.isVisible, timeout=3000)
    layout = view.widget().layout()
    assert layout.indexOf(divider) + 1 == layout.indexOf(view.widget_for(first_read.id))
    assert str(measure.dropped_messages) in divider.label.text()
    r1_rig.controller.refresh_sidebar()
    view._is_following = False  # stay at the divider for the screenshot
    qtbot.wait(50)
    view.ensureWidgetVisible(divider, 0, 120)
    snap(r1_rig.window, screenshot_dir / "chat_trim_divider.png")
    # A short chat has no divider.
    _open(qtbot, r1_rig, meter, _conversation(r1_rig.store, 1, words=1))
    assert divider.isHidden()


def test_unknown_context_size_shows_only_the_token_count(qtbot: QtBot, rig: Rig) -> None:
    # A server that does not say its context size reports n_ctx 0.
    backend = FakeBackend(REASONING, ANSWER, n_ctx=0)
    meter = _meter(rig)
    _load(qtbot, rig, backend)
    measure = _open(qtbot, rig, meter, _conversation(rig.store, 18))
    status = rig.window.status
    assert measure.tokens > 0
    assert status.context_label.text() == f"Context {measure.tokens:,}"  # no "/ 0"
    assert not status.is_context_warning and status.context_label.styleSheet() == ""
