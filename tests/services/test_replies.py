"""Replies through the services: stored in a real SQLite file, or not stored at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import BackendError
from app.core.types import (
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    Role,
)
from app.engine.fake import FakeBackend
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource
from app.services.replies import ReplyService, conversation_messages
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChatStore]:
    s = ChatStore(tmp_path / "chats.sqlite3")
    yield s
    s.close()


def _service(store: ChatStore, backend: FakeBackend) -> ReplyService:
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource()))
    return ReplyService(host, store)


def test_a_stored_reply_lands_in_the_database(store: ChatStore, tmp_path: Path) -> None:
    backend = FakeBackend("Add them.", "17 + 25 = \\boxed{42}")
    service = _service(store, backend)
    conv = store.create_conversation("Sums")
    outcome = service.reply_in_conversation(conv.id, "What is 17 + 25?", GenerateOptions(),
                                            GenerationControl())
    assert outcome.finished.boxed == "42"
    store.close()
    reopened = ChatStore(tmp_path / "chats.sqlite3")
    try:
        path = reopened.active_path(conv.id)
        assert [m.role for m in path] == ["user", "assistant"]
        assert path[1].content == "17 + 25 = \\boxed{42}"
        assert path[1].reasoning == "Add them."
        assert path[1].status is MessageStatus.COMPLETE
        # the model saw the user's turn and not the empty placeholder
        assert backend.calls[0] == [ChatMessage(Role.USER, "What is 17 + 25?")]
    finally:
        reopened.close()


def test_an_unstored_reply_leaves_no_trace(store: ChatStore) -> None:
    service = _service(store, FakeBackend("", "Hello"))
    finished = service.answer([ChatMessage(Role.USER, "Hi")], GenerateOptions(),
                              GenerationControl())
    assert finished.answer == "Hello"
    assert store.list_conversations() == []


def test_a_failed_reply_keeps_its_partial_text(store: ChatStore) -> None:
    backend = FakeBackend("", "partial answer", chunk_chars=4,
                          error=BackendError("The server went away."), error_after_chunks=2)
    service = _service(store, backend)
    conv = store.create_conversation("Oops")
    with pytest.raises(BackendError):
        service.reply_in_conversation(conv.id, "Hi", GenerateOptions(), GenerationControl())
    reply = store.active_path(conv.id)[-1]
    assert reply.status is MessageStatus.ERROR
    assert reply.content == "partial "


def test_history_sends_what_the_model_sees(store: ChatStore) -> None:
    conv = store.create_conversation("Two turns")
    user = store.add_user_message(conv.id, "Q1")
    reply = store.start_reply(user.id)
    store.append_stream(reply.id, "thinking", "A1")
    store.finish_stream(reply.id)
    user2 = store.add_user_message(conv.id, "Q2")
    store.start_reply(user2.id)
    messages = conversation_messages(store.active_path(conv.id))
    assert [(m.role, m.content) for m in messages] == [
        (Role.USER, "Q1"), (Role.ASSISTANT, "A1"), (Role.USER, "Q2")]
    assert messages[1].reasoning == "thinking"
