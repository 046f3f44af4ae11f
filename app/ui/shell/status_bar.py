"""The status line: model, backend, live tokens per second, context used, the local API."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.core.types import BackendInfo
from app.ui.common import theme

CONTEXT_WARNING = 0.8
"""From this share of the context on, the meter shows in a warning colour."""


class StatusBar(QStatusBar):
    """Shows what runs and how fast."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_label = QLabel(self)
        self.backend_label = QLabel(self)
        self.speed_label = QLabel(self)
        self.context_label = QLabel(self)
        self.api_label = QLabel(self)
        for label in (self.model_label, self.backend_label, self.speed_label, self.context_label,
                      self.api_label):
            self.addPermanentWidget(label)
        self._info: BackendInfo | None = None
        self._tps: float | None = None
        self._used = 0
        self._server = ""
        self._n_ctx: int | None = None
        self._api_address = ""
        self.retranslate()

    def set_backend(self, info: BackendInfo | None) -> None:
        """Show the loaded model (None: no model)."""
        self._info = info
        self.retranslate()

    def set_server(self, url: str) -> None:
        """The server the model runs on ("" for a model on this computer)."""
        self._server = url
        self.retranslate()

    def set_speed(self, tokens_per_s: float | None) -> None:
        """Show the live generation speed (None hides it)."""
        self._tps = tokens_per_s
        self.retranslate()

    def set_context_used(self, tokens: int, n_ctx: int | None = None) -> None:
        """Show how many context tokens the conversation uses (of `n_ctx`, else the model's)."""
        self._used = tokens
        self._n_ctx = n_ctx
        self.retranslate()

    @property
    def is_context_warning(self) -> bool:
        """Whether the meter shows the warning colour (CONTEXT_WARNING or more in use)."""
        total = self._n_ctx or (self._info.n_ctx if self._info is not None else 0)
        return self._info is not None and total > 0 and self._used >= CONTEXT_WARNING * total

    def set_api_address(self, address: str) -> None:
        """Show that the local API is on at `address` ("" hides it)."""
        self._api_address = address
        self.retranslate()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        info = self._info
        if info is None:
            self.model_label.setText(self.tr("No model loaded"))
            self.backend_label.setText("")
            self.context_label.setText("")
        else:
            self.model_label.setText(info.model_name)
            self.backend_label.setText(
                self.tr("server at %1").replace("%1", self._server) if self._server
                else self.tr("on this computer (%1)").replace("%1", info.backend))
            total = self._n_ctx or info.n_ctx
            self.context_label.setText(  # a server may not say its context size: 0
                self.tr("Context %1 / %2").replace("%1", f"{self._used:,}")
                .replace("%2", f"{total:,}") if total
                else self.tr("Context %1").replace("%1", f"{self._used:,}"))
        warn = "#f08c3a" if theme.current().is_dark else "#c2410c"
        style = f"color: {warn}; font-weight: 600;" if self.is_context_warning else ""
        if self.context_label.styleSheet() != style:  # re-styling costs: only on a change
            self.context_label.setStyleSheet(style)
        self.context_label.setToolTip(self.tr(
            "Tokens the model reads for this conversation (its answers without their "
            "reasoning), out of its context length") if info is not None else "")
        self.api_label.setText(
            self.tr("API on %1").replace("%1", self._api_address) if self._api_address else "")
        self.api_label.setVisible(bool(self._api_address))
        self.speed_label.setText(
            "" if self._tps is None else self.tr("%1 tok/s").replace("%1", f"{self._tps:.1f}"))
        for label in (self.model_label, self.backend_label, self.speed_label,
                      self.context_label, self.api_label):
            # Permanent widgets keep their first width unless told otherwise.
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(label.text()) + 14)
        self.model_label.setAccessibleName(self.tr("Model"))
        self.backend_label.setAccessibleName(self.tr("Backend"))
        self.speed_label.setAccessibleName(self.tr("Speed"))
        self.context_label.setAccessibleName(self.tr("Context used"))
        self.api_label.setAccessibleName(self.tr("Local API"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
