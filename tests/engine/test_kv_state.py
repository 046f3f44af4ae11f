"""Conversation states on the real SmolLM2 GGUF: restored = evaluated from scratch.

Greedy decoding is deterministic, so a restored state that differed in any
cell would show as different tokens within a few steps. Every reply is
compared with the same prompt evaluated from an empty cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Role,
    SamplingParams,
)
from app.engine.kv_files import SavedState, state_files, write_state
from app.engine.kv_state import ConversationMemory
from app.engine.local import LocalBackend

pytestmark = pytest.mark.slow

STEPS = 16
GREEDY = SamplingParams(temperature=0.0, max_tokens=STEPS, seed=3)
ROME = [ChatMessage(Role.USER, "Tell me about the history of Rome, from its founding "
                    "to the fall of the western empire, in some detail. " * 2)]
SEA = [ChatMessage(Role.USER, "Why is the sea salty? Explain it to a child.")]


def _load(path: Path, folder: Path | None = None, n_ctx: int = 1024) -> LocalBackend:
    backend = LocalBackend(LoadParams(model_path=path, n_ctx=n_ctx, n_threads=2))
    if folder is not None:
        backend.memory.use_folder(folder)
    return backend


def _reply(backend: LocalBackend, messages: list[ChatMessage],
           key: str | None) -> tuple[Finished, list[int]]:
    finished = None
    options = GenerateOptions(sampling=GREEDY, conversation=key)
    for event in backend.generate(messages, options, GenerationControl()):
        if isinstance(event, Finished):
            finished = event
    assert finished is not None
    return finished, backend.context_tokens


@pytest.fixture(scope="module")
def scratch(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = _load(smollm2_path)
    yield backend
    backend.close()


def _from_scratch(backend: LocalBackend, messages: list[ChatMessage]) -> list[int]:
    backend.memory.before("scratch-reset", [])  # owner change; nothing saved under it
    backend._kv.start([0], 1)  # drop every cached cell: the next prompt is evaluated whole
    finished, tokens = _reply(backend, messages, None)
    assert finished.stats.evaluated_tokens == finished.stats.prompt_tokens
    return tokens


def _next_turn(first: Finished) -> list[ChatMessage]:
    return [*ROME, ChatMessage(Role.ASSISTANT, first.answer),
            ChatMessage(Role.USER, "And what came after it?")]


def test_a_state_restored_after_a_restart_gives_the_same_greedy_tokens(
        smollm2_path: Path, tmp_path: Path, scratch: LocalBackend) -> None:
    first_run = _load(smollm2_path, tmp_path)
    first, _ = _reply(first_run, ROME, "7")
    first_run.close()  # writes the state; the next backend is a "restart"
    [saved] = state_files(tmp_path)

    second_run = _load(smollm2_path, tmp_path)
    try:
        turn = _next_turn(first)
        again, restored_tokens = _reply(second_run, turn, "7")
        assert second_run.memory.restored_from == "disk"
        # Only the new turn was read: the whole first exchange came from the state.
        assert again.stats.evaluated_tokens < again.stats.prompt_tokens - first.stats.prompt_tokens
    finally:
        second_run.close()
    expected = _from_scratch(scratch, turn)
    assert restored_tokens == expected  # prompt + STEPS greedy tokens, identical
    assert len(expected) >= again.stats.prompt_tokens + STEPS - 1
    assert saved.exists()


def test_switching_conversations_restores_each_from_memory(
        smollm2_path: Path, scratch: LocalBackend) -> None:
    backend = _load(smollm2_path)
    try:
        rome, _ = _reply(backend, ROME, "1")
        _reply(backend, SEA, "2")
        turn = _next_turn(rome)
        back, tokens = _reply(backend, turn, "1")
        assert backend.memory.restored_from == "memory"
        assert back.stats.evaluated_tokens < back.stats.prompt_tokens - rome.stats.prompt_tokens
        sea_turn = [*SEA, ChatMessage(Role.USER, "Thanks!")]
        _reply(backend, sea_turn, "2")
        assert backend.memory.restored_from == "memory"
    finally:
        backend.close()
    assert tokens == _from_scratch(scratch, turn)


def test_a_damaged_state_is_removed_and_the_prompt_read_as_today(
        smollm2_path: Path, tmp_path: Path, scratch: LocalBackend) -> None:
    backend = _load(smollm2_path, tmp_path)
    first, _ = _reply(backend, ROME, "3")
    backend.close()
    [path] = state_files(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x55
    path.write_bytes(bytes(raw))

    backend = _load(smollm2_path, tmp_path)
    try:
        turn = _next_turn(first)
        again, tokens = _reply(backend, turn, "3")
        assert backend.memory.restored_from is None
        assert again.stats.evaluated_tokens == again.stats.prompt_tokens
        backend.memory.flush()
    finally:
        backend.close()
    assert tokens == _from_scratch(scratch, turn)
    # The damaged file went; the new reply's state took its place.
    [new] = state_files(tmp_path)
    assert new.read_bytes() != bytes(raw)


def test_a_state_llama_cpp_refuses_is_forgotten(
        smollm2_path: Path, tmp_path: Path, scratch: LocalBackend) -> None:
    backend = _load(smollm2_path, tmp_path)
    try:
        memory: ConversationMemory = backend.memory
        prompt = backend.prompts.fit(list(SEA), 1024, STEPS, False).prompt.tokens
        bogus = SavedState(tuple(prompt), b"\x01\x00\x00\x00" + bytes(64))
        path = tmp_path / f"4-{memory.identity.digest().hex()[:16]}.kvstate"
        write_state(path, memory.identity.digest(), bogus)
        finished, tokens = _reply(backend, SEA, "4")
        assert memory.restored_from is None
        assert finished.stats.evaluated_tokens == finished.stats.prompt_tokens
    finally:
        backend.close()
    assert tokens == _from_scratch(scratch, SEA)


def test_another_context_size_never_uses_the_state(
        smollm2_path: Path, tmp_path: Path) -> None:
    backend = _load(smollm2_path, tmp_path, n_ctx=1024)
    first, _ = _reply(backend, ROME, "5")
    backend.close()
    backend = _load(smollm2_path, tmp_path, n_ctx=2048)
    try:
        again, _ = _reply(backend, _next_turn(first), "5")
        assert backend.memory.restored_from is None
        assert again.stats.evaluated_tokens == again.stats.prompt_tokens
    finally:
        backend.close()
    assert len(state_files(tmp_path)) == 2  # one per identity, each kept in the budget
