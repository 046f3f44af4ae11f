"""The sidebar's list and conversation files: what the controller reads and writes for them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from app.core.errors import PonderError
from app.store.chat_store import ChatStore
from app.store.records import Conversation
from app.ui.common.i18n import fill
from app.ui.shell.sidebar import SidebarEntry


def sidebar_entries(store: ChatStore, search_text: str = "") -> list[SidebarEntry]:
    """Every conversation, newest first; while searching, one row per hit conversation.

    Raises:
        PonderError: the search query could not run.
    """
    if not search_text:
        return [SidebarEntry(c.id, c.title) for c in store.list_conversations()]
    entries: list[SidebarEntry] = []
    seen: set[int] = set()
    for hit in store.search(search_text):  # best hit first: keep one per conversation
        if hit.conversation_id not in seen:
            seen.add(hit.conversation_id)
            entries.append(SidebarEntry(hit.conversation_id, hit.conversation_title,
                                        hit.snippet, hit.message_id))
    return entries


def export_file(store: ChatStore, conversation_id: int, fmt: str, path: Path) -> None:
    """Write a conversation as Markdown (active branch) or JSON (the whole tree).

    Raises:
        PonderError: with a sentence for the user (also when the file cannot be written).
    """
    from app.store import exchange

    if fmt == "markdown":
        text = exchange.export_markdown(store, conversation_id)
    else:
        text = exchange.export_json(store, conversation_id)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        # Translated in the controller's context, where the sentence always lived.
        text = QCoreApplication.translate(
            "ChatController", "The file could not be written (%1). Choose another folder.")
        raise PonderError(fill(text, exc.strerror or str(exc))) from exc


def import_file(store: ChatStore, path: Path) -> Conversation:
    """Read a JSON export as a new conversation.

    Raises:
        PonderError: the file is not a readable Ponder export.
    """
    from app.services.hints import carry_hints
    from app.store import exchange

    tree = exchange.parse_json_file(path)
    conversation = store.insert_tree(tree)
    carry_hints(store, conversation.id, tree)  # its hint ids name the exported messages
    return store.get_conversation(conversation.id)
