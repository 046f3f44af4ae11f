"""GUI responsiveness: formulas off the GUI thread, no import waits, coalesced renders."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from app.render.math_images import MathRenderer
from app.ui.chat import markdown_view
from app.ui.chat.markdown_view import CodeBlock, MarkdownView
from app.ui.chat.math_queue import math_queue, warm_up_renderer
from tests.ui.helpers import ANSWER, Rig, adopted, fake, make_rig


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    warm_up_renderer()
    assert math_queue().wait_idle(60)
    r = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(r.window)
    yield r
    r.close()


def _browsers(view: MarkdownView) -> list[QTextBrowser]:
    return [w for w in view.findChildren(QTextBrowser)
            if not isinstance(w.parent(), CodeBlock)]


def test_new_formulas_render_on_the_math_thread(qtbot: QtBot, rig: Rig,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    original = MathRenderer._render_uncached

    def spy(self: MathRenderer, tex: str, display: bool, style: object) -> object:
        threads.append(threading.current_thread().name)
        return original(self, tex, display, style)  # type: ignore[arg-type]

    monkeypatch.setattr(MathRenderer, "_render_uncached", spy)
    # Numbers no earlier test has drawn, so nothing is cached.
    a, b = random.randrange(10**6, 10**7), random.randrange(10**6, 10**7)
    store = rig.store
    conv = store.create_conversation("math")
    user = store.add_message(conv.id, None, "user", "Fractions?")
    store.add_message(conv.id, user.id, "assistant",
                      f"First $\\frac{{{a}}}{{7}}$, then\n\n$$\\sqrt{{{b}}}$$\n\nDone.")
    rig.controller.open_conversation(conv.id)
    body = rig.window.chat_view.message_widgets[-1].body
    shown = " ".join(b.toPlainText() for b in _browsers(body))
    assert str(a) in shown and str(b) in shown  # the source, in grey, at once
    assert body.has_pending_math
    qtbot.waitUntil(lambda: not body.has_pending_math, timeout=20000)
    html = " ".join(b.toHtml() for b in _browsers(body))
    assert html.count("math:") >= 2
    assert str(a) not in " ".join(b.toPlainText() for b in _browsers(body))
    assert threads and set(threads) == {"ponder-math"}


def test_text_shows_plain_until_the_renderer_is_imported(
        qtbot: QtBot, rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_view, "is_renderer_ready", lambda: False)
    view = MarkdownView()
    qtbot.addWidget(view)
    view.set_markdown("Some **bold** words.\n\n```python\nprint(1)\n```\n")
    (prose,) = _browsers(view)
    assert "**bold**" in prose.toPlainText()  # plain text, no waiting for imports
    assert view.has_pending_math
    monkeypatch.setattr(markdown_view, "is_renderer_ready", lambda: True)
    math_queue().formulas_ready.emit()  # what the math thread says after warm-up
    assert not view.has_pending_math
    assert "**" not in prose.toPlainText() and "bold" in prose.toPlainText()
    (block,) = view.findChildren(CodeBlock)
    assert "color" in block.browser.toHtml()  # highlighted now


def test_batches_that_queue_up_are_shown_by_one_render(qtbot: QtBot, rig: Rig) -> None:
    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: fake(delay_s=0.002)))
    batches: list[int] = []
    renders: list[int] = []
    rig.client.token_batch_ready.connect(lambda rid, _r, _a: batches.append(rid))
    rig.controller.reply_updated.connect(renders.append)
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.send("go")
        time.sleep(1.0)  # a busy GUI thread: the whole reply queues up meanwhile
    assert len(batches) >= 5
    assert len(renders) <= 2  # not one render per queued batch
    assert rig.window.chat_view.message_widgets[-1].body.text == ANSWER


def test_renders_while_streaming_are_spaced_by_the_throttle(qtbot: QtBot, rig: Rig) -> None:
    from app.ui.chat.streaming_reply import STREAM_RENDER_INTERVAL_S

    with qtbot.waitSignal(rig.controller.model_changed, timeout=5000):
        rig.controller.load_model(adopted(lambda: fake(delay_s=0.003)))
    times: list[float] = []
    rig.controller.reply_updated.connect(lambda _mid: times.append(time.perf_counter()))
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=15000):
        rig.controller.send("go")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 3
    # QTimer may fire a millisecond early; never two renders in one interval.
    assert min(gaps) >= STREAM_RENDER_INTERVAL_S - 0.003


def test_a_streaming_prose_segment_renders_only_its_tail(
        qtbot: QtBot, rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.render import stream as stream_module

    parsed: list[int] = []
    real = stream_module.parser

    class Spy:
        def __init__(self, streaming: bool) -> None:
            self._md = real(streaming)
            self.options = self._md.options
            self.renderer = self._md.renderer

        def parse(self, text: str, env: dict[str, object]) -> object:
            parsed.append(len(text))
            return self._md.parse(text, env)

    monkeypatch.setattr(stream_module, "parser", Spy)
    view = MarkdownView()
    qtbot.addWidget(view)
    text = "\n\n".join(f"Step {n}: the sum so far is **{n * n}**." for n in range(120))
    for end in range(0, len(text), 60):
        view.set_markdown(text[: end + 60], is_streaming=True)
    assert view.tail_renderer is not None
    assert len(text) > 4000 and max(parsed[-20:]) < 200  # one paragraph, not the segment
    view.set_markdown(text)  # the reply ended: one full render, no tail renderer left
    assert view.tail_renderer is None
    (prose,) = _browsers(view)
    shown = prose.toPlainText()
    assert "Step 0:" in shown and "Step 119: the sum so far is 14161." in shown
    assert "**" not in shown
