"""A conversation's standing instructions reach the model (real SQLite; real tiny R1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.types import (
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
)
from app.engine.fake import FakeBackend
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource
from app.services.replies import (
    INSTRUCTIONS_KEY,
    ReplyService,
    instructions_of,
    set_instructions,
    with_instructions,
)
from app.store.chat_store import ChatStore
from app.store.settings import Settings

INSTRUCTION = "Always answer in French and show every step."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChatStore]:
    s = ChatStore(tmp_path / "chats.sqlite3")
    yield s
    s.close()


def test_instructions_are_stored_with_the_conversation(store: ChatStore, tmp_path: Path) -> None:
    conv = store.create_conversation("French")
    store.set_conversation_settings(conv.id, {"overrides": {"temperature": 0.3}})
    set_instructions(store, conv.id, f"  {INSTRUCTION}\n")
    store.close()
    reopened = ChatStore(tmp_path / "chats.sqlite3")
    try:
        settings = reopened.get_conversation(conv.id).settings
        assert settings[INSTRUCTIONS_KEY] == INSTRUCTION
        assert settings["overrides"] == {"temperature": 0.3}  # other settings stay
        assert instructions_of(reopened, conv.id) == INSTRUCTION
        set_instructions(reopened, conv.id, "   ")
        assert INSTRUCTIONS_KEY not in reopened.get_conversation(conv.id).settings
        assert instructions_of(reopened, conv.id) == ""
    finally:
        reopened.close()


def test_with_instructions_leads_with_a_system_message() -> None:
    turns = [ChatMessage(Role.USER, "Hi")]
    assert with_instructions("", turns) == turns
    assert with_instructions(" Be brief. ", turns) == [ChatMessage(Role.SYSTEM, "Be brief."),
                                                       *turns]


def test_the_fake_model_gets_the_instructions_first(store: ChatStore) -> None:
    backend = FakeBackend("", "Quatre.")
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource()))
    conv = store.create_conversation("French")
    set_instructions(store, conv.id, INSTRUCTION)
    ReplyService(host, store).reply_in_conversation(conv.id, "What is 2 + 2?",
                                                    GenerateOptions(), GenerationControl())
    assert backend.calls[0] == [ChatMessage(Role.SYSTEM, INSTRUCTION),
                                ChatMessage(Role.USER, "What is 2 + 2?")]
    # a conversation without instructions sends no system message
    other = store.create_conversation("Plain")
    ReplyService(host, store).reply_in_conversation(other.id, "Hi", GenerateOptions(),
                                                    GenerationControl())
    assert backend.calls[1] == [ChatMessage(Role.USER, "Hi")]


@pytest.mark.slow
def test_r1_gets_the_instructions_inside_the_first_user_turn(store: ChatStore,
                                                             tiny_r1_gguf: Path) -> None:
    host = ModelHost()
    host.load(ModelSource(path=tiny_r1_gguf), Settings(n_ctx=512, n_gpu_layers=0, n_threads=1))
    try:
        loaded = host.loaded
        assert loaded is not None
        prompts: Any = loaded.backend.prompts  # type: ignore[attr-defined]
        rendered: list[str] = []
        build = prompts.build

        def spy(prepared: Any) -> Any:
            built = build(prepared)
            rendered.append(built.text)
            return built

        prompts.build = spy
        conv = store.create_conversation("French")
        set_instructions(store, conv.id, INSTRUCTION)
        options = GenerateOptions(sampling=SamplingParams(max_tokens=4, temperature=0.0))
        ReplyService(host, store).reply_in_conversation(conv.id, "What is 2 + 2?", options,
                                                        GenerationControl())
        ReplyService(host, store).reply_in_conversation(conv.id, "And 3 + 3?", options,
                                                        GenerationControl())
    finally:
        host.unload()
    first, second = rendered[0], rendered[-1]
    user = "<｜User｜>"
    # R1 takes no system prompt: the instructions open the first user turn
    assert f"{user}{INSTRUCTION}\n\nWhat is 2 + 2?" in first
    assert first.index(INSTRUCTION) > first.index(user)
    assert first.endswith("<｜Assistant｜><think>\n")
    # later turns: still once, still inside the first user turn, not in the new one
    assert second.count(INSTRUCTION) == 1
    assert f"{user}{INSTRUCTION}\n\nWhat is 2 + 2?" in second
    assert f"{user}And 3 + 3?" in second


@pytest.mark.slow
def test_r1_keeps_the_instructions_when_old_turns_are_dropped(tiny_r1_gguf: Path) -> None:
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
        fitted = prompts.fit(with_instructions(INSTRUCTION, turns), 256, 16)
        options = GenerateOptions(sampling=SamplingParams(max_tokens=16))
        measure = host.measure(with_instructions(INSTRUCTION, turns), options)
    finally:
        host.unload()
    text = fitted.prompt.text
    assert fitted.dropped_messages > 0 and "Question number 0?" not in text
    assert measure is not None and measure.dropped_messages == fitted.dropped_messages
    # the instructions open the first turn kept, once
    assert text.count(INSTRUCTION) == 1
    first_user = text.index("<｜User｜>")
    assert text[first_user:].startswith(f"<｜User｜>{INSTRUCTION}\n\nQuestion number ")
    assert "And the last one?" in text and len(fitted.prompt.tokens) <= 256
