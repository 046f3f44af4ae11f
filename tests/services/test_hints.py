"""Hints mode: the instruction on the latest user turn, the hidden answer, the stored reveal.

Real SQLite; the tiny R1 GGUF for the prompt the engine builds (also when old
turns are dropped to fit).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.types import ChatMessage, GenerateOptions, GenerationControl, Role, SamplingParams
from app.engine.fake import FakeBackend
from app.services.hints import (
    ANSWER_PLACEHOLDER,
    HINT_INSTRUCTION,
    NEXT_HINT_TEXT,
    HintState,
    asks_for_hints,
    hidden_answer,
    hint_messages,
    hint_state,
    hint_view,
    mark_hint_answer,
    reveal,
)
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource
from app.services.replies import ReplyService, conversation_prompt, set_instructions
from app.services.sampling import PRESET_NAMES, resolve_options
from app.store.chat_store import ChatStore
from app.store.settings import Settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChatStore]:
    s = ChatStore(tmp_path / "chats.sqlite3")
    yield s
    s.close()


def _turns() -> list[ChatMessage]:
    return [ChatMessage(Role.USER, "Solve x^2 = 4."),
            ChatMessage(Role.ASSISTANT, "Think about square roots."),
            ChatMessage(Role.USER, "I still do not see it.  ")]


def test_the_instruction_goes_on_the_latest_user_turn_only() -> None:
    turns = _turns()
    hinted = hint_messages(turns)
    assert turns == _turns()  # the input is not changed
    assert hinted[:2] == turns[:2]
    assert hinted[2] == ChatMessage(Role.USER, f"I still do not see it.\n\n{HINT_INSTRUCTION}")
    assert sum(m.content.count(HINT_INSTRUCTION) for m in hinted) == 1
    assert hint_messages(hinted) == hinted  # once, never twice
    # a trailing partial answer (Continue) keeps the instruction on the user turn before it
    partial = [*turns, ChatMessage(Role.ASSISTANT, "First, take")]
    assert hint_messages(partial)[2].content.endswith(HINT_INSTRUCTION)
    assert hint_messages(partial)[3] == partial[3]
    assert hint_messages([]) == []


def test_hints_mode_comes_from_the_preset_or_a_next_hint_turn() -> None:
    assert "hints" in PRESET_NAMES
    assert PRESET_NAMES.index("hints") == PRESET_NAMES.index("math") + 1  # beside Math tutor
    options = resolve_options(SamplingParams(), Settings(preset="hints"))
    assert options.hints and not options.math_mode
    assert not resolve_options(SamplingParams(), Settings(preset="math")).hints
    # a chat's own preset wins over the global one
    assert resolve_options(SamplingParams(), Settings(preset="chat"), {"preset": "hints"}).hints
    assert not asks_for_hints(_turns(), False)
    assert asks_for_hints(_turns(), True)
    assert asks_for_hints([*_turns(), ChatMessage(Role.ASSISTANT, "Hint."),
                           ChatMessage(Role.USER, f" {NEXT_HINT_TEXT} ")], False)


def test_hidden_answer_hides_every_box() -> None:
    text = r"So $x = \boxed{\frac{1}{2}}$ and also \fbox{3}, done."
    shown, hidden = hidden_answer(text)
    assert hidden
    assert shown == f"So $x = {ANSWER_PLACEHOLDER}$ and also {ANSWER_PLACEHOLDER}, done."
    assert "frac" not in shown and "3" not in shown
    assert hidden_answer("No answer here: $x^2$.") == ("No answer here: $x^2$.", False)
    # a box still streaming is hidden up to the end; an escaped brace does not close it
    assert hidden_answer(r"Thus \boxed{\{1, 2") == (f"Thus {ANSWER_PLACEHOLDER}", True)
    assert hidden_answer(r"\boxed{a\}b} tail") == (f"{ANSWER_PLACEHOLDER} tail", True)


def test_hint_view_hides_the_reasoning_until_revealed() -> None:
    view = hint_view(r"The answer is $\boxed{2}$.", "x^2 = 4, so x = 2.", revealed=False)
    assert view.answer_hidden and view.reasoning_hidden and view.has_hidden
    assert "2}" not in view.content
    plain = hint_view("Try factoring.", "", revealed=False)
    assert plain == type(plain)("Try factoring.", False, False) and not plain.has_hidden
    shown = hint_view(r"The answer is $\boxed{2}$.", "x = 2.", revealed=True)
    assert shown.content == r"The answer is $\boxed{2}$." and not shown.has_hidden


def test_hints_state_is_stored_per_message(store: ChatStore, tmp_path: Path) -> None:
    conv = store.create_conversation("Hints")
    set_instructions(store, conv.id, "Be kind.")
    assert hint_state(store, conv.id) == HintState()
    mark_hint_answer(store, conv.id, 7)
    mark_hint_answer(store, conv.id, 9)
    assert reveal(store, conv.id, 9) == HintState(frozenset({7, 9}), frozenset({9}))
    # an id SQLite hands out again (its message was deleted) starts afresh
    assert mark_hint_answer(store, conv.id, 7, is_hint=False) == HintState(frozenset({9}),
                                                                          frozenset({9}))
    mark_hint_answer(store, conv.id, 7)
    store.close()
    reopened = ChatStore(tmp_path / "chats.sqlite3")
    try:
        assert hint_state(reopened, conv.id) == HintState(frozenset({7, 9}), frozenset({9}))
        settings = reopened.get_conversation(conv.id).settings
        assert settings["instructions"] == "Be kind."  # other settings stay
        assert settings["hints"] == {"answers": [7, 9], "revealed": [9]}
        reopened.set_conversation_settings(conv.id, {"hints": {"answers": "bad"}})
        assert hint_state(reopened, conv.id) == HintState()  # a damaged entry is ignored
    finally:
        reopened.close()


def test_the_conversation_prompt_carries_the_instruction(store: ChatStore) -> None:
    backend = FakeBackend("", "Try subtracting 3 from both sides.")
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource()))
    conv = store.create_conversation("Hints")
    service = ReplyService(host, store)
    service.reply_in_conversation(conv.id, "Solve 2x + 3 = 7.", GenerateOptions(hints=True),
                                  GenerationControl())
    assert backend.calls[0][-1].content == f"Solve 2x + 3 = 7.\n\n{HINT_INSTRUCTION}"
    # the stored turn is what the user typed
    assert store.active_path(conv.id)[0].content == "Solve 2x + 3 = 7."
    # a Next hint turn gets it even when the preset changed meanwhile
    service.reply_in_conversation(conv.id, NEXT_HINT_TEXT, GenerateOptions(),
                                  GenerationControl())
    sent = backend.calls[1]
    assert sent[0].content == "Solve 2x + 3 = 7."
    assert sent[-1].content == f"{NEXT_HINT_TEXT}\n\n{HINT_INSTRUCTION}"
    # outside hints mode nothing is added
    plain = conversation_prompt(store, conv.id, store.active_path(conv.id)[:1])
    assert plain == [ChatMessage(Role.USER, "Solve 2x + 3 = 7.")]


@pytest.mark.slow
def test_r1_keeps_the_instruction_when_old_turns_are_dropped(tiny_r1_gguf: Path) -> None:
    host = ModelHost()
    host.load(ModelSource(path=tiny_r1_gguf), Settings(n_ctx=256, n_gpu_layers=0, n_threads=1))
    try:
        loaded = host.loaded
        assert loaded is not None
        prompts: Any = loaded.backend.prompts  # type: ignore[attr-defined]
        turns: list[ChatMessage] = []
        for i in range(30):
            turns += [ChatMessage(Role.USER, f"Question number {i}?"),
                      ChatMessage(Role.ASSISTANT, f"Answer {i}.")]
        turns.append(ChatMessage(Role.USER, "And the last one?"))
        fitted = prompts.fit(hint_messages(turns), 256, 16)
    finally:
        host.unload()
    text = fitted.prompt.text
    assert fitted.dropped_messages > 0 and "Question number 0?" not in text
    assert text.count(HINT_INSTRUCTION) == 1
    assert f"And the last one?\n\n{HINT_INSTRUCTION}<｜Assistant｜>" in text


def test_an_exported_and_imported_conversation_keeps_its_hints(store: ChatStore,
                                                              tmp_path: Path) -> None:
    from app.services.hints import carry_hints
    from app.store.exchange import export_json, parse_json_file

    conv = store.create_conversation("Hints")
    q1 = store.add_message(conv.id, None, "user", "Solve 2x = 4.")
    a1 = store.add_message(conv.id, q1.id, "assistant", "Divide by 2: \\boxed{2}")
    q2 = store.add_message(conv.id, a1.id, "user", "Next hint, please.")
    a2 = store.add_message(conv.id, q2.id, "assistant", "So x = \\boxed{2}")
    mark_hint_answer(store, conv.id, a1.id)
    mark_hint_answer(store, conv.id, a2.id)
    reveal(store, conv.id, a2.id)
    path = tmp_path / "hints.json"
    path.write_text(export_json(store, conv.id), encoding="utf-8")
    tree = parse_json_file(path)
    copy = store.insert_tree(tree)
    carry_hints(store, copy.id, tree)
    answers = [m.id for m in store.active_path(copy.id) if m.role == "assistant"]
    assert set(answers).isdisjoint({a1.id, a2.id})  # new messages, new ids
    assert hint_state(store, copy.id) == HintState(frozenset(answers), frozenset({answers[1]}))
    assert hint_state(store, conv.id) == HintState(frozenset({a1.id, a2.id}),
                                                   frozenset({a2.id}))  # untouched
