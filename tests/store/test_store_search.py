"""Full-text search: matches, snippets, hostile queries, every search mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store import schema
from app.store import search as search_module
from app.store.chat_store import ChatStore
from app.store.records import MessageStatus
from app.store.schema import SearchMode


@pytest.fixture
def filled(store: ChatStore) -> dict[str, int]:
    """Three conversations with English, LaTeX and Chinese text."""
    ids: dict[str, int] = {}
    calc = store.create_conversation("Calculus homework")
    u = store.add_user_message(calc.id, "What is the integral of x^2?")
    ids["calc_user"] = u.id
    r = store.start_reply(u.id)
    store.append_stream(
        r.id, "Use the power rule: raise the exponent.", "It is $\\frac{x^3}{3} + C$."
    )
    store.finish_stream(r.id)
    ids["calc_reply"] = r.id
    ids["calc"] = calc.id
    zh = store.create_conversation("中文对话")
    u = store.add_user_message(zh.id, "请解释勾股定理的证明")
    ids["zh_user"] = u.id
    ids["zh"] = zh.id
    quotes = store.create_conversation("Quotes")
    u = store.add_user_message(quotes.id, 'He said "NEAR the end" and * stars * and 100% _done_')
    ids["quotes_user"] = u.id
    ids["quotes"] = quotes.id
    return ids


def _message_ids(store: ChatStore, query: str) -> set[int | None]:
    return {h.message_id for h in store.search(query) if h.message_id is not None}


def test_finds_content_and_reasoning(store: ChatStore, filled: dict[str, int]) -> None:
    assert _message_ids(store, "integral") == {filled["calc_user"]}
    assert _message_ids(store, "power rule") == {filled["calc_reply"]}  # reasoning
    assert _message_ids(store, "frac") == {filled["calc_reply"]}
    assert _message_ids(store, "INTEGRAL") == {filled["calc_user"]}  # case-insensitive
    assert _message_ids(store, "integral nonexistentword") == set()  # terms are ANDed


def test_snippet_marks_match(store: ChatStore, filled: dict[str, int]) -> None:
    hits = store.search("integral", start="[", end="]")
    assert len(hits) == 1
    assert "[integral]" in hits[0].snippet
    assert hits[0].conversation_id == filled["calc"]
    assert hits[0].conversation_title == "Calculus homework"


def test_title_hits(store: ChatStore, filled: dict[str, int]) -> None:
    hits = store.search("homework")
    assert [(h.conversation_id, h.message_id) for h in hits] == [(filled["calc"], None)]
    assert "«homework»" in hits[0].snippet


def test_chinese_text(store: ChatStore, filled: dict[str, int]) -> None:
    assert _message_ids(store, "勾股定理") == {filled["zh_user"]}
    assert _message_ids(store, "勾股") == {filled["zh_user"]}  # two characters
    assert _message_ids(store, "定") == {filled["zh_user"]}  # one character
    assert {h.conversation_id for h in store.search("中文")} == {filled["zh"]}
    assert _message_ids(store, "英文") == set()


@pytest.mark.parametrize(
    "query",
    ['"', '""', '"NEAR', "NEAR(", "NEAR(a b)", "*", "a*", "-x", "AND", "OR NOT", "(", ")",
     "col:val", "^start", "{a b}", "'", "\\", "%", "_", "x\x00y", "\u202e", "🙂", "   "],
)
def test_hostile_queries_do_not_raise(
    store: ChatStore, filled: dict[str, int], query: str
) -> None:
    hits = store.search(query)
    assert isinstance(hits, list)


def test_hostile_terms_are_searched_literally(store: ChatStore, filled: dict[str, int]) -> None:
    q = filled["quotes_user"]
    assert _message_ids(store, '"NEAR the end"') == {q}  # a quoted phrase
    assert _message_ids(store, "NEAR") == {q}  # the operator word as a term
    assert _message_ids(store, "100%") == {q}  # LIKE wildcard taken literally
    assert _message_ids(store, "_done_") == {q}
    assert _message_ids(store, "%") == {q}
    assert _message_ids(store, "stars") == {q}


def test_like_wildcards_do_not_match_everything(store: ChatStore, filled: dict[str, int]) -> None:
    assert _message_ids(store, "_") == {filled["quotes_user"]}
    assert _message_ids(store, "%%") == set()


def test_deleted_conversations_are_not_found(store: ChatStore, filled: dict[str, int]) -> None:
    store.delete_conversation(filled["calc"])
    assert store.search("integral") == []
    assert store.search("homework") == []
    store.restore_conversation(filled["calc"])
    assert _message_ids(store, "integral") == {filled["calc_user"]}


def test_index_follows_edits_and_deletes(store: ChatStore, filled: dict[str, int]) -> None:
    store.rename_conversation(filled["calc"], "Physics")
    assert store.search("homework") == []
    assert [h.message_id for h in store.search("physics")] == [None]
    store.delete_message(filled["calc_reply"])
    assert _message_ids(store, "power rule") == set()


def test_streaming_text_is_indexed_when_it_ends(store: ChatStore) -> None:
    conv = store.create_conversation()
    r = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(r.id, "", "zebra crossing")
    store.flush()
    assert _message_ids(store, "zebra") == set()
    store.finish_stream(r.id, MessageStatus.CANCELLED)
    assert _message_ids(store, "zebra") == {r.id}
    store.continue_reply(r.id)
    store.append_stream(r.id, "", " giraffe")
    store.finish_stream(r.id)
    assert _message_ids(store, "zebra giraffe") == {r.id}


def test_uses_best_fts_mode(store: ChatStore) -> None:
    assert store.search_mode in (SearchMode.TRIGRAM, SearchMode.WORDS)


@pytest.mark.parametrize("mode", list(SearchMode))
def test_every_mode_finds_the_same(
    store: ChatStore, filled: dict[str, int], mode: SearchMode
) -> None:
    # The LIKE fallback (no FTS5) and word mode run on the same data.
    conn = store._db()

    def ids(query: str) -> set[int | None]:
        return {h.message_id for h in search_module.search(conn, mode, query)}

    assert ids("integral") == {filled["calc_user"]}
    assert ids("power rule") == {filled["calc_reply"]}
    assert ids('"NEAR the end"') == {filled["quotes_user"]}
    assert None in ids("homework")
    assert ids("zzzz") == set()
    if mode is not SearchMode.WORDS:  # unicode61 sees a run of Han characters as one word
        assert ids("勾股") == {filled["zh_user"]}
    for query in ['"', "NEAR(", "*", "%", "a*"]:
        search_module.search(conn, mode, query)


def test_like_snippet_marks_match(store: ChatStore, filled: dict[str, int]) -> None:
    hits = search_module.search(store._db(), SearchMode.LIKE, "exponent", start="<", end=">")
    assert len(hits) == 1
    assert "<exponent>" in hits[0].snippet


def test_split_terms() -> None:
    assert search_module.split_terms('a "b c" d"e') == ["a", "b c", 'd"e']
    assert search_module.fts_query(['x"y'], SearchMode.TRIGRAM) == '"x""y"'
    assert search_module.fts_query(["a", "b"], SearchMode.WORDS) == '"a" AND "b" *'


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=30))
def test_any_query_is_safe(store: ChatStore, query: str) -> None:
    for mode in SearchMode:
        if mode is store.search_mode or mode is SearchMode.LIKE:
            assert isinstance(search_module.search(store._db(), mode, query), list)


def test_database_without_fts5(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A SQLite build without FTS5: the schema gets no index and search scans.
    monkeypatch.setattr(schema, "best_search_mode", lambda conn: SearchMode.LIKE)
    with ChatStore(db_file) as store:
        assert store.search_mode is SearchMode.LIKE
        names = {r[0] for r in store._db().execute("SELECT name FROM sqlite_master")}
        assert not any("fts" in n for n in names)
        conv = store.create_conversation("Plain build")
        user = store.add_user_message(conv.id, "勾股定理 and NEAR(x) with 50%")
        assert [h.message_id for h in store.search("勾股")] == [user.id]
        assert [h.message_id for h in store.search("NEAR(x)")] == [user.id]
        assert [h.message_id for h in store.search("plain")] == [None]
        assert store.search("zzz") == []
    monkeypatch.undo()
    with ChatStore(db_file) as store:  # the file keeps its mode on a later open
        assert store.search_mode is SearchMode.LIKE
