"""One conversation reply: the prompt from the store, the model, the store writes.

`conversation_messages` turns a conversation's active path into what the
model sees; `conversation_prompt` puts the conversation's standing
instructions (its settings' "instructions", `set_instructions`) in front as
a system message, which the family's prompt rules fold into the first user
turn where the family takes no system prompt (R1). `StoredReply` writes one
streaming assistant message (batched by the store) and ends it with the
right status; the window's controller drives
it from the GUI thread with the batches its worker sends. `ReplyService`
runs a whole reply headless, stored (`reply_in_conversation`) or not stored
(`answer`, for API requests, which must never appear among the user's chats).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.core.errors import PonderError
from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    Role,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.services.hints import asks_for_hints, hint_messages
from app.services.host import ModelHost, Priority
from app.services.states import conversation_key
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus, StoredMessage

STOP_TO_STATUS: dict[StopReason, MessageStatus] = {
    StopReason.EOS: MessageStatus.COMPLETE,
    StopReason.MAX_TOKENS: MessageStatus.COMPLETE,
    StopReason.CONTEXT_FULL: MessageStatus.COMPLETE,
    StopReason.CANCELLED: MessageStatus.CANCELLED,
    StopReason.ERROR: MessageStatus.ERROR,
}
"""The stored status of a reply that ended for a reason."""

EventCallback = Callable[[StreamEvent], None]

INSTRUCTIONS_KEY = "instructions"
"""The key of a conversation's standing instructions in its settings JSON."""


def conversation_messages(path: Sequence[StoredMessage]) -> list[ChatMessage]:
    """What the model sees of a conversation's active path.

    Empty assistant placeholders are left out; a trailing assistant message
    with text means "continue this reply" (the engine's prompt builder).
    Reasoning is carried along but never sent back by R1 templates.
    """
    messages: list[ChatMessage] = []
    for message in path:
        role = Role(message.role)
        if role is Role.ASSISTANT and not message.content and not message.reasoning:
            continue
        messages.append(ChatMessage(role, message.content, message.reasoning))
    return messages


def instructions_of(store: ChatStore, conversation_id: int) -> str:
    """A conversation's standing instructions ("" when it has none)."""
    value = store.get_conversation(conversation_id).settings.get(INSTRUCTIONS_KEY, "")
    return value.strip() if isinstance(value, str) else ""


def set_instructions(store: ChatStore, conversation_id: int, text: str) -> None:
    """Store a conversation's standing instructions ("" removes them); other settings stay."""
    settings = dict(store.get_conversation(conversation_id).settings)
    if text.strip():
        settings[INSTRUCTIONS_KEY] = text.strip()
    else:
        settings.pop(INSTRUCTIONS_KEY, None)
    store.set_conversation_settings(conversation_id, settings)


def with_instructions(instructions: str, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """`messages` behind a leading system message holding `instructions` (if any)."""
    if not instructions.strip():
        return list(messages)
    return [ChatMessage(Role.SYSTEM, instructions.strip()), *messages]


def conversation_prompt(store: ChatStore, conversation_id: int,
                        path: Sequence[StoredMessage], *, hints: bool = False) -> list[ChatMessage]:
    """What the model is sent for `path` of a conversation: its instructions, then the turns.

    In hints mode (`hints`, or after a "Next hint" turn) the latest user turn
    asks for the next step only (app.services.hints).
    """
    turns = conversation_messages(path)
    if asks_for_hints(turns, hints):
        turns = hint_messages(turns)
    return with_instructions(instructions_of(store, conversation_id), turns)


class StoredReply:
    """The store writes of one streaming assistant message.

    Args:
        store: the chats database (used on its own thread).
        message: the assistant message created by `start_reply`,
            `regenerate` or `continue_reply`.
    """

    def __init__(self, store: ChatStore, message: StoredMessage) -> None:
        self.store = store
        self.message_id = message.id
        self.conversation_id = message.conversation_id

    def add(self, reasoning: str = "", answer: str = "") -> None:
        """Buffer streamed text (the store commits it in batches)."""
        if reasoning or answer:
            self.store.append_stream(self.message_id, reasoning, answer)

    def add_event(self, event: StreamEvent) -> None:
        """Buffer a TextDelta (other events are not stored)."""
        if isinstance(event, TextDelta):
            if event.channel is Channel.REASONING:
                self.add(reasoning=event.text)
            else:
                self.add(answer=event.text)

    def finish(self, finished: Finished, thinking_s: float | None = None) -> StoredMessage:
        """Store the end of the reply: status from the stop reason, numbers, boxed answer."""
        status = STOP_TO_STATUS.get(finished.stats.stop_reason, MessageStatus.COMPLETE)
        return self.store.finish_stream(self.message_id, status, stats=finished.stats,
                                        thinking_s=thinking_s, boxed=finished.boxed)

    def fail(self, stats: GenerationStats | None = None) -> StoredMessage:
        """Store a reply that failed; its partial text is kept."""
        return self.store.finish_stream(self.message_id, MessageStatus.ERROR, stats=stats)


@dataclass(frozen=True)
class ReplyOutcome:
    """How a headless reply ended.

    Attributes:
        finished: the Finished event.
        message: the stored assistant message (None when not stored).
    """

    finished: Finished
    message: StoredMessage | None = None


class ReplyService:
    """Runs replies on the host's model, stored in a conversation or not.

    Args:
        host: the model host.
        store: the chats database (None: only unstored replies).
    """

    def __init__(self, host: ModelHost, store: ChatStore | None = None) -> None:
        self.host = host
        self.store = store

    def answer(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
        on_event: EventCallback | None = None,
        priority: Priority = Priority.BACKGROUND,
    ) -> Finished:
        """A reply that is not stored anywhere (API requests)."""
        finished: Finished | None = None
        for event in self.host.stream(messages, options, control, priority):
            if on_event is not None:
                on_event(event)
            if isinstance(event, Finished):
                finished = event
        if finished is None:
            raise PonderError("The model ended without finishing the reply. Try again.")
        return finished

    def reply_in_conversation(
        self,
        conversation_id: int,
        text: str,
        options: GenerateOptions,
        control: GenerationControl,
        on_event: EventCallback | None = None,
    ) -> ReplyOutcome:
        """Store the user's message, stream the reply into the store, end it.

        A failure stores the partial reply with status error and re-raises.
        """
        store = self._store()
        if options.conversation is None:  # the model keeps this conversation's state
            options = replace(options, conversation=conversation_key(conversation_id))
        user = store.add_user_message(conversation_id, text)
        info = self.host.info
        message = store.start_reply(user.id, model=info.model_name if info else "")
        history = conversation_prompt(store, conversation_id, store.active_path(conversation_id),
                                      hints=options.hints)
        stored = StoredReply(store, message)

        def record(event: StreamEvent) -> None:
            stored.add_event(event)
            if on_event is not None:
                on_event(event)

        try:
            finished = self.answer(history, options, control, record, Priority.INTERACTIVE)
        except BaseException:
            stored.fail()
            raise
        return ReplyOutcome(finished, stored.finish(finished))

    def _store(self) -> ChatStore:
        if self.store is None:
            raise PonderError("This reply service has no chats database.")
        return self.store
