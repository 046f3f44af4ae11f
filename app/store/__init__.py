"""SQLite storage of conversations: message tree, search, migrations. No Qt.

The GUI uses `ChatStore` (app.store.chat_store), the values in
app.store.records, export/import in app.store.exchange and the settings file
in app.store.settings.
"""

from app.store.chat_store import ChatStore
from app.store.records import (
    Conversation,
    ConversationTree,
    MessageStatus,
    SearchHit,
    StoredMessage,
    TreeMessage,
)
from app.store.settings import Settings, load_settings, save_settings

__all__ = [
    "ChatStore",
    "Conversation",
    "ConversationTree",
    "MessageStatus",
    "SearchHit",
    "Settings",
    "StoredMessage",
    "TreeMessage",
    "load_settings",
    "save_settings",
]
