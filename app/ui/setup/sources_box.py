"""Where downloads come from, as a box in the wizard's download step and in Settings.

The user picks "Hugging Face", "hf-mirror (China)" or a custom hub-compatible
URL, and a proxy (empty: the system's proxy). The value is an
app.models.sources.SourceSettings, saved with save_sources in the config
folder; the source that last worked is kept when the box saves.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from app.core.errors import DownloadError
from app.models.download_types import DownloadResult
from app.models.sources import LABELS, SourceKind, SourceSettings, load_sources, save_sources
from app.ui.common.i18n import fill

log = logging.getLogger(__name__)


class SourcesBox(QGroupBox):
    """Edits the download source and proxy.

    Signals:
        changed(): the user changed the source, the URL or the proxy.
    """

    changed = Signal()

    def __init__(self, config_dir: Path, parent: QWidget | None = None,
                 sources: SourceSettings | None = None) -> None:
        super().__init__(parent)
        self.config_dir = config_dir
        self._saved = sources if sources is not None else load_sources(config_dir)
        layout = QFormLayout(self)
        self.source = QComboBox(self)
        for kind in SourceKind:
            self.source.addItem("", kind.value)
        self.custom_url = QLineEdit(self)
        self.custom_url.setPlaceholderText("https://")
        self.proxy = QLineEdit(self)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.setVisible(False)
        self._source_label = QLabel(self)
        self._url_label = QLabel(self)
        self._proxy_label = QLabel(self)
        layout.addRow(self._source_label, self.source)
        layout.addRow(self._url_label, self.custom_url)
        layout.addRow(self._proxy_label, self.proxy)
        layout.addRow(self.error_label)
        self.set_value(self._saved)
        self.source.currentIndexChanged.connect(self._on_source_changed)
        self.custom_url.textEdited.connect(self._on_text_edited)
        self.proxy.textEdited.connect(self._on_text_edited)
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("Download source"))
        names = {SourceKind.HUGGING_FACE: LABELS[SourceKind.HUGGING_FACE],
                 SourceKind.HF_MIRROR: self.tr("hf-mirror (China)"),
                 SourceKind.CUSTOM: self.tr("Custom URL")}
        for index in range(self.source.count()):
            self.source.setItemText(index, names[SourceKind(self.source.itemData(index))])
        self._source_label.setText(self.tr("Source"))
        self._url_label.setText(self.tr("Custom URL"))
        self._proxy_label.setText(self.tr("Proxy"))
        self.proxy.setPlaceholderText(self.tr("System proxy (e.g. http://127.0.0.1:7890)"))
        self.source.setAccessibleName(self.tr("Download source"))
        self.custom_url.setAccessibleName(self.tr("Custom download URL"))
        self.proxy.setAccessibleName(self.tr("Proxy URL (empty: the system proxy)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_value(self, sources: SourceSettings) -> None:
        """Show `sources` (keeps its remembered source for the next save)."""
        self._saved = sources
        self.source.blockSignals(True)
        self.source.setCurrentIndex(max(0, self.source.findData(sources.kind.value)))
        self.source.blockSignals(False)
        self.custom_url.setText(sources.custom_url)
        self.proxy.setText(sources.proxy)
        self._show_custom_row()
        self.show_error("")

    def value(self) -> SourceSettings:
        """The sources as edited (not checked; see `checked_value`)."""
        return dataclasses.replace(
            self._saved, kind=SourceKind(str(self.source.currentData())),
            custom_url=self.custom_url.text().strip(), proxy=self.proxy.text().strip())

    def checked_value(self) -> SourceSettings | None:
        """The edited sources, or None with the reason shown when a URL is not usable."""
        sources = self.value()
        try:
            sources.validate()
        except DownloadError as exc:
            self.show_error(self._problem_text(sources, exc))
            return None
        self.show_error("")
        return sources

    def save(self, sources: SourceSettings | None = None) -> SourceSettings | None:
        """Check and save the edited sources (or `sources`); None when not saved (shown)."""
        sources = sources if sources is not None else self.checked_value()
        if sources is None:
            return None
        try:
            save_sources(self.config_dir, sources)
        except DownloadError as exc:
            self.show_error(fill(self.tr("The download source could not be saved: %1"),
                                 str(exc)))
            return None
        self._saved = sources
        return sources

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _problem_text(self, sources: SourceSettings, exc: DownloadError) -> str:
        if sources.kind is SourceKind.CUSTOM and not sources.custom_url:
            return self.tr("Enter the custom source's address, such as https://example.org.")
        return str(exc)

    def _show_custom_row(self) -> None:
        is_custom = str(self.source.currentData()) == SourceKind.CUSTOM.value
        self.custom_url.setVisible(is_custom)
        self._url_label.setVisible(is_custom)

    def _on_source_changed(self, _index: int) -> None:
        self._show_custom_row()
        self.show_error("")
        self.changed.emit()

    def _on_text_edited(self, _text: str) -> None:
        self.show_error("")
        self.changed.emit()


def source_name(sources: SourceSettings) -> str:
    """The source's name in the current language (the URL for a custom one)."""
    if sources.kind is SourceKind.HF_MIRROR:
        return QCoreApplication.translate("SourcesBox", "hf-mirror (China)")
    return sources.label


def alternative_text(sources: SourceSettings) -> str | None:
    """The one-click "try the other source" caption after a failed download."""
    other = sources.alternative()
    if other is None:
        return None
    return fill(QCoreApplication.translate("SourcesBox", "Try %1 instead"), source_name(other))


def remember_source(box: SourcesBox, result: DownloadResult) -> None:
    """Save the source that completed `result` (best effort: a failure is only logged)."""
    remembered = box.value().remember(result)
    if remembered != box.value():
        try:
            save_sources(box.config_dir, remembered)
        except DownloadError as exc:
            log.warning("the working download source was not remembered: %s", exc)
            return
        box.set_value(remembered)
