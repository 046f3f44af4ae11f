"""Values that cross layers: messages, sampling and load settings, stream events.

Everything here is a plain frozen dataclass or enum so that the engine, the
store, the CLI and the GUI can pass them around without importing each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Role(str, Enum):
    """Who wrote a message."""

    SYSTEM = "system"
    """Instructions for the model (R1 models get none; see ModelProfile)."""
    USER = "user"
    """The person at the keyboard."""
    ASSISTANT = "assistant"
    """The model."""


class Channel(str, Enum):
    """Which part of a reply a piece of streamed text belongs to."""

    REASONING = "reasoning"
    """Text inside the model's <think> block."""
    ANSWER = "answer"
    """Text after the think block: what the user asked for."""


class StopReason(str, Enum):
    """Why a reply ended."""

    EOS = "eos"
    """The model ended its reply."""
    MAX_TOKENS = "max_tokens"
    """The reply reached the max_tokens limit."""
    CANCELLED = "cancelled"
    """The user pressed stop; the partial text is kept."""
    CONTEXT_FULL = "context_full"
    """The context window filled up during generation."""
    ERROR = "error"
    """Generation failed; see the error event."""


class NoticeKind(str, Enum):
    """Things the engine tells the user about while it works."""

    TRIMMED = "trimmed"
    """Oldest turns were dropped so the prompt fits the context."""
    REASONING_LOOP = "reasoning_loop"
    """The reasoning repeats itself; the user may want to press Answer now."""
    BUDGET_REACHED = "budget_reached"
    """The thinking budget ran out; the engine moved on to the answer."""
    ANSWER_NOW = "answer_now"
    """The think block was closed on request; the answer follows."""


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation as the prompt builder sees it.

    Attributes:
        role: who wrote it.
        content: the visible text (for the assistant: the answer only).
        reasoning: the assistant's think-block text, kept apart from content.
    """

    role: Role
    content: str
    reasoning: str = ""


@dataclass(frozen=True)
class SamplingParams:
    """How to pick tokens. Defaults follow DeepSeek's advice for R1 distills."""

    temperature: float = 0.6
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    max_tokens: int = 4096
    seed: int | None = None


@dataclass(frozen=True)
class GenerateOptions:
    """Per-request options beyond sampling.

    Attributes:
        sampling: the sampler settings.
        math_mode: append the R1 math instruction to the last user message.
        hints: hints mode (the "Hints" preset): the latest user turn asks for
            the next step only (app.services.hints).
        thinking_budget: reasoning tokens after which "Answer now" happens by
            itself; None means no budget.
        detect_loops: report a repeating reasoning loop as a notice.
        conversation: the stored conversation this request continues (a
            plain key such as its id); a local model keeps and restores the
            conversation's KV state under it. None: not a stored conversation.
    """

    sampling: SamplingParams = field(default_factory=SamplingParams)
    math_mode: bool = False
    hints: bool = False
    thinking_budget: int | None = None
    detect_loops: bool = True
    conversation: str | None = None


@dataclass(frozen=True)
class LoadParams:
    """How to load a local GGUF model.

    Attributes:
        model_path: the GGUF file.
        n_ctx: context length in tokens.
        n_threads: CPU threads; None picks the number of physical cores.
        n_gpu_layers: layers to offload (-1: all, 0: CPU only).
        flash_attn: use flash attention where the build supports it.
        chat_template: a Jinja template that overrides the file's own.
    """

    model_path: Path
    n_ctx: int = 4096
    n_threads: int | None = None
    n_gpu_layers: int = 0
    flash_attn: bool = True
    chat_template: str | None = None


@dataclass(frozen=True)
class GenerationStats:
    """Numbers about one reply.

    Attributes:
        prompt_tokens: tokens in the whole prompt.
        evaluated_tokens: prompt tokens actually evaluated (the rest came from
            the KV cache).
        completion_tokens: tokens generated.
        reasoning_tokens: of those, tokens inside the think block.
        ttft_s: seconds from request to first generated token.
        decode_tps: generated tokens per second after the first.
        total_s: seconds from request to end.
        stop_reason: why it ended.
        trimmed_messages: messages dropped from the start to fit the context.
    """

    prompt_tokens: int = 0
    evaluated_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    ttft_s: float = 0.0
    decode_tps: float = 0.0
    total_s: float = 0.0
    stop_reason: StopReason = StopReason.EOS
    trimmed_messages: int = 0


@dataclass(frozen=True)
class TextDelta:
    """A piece of streamed text."""

    channel: Channel
    text: str


@dataclass(frozen=True)
class Notice:
    """Something the user should know about while the reply streams."""

    kind: NoticeKind
    message: str


@dataclass(frozen=True)
class Finished:
    """The last event of every stream.

    Attributes:
        answer: the full answer text (after the think block).
        reasoning: the full think-block text.
        stats: numbers about the reply.
        boxed: the last \\boxed{...} content of the answer, if any.
    """

    answer: str
    reasoning: str
    stats: GenerationStats
    boxed: str | None = None


StreamEvent = TextDelta | Notice | Finished


class GenerationControl:
    """Flags the GUI (or CLI) sets from its own thread while a reply streams.

    The worker checks them between tokens, so they act within one token.
    A queued "cancel" slot would never run while the worker is busy, which is
    why these are plain thread-safe events.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._answer_now = threading.Event()
        self._lock = threading.Lock()
        self._on_cancel: list[Callable[[], None]] = []

    def cancel(self) -> None:
        """Stop generating; the partial reply is kept."""
        self._cancel.set()
        with self._lock:
            callbacks, self._on_cancel = self._on_cancel, []
        for callback in callbacks:
            callback()

    def call_on_cancel(self, callback: Callable[[], None]) -> None:
        """Run `callback` in the cancelling thread when cancel() is called.

        For work that blocks outside the token loop (a network read): the
        callback unblocks it. Runs at once if cancel() already happened.
        """
        with self._lock:
            if not self._cancel.is_set():
                self._on_cancel.append(callback)
                return
        callback()

    def answer_now(self) -> None:
        """Close the think block and move on to the answer."""
        self._answer_now.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_answer_now_requested(self) -> bool:
        return self._answer_now.is_set()


@dataclass(frozen=True)
class BackendInfo:
    """What the status bar shows about the loaded model.

    Attributes:
        model_name: a short display name.
        backend: "CPU", "CUDA", "Metal" or "remote".
        n_ctx: context length in tokens.
        n_gpu_layers: offloaded layers (0 on CPU).
    """

    model_name: str
    backend: str
    n_ctx: int
    n_gpu_layers: int = 0


@dataclass(frozen=True)
class PromptMeasure:
    """How much of the context a conversation's prompt takes, as the model sees it.

    Attributes:
        tokens: prompt tokens (history answers only: no reasoning is sent back).
        n_ctx: the context length (0 when unknown, e.g. some servers).
        dropped_messages: oldest messages that would be left out to fit.
        is_estimate: True when counted by characters (servers, the fake).
    """

    tokens: int
    n_ctx: int
    dropped_messages: int = 0
    is_estimate: bool = False

    @property
    def fraction(self) -> float:
        """Share of the context in use (0.0 when the context is unknown)."""
        return self.tokens / self.n_ctx if self.n_ctx > 0 else 0.0
