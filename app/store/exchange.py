"""Export conversations to Markdown and JSON; import JSON back.

Markdown holds the active branch, for reading and sharing: math stays as the
model wrote it (LaTeX between `$`/`\\(`...), reasoning goes into a collapsible
`<details>` block or a quoted section. JSON holds the whole tree with every
branch in a versioned format; importing it creates a new conversation in one
transaction, after the whole file was checked, so a bad file adds nothing.

JSON format, version 1::

    {"format": "ponder.conversation", "version": 1, "exported_at": 1700000000.0,
     "conversation": {"title": str, "created_at": float, "updated_at": float,
                      "settings": {}},
     "messages": [{"id": int, "parent": int | null, "role": "user",
                   "content": str, "reasoning": str, "status": "complete",
                   "created_at": float, "updated_at": float, "model": str,
                   "params": {}, "stats": {}, "thinking_s": float | null,
                   "boxed": str | null, "reasoning_collapsed": bool,
                   "active": bool, "checks": {kind: {...}}}, ...]}

`checks` (optional) holds the message's saved answer checks (the tutor's
vote, the student's answer) as the store keeps them.

Message ids are local to the file; `parent` refers to them and `active` marks
the remembered choice among siblings.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.records import (
    ROLES,
    Conversation,
    ConversationTree,
    MessageStatus,
    StoredMessage,
    TreeMessage,
)

FORMAT_NAME = "ponder.conversation"
FORMAT_VERSION = 1

ReasoningStyle = Literal["details", "quote", "omit"]

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System"}
_STATUS_NOTES = {
    MessageStatus.INTERRUPTED: "interrupted",
    MessageStatus.CANCELLED: "stopped",
    MessageStatus.ERROR: "failed",
    MessageStatus.STREAMING: "still writing",
}


# ------------------------------------------------------------------ Markdown


def _reasoning_block(msg: StoredMessage, style: ReasoningStyle) -> str:
    if not msg.reasoning.strip() or style == "omit":
        return ""
    label = "Reasoning"
    if msg.thinking_s is not None:
        label += f" ({msg.thinking_s:.0f} s)"
    text = msg.reasoning.strip("\n")
    if style == "quote":
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
        return f"> **{label}**\n>\n{quoted}\n\n"
    # A blank line after <summary> lets Markdown renderers format the inside.
    return f"<details>\n<summary>{label}</summary>\n\n{text}\n\n</details>\n\n"


def messages_to_markdown(
    title: str, messages: list[StoredMessage], reasoning: ReasoningStyle = "details"
) -> str:
    """Markdown for a list of messages (a branch), math and code left as written."""
    parts = [f"# {title}\n\n"]
    for msg in messages:
        heading = _ROLE_HEADINGS.get(msg.role, msg.role.title())
        if msg.role == "assistant" and msg.model:
            heading += f" · {msg.model}"
        note = _STATUS_NOTES.get(msg.status)
        if note:
            heading += f" ({note})"
        parts.append(f"## {heading}\n\n")
        if msg.role == "assistant":
            parts.append(_reasoning_block(msg, reasoning))
        body = msg.content.strip("\n")
        if body:
            parts.append(f"{body}\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def export_markdown(
    store: ChatStore, conversation_id: int, reasoning: ReasoningStyle = "details"
) -> str:
    """The active branch of a conversation as Markdown.

    Args:
        store: the open store.
        conversation_id: which conversation.
        reasoning: "details" (collapsible block), "quote" (a quoted section)
            or "omit".
    """
    conv = store.get_conversation(conversation_id)
    return messages_to_markdown(conv.title, store.active_path(conversation_id), reasoning)


# ---------------------------------------------------------------------- JSON


def tree_to_json_dict(tree: ConversationTree, exported_at: float | None = None) -> dict[str, Any]:
    """The versioned JSON object for a conversation tree."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": time.time() if exported_at is None else exported_at,
        "conversation": {
            "title": tree.title,
            "created_at": tree.created_at,
            "updated_at": tree.updated_at,
            "settings": tree.settings,
        },
        "messages": [
            {
                "id": m.key,
                "parent": m.parent_key,
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning,
                "status": m.status.value,
                "created_at": m.created_at,
                "updated_at": m.updated_at,
                "model": m.model,
                "params": m.params,
                "stats": m.stats,
                "thinking_s": m.thinking_s,
                "boxed": m.boxed,
                "reasoning_collapsed": m.reasoning_collapsed,
                "active": m.is_active,
                "checks": m.checks,
            }
            for m in tree.messages
        ],
    }


def export_json(store: ChatStore, conversation_id: int) -> str:
    """The whole conversation (every branch) as JSON text."""
    data = tree_to_json_dict(store.load_tree(conversation_id))
    return json.dumps(data, ensure_ascii=False, indent=1)


class _Bad(Exception):
    """A problem in an import file, described for the user."""


_REQUIRED: Any = object()
_NUMBER = (int, float)


def _field(
    obj: Mapping[str, Any],
    name: str,
    kinds: tuple[type, ...],
    default: Any,
    where: str,
    *,
    nullable: bool = False,
) -> Any:
    """obj[name] checked against `kinds`; `default` when absent (_REQUIRED: an error)."""
    if name not in obj:
        if default is _REQUIRED:
            raise _Bad(f'{where} lacks the field "{name}"')
        return default
    value = obj[name]
    if value is None and nullable:
        return None
    # bool is an int in Python, but a JSON true is never a valid number here.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _Bad(f'{where} has a wrong value for "{name}"')
    return value


def _number(obj: Mapping[str, Any], name: str, default: Any, where: str, *,
            nullable: bool = False) -> float | None:
    """A finite float field (a huge integer, NaN or Infinity is a wrong value)."""
    value = _field(obj, name, _NUMBER, default, where, nullable=nullable)
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        raise _Bad(f'{where} has a wrong value for "{name}"') from None
    if not math.isfinite(number):
        raise _Bad(f'{where} has a wrong value for "{name}"')
    return number


def _parse_message(obj: Any, index: int, now: float) -> TreeMessage:
    where = f"message {index + 1}"
    if not isinstance(obj, dict):
        raise _Bad(f"{where} is not an object")
    role = _field(obj, "role", (str,), _REQUIRED, where)
    if role not in ROLES:
        raise _Bad(f"{where} has the unknown role \"{role}\"")
    status_text = _field(obj, "status", (str,), MessageStatus.COMPLETE.value, where)
    try:
        status = MessageStatus(status_text)
    except ValueError:
        raise _Bad(f"{where} has the unknown status \"{status_text}\"") from None
    created = _number(obj, "created_at", now, where) or 0.0
    thinking = _number(obj, "thinking_s", None, where, nullable=True)
    return TreeMessage(
        key=_field(obj, "id", (int,), _REQUIRED, where),
        parent_key=_field(obj, "parent", (int,), None, where, nullable=True),
        role=role,
        content=_field(obj, "content", (str,), _REQUIRED, where),
        reasoning=_field(obj, "reasoning", (str,), "", where),
        status=status,
        created_at=created,
        updated_at=_number(obj, "updated_at", created, where) or 0.0,
        model=_field(obj, "model", (str,), "", where),
        params=_field(obj, "params", (dict,), {}, where),
        stats=_field(obj, "stats", (dict,), {}, where),
        thinking_s=thinking,
        boxed=_field(obj, "boxed", (str,), None, where, nullable=True),
        reasoning_collapsed=_field(obj, "reasoning_collapsed", (bool,), False, where),
        is_active=_field(obj, "active", (bool,), False, where),
        checks=_checks(obj, where),
    )


def _checks(obj: Mapping[str, Any], where: str) -> dict[str, Any]:
    checks = _field(obj, "checks", (dict,), {}, where)
    for kind, data in checks.items():
        if not isinstance(data, dict):
            raise _Bad(f"{where} has a check \"{kind}\" that is not an object")
    return dict(checks)


def _parents_first(messages: list[TreeMessage]) -> tuple[TreeMessage, ...]:
    by_key: dict[int, TreeMessage] = {}
    for m in messages:
        if m.key in by_key:
            raise _Bad(f"two messages share the id {m.key}")
        by_key[m.key] = m
    for m in messages:
        if m.parent_key is not None and m.parent_key not in by_key:
            raise _Bad(f"message {m.key} answers message {m.parent_key}, which is not in the file")
    # Each message after its parent, otherwise in the file's order.
    ordered: list[TreeMessage] = []
    placed: set[int] = set()
    for m in messages:
        chain: list[TreeMessage] = []
        node: TreeMessage | None = m
        while node is not None and node.key not in placed:
            if len(chain) > len(messages):
                raise _Bad("some messages answer each other in a circle")
            chain.append(node)
            node = None if node.parent_key is None else by_key[node.parent_key]
        for item in reversed(chain):
            placed.add(item.key)
            ordered.append(item)
    return tuple(ordered)


def parse_json(text: str | bytes) -> ConversationTree:
    """Check an exported conversation and turn it into a ConversationTree.

    Raises:
        StoreError: the text is not JSON, not a Ponder conversation, from a
            newer Ponder, or has a missing or wrong field (named in the message).
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(
            f"This file is not valid JSON ({exc}). Choose a conversation file that "
            "Ponder exported; nothing was imported."
        ) from exc
    except RecursionError:
        raise StoreError(
            "This file is nested too deeply to be a Ponder conversation export. Choose a "
            ".json file made with Export → JSON; nothing was imported."
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise StoreError(
            "This file is not a Ponder conversation export. Choose a .json file made "
            "with Export → JSON; nothing was imported."
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoreError(
            "This conversation file has no valid format version. It may be damaged; "
            "export it again. Nothing was imported."
        )
    if version > FORMAT_VERSION:
        raise StoreError(
            f"This conversation file was made by a newer Ponder (format {version}; this "
            f"version reads up to {FORMAT_VERSION}). Update Ponder to import it."
        )
    try:
        now = time.time()
        conv = data.get("conversation")
        if not isinstance(conv, dict):
            raise _Bad("the \"conversation\" object is missing")
        title = _field(conv, "title", (str,), "Imported chat", "the conversation")
        created = _number(conv, "created_at", now, "the conversation") or 0.0
        updated = _number(conv, "updated_at", created, "the conversation") or 0.0
        settings = _field(conv, "settings", (dict,), {}, "the conversation")
        raw_messages = data.get("messages")
        if not isinstance(raw_messages, list):
            raise _Bad("the \"messages\" list is missing")
        messages = [_parse_message(obj, i, now) for i, obj in enumerate(raw_messages)]
        ordered = _parents_first(messages)
    except _Bad as bad:
        raise StoreError(
            f"This conversation file cannot be imported: {bad}. It may be damaged or "
            "edited by hand; export it again. Nothing was imported."
        ) from None
    return ConversationTree(
        title=" ".join(title.split()) or "Imported chat",
        created_at=created,
        updated_at=updated,
        settings=settings,
        messages=ordered,
    )


def import_json(store: ChatStore, text: str | bytes) -> Conversation:
    """Add an exported conversation as a new conversation (all or nothing)."""
    return store.insert_tree(parse_json(text))


def parse_json_file(path: Path) -> ConversationTree:
    """Read and check a conversation file (nothing is imported yet).

    Raises:
        StoreError: the file cannot be read or is not a valid export.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(
            f"Ponder cannot read {path} ({exc.strerror}). Check that the file exists "
            "and is readable."
        ) from exc
    return parse_json(data)


def import_json_file(store: ChatStore, path: Path) -> Conversation:
    """Read a conversation file and import it.

    Raises:
        StoreError: the file cannot be read or is not a valid export.
    """
    return store.insert_tree(parse_json_file(path))
