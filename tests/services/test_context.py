"""The context meter counts what the model really sees (real llama.cpp, tiny R1 model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.types import ChatMessage, GenerateOptions, Role, SamplingParams
from app.services.host import ModelHost
from app.services.loading import ModelSource
from app.store.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def host(tiny_r1_gguf: Path) -> Iterator[ModelHost]:
    h = ModelHost()
    h.load(ModelSource(path=tiny_r1_gguf), Settings(n_ctx=256, n_gpu_layers=0, n_threads=1))
    yield h
    h.unload()


def _turns(reasoning: str, pairs: int) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for i in range(pairs):
        messages.append(ChatMessage(Role.USER, f"Question number {i}?"))
        messages.append(ChatMessage(Role.ASSISTANT, f"Answer {i}.", reasoning))
    messages.append(ChatMessage(Role.USER, "And now?"))
    return messages


def test_reasoning_in_history_is_not_counted(host: ModelHost) -> None:
    options = GenerateOptions(sampling=SamplingParams(max_tokens=16))
    plain = host.measure(_turns("", 2), options)
    thought = host.measure(_turns("a long chain of thought " * 20, 2), options)
    assert plain is not None and thought is not None
    assert plain.tokens == thought.tokens
    assert plain.n_ctx == 256 and not plain.is_estimate
    assert 0 < plain.fraction < 1


def test_dropped_turns_are_reported(host: ModelHost) -> None:
    options = GenerateOptions(sampling=SamplingParams(max_tokens=16))
    long_chat = _turns("", 40)
    measure = host.measure(long_chat, options)
    assert measure is not None
    assert measure.dropped_messages > 0
    assert measure.tokens <= 256
