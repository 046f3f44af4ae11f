"""Conversations and the message tree: branches, switching, deletion, undo."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.core.types import GenerationStats, SamplingParams, StopReason
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus


def _contents(store: ChatStore, conversation_id: int) -> list[str]:
    return [m.content for m in store.active_path(conversation_id)]


def _exchange(store: ChatStore, conversation_id: int, question: str, answer: str) -> int:
    user = store.add_user_message(conversation_id, question)
    reply = store.start_reply(user.id, model="m")
    store.append_stream(reply.id, "", answer)
    store.finish_stream(reply.id)
    return reply.id


def test_conversation_crud_and_order(store: ChatStore) -> None:
    a = store.create_conversation("First", settings={"temperature": 0.3})
    b = store.create_conversation("Second")
    assert a.title == "First" and a.settings == {"temperature": 0.3}
    # Activity in A moves it to the top.
    time.sleep(0.01)
    store.add_user_message(a.id, "hello")
    assert [c.id for c in store.list_conversations()] == [a.id, b.id]
    time.sleep(0.01)
    renamed = store.rename_conversation(b.id, "  Renamed\n chat ")
    assert renamed.title == "Renamed chat"
    assert [c.id for c in store.list_conversations()] == [b.id, a.id]
    updated = store.set_conversation_settings(a.id, {"model": "r1", "top_p": 0.9})
    assert updated.settings == {"model": "r1", "top_p": 0.9}
    with pytest.raises(StoreError, match="cannot be empty"):
        store.rename_conversation(a.id, "   ")


def test_delete_with_undo_and_purge(store: ChatStore) -> None:
    conv = store.create_conversation("To delete")
    reply = _exchange(store, conv.id, "q", "a")
    store.delete_conversation(conv.id)
    assert store.list_conversations() == []
    assert [c.id for c in store.list_conversations(deleted=True)] == [conv.id]
    assert store.get_conversation(conv.id).is_deleted
    restored = store.restore_conversation(conv.id)
    assert not restored.is_deleted
    assert _contents(store, conv.id) == ["q", "a"]
    store.delete_conversation(conv.id)
    assert store.purge_deleted(older_than_s=3600) == 0  # deleted just now: kept
    assert store.purge_deleted() == 1
    with pytest.raises(StoreError, match="no longer exists"):
        store.get_conversation(conv.id)
    with pytest.raises(StoreError, match="no longer exists"):
        store.get_message(reply)
    count = store._db().execute("SELECT count(*) FROM messages").fetchone()[0]
    assert count == 0


def test_purge_one_conversation_keeps_others(store: ChatStore) -> None:
    keep = store.create_conversation("keep")
    gone = store.create_conversation("gone")
    _exchange(store, keep.id, "k", "kk")
    _exchange(store, gone.id, "g", "gg")
    store.purge_conversation(gone.id)
    assert _contents(store, keep.id) == ["k", "kk"]
    with pytest.raises(StoreError):
        store.purge_conversation(gone.id)


def test_linear_conversation_path(store: ChatStore) -> None:
    conv = store.create_conversation()
    assert store.active_path(conv.id) == []
    _exchange(store, conv.id, "q1", "a1")
    _exchange(store, conv.id, "q2", "a2")
    path = store.active_path(conv.id)
    assert [m.content for m in path] == ["q1", "a1", "q2", "a2"]
    assert [m.role for m in path] == ["user", "assistant", "user", "assistant"]
    assert [m.parent_id for m in path] == [None, path[0].id, path[1].id, path[2].id]
    assert all(m.sibling_count == 1 and m.sibling_index == 0 for m in path)


def test_regenerate_keeps_old_answer_reachable(store: ChatStore) -> None:
    conv = store.create_conversation()
    first = _exchange(store, conv.id, "q", "answer one")
    second = store.regenerate(first, model="m2", params=SamplingParams(temperature=0.9))
    assert second.status is MessageStatus.STREAMING
    assert second.params["temperature"] == 0.9
    store.append_stream(second.id, "", "answer two")
    store.finish_stream(second.id)
    path = store.active_path(conv.id)
    assert [m.content for m in path] == ["q", "answer two"]
    assert (path[1].sibling_index, path[1].sibling_count) == (1, 2)
    sibs = store.siblings(second.id)
    assert [s.content for s in sibs] == ["answer one", "answer two"]
    assert [s.sibling_index for s in sibs] == [0, 1]
    store.activate(first)
    path = store.active_path(conv.id)
    assert [m.content for m in path] == ["q", "answer one"]
    assert (path[1].sibling_index, path[1].sibling_count) == (0, 2)


def test_edit_user_message_branches_and_remembers_choices(store: ChatStore) -> None:
    conv = store.create_conversation()
    _exchange(store, conv.id, "q1", "a1")
    _exchange(store, conv.id, "q2", "a2")
    q2 = store.active_path(conv.id)[2]
    edited = store.edit_user_message(q2.id, "q2 edited")
    reply = store.start_reply(edited.id)
    store.finish_stream(reply.id, MessageStatus.CANCELLED)
    assert _contents(store, conv.id) == ["q1", "a1", "q2 edited", ""]
    assert store.active_path(conv.id)[2].sibling_count == 2
    # Switch back to the original question: its old answer is remembered.
    store.activate(q2.id)
    assert _contents(store, conv.id) == ["q1", "a1", "q2", "a2"]
    # Edit the very first message: a second root.
    q1 = store.active_path(conv.id)[0]
    root2 = store.edit_user_message(q1.id, "q1 again")
    assert root2.parent_id is None and root2.sibling_count == 2
    assert _contents(store, conv.id) == ["q1 again"]
    store.activate(q1.id)
    assert _contents(store, conv.id) == ["q1", "a1", "q2", "a2"]
    # Activating a deep message switches every ancestor on the way.
    store.activate(root2.id)
    store.activate(reply.id)
    assert _contents(store, conv.id) == ["q1", "a1", "q2 edited", ""]


def test_branch_choice_survives_reopen(db_file: Path) -> None:
    with ChatStore(db_file) as store:
        conv = store.create_conversation()
        first = _exchange(store, conv.id, "q", "one")
        second = store.regenerate(first)
        store.finish_stream(second.id)
        store.activate(first)
    with ChatStore(db_file) as store:
        assert _contents(store, conv.id) == ["q", "one"]


def test_delete_message_removes_subtree_and_falls_back(store: ChatStore) -> None:
    conv = store.create_conversation()
    a1 = _exchange(store, conv.id, "q1", "a1")
    _exchange(store, conv.id, "q2", "a2")
    a1b = store.regenerate(a1)
    store.append_stream(a1b.id, "", "a1b")
    store.finish_stream(a1b.id)
    assert _contents(store, conv.id) == ["q1", "a1b"]
    assert store.delete_message(a1b.id) == 1
    # The remembered child is gone: the remaining sibling (with its subtree) shows.
    assert _contents(store, conv.id) == ["q1", "a1", "q2", "a2"]
    assert store.active_path(conv.id)[1].sibling_count == 1
    assert store.delete_message(a1) == 3
    assert _contents(store, conv.id) == ["q1"]
    with pytest.raises(StoreError, match="no longer exists"):
        store.delete_message(a1)


def test_delete_long_chain_in_one_go(store: ChatStore) -> None:
    # Deeper than SQLite's trigger depth limit (1000): no cascade recursion.
    conv = store.create_conversation()
    parent = None
    first = None
    for i in range(1100):
        msg = store.add_message(conv.id, parent, "user" if i % 2 == 0 else "assistant", str(i))
        parent = msg.id
        first = first or msg.id
    assert first is not None
    assert len(store.active_path(conv.id)) == 1100
    assert store.delete_message(first) == 1100
    assert store.active_path(conv.id) == []


def test_continue_reply_appends(store: ChatStore) -> None:
    conv = store.create_conversation()
    user = store.add_user_message(conv.id, "q")
    reply = store.start_reply(user.id)
    store.append_stream(reply.id, "thinking ", "The ans")
    store.finish_stream(reply.id, MessageStatus.CANCELLED)
    assert store.get_message(reply.id).status is MessageStatus.CANCELLED
    again = store.continue_reply(reply.id)
    assert again.status is MessageStatus.STREAMING
    store.append_stream(reply.id, "more", "wer is 4.")
    done = store.finish_stream(reply.id, boxed="4", thinking_s=1.5)
    assert done.content == "The answer is 4."
    assert done.reasoning == "thinking more"
    assert done.boxed == "4" and done.thinking_s == 1.5
    with pytest.raises(StoreError):
        store.continue_reply(user.id)


def test_message_fields_round_trip(store: ChatStore) -> None:
    conv = store.create_conversation()
    user = store.add_user_message(conv.id, "∫ x dx 数学")
    reply = store.start_reply(
        user.id, model="DeepSeek-R1-Distill-Qwen-1.5B Q4_K_M", params=SamplingParams(seed=7)
    )
    stats = GenerationStats(prompt_tokens=12, evaluated_tokens=3, ttft_s=0.25,
                            decode_tps=19.5, stop_reason=StopReason.MAX_TOKENS)
    store.append_stream(reply.id, "r", "a")
    done = store.finish_stream(reply.id, stats=stats, thinking_s=2.0, boxed="x^2/2")
    assert done.model == "DeepSeek-R1-Distill-Qwen-1.5B Q4_K_M"
    assert done.params["seed"] == 7 and done.params["top_p"] == 0.95
    assert done.stats["prompt_tokens"] == 12 and done.stats["stop_reason"] == "max_tokens"
    assert done.stats["decode_tps"] == 19.5
    assert done.created_at <= done.updated_at
    assert not done.reasoning_collapsed and done.has_reasoning
    store.set_reasoning_collapsed(reply.id, True)
    assert store.get_message(reply.id).reasoning_collapsed
    assert store.get_message(user.id).content == "∫ x dx 数学"


def test_bad_ids_and_roles_give_store_errors(store: ChatStore) -> None:
    conv = store.create_conversation()
    other = store.create_conversation()
    user = store.add_user_message(conv.id, "q")
    with pytest.raises(StoreError):
        store.add_message(other.id, user.id, "assistant", "cross-conversation parent")
    with pytest.raises(StoreError):
        store.add_message(conv.id, None, "robot", "x")
    with pytest.raises(StoreError):
        store.add_user_message(9999, "x")
    with pytest.raises(StoreError):
        store.regenerate(user.id)
    with pytest.raises(StoreError):
        store.edit_user_message(store.start_reply(user.id).id, "x")
    with pytest.raises(StoreError):
        store.activate(12345)
    with pytest.raises(StoreError):
        store.active_path(777)


def test_closed_store_refuses_politely(db_file: Path) -> None:
    store = ChatStore(db_file)
    store.close()
    store.close()  # twice is fine
    assert store.is_closed
    with pytest.raises(StoreError, match="closed"):
        store.list_conversations()


def test_pragmas(store: ChatStore) -> None:
    conn = store._db()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_active_path_on_1000_messages_is_fast(store: ChatStore) -> None:
    conv = store.create_conversation()
    parent = None
    conn = store._db()
    # Build quickly in one transaction through the public API's insert_tree path.
    from app.store.records import ConversationTree, TreeMessage

    msgs = []
    for i in range(1000):
        msgs.append(TreeMessage(key=i, parent_key=parent, role="user" if i % 2 == 0 else
                                "assistant", content="x" * 500, reasoning="y" * 500,
                                status=MessageStatus.COMPLETE, created_at=0.0, updated_at=0.0,
                                is_active=True))
        parent = i
    big = store.insert_tree(ConversationTree("big", 0.0, 0.0, {}, tuple(msgs)))
    assert conn is store._db()
    assert conv.id != big.id
    store.active_path(big.id)  # warm the page cache
    start = time.perf_counter()
    path = store.active_path(big.id)
    elapsed = time.perf_counter() - start
    assert len(path) == 1000
    # The GUI budget for opening a chat is 300 ms; the path must be a small part.
    assert elapsed < 0.1, f"active_path took {elapsed * 1000:.1f} ms"
