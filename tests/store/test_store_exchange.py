"""Export to Markdown and JSON; import JSON back, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import StoreError
from app.store import exchange
from app.store.chat_store import ChatStore
from app.store.records import ConversationTree, MessageStatus


def _branchy(store: ChatStore) -> int:
    """A conversation with an edited question, a regenerated answer and math."""
    conv = store.create_conversation("Geometry 几何", settings={"temperature": 0.5})
    q1 = store.add_user_message(conv.id, "Prove $a^2+b^2=c^2$.")
    a1 = store.start_reply(q1.id, model="R1-1.5B", params={"temperature": 0.6})
    store.append_stream(a1.id, "Consider a right triangle.\n\nUse areas.", "")
    store.append_stream(a1.id, "", "By similar triangles,\n$$\n\\boxed{c^2=a^2+b^2}\n$$")
    store.finish_stream(a1.id, stats={"ttft_s": 0.4, "decode_tps": 19.1}, thinking_s=3.2,
                        boxed="c^2=a^2+b^2")
    a2 = store.regenerate(a1.id, model="R1-1.5B")
    store.append_stream(a2.id, "", "Shorter answer.")
    store.finish_stream(a2.id, MessageStatus.CANCELLED)
    store.activate(a1.id)
    store.set_reasoning_collapsed(a1.id, True)
    q2 = store.edit_user_message(q1.id, "Prove it for 3-4-5.")
    a3 = store.start_reply(q2.id)
    store.append_stream(a3.id, "", "9+16=25")
    store.finish_stream(a3.id)
    store.activate(a1.id)
    return conv.id


def _shape(tree: ConversationTree) -> Any:
    """The tree without ids: each message with its parent's and its own contents."""
    by_key = {m.key: m for m in tree.messages}

    def ancestry(key: int | None) -> tuple[str, ...]:
        out: list[str] = []
        while key is not None:
            out.append(by_key[key].role + ":" + by_key[key].content)
            key = by_key[key].parent_key
        return tuple(out)

    return (
        tree.title, tree.created_at, tree.updated_at, tree.settings,
        sorted(
            (ancestry(m.key), m.reasoning, m.status.value, m.created_at, m.updated_at,
             m.model, json.dumps(m.params, sort_keys=True), json.dumps(m.stats, sort_keys=True),
             m.thinking_s, m.boxed, m.reasoning_collapsed, m.is_active)
            for m in tree.messages
        ),
    )


def test_json_round_trip(store: ChatStore) -> None:
    conv_id = _branchy(store)
    text = exchange.export_json(store, conv_id)
    data = json.loads(text)
    assert data["format"] == "ponder.conversation" and data["version"] == 1
    assert len(data["messages"]) == 5
    imported = exchange.import_json(store, text)
    assert imported.id != conv_id
    assert _shape(store.load_tree(imported.id)) == _shape(store.load_tree(conv_id))
    # The same branch is active after import.
    original = [(m.role, m.content) for m in store.active_path(conv_id)]
    assert [(m.role, m.content) for m in store.active_path(imported.id)] == original
    # And exporting the import gives the same file apart from ids and the time stamp.
    again = json.loads(exchange.export_json(store, imported.id))
    for d in (data, again):
        d.pop("exported_at")
    assert [{k: v for k, v in m.items() if k not in ("id", "parent")}
            for m in again["messages"]] == [
        {k: v for k, v in m.items() if k not in ("id", "parent")} for m in data["messages"]
    ]


def test_import_file_and_unknown_order(store: ChatStore, tmp_path: Path) -> None:
    conv_id = _branchy(store)
    data = json.loads(exchange.export_json(store, conv_id))
    data["messages"].reverse()  # children before parents
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    imported = exchange.import_json_file(store, path)
    assert _shape(store.load_tree(imported.id)) == _shape(store.load_tree(conv_id))


def test_streaming_message_imports_as_interrupted(store: ChatStore) -> None:
    conv = store.create_conversation("live")
    r = store.start_reply(store.add_user_message(conv.id, "q").id)
    store.append_stream(r.id, "", "half")
    store.flush()
    imported = exchange.import_json(store, exchange.export_json(store, conv.id))
    path = store.active_path(imported.id)
    assert path[-1].status is MessageStatus.INTERRUPTED and path[-1].content == "half"


def test_markdown_export(store: ChatStore) -> None:
    conv_id = _branchy(store)
    md = exchange.export_markdown(store, conv_id)
    assert md.startswith("# Geometry 几何\n")
    assert "## You\n\nProve $a^2+b^2=c^2$." in md
    assert "## Assistant · R1-1.5B" in md
    assert "<details>\n<summary>Reasoning (3 s)</summary>\n\nConsider a right triangle." in md
    assert "$$\n\\boxed{c^2=a^2+b^2}\n$$" in md  # LaTeX untouched
    assert "Shorter answer" not in md and "3-4-5" not in md  # only the active branch
    quoted = exchange.export_markdown(store, conv_id, reasoning="quote")
    assert "> **Reasoning (3 s)**\n>\n> Consider a right triangle.\n>\n> Use areas." in quoted
    assert "<details>" not in quoted
    bare = exchange.export_markdown(store, conv_id, reasoning="omit")
    assert "Consider" not in bare and "\\boxed" in bare


def _count(store: ChatStore) -> tuple[int, int]:
    conn = store._db()
    return (conn.execute("SELECT count(*) FROM conversations").fetchone()[0],
            conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def _valid() -> dict[str, Any]:
    return {
        "format": "ponder.conversation", "version": 1,
        "conversation": {"title": "t"},
        "messages": [
            {"id": 1, "parent": None, "role": "user", "content": "q"},
            {"id": 2, "parent": 1, "role": "assistant", "content": "a"},
        ],
    }


def _with(path: str, value: Any) -> str:
    data = _valid()
    target: Any = data
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if isinstance(target, list) else target[k]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return json.dumps(data)


_DELETE = object()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "not valid JSON"),
        ("{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        ("[]", "not a Ponder conversation"),
        ('{"format": "other"}', "not a Ponder conversation"),
        (_with("version", 99), "newer Ponder"),
        (_with("version", "1"), "no valid format version"),
        (_with("version", True), "no valid format version"),
        (_with("conversation", _DELETE), "conversation"),
        (_with("messages", {}), "messages"),
        (_with("messages.1", "hello"), "message 2 is not an object"),
        (_with("messages.1.role", "robot"), "unknown role"),
        (_with("messages.1.role", _DELETE), 'lacks the field "role"'),
        (_with("messages.1.content", 5), 'wrong value for "content"'),
        (_with("messages.1.status", "done"), "unknown status"),
        (_with("messages.1.created_at", "yesterday"), "created_at"),
        (_with("messages.1.id", True), '"id"'),
        (_with("messages.1.id", 1), "share the id 1"),
        (_with("messages.1.parent", 7), "not in the file"),
        (_with("messages.0.parent", 2), "circle"),
        (_with("messages.1.params", [1]), "params"),
        (_with("messages.1.reasoning_collapsed", "yes"), "reasoning_collapsed"),
        (_with("conversation.settings", "x"), "settings"),
    ],
)
def test_malformed_imports_add_nothing(store: ChatStore, text: str | bytes, needle: str) -> None:
    _branchy(store)
    before = _count(store)
    with pytest.raises(StoreError, match=needle) as info:
        exchange.import_json(store, text)
    assert "import" in str(info.value).lower() or "Update Ponder" in str(info.value)
    assert _count(store) == before


def test_valid_minimal_import(store: ChatStore) -> None:
    conv = exchange.import_json(store, json.dumps(_valid()))
    assert conv.title == "t"
    assert [m.content for m in store.active_path(conv.id)] == ["q", "a"]


def test_failure_inside_the_transaction_rolls_back(store: ChatStore) -> None:
    # Valid by shape, refused by the database halfway through (empty title is
    # checked first, so break a message instead): nothing may remain.
    tree = exchange.parse_json(json.dumps(_valid()))
    broken = ConversationTree(tree.title, tree.created_at, tree.updated_at, tree.settings,
                              (*tree.messages, tree.messages[1].__class__(
                                  key=3, parent_key=99, role="user", content="x", reasoning="",
                                  status=MessageStatus.COMPLETE, created_at=0, updated_at=0)))
    before = _count(store)
    with pytest.raises(KeyError):
        store.insert_tree(broken)
    assert _count(store) == before


def test_unreadable_file(store: ChatStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot read"):
        exchange.import_json_file(store, tmp_path / "missing.json")
