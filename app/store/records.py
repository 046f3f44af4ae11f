"""Plain values the store hands out: conversations, messages, search hits, trees.

These are frozen dataclasses so the GUI can keep them without worrying that
the store changes them underneath. JSON columns arrive as plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

JsonDict = dict[str, Any]


class MessageStatus(str, Enum):
    """Where a stored message stands in its life."""

    STREAMING = "streaming"
    """The model is still writing it; text arrives in batches."""
    COMPLETE = "complete"
    """Finished normally (end of reply, or a user message)."""
    INTERRUPTED = "interrupted"
    """The app stopped (crash, kill) while it streamed; the partial text is kept."""
    CANCELLED = "cancelled"
    """The user pressed stop; the partial text is kept."""
    ERROR = "error"
    """Generation failed; the partial text is kept."""


ROLES = ("system", "user", "assistant")
"""The roles a stored message may have (the values of app.core.types.Role)."""


@dataclass(frozen=True)
class Conversation:
    """One chat in the sidebar.

    Attributes:
        id: database id.
        title: what the sidebar shows.
        created_at: Unix time of creation.
        updated_at: Unix time of the last activity (new message, stream, rename).
        settings: per-conversation overrides (sampling, model...), a JSON object.
        deleted_at: Unix time of the soft delete, None while it is live.
    """

    id: int
    title: str
    created_at: float
    updated_at: float
    settings: JsonDict = field(default_factory=dict)
    deleted_at: float | None = None

    @property
    def is_deleted(self) -> bool:
        """True while the conversation sits in the trash (undo is possible)."""
        return self.deleted_at is not None


@dataclass(slots=True)
class StoredMessage:
    """One message of the conversation tree, with its place among its siblings.

    Treat it as read-only: the store never changes one it handed out, and
    changes go through ChatStore. (Not frozen: a frozen dataclass is about four
    times slower to build, which shows when a 1,000-message chat opens.)

    Attributes:
        id: database id.
        conversation_id: the conversation it belongs to.
        parent_id: the message it answers or follows; None for a first message.
        role: "user", "assistant" or "system".
        content: the visible text (for the assistant: the answer).
        reasoning: the assistant's think-block text.
        status: see MessageStatus.
        created_at: Unix time the message was started.
        updated_at: Unix time of its last change.
        model: display name of the model that wrote it ("" for user messages).
        params: sampling parameters used, a JSON object.
        stats: numbers about the reply (prompt tokens, evaluated, ttft_s, tok/s,
            stop reason...), a JSON object.
        thinking_s: seconds spent reasoning, if known.
        boxed: the final \\boxed{} answer, if any.
        reasoning_collapsed: whether the GUI shows the reasoning folded.
        sibling_index: 0-based position among messages with the same parent
            (oldest first); the GUI shows sibling_index + 1.
        sibling_count: how many such messages exist (1 when there is no branch).
    """

    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    reasoning: str
    status: MessageStatus
    created_at: float
    updated_at: float
    model: str = ""
    params: JsonDict = field(default_factory=dict)
    stats: JsonDict = field(default_factory=dict)
    thinking_s: float | None = None
    boxed: str | None = None
    reasoning_collapsed: bool = False
    sibling_index: int = 0
    sibling_count: int = 1

    @property
    def has_reasoning(self) -> bool:
        """True when there is think-block text to show."""
        return bool(self.reasoning)

    @property
    def has_branches(self) -> bool:
        """True when the GUI should show a `< i/n >` switcher."""
        return self.sibling_count > 1


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    Attributes:
        conversation_id: where the hit is.
        conversation_title: the conversation's title, for the result list.
        message_id: the matching message, or None when the title matched.
        snippet: a short excerpt with the matches between the markers given
            to ChatStore.search.
    """

    conversation_id: int
    conversation_title: str
    message_id: int | None
    snippet: str


@dataclass(frozen=True)
class TreeMessage:
    """A message of a ConversationTree, ids local to the tree.

    Attributes:
        key: an id unique within the tree.
        parent_key: the parent's key, or None for a first message.
        role, content, reasoning, status, created_at, updated_at, model,
        params, stats, thinking_s, boxed, reasoning_collapsed: as StoredMessage.
        is_active: whether this is the remembered choice among its siblings.
        checks: the message's saved answer checks, kind -> data (app/store/checks.py).
    """

    key: int
    parent_key: int | None
    role: str
    content: str
    reasoning: str
    status: MessageStatus
    created_at: float
    updated_at: float
    model: str = ""
    params: JsonDict = field(default_factory=dict)
    stats: JsonDict = field(default_factory=dict)
    thinking_s: float | None = None
    boxed: str | None = None
    reasoning_collapsed: bool = False
    is_active: bool = False
    checks: dict[str, JsonDict] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationTree:
    """A whole conversation with every branch, independent of the database.

    Export writes one; import reads one. Messages come parents first.

    Attributes:
        title: the conversation's title.
        created_at: Unix time of creation.
        updated_at: Unix time of the last activity.
        settings: per-conversation overrides.
        messages: every message, each parent before its children.
    """

    title: str
    created_at: float
    updated_at: float
    settings: JsonDict
    messages: tuple[TreeMessage, ...]
