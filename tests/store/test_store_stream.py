"""Streaming a reply into the store: buffering, flush timing, finish, recovery."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus


def _committed(db_file: Path, message_id: int) -> tuple[str, str, str]:
    """What another connection sees: (reasoning, content, status)."""
    with ChatStore(db_file, recover_interrupted=False) as other:
        m = other.get_message(message_id)
        return m.reasoning, m.content, m.status.value


def test_reply_is_stored_when_generation_starts(db_file: Path, store: ChatStore) -> None:
    conv = store.create_conversation()
    user = store.add_user_message(conv.id, "q")
    reply = store.start_reply(user.id, model="m")
    assert _committed(db_file, reply.id) == ("", "", "streaming")


def test_append_buffers_until_interval(db_file: Path) -> None:
    with ChatStore(db_file, flush_interval_s=3600) as store:
        conv = store.create_conversation()
        reply = store.start_reply(store.add_user_message(conv.id, "q").id)
        assert store.append_stream(reply.id, "think ", "") is False
        assert store.append_stream(reply.id, "more", "ans") is False
        # Not committed yet: another connection sees nothing.
        assert _committed(db_file, reply.id) == ("", "", "streaming")
        assert store.flush() is True
        assert store.flush() is False  # nothing pending
        assert _committed(db_file, reply.id) == ("think more", "ans", "streaming")


def test_append_commits_when_interval_passed(db_file: Path) -> None:
    with ChatStore(db_file, flush_interval_s=0.05) as store:
        conv = store.create_conversation()
        reply = store.start_reply(store.add_user_message(conv.id, "q").id)
        commits = 0
        deadline = time.monotonic() + 0.5
        n = 0
        while time.monotonic() < deadline:
            commits += store.append_stream(reply.id, "", "x")
            n += 1
            time.sleep(0.002)
        # Roughly one commit per 50 ms, far fewer than appends.
        assert 3 <= commits <= 12, commits
        assert n > 5 * commits
        store.flush()
        assert _committed(db_file, reply.id)[1] == "x" * n


def test_finish_writes_rest_and_status(db_file: Path, store: ChatStore) -> None:
    conv = store.create_conversation()
    reply = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(reply.id, "r1", "a1")
    store.append_stream(reply.id, "r2", "a2")
    done = store.finish_stream(reply.id, MessageStatus.ERROR, stats={"stop_reason": "error"})
    assert (done.reasoning, done.content, done.status) == ("r1r2", "a1a2", MessageStatus.ERROR)
    assert _committed(db_file, reply.id) == ("r1r2", "a1a2", "error")


def test_two_streams_at_once(store: ChatStore) -> None:
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    ra = store.start_reply(store.add_user_message(a.id, "qa").id)
    rb = store.start_reply(store.add_user_message(b.id, "qb").id)
    for i in range(5):
        store.append_stream(ra.id, "", f"a{i}")
        store.append_stream(rb.id, f"r{i}", "")
    store.finish_stream(ra.id)
    store.finish_stream(rb.id)
    assert store.get_message(ra.id).content == "a0a1a2a3a4"
    assert store.get_message(rb.id).reasoning == "r0r1r2r3r4"


def test_close_flushes(db_file: Path) -> None:
    store = ChatStore(db_file, flush_interval_s=3600)
    conv = store.create_conversation()
    reply = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(reply.id, "", "kept")
    store.close()
    assert _committed(db_file, reply.id)[1] == "kept"


def test_reopen_marks_streaming_as_interrupted(db_file: Path) -> None:
    store = ChatStore(db_file)
    conv = store.create_conversation()
    reply = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(reply.id, "partial thought", "partial")
    store.flush()
    done = store.start_reply(store.add_user_message(conv.id, "q2").id)
    store.finish_stream(done.id)
    # A second store opened without recovery leaves the live stream alone.
    with ChatStore(db_file, recover_interrupted=False) as peer:
        assert peer.get_message(reply.id).status is MessageStatus.STREAMING
        assert peer.recovered_ids == ()
    # Simulate the app dying: no finish, no close.
    store._conn.close()
    with ChatStore(db_file) as reopened:
        assert reopened.recovered_ids == (reply.id,)
        m = reopened.get_message(reply.id)
        assert m.status is MessageStatus.INTERRUPTED
        assert (m.reasoning, m.content) == ("partial thought", "partial")
        assert reopened.get_message(done.id).status is MessageStatus.COMPLETE
        # Interrupted replies become searchable.
        assert [h.message_id for h in reopened.search("partial")] == [reply.id]


def test_deleting_a_streaming_reply_drops_its_buffer(store: ChatStore) -> None:
    conv = store.create_conversation()
    reply = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(reply.id, "", "text")
    store.delete_message(reply.id)
    assert store.flush() is False
    assert [m.role for m in store.active_path(conv.id)] == ["user"]


def test_a_worker_thread_uses_its_own_store(db_file: Path, store: ChatStore) -> None:
    # One connection per thread: a worker streams through its own ChatStore
    # while the GUI thread's store keeps reading the same file (WAL).
    import threading

    conv = store.create_conversation()
    user = store.add_user_message(conv.id, "q")
    reply = store.start_reply(user.id)
    errors: list[BaseException] = []
    seen: list[str] = []

    def worker() -> None:
        try:
            with ChatStore(db_file, recover_interrupted=False, flush_interval_s=0.0) as mine:
                for i in range(50):
                    mine.append_stream(reply.id, "", f"{i},")
                mine.finish_stream(reply.id)
        except BaseException as exc:  # handed to the main thread's assert
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        seen.append(store.get_message(reply.id).content)
    thread.join()
    assert errors == []
    final = store.get_message(reply.id)
    assert final.status is MessageStatus.COMPLETE
    assert final.content == "".join(f"{i}," for i in range(50))
    assert all(final.content.startswith(text) for text in seen)  # never a torn read


def test_failed_flush_keeps_buffered_text(db_file: Path) -> None:
    """A write that fails inside the transaction (disk full, I/O error) keeps the buffer."""
    with ChatStore(db_file, flush_interval_s=3600) as store:
        conv = store.create_conversation()
        reply = store.start_reply(store.add_user_message(conv.id, "q").id)
        store.append_stream(reply.id, "think", "ans")
        # Another connection makes every text update fail, as a full disk would.
        other = sqlite3.connect(db_file, isolation_level=None)
        other.execute(
            "CREATE TRIGGER fail_writes BEFORE UPDATE OF content ON messages "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        with pytest.raises(StoreError):
            store.flush()
        with pytest.raises(StoreError):
            store.finish_stream(reply.id)
        other.execute("DROP TRIGGER fail_writes")
        other.close()
        store.append_stream(reply.id, " more", "wer")
        done = store.finish_stream(reply.id)
        assert (done.reasoning, done.content) == ("think more", "answer")
        assert done.status is MessageStatus.COMPLETE
