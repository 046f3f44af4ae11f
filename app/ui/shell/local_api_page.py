"""Settings → Local API: serve the loaded model to other programs (OpenAI-compatible).

On/off, port, key (kept in the system keyring when there is one), extra host
names, the address and a ready-to-copy snippet for the official `openai`
client. Starting and stopping is the ApiControl's job (app.ui.shell.api_control);
this page only edits the settings and shows what the control reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.services.api_key import api_key, store_api_key
from app.store.settings import Settings
from app.ui.common.i18n import fill

SnippetFn = Callable[[int, bool], str]
"""(port, has a key) -> the client snippet to show."""


def default_snippet(port: int, has_key: bool) -> str:
    """The write-up's snippet for a server on `port` (the key itself is never shown)."""
    from app.server.runner import SNIPPET, WRITEUP_PROMPT

    return SNIPPET.format(base=f"http://localhost:{port}/v1",
                          key="YOUR-API-KEY" if has_key else "EMPTY",
                          model="deepseek-r1-distill-qwen-1.5b", prompt=WRITEUP_PROMPT)


class LocalApiPage(QGroupBox):
    """The Local API part of the settings dialog.

    Args:
        settings: the settings being edited.
        status: what the API does now ("" when off), e.g. the control's address or error.
        snippet: builds the client snippet (the running server's, when there is one).
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 status: str = "", snippet: SnippetFn | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._status = status
        self._snippet = snippet or default_snippet
        form = QFormLayout(self)
        self.enabled = QCheckBox(self)
        self.enabled.setChecked(settings.api_server_enabled)
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(settings.api_server_port)
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.key.setText(api_key(settings))
        self.allowed_hosts = QLineEdit(self)
        self.allowed_hosts.setText(settings.api_server_allowed_hosts)
        self.address = QLabel(self)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.snippet = QPlainTextEdit(self)
        self.snippet.setReadOnly(True)
        self.snippet.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.snippet.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # code: scroll sideways
        self.snippet.setFixedHeight(110)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self._form = form
        self._copy_row = QHBoxLayout()
        self._copy_row.addStretch(1)
        self._copy_row.addWidget(self.copy_button)
        self._labels: list[QLabel] = []
        for widget in (self.enabled, self.port, self.key, self.allowed_hosts, self.address,
                       self.status_label, self.snippet):
            label = QLabel(self)
            self._labels.append(label)
            form.addRow(label, widget)
        form.addRow(self._copy_row)
        self.port.valueChanged.connect(self._on_field_changed)
        self.key.textChanged.connect(self._on_field_changed)
        self.enabled.toggled.connect(self._on_field_changed)
        self.retranslate()

    def set_snippet_source(self, snippet: SnippetFn) -> None:
        """Build the snippet with `snippet` (the running server's) from now on."""
        self._snippet = snippet
        self._on_field_changed()

    def set_status(self, status: str) -> None:
        """Show what the API does now (an address, an error, or "" when off)."""
        self._status = status
        self.retranslate()

    def result(self, settings: Settings) -> Settings:
        """`settings` with this page's values; the key goes to the keyring when there is one."""
        hosts = ",".join(n.strip() for n in self.allowed_hosts.text().split(",") if n.strip())
        edited = dataclasses.replace(settings, api_server_enabled=self.enabled.isChecked(),
                                     api_server_port=self.port.value(),
                                     api_server_allowed_hosts=hosts)
        if self.key.text().strip() == api_key(self._settings):
            return dataclasses.replace(edited, api_server_key=self._settings.api_server_key)
        return store_api_key(edited, self.key.text())

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("Local API"))
        self.enabled.setText(self.tr("Serve the loaded model to other programs (OpenAI API)"))
        self.key.setPlaceholderText(self.tr("None: any key is accepted from this computer"))
        self.allowed_hosts.setPlaceholderText(self.tr("e.g. mybox.lan (comma-separated)"))
        self.copy_button.setText(self.tr("Copy snippet"))
        names = [self.tr("Local API"), self.tr("Port"), self.tr("API key"),
                 self.tr("Allowed host names"), self.tr("Address"), self.tr("Status"),
                 self.tr("Python client")]
        widgets = [self.enabled, self.port, self.key, self.allowed_hosts, self.address,
                   self.status_label, self.snippet]
        for label, name, widget in zip(self._labels, names, widgets, strict=True):
            label.setText(name)
            widget.setAccessibleName(name)
        self.copy_button.setAccessibleName(self.tr("Copy the client snippet"))
        self._on_field_changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_field_changed(self, *_args: object) -> None:
        port = self.port.value()
        self.address.setText(f"http://127.0.0.1:{port}/v1")
        if self._status:
            self.status_label.setText(self._status)
        elif self.enabled.isChecked():
            self.status_label.setText(fill(self.tr("Starts on port %1 when you press OK."),
                                           port))
        else:
            self.status_label.setText(self.tr("Off"))
        self.snippet.setPlainText(self._snippet(port, bool(self.key.text().strip())))

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.snippet.toPlainText())
