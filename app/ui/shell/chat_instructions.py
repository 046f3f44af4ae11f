"""Instructions for one chat: a box in the Settings dialog, stored with the conversation.

The open conversation's standing instructions are edited in every Settings
dialog (a "This chat" tab) and saved into the
conversation's settings when the dialog is accepted
(app.services.replies.set_instructions). Replies send them as a leading
system message; R1 models take none, so the prompt rules add them to the
first user message, which the box's hint says.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from app.core.errors import PonderError
from app.services.replies import instructions_of, set_instructions

log = logging.getLogger(__name__)

BOX_LINES = 6
"""The text field's height in lines of text."""


class InstructionsBox(QWidget):
    """A label, the instructions field and a hint under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatInstructions")
        self.tab: QWidget | None = None
        """The Settings tab that holds the box (its title follows the language)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.field = QPlainTextEdit(self)
        self.field.setTabChangesFocus(True)
        line = self.field.fontMetrics().lineSpacing()
        self.field.setFixedHeight(line * BOX_LINES + 12)
        self.title.setBuddy(self.field)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("instructionsHint")
        layout.addWidget(self.title)
        layout.addWidget(self.field)
        layout.addWidget(self.hint)
        self.retranslate()

    def text(self) -> str:
        """The instructions as typed, without surrounding blanks."""
        return self.field.toPlainText().strip()

    def set_text(self, text: str) -> None:
        """Show stored instructions."""
        self.field.setPlainText(text)

    def set_has_chat(self, has_chat: bool) -> None:
        """Only an open chat can hold instructions."""
        self.field.setEnabled(has_chat)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.title.setText(
            QCoreApplication.translate("InstructionsBox", "Instructions for this chat"))
        self.field.setPlaceholderText(QCoreApplication.translate(
            "InstructionsBox",
            "For example: Answer in English. Explain each step for a first-year student."))
        if self.field.isEnabled():
            hint = QCoreApplication.translate(
                "InstructionsBox",
                "Sent with every reply in this chat, as the system prompt. R1 models take no "
                "system prompt, so for them the instructions are added to your first message.")
        else:
            hint = QCoreApplication.translate(
                "InstructionsBox", "Open or start a chat to give it instructions.")
        self.hint.setText(hint)
        self.field.setAccessibleName(self.title.text())
        tabs = self.tab.parentWidget() if self.tab is not None else None
        while tabs is not None and not isinstance(tabs, QTabWidget):
            tabs = tabs.parentWidget()  # a tab page sits in the tab widget's stack
        if self.tab is not None and isinstance(tabs, QTabWidget):
            tabs.setTabText(tabs.indexOf(self.tab),
                            QCoreApplication.translate("InstructionsBox", "This chat"))
        self.field.setAccessibleDescription(hint)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def add_instructions_box(dialog: Any) -> InstructionsBox:
    """Put an InstructionsBox into `dialog`: its own "This chat" tab when it has tabs,
    else just above its "this chat only" box."""
    box = InstructionsBox(dialog)
    tabs = getattr(dialog, "tabs", None)
    if isinstance(tabs, QTabWidget):
        page = QWidget(tabs)
        column = QVBoxLayout(page)
        column.addWidget(box)
        column.addStretch(1)
        tabs.addTab(page, "")
        box.tab = page
        box.retranslate()
        return box
    anchor: QWidget | None = getattr(dialog, "this_chat_only", None)
    host = anchor.parentWidget() if anchor is not None else None
    layout = (host if host is not None else dialog).layout()
    index = layout.indexOf(anchor) if layout is not None and anchor is not None else -1
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(index if index >= 0 else max(0, layout.count() - 1), box)
    elif layout is not None:
        layout.addWidget(box)
    return box


class ChatInstructions(QObject):
    """Adds the open chat's instructions to each Settings dialog and saves them on OK.

    Args:
        binder: the SettingsBinder (its dialog_made signal).
        controller: the ChatController (open conversation, store, errors).
    """

    def __init__(self, binder: Any, controller: Any) -> None:
        super().__init__(controller)
        self.controller = controller
        self.binder = binder
        binder.dialog_made.connect(self._on_binder_dialog_made)

    def _on_binder_dialog_made(self, dialog: Any) -> None:
        conversation_id: int | None = self.controller.conversation_id
        box = add_instructions_box(dialog)
        box.set_has_chat(conversation_id is not None)
        if conversation_id is not None:
            try:
                box.set_text(instructions_of(self.controller.store, conversation_id))
            except PonderError as exc:
                log.warning("instructions not read: %s", exc)
        dialog.instructions_box = box
        accepted = getattr(dialog, "accepted", None)
        if accepted is not None and conversation_id is not None:
            start = box.text()
            accepted.connect(lambda: self.save(conversation_id, box.text(), start))

    def save(self, conversation_id: int, text: str, before: str = "") -> None:
        """Store `text` as the chat's instructions when it changed."""
        if text == before:
            return
        try:
            set_instructions(self.controller.store, conversation_id, text)
        except PonderError as exc:
            log.warning("instructions not saved: %s", exc)
            self.controller.show_error(str(exc))
