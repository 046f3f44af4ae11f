"""Full-text search over message text and conversation titles.

User queries never reach FTS5 as syntax: each term (a word, or a "quoted
phrase") becomes a quoted FTS5 string, so input such as `NEAR(`, `a*`, `"`
or `-x` is searched for literally instead of raising a syntax error. Terms
are ANDed. Soft-deleted conversations are left out.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from app.store.records import SearchHit
from app.store.schema import SearchMode

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_TRIGRAM_MIN = 3  # the trigram tokenizer cannot match shorter substrings
_SNIPPET_CHARS = 80


def split_terms(query: str) -> list[str]:
    """Split a user query into terms: words, or "quoted phrases" kept whole."""
    terms: list[str] = []
    # SQLite ends a query string at NUL; it could never match stored text anyway.
    for match in _TERM.finditer(query.replace("\x00", " ")):
        term = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        if term:
            terms.append(term)
    return terms


def fts_query(terms: Sequence[str], mode: SearchMode) -> str:
    """An FTS5 MATCH expression that searches for every term literally.

    In WORDS mode the last term also matches as a prefix (search as you type).
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if mode is SearchMode.WORDS and quoted:
        quoted[-1] += " *"
    return " AND ".join(quoted)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _python_snippet(text: str, terms: Sequence[str], start: str, end: str) -> str:
    """An excerpt around the first term found in `text`, terms marked."""
    folded = text.casefold()
    positions = [(folded.find(t.casefold()), t) for t in terms]
    found = [(pos, t) for pos, t in positions if pos >= 0]
    if not found:
        return text[:_SNIPPET_CHARS] + ("…" if len(text) > _SNIPPET_CHARS else "")
    pos, _ = min(found)
    lo = max(0, pos - _SNIPPET_CHARS // 2)
    hi = min(len(text), lo + _SNIPPET_CHARS)
    excerpt = text[lo:hi]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{start}{m.group(0)}{end}", excerpt)
    return ("…" if lo > 0 else "") + marked + ("…" if hi < len(text) else "")


def search(
    conn: sqlite3.Connection,
    mode: SearchMode,
    query: str,
    *,
    limit: int = 50,
    start: str = "«",
    end: str = "»",
) -> list[SearchHit]:
    """Find messages and conversation titles that contain every term of `query`.

    Args:
        conn: an open store connection.
        mode: how this database indexes text (see schema.search_mode_of).
        query: what the user typed; any text is safe.
        limit: the most hits of each kind (titles, messages) to return.
        start: marker put before each match in the snippet.
        end: marker put after each match in the snippet.

    Returns:
        Title hits first, then message hits, best first.
    """
    terms = split_terms(query)
    if not terms:
        return []
    use_like = mode is SearchMode.LIKE or (
        mode is SearchMode.TRIGRAM and any(len(t) < _TRIGRAM_MIN for t in terms)
    )
    if use_like:
        return _search_like(conn, terms, limit, start, end)
    return _search_fts(conn, mode, terms, limit, start, end)


def _search_fts(
    conn: sqlite3.Connection,
    mode: SearchMode,
    terms: Sequence[str],
    limit: int,
    start: str,
    end: str,
) -> list[SearchHit]:
    match = fts_query(terms, mode)
    tokens = 24 if mode is SearchMode.TRIGRAM else 12
    titles = conn.execute(
        "SELECT c.id, c.title, highlight(conversations_fts, 0, ?, ?) "
        "FROM conversations_fts JOIN conversations c ON c.id = conversations_fts.rowid "
        "WHERE conversations_fts MATCH ? AND c.deleted_at IS NULL "
        "ORDER BY rank LIMIT ?",
        (start, end, match, limit),
    ).fetchall()
    messages = conn.execute(
        "SELECT m.conversation_id, c.title, m.id, "
        "       snippet(messages_fts, -1, ?, ?, '…', ?) "
        "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE messages_fts MATCH ? AND c.deleted_at IS NULL "
        "ORDER BY rank LIMIT ?",
        (start, end, tokens, match, limit),
    ).fetchall()
    hits = [SearchHit(int(r[0]), str(r[1]), None, str(r[2])) for r in titles]
    hits += [SearchHit(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in messages]
    return hits


def _search_like(
    conn: sqlite3.Connection,
    terms: Sequence[str],
    limit: int,
    start: str,
    end: str,
) -> list[SearchHit]:
    patterns = [_like_pattern(t) for t in terms]
    title_where = " AND ".join("title LIKE ? ESCAPE '\\'" for _ in terms)
    titles = conn.execute(
        f"SELECT id, title FROM conversations WHERE deleted_at IS NULL AND {title_where} "
        "ORDER BY updated_at DESC LIMIT ?",
        (*patterns, limit),
    ).fetchall()
    message_where = " AND ".join(
        "(m.content LIKE ? ESCAPE '\\' OR m.reasoning LIKE ? ESCAPE '\\')" for _ in terms
    )
    args: list[object] = []
    for pattern in patterns:
        args += [pattern, pattern]
    messages = conn.execute(
        "SELECT m.conversation_id, c.title, m.id, m.content, m.reasoning "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        f"WHERE c.deleted_at IS NULL AND {message_where} "
        "ORDER BY m.updated_at DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
    hits = [
        SearchHit(int(r[0]), str(r[1]), None, _python_snippet(str(r[1]), terms, start, end))
        for r in titles
    ]
    for conv_id, title, msg_id, content, reasoning in messages:
        text = content if any(t.casefold() in content.casefold() for t in terms) else reasoning
        hits.append(
            SearchHit(int(conv_id), str(title), int(msg_id),
                      _python_snippet(str(text), terms, start, end))
        )
    return hits
