"""Answer checks saved with their message: a real SQLite file, the schema-3 migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.checks import STUDENT
from app.store.schema import SCHEMA_VERSION
from app.tutor.vote import Group, Sample, VoteResult, original_sample


def _vote() -> VoteResult:
    return VoteResult(
        samples=[original_sample("So \\boxed{\\frac12}", "why", "\\frac12"),
                 Sample(1, "It is \\boxed{0.5}", "half", "0.5", 812, "eos"),
                 Sample(2, "No box here", "hmm", None, 1024, "max_tokens")],
        groups=[Group("\\frac12", [0, 1])], total=5, done=3, stopped_early=True,
        cancelled=False, seconds=31.25)


def _answer(store: ChatStore) -> int:
    conv = store.create_conversation("Halves")
    question = store.add_message(conv.id, None, "user", "What is 1/2 as a decimal?")
    return store.add_message(conv.id, question.id, "assistant", "So \\boxed{\\frac12}").id


def test_a_vote_is_saved_with_its_message_and_survives_reopening(db_file: Path) -> None:
    with ChatStore(db_file) as store:
        message_id = _answer(store)
        assert store.load_check(message_id) is None
        store.save_check(message_id, _vote().to_dict())
    with ChatStore(db_file) as again:
        data = again.load_check(message_id)
        assert data is not None
        assert VoteResult.from_dict(data) == _vote()
        assert data["summary"] == "2 of 3 agree: \\frac12"


def test_saving_again_replaces_and_kinds_stay_apart(store: ChatStore) -> None:
    message_id = _answer(store)
    store.save_check(message_id, _vote().to_dict())
    store.save_check(message_id, {"verdict": "equivalent", "student": "0.5"}, kind=STUDENT)
    newer = VoteResult(samples=_vote().samples[:1], groups=[Group("\\frac12", [0])], total=2,
                       done=1, cancelled=True)
    store.save_check(message_id, newer.to_dict())
    loaded = store.load_check(message_id)
    assert loaded is not None and VoteResult.from_dict(loaded) == newer
    assert store.load_check(message_id, kind=STUDENT) == {"verdict": "equivalent",
                                                          "student": "0.5"}


def test_deleting_the_message_deletes_its_checks(store: ChatStore, db_file: Path) -> None:
    message_id = _answer(store)
    store.save_check(message_id, _vote().to_dict())
    store.delete_message(message_id)
    assert store.load_check(message_id) is None
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("SELECT COUNT(*) FROM answer_checks").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_missing_message_or_bad_data_is_a_sentence(store: ChatStore) -> None:
    with pytest.raises(StoreError, match="no longer exists"):
        store.save_check(9999, {"a": 1})
    message_id = _answer(store)
    with pytest.raises(StoreError, match="cannot be saved"):
        store.save_check(message_id, {"a": object()})
    assert store.load_check(message_id) is None


def test_upgrade_from_schema_2_adds_the_table_and_keeps_messages(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    with ChatStore(path) as store:
        message_id = _answer(store)
    conn = sqlite3.connect(path)
    # Take the file back to schema 2 as released: no answer_checks table.
    conn.executescript("DROP TABLE answer_checks; PRAGMA user_version = 2;")
    conn.close()
    with ChatStore(path) as store:
        conn = sqlite3.connect(path)
        try:
            assert int(conn.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION == 3
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
        assert "answer_checks" in tables
        assert store.get_message(message_id).content == "So \\boxed{\\frac12}"
        store.save_check(message_id, _vote().to_dict())
        assert store.load_check(message_id) is not None


def test_export_and_import_carry_the_checks(db_file: Path) -> None:
    from app.store.exchange import export_json, import_json

    with ChatStore(db_file) as store:
        message_id = _answer(store)
        store.save_check(message_id, _vote().to_dict())
        store.save_check(message_id, {"answer": "0.5", "verdict": "equivalent"}, kind=STUDENT)
        conversation_id = store.get_message(message_id).conversation_id
        text = export_json(store, conversation_id)
        copy = import_json(store, text)
        copied = next(m for m in store.active_path(copy.id) if m.role == "assistant")
        assert copied.id != message_id
        data = store.load_check(copied.id)
        assert data is not None and VoteResult.from_dict(data) == _vote()
        assert store.load_check(copied.id, STUDENT) == {"answer": "0.5",
                                                        "verdict": "equivalent"}


def test_an_import_with_a_malformed_check_is_refused_whole(db_file: Path) -> None:
    import json

    from app.store.exchange import export_json, import_json

    with ChatStore(db_file) as store:
        message_id = _answer(store)
        conversation_id = store.get_message(message_id).conversation_id
        data = json.loads(export_json(store, conversation_id))
        data["messages"][1]["checks"] = {"vote": "not an object"}
        before = len(store.list_conversations())
        with pytest.raises(StoreError, match="check"):
            import_json(store, json.dumps(data))
        assert len(store.list_conversations()) == before
