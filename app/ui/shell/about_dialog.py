"""Help → About Ponder: versions, the model in use and its licence, third-party licences."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import QEvent, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.errors import PonderError
from app.core.gguf_header import read_gguf_header
from app.core.resources import resources_dir
from app.services.diagnostics import LlamaBuild, llama_build
from app.ui.common.i18n import fill

NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"


@dataclass(frozen=True)
class LoadedModel:
    """What the About dialog says about the model in use.

    Attributes:
        name: its display name ("" when none is loaded).
        path: its GGUF file, to read the licence from (None: unknown).
        backend: where it runs ("CPU", "CUDA", ...; "" unknown).
        licence: the licence when the caller knows it (e.g. from the catalog).
    """

    name: str = ""
    path: Path | None = None
    backend: str = ""
    licence: str = ""


def model_licence(model: LoadedModel) -> str:
    """The model's licence: as given, else the file's ``general.license``, else ""."""
    if model.licence:
        return model.licence
    if model.path is None:
        return ""
    try:
        header = read_gguf_header(model.path, check_data=False)
    except (PonderError, OSError):
        return ""
    value = header.metadata.get("general.license")
    return value.strip() if isinstance(value, str) else ""


def notices_text() -> str:
    """The third-party notices shipped in resources/licenses (a sentence if missing)."""
    path = resources_dir() / "licenses" / NOTICES_FILE
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"{NOTICES_FILE} is missing from this installation ({path.parent.name})."


class AboutDialog(QDialog):
    """Versions, the model in use, and the licences of everything Ponder ships.

    Attributes:
        open_url: how links and folders are opened (tests replace it).
    """

    def __init__(self, model: LoadedModel, parent: QWidget | None = None,
                 build: LlamaBuild | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.open_url = QDesktopServices.openUrl
        self._model = model
        self._build = build or llama_build()
        self._licence = model_licence(model)
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("emptyTitle")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        form = QFormLayout()
        self.version_value = self._value(__version__)
        self.toolkit_value = self._value(
            f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}")
        self.llama_value = self._value("")
        self.model_value = self._value("")
        self.licence_value = self._value("")
        self._form_labels = [QLabel(self) for _ in range(5)]
        for label, value in zip(self._form_labels, (self.version_value, self.toolkit_value,
                                                    self.llama_value, self.model_value,
                                                    self.licence_value), strict=True):
            label.setBuddy(value)
            form.addRow(label, value)
        layout.addLayout(form)
        self.notices_label = QLabel(self)
        layout.addWidget(self.notices_label)
        self.notices = QPlainTextEdit(self)
        self.notices.setReadOnly(True)
        self.notices.setPlainText(notices_text())
        self.notices.setMinimumHeight(220)
        self.notices_label.setBuddy(self.notices)
        layout.addWidget(self.notices, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.folder_button = QPushButton(self)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(buttons)
        self.resize(560, 560)
        self.retranslate()

    def _value(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setWindowTitle(self.tr("About Ponder"))
        self.title.setText(fill(self.tr("Ponder %1"), __version__))
        self.summary.setText(self.tr(
            "A desktop tutor for math and code that runs a small reasoning model on this "
            "computer, offline."))
        names = (self.tr("Version:"), self.tr("Built with:"), self.tr("llama.cpp:"),
                 self.tr("Model in use:"), self.tr("Model licence:"))
        for label, name in zip(self._form_labels, names, strict=True):
            label.setText(name)
        build = self._build
        if build.version:
            self.llama_value.setText(fill(self.tr("llama-cpp-python %1, backends: %2"),
                                          build.version, build.backend_text))
        else:
            self.llama_value.setText(self.tr("not installed"))
        model = self._model
        if model.name:
            where = fill(self.tr(" on %1"), model.backend) if model.backend else ""
            self.model_value.setText(model.name + where)
        else:
            self.model_value.setText(self.tr("none loaded"))
        if self._licence:
            self.licence_value.setText(self._licence)
        elif model.name:
            self.licence_value.setText(self.tr("not stated in the model file"))
        else:
            self.licence_value.setText("—")
        self.notices_label.setText(self.tr("Third-party licences:"))
        self.folder_button.setText(self.tr("Open licences folder"))
        accessible = (
            (self.version_value, self.tr("Ponder version")),
            (self.toolkit_value, self.tr("Python and Qt versions")),
            (self.llama_value, self.tr("llama.cpp build and backend")),
            (self.model_value, self.tr("Model in use")),
            (self.licence_value, self.tr("Model licence")),
            (self.notices, self.tr("Third-party licences")),
            (self.folder_button, self.tr("Open the folder with the licence texts")),
        )
        for widget, name in accessible:
            widget.setAccessibleName(name)
        if self.close_button is not None:
            self.close_button.setAccessibleName(self.tr("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_folder_button_clicked(self) -> None:
        self.open_url(QUrl.fromLocalFile(str(resources_dir() / "licenses")))
