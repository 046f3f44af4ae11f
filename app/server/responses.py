"""Response objects of the local API, shaped as OpenAI's (plain dicts).

The reasoning of a reply travels in `reasoning_content` (in the message and
in the stream's deltas), the answer in `content`, as DeepSeek's own API and
vLLM's reasoning parser return them. `usage` counts reasoning tokens among the
completion tokens and also reports them in `completion_tokens_details`.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.core.types import Channel, GenerationStats

OWNER = "ponder"


def sse(data: dict[str, Any] | str) -> str:
    """One server-sent event carrying `data` (JSON unless a string)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n"


DONE_EVENT = sse("[DONE]")


def usage(stats: GenerationStats) -> dict[str, Any]:
    """OpenAI's usage object for a reply's numbers."""
    return {
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.completion_tokens,
        "total_tokens": stats.prompt_tokens + stats.completion_tokens,
        "completion_tokens_details": {"reasoning_tokens": stats.reasoning_tokens},
    }


def model_object(name: str, created: int) -> dict[str, Any]:
    """One entry of /v1/models."""
    return {"id": name, "object": "model", "created": created, "owned_by": OWNER}


@dataclass
class Reply:
    """The identity of one response and the text written so far.

    Attributes:
        model: the model name the response carries.
        is_chat: chat completion (else legacy text completion).
        id: the response id.
        created: Unix seconds.
        reasoning: reasoning text so far.
        content: answer text so far.
    """

    model: str
    is_chat: bool
    id: str = field(default_factory=lambda: f"ponder-{uuid.uuid4().hex[:24]}")
    created: int = field(default_factory=lambda: int(time.time()))
    reasoning: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)

    def add(self, channel: Channel, text: str) -> None:
        """Record streamed text."""
        (self.reasoning if channel is Channel.REASONING else self.content).append(text)

    def _head(self, chunk: bool) -> dict[str, Any]:
        if self.is_chat:
            kind = "chat.completion.chunk" if chunk else "chat.completion"
        else:
            kind = "text_completion"
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    # -- whole responses ------------------------------------------------------

    def complete(self, finish_reason: str, stats: GenerationStats,
                 prefix: str = "") -> dict[str, Any]:
        """The whole response (stream false); `prefix` is an echoed prompt."""
        content = "".join(self.content)
        choice: dict[str, Any] = {"index": 0, "finish_reason": finish_reason, "logprobs": None}
        if self.is_chat:
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if self.reasoning:
                message["reasoning_content"] = "".join(self.reasoning)
            choice["message"] = message
        else:
            choice["text"] = prefix + content
        return {**self._head(False), "choices": [choice], "usage": usage(stats)}

    # -- stream chunks ----------------------------------------------------------

    def chunk(self, channel: Channel | None, text: str, finish_reason: str | None = None,
              include_usage: bool = False) -> dict[str, Any]:
        """One stream chunk with text (channel None: only the role or the end)."""
        choice: dict[str, Any] = {"index": 0, "finish_reason": finish_reason, "logprobs": None}
        if self.is_chat:
            delta: dict[str, Any] = {}
            if channel is None and finish_reason is None:
                delta = {"role": "assistant", "content": ""}
            elif channel is Channel.REASONING:
                delta = {"reasoning_content": text}
            elif channel is Channel.ANSWER:
                delta = {"content": text}
            choice["delta"] = delta
        else:
            choice["text"] = text
        out = {**self._head(True), "choices": [choice]}
        if include_usage:
            out["usage"] = None
        return out

    def usage_chunk(self, stats: GenerationStats) -> dict[str, Any]:
        """The last chunk with stream_options.include_usage: no choices, the usage."""
        return {**self._head(True), "choices": [], "usage": usage(stats)}
