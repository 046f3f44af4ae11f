"""Turning SQLite rows into records and values into JSON columns.

Shared by the parts of ChatStore; nothing here touches the connection.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Mapping
from enum import Enum
from typing import Any

from app.core.errors import StoreError
from app.store.records import Conversation, JsonDict, MessageStatus, StoredMessage

MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, status, created_at, "
    "updated_at, model, params, stats, thinking_s, boxed, reasoning_collapsed"
)
CONVERSATION_COLUMNS = "id, title, created_at, updated_at, settings, deleted_at"

_STATUS = {s.value: s for s in MessageStatus}


def to_json_dict(value: Mapping[str, Any] | Any | None) -> JsonDict:
    """A JSON-ready dict from a mapping or a dataclass (enums become their values)."""
    if value is None:
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping or a dataclass, got {type(value).__name__}")
    return {str(k): (v.value if isinstance(v, Enum) else v) for k, v in value.items()}


def dump_json(value: Mapping[str, Any] | Any | None) -> str:
    """The text stored in a JSON column for a mapping, a dataclass or None."""
    return json.dumps(to_json_dict(value), ensure_ascii=False, sort_keys=True)


def load_json(text: str | None) -> JsonDict:
    """A JSON column's dict; anything unreadable or not an object reads as {}."""
    if not text or text == "{}":  # most rows: skip the JSON parser (opening long chats)
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def conversation_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Conversation:
    """A Conversation from a row of CONVERSATION_COLUMNS."""
    return Conversation(
        id=int(row[0]),
        title=str(row[1]),
        created_at=float(row[2]),
        updated_at=float(row[3]),
        settings=load_json(row[4]),
        deleted_at=None if row[5] is None else float(row[5]),
    )


def message_from_row(row: tuple[Any, ...], index: int = 0, count: int = 1) -> StoredMessage:
    """A StoredMessage from a row of MESSAGE_COLUMNS, `index` of `count` siblings."""
    return StoredMessage(
        id=int(row[0]),
        conversation_id=int(row[1]),
        parent_id=None if row[2] is None else int(row[2]),
        role=str(row[3]),
        content=str(row[4]),
        reasoning=str(row[5]),
        status=_STATUS[row[6]],
        created_at=float(row[7]),
        updated_at=float(row[8]),
        model=str(row[9]),
        params=load_json(row[10]),
        stats=load_json(row[11]),
        thinking_s=None if row[12] is None else float(row[12]),
        boxed=None if row[13] is None else str(row[13]),
        reasoning_collapsed=bool(row[14]),
        sibling_index=index,
        sibling_count=count,
    )


def missing(kind: str, ident: int) -> StoreError:
    """The error for a conversation or message id that is not (or no longer) there."""
    return StoreError(
        f"That {kind} (id {ident}) no longer exists; it may have been deleted. "
        "Reload the conversation list and try again."
    )
