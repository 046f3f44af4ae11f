"""The conversation list: new, rename, delete with undo, full-text search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class SidebarEntry:
    """One row: a conversation or a search hit.

    Attributes:
        conversation_id: the conversation to open.
        title: the main text.
        detail: a second line (a search snippet), may be "".
        message_id: the message a search hit points at, if any.
    """

    conversation_id: int
    title: str
    detail: str = ""
    message_id: int | None = None


class Sidebar(QWidget):
    """Lists conversations, or search hits while the search box has text.

    Signals:
        new_requested(): start a new conversation.
        conversation_selected(int): open this conversation.
        rename_requested(int, str): conversation id, new title.
        delete_requested(int): move this conversation to the trash.
        undo_delete_requested(int): bring this conversation back.
        search_changed(str): the search text (debounced, may be "").
        hit_selected(int, int): a search hit was opened: conversation id,
            message id (after conversation_selected for the same click).
    """

    new_requested = Signal()
    conversation_selected = Signal(int)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    undo_delete_requested = Signal(int)
    search_changed = Signal(str)
    hit_selected = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.new_button = QPushButton(self)
        self.new_button.clicked.connect(self.new_requested)
        layout.addWidget(self.new_button)
        self.search_box = QLineEdit(self)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        layout.addWidget(self.search_box)
        self.list = QListWidget(self)
        self.list.setObjectName("conversationList")
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.itemActivated.connect(self._on_list_item_clicked)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        layout.addWidget(self.list, 1)
        self.undo_bar = QWidget(self)
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel(self.undo_bar)
        self.undo_button = QPushButton(self.undo_bar)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        layout.addWidget(self.undo_bar)
        self._deleted_id: int | None = None
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(10_000)
        self._undo_timer.timeout.connect(self.undo_bar.hide)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self._current_id: int | None = None
        self.retranslate()

    def set_entries(self, entries: Sequence[SidebarEntry]) -> None:
        """Show `entries`, keeping the current conversation selected."""
        self.list.blockSignals(True)
        self.list.clear()
        for entry in entries:
            text = entry.title if not entry.detail else f"{entry.title}\n{entry.detail}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, entry.conversation_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, entry.title)
            item.setData(Qt.ItemDataRole.UserRole + 2, entry.message_id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            item.setToolTip(entry.title)
            self.list.addItem(item)
            if entry.conversation_id == self._current_id and not entry.detail:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def set_current(self, conversation_id: int | None) -> None:
        """Mark the open conversation."""
        self._current_id = conversation_id
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                self.list.setCurrentItem(item)
                return

    def show_undo(self, conversation_id: int, title: str) -> None:
        """Offer to bring back a conversation just deleted."""
        self._deleted_id = conversation_id
        self.undo_label.setText(self.tr("Deleted “%1”").replace("%1", title[:40]))
        self.undo_bar.show()
        self._undo_timer.start()

    def focus_search(self) -> None:
        """Put the cursor in the search box (Ctrl+Shift+F)."""
        self.search_box.setFocus()
        self.search_box.selectAll()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.new_button.setText(self.tr("New chat"))
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.search_box.setPlaceholderText(self.tr("Search chats"))
        self.search_box.setAccessibleName(self.tr("Search chats"))
        self.list.setAccessibleName(self.tr("Conversations"))
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo delete"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def rename(self, conversation_id: int, old_title: str) -> None:
        """Ask for a new title and emit rename_requested."""
        title, ok = QInputDialog.getText(self, self.tr("Rename chat"), self.tr("Title:"),
                                         QLineEdit.EchoMode.Normal, old_title)
        if ok and title.strip():
            self.rename_requested.emit(conversation_id, title.strip())

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        conversation_id = int(item.data(Qt.ItemDataRole.UserRole))
        self._current_id = conversation_id
        self.conversation_selected.emit(conversation_id)
        message_id = item.data(Qt.ItemDataRole.UserRole + 2)
        if isinstance(message_id, int):
            self.hit_selected.emit(conversation_id, message_id)

    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        conversation_id = int(item.data(Qt.ItemDataRole.UserRole))
        title = str(item.data(Qt.ItemDataRole.UserRole + 1))
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename…"))
        delete = menu.addAction(self.tr("Delete"))
        chosen = menu.exec(self.list.viewport().mapToGlobal(pos))
        if chosen is rename:
            self.rename(conversation_id, title)
        elif chosen is delete:
            self.delete_requested.emit(conversation_id)

    def _on_undo_button_clicked(self) -> None:
        if self._deleted_id is not None:
            self.undo_delete_requested.emit(self._deleted_id)
            self._deleted_id = None
        self.undo_bar.hide()

    def _on_search_box_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self.search_changed.emit(self.search_box.text().strip())
