"""RemoteBackend against llama-cpp-python's real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import pytest

from app.core.errors import BackendError
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.remote import RemoteBackend

pytestmark = pytest.mark.slow

USER = [ChatMessage(Role.USER, "Say hello to the world.")]


def test_lists_the_served_model(llama_server: str) -> None:
    assert "smollm2" in RemoteBackend(llama_server, "smollm2").list_models()


def test_streams_a_reply(llama_server: str) -> None:
    backend = RemoteBackend(llama_server, "smollm2")
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=12, seed=1))
    events = list(backend.generate(USER, options, GenerationControl()))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert len(deltas) >= 3
    assert fin.answer == "".join(d.text for d in deltas)
    assert fin.answer.strip()
    assert fin.stats.stop_reason in (StopReason.MAX_TOKENS, StopReason.EOS)
    assert fin.stats.ttft_s > 0


def test_cancel_mid_stream(llama_server: str) -> None:
    backend = RemoteBackend(llama_server, "smollm2")
    control = GenerationControl()
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=300))
    events: list[StreamEvent] = []
    for event in backend.generate([ChatMessage(Role.USER, "Write a long essay.")], options,
                                  control):
        events.append(event)
        if sum(isinstance(e, TextDelta) for e in events) == 3:
            control.cancel()
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.answer == "".join(e.text for e in events if isinstance(e, TextDelta))
    assert sum(isinstance(e, TextDelta) for e in events) == 3


def test_wrong_path_gives_http_error(llama_server: str) -> None:
    backend = RemoteBackend(llama_server.replace("/v1", "/nope"), "smollm2")
    with pytest.raises(BackendError, match="HTTP 404"):
        list(backend.generate(USER, GenerateOptions(), GenerationControl()))
