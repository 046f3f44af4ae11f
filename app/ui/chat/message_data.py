"""What one message widget shows, built from a stored message."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.records import MessageStatus, StoredMessage

STOPPED = frozenset({MessageStatus.CANCELLED, MessageStatus.INTERRUPTED})
"""Statuses of an answer that ended early and can be continued."""


@dataclass(frozen=True)
class MessageData:
    """What a message widget shows; the controller builds it from the store.

    Attributes:
        message_id: the store's id (or a temporary negative id).
        role: "user" or "assistant".
        content: the visible text (assistant: the answer).
        reasoning: the think-block text.
        is_reasoning_collapsed: the reasoning block is folded.
        thinking_s: seconds spent thinking (None while unknown).
        status: the stored message's status (STREAMING while it is written).
        boxed: the final \\boxed{} answer, if any.
        branch_index: 0-based position among its siblings.
        branch_count: number of siblings (1: no switcher).
        notice: a line about the reply (loop warning, error...).
        created_at: Unix time the message was written (0: unknown).
        model: the model that wrote an answer ("" for user messages).
        tokens: tokens the answer took (0: unknown).
        thinking_tokens: of those, tokens of reasoning.
        tokens_per_s: generation speed of the answer (0: unknown).
    """

    message_id: int
    role: str
    content: str
    reasoning: str = ""
    is_reasoning_collapsed: bool = True
    thinking_s: float | None = None
    status: MessageStatus = MessageStatus.COMPLETE
    boxed: str | None = None
    branch_index: int = 0
    branch_count: int = 1
    notice: str = ""
    created_at: float = 0.0
    model: str = ""
    tokens: int = 0
    thinking_tokens: int = 0
    tokens_per_s: float = 0.0

    @property
    def is_streaming(self) -> bool:
        """Whether the model is still writing this message."""
        return self.status is MessageStatus.STREAMING

    @property
    def is_stopped(self) -> bool:
        """Whether the answer ended early (stopped, or the app quit) and can be continued."""
        return self.status in STOPPED


def message_data(message: StoredMessage, notice: str = "") -> MessageData:
    """The view's picture of a stored message."""
    return MessageData(
        message_id=message.id,
        role=message.role,
        content=message.content,
        reasoning=message.reasoning,
        is_reasoning_collapsed=message.reasoning_collapsed,
        thinking_s=message.thinking_s,
        status=message.status,
        boxed=message.boxed,
        branch_index=message.sibling_index,
        branch_count=message.sibling_count,
        notice=notice,
        created_at=message.created_at,
        model=message.model,
        tokens=_whole(message.stats.get("completion_tokens")),
        thinking_tokens=_whole(message.stats.get("reasoning_tokens")),
        tokens_per_s=_speed(message.stats.get("decode_tps")),
    )


def _whole(value: object) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _speed(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
