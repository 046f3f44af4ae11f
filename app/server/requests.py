"""Request bodies of the local API, checked field by field.

`parse_chat` and `parse_completion` turn a decoded JSON object into plain
dataclasses or raise a 400 `ApiError` that names the field. Fields OpenAI
clients commonly send but that change nothing here (`frequency_penalty`,
`presence_penalty`, `user`, `logprobs` false...) are accepted and ignored;
unknown fields are ignored too, as OpenAI-compatible servers do.

Extra fields (send them with the client's `extra_body`):
- `math_mode` (bool): append the model family's math instruction
  ("Please reason step by step, and put your final answer within \\boxed{}.").
- `thinking_budget` (int >= 0): reasoning tokens after which the think block
  is closed and the answer follows (0: no budget).
- `top_k`, `min_p`, `repeat_penalty`: llama.cpp sampler settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.types import ChatMessage, Role
from app.server.errors import ApiError

MAX_STOP_SEQUENCES = 4
"""As OpenAI: up to 4 stop sequences."""

DEFAULT_COMPLETION_MAX_TOKENS = 16
"""The legacy completions endpoint's default length, as OpenAI's and vLLM's."""

_ROLES = {"system": Role.SYSTEM, "developer": Role.SYSTEM, "user": Role.USER,
          "assistant": Role.ASSISTANT}


@dataclass(frozen=True)
class Common:
    """Fields both endpoints share.

    Attributes:
        model: the model name asked for, or None.
        stream: answer as server-sent events.
        include_usage: with stream, end with a usage chunk.
        stop: sequences that end the reply (not included in it).
        values: per-request sampling values for app.services.sampling
            (temperature, top_p, max_tokens, seed, ..., math_mode,
            thinking_budget); only the fields the request set.
    """

    model: str | None = None
    stream: bool = False
    include_usage: bool = False
    stop: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatRequest:
    """A checked `/v1/chat/completions` body."""

    messages: tuple[ChatMessage, ...]
    common: Common


@dataclass(frozen=True)
class CompletionRequest:
    """A checked `/v1/completions` body (the prompt is raw text)."""

    prompt: str
    common: Common
    echo: bool = False


def _bad(param: str, message: str) -> ApiError:
    return ApiError(400, message, "invalid_value", param)


def _number(body: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key, f"'{key}' must be a number.")
    if not low <= value <= high:
        raise _bad(key, f"'{key}' must be between {low:g} and {high:g}; it was {value}.")
    return float(value)


def _integer(body: dict[str, Any], key: str, low: int) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(key, f"'{key}' must be an integer.")
    if value < low:
        raise _bad(key, f"'{key}' must be at least {low}; it was {value}.")
    return value


def _flag(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _bad(key, f"'{key}' must be true or false.")
    return value


def _stop(body: dict[str, Any]) -> tuple[str, ...]:
    value = body.get("stop")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        raise _bad("stop", "'stop' must be a string or a list of strings.")
    if len(items) > MAX_STOP_SEQUENCES:
        raise _bad("stop", f"'stop' takes at most {MAX_STOP_SEQUENCES} sequences.")
    return tuple(s for s in items if s)


def _common(body: dict[str, Any], default_max_tokens: int | None) -> Common:
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise _bad("model", "'model' must be a string.")
    if _integer(body, "n", 1) not in (None, 1):
        raise _bad("n", "This server writes one choice per request; set 'n' to 1.")
    stream_options = body.get("stream_options")
    if stream_options is not None and not isinstance(stream_options, dict):
        raise _bad("stream_options", "'stream_options' must be an object.")
    include_usage = _flag(stream_options or {}, "include_usage") or False
    max_tokens = _integer(body, "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = _integer(body, "max_tokens", 1)
    values: dict[str, Any] = {
        "temperature": _number(body, "temperature", 0.0, 2.0),
        "top_p": _number(body, "top_p", 0.0, 1.0),
        "top_k": _integer(body, "top_k", 0),
        "min_p": _number(body, "min_p", 0.0, 1.0),
        "repeat_penalty": _number(body, "repeat_penalty", 0.0, 10.0),
        "max_tokens": max_tokens if max_tokens is not None else default_max_tokens,
        "seed": _integer(body, "seed", -(2**63)),
        "math_mode": _flag(body, "math_mode"),
        "thinking_budget": _integer(body, "thinking_budget", 0),
    }
    return Common(
        model=model or None,
        stream=_flag(body, "stream") or False,
        include_usage=include_usage,
        stop=_stop(body),
        values={k: v for k, v in values.items() if v is not None},
    )


def _content(message: dict[str, Any], index: int) -> str:
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise _bad(f"messages[{index}].content",
                           "Only text content parts are supported (this model reads no images).")
            text = part.get("text")
            if not isinstance(text, str):
                raise _bad(f"messages[{index}].content", "A text part needs a 'text' string.")
            texts.append(text)
        return "".join(texts)
    raise _bad(f"messages[{index}].content", "'content' must be a string or a list of parts.")


def _message(raw: Any, index: int) -> ChatMessage:
    if not isinstance(raw, dict):
        raise _bad(f"messages[{index}]", "Each message must be an object with a role.")
    role = _ROLES.get(str(raw.get("role")))
    if role is None:
        raise _bad(f"messages[{index}].role", "A message's 'role' must be system, developer, "
                   f"user or assistant; it was {raw.get('role')!r}.")
    reasoning = raw.get("reasoning_content") or ""
    if not isinstance(reasoning, str):
        raise _bad(f"messages[{index}].reasoning_content", "'reasoning_content' must be a string.")
    return ChatMessage(role, _content(raw, index), reasoning)


def parse_chat(body: Any) -> ChatRequest:
    """Check a chat-completions body."""
    if not isinstance(body, dict):
        raise _bad("", "The request body must be a JSON object.")
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise _bad("messages", "'messages' must be a non-empty list of messages.")
    messages = tuple(_message(m, i) for i, m in enumerate(raw))
    if all(m.role is Role.SYSTEM for m in messages):
        raise _bad("messages", "'messages' needs at least one user or assistant message.")
    return ChatRequest(messages, _common(body, None))


def parse_completion(body: Any) -> CompletionRequest:
    """Check a legacy completions body (a prompt string, or a list of one)."""
    if not isinstance(body, dict):
        raise _bad("", "The request body must be a JSON object.")
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise _bad("prompt", "'prompt' must be a string (token lists and batches of "
                   "prompts are not supported).")
    if not prompt:
        raise _bad("prompt", "'prompt' must not be empty.")
    if body.get("suffix"):
        raise _bad("suffix", "'suffix' (fill-in-the-middle) is not supported.")
    return CompletionRequest(prompt, _common(body, DEFAULT_COMPLETION_MAX_TOKENS),
                             echo=_flag(body, "echo") or False)
