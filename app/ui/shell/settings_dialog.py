"""The settings dialog and the binder that applies and persists settings.

Presets fill the sampling fields; every field can then be changed. Settings
can be saved for all chats (settings.json) or as overrides of the open
conversation only (stored with the conversation). Language and theme switch
live, without a restart. Context length, threads and GPU layers apply the
next time a model is loaded.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import PonderError
from app.core.types import GenerateOptions, SamplingParams
from app.services.model_choice import family_sampling
from app.services.sampling import OVERRIDABLE, PRESET_NAMES, inherited_values, resolve_options
from app.store.settings import Settings, load_settings, save_settings
from app.ui.common import i18n, theme
from app.ui.shell.local_api_page import LocalApiPage
from app.ui.shell.model_settings_page import ModelSettingsPage

log = logging.getLogger(__name__)

AUTO_KEYS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty", "max_tokens",
             "math_mode")
"""Settings that are "auto" (None) unless the user picks a value other than the inherited one."""

AUTO_N_CTX = 511
"""The context box's lowest value, shown as "Automatic" (the saved plan decides)."""
AUTO_GPU_LAYERS = -2
"""The GPU layers box's lowest value, shown as "Automatic" (the saved plan decides)."""


def options_from(values: Settings, profile: SamplingParams | None = None) -> GenerateOptions:
    """Generation options for `values` over the model family's `profile` (app.services)."""
    return resolve_options(profile or SamplingParams(), values)


class SettingsDialog(QDialog):
    """Edits a Settings value; `result_settings()` returns the edited copy.

    Tabs: General (language, look, sending), Sampling (the fields a chat may
    override, with "Save for this chat only"), Model (which model and how it
    loads), Local API, Downloads. Each tab scrolls, so the dialog fits a
    1366x768 screen.
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 has_conversation: bool = False, is_override: bool = False) -> None:
        super().__init__(parent)
        self._settings = settings
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.general_form, self.general_tab = self._add_tab()
        self.form, self.sampling_tab = self._add_tab()  # sampling: what a chat may override
        model_layout, self.model_tab = self._add_tab(QVBoxLayout)
        self.model_page = ModelSettingsPage(settings, self)  # Settings → Model
        model_layout.addWidget(self.model_page)
        self.loading_form = QFormLayout()
        model_layout.addLayout(self.loading_form)
        api_layout, self.api_tab = self._add_tab(QVBoxLayout)
        downloads_layout, self.downloads_tab = self._add_tab(QVBoxLayout)
        self.preset = QComboBox(self)
        for key in PRESET_NAMES:
            self.preset.addItem("", key)
        self.preset.currentIndexChanged.connect(self._on_preset_current_index_changed)
        shown = self._shown_values(settings)
        self.temperature = self._double(0.0, 2.0, 0.05, float(shown["temperature"]))
        self.top_p = self._double(0.0, 1.0, 0.01, float(shown["top_p"]))
        self.top_k = self._int(0, 1000, int(shown["top_k"]))
        self.min_p = self._double(0.0, 1.0, 0.01, float(shown["min_p"]))
        self.repeat_penalty = self._double(0.5, 2.0, 0.05, float(shown["repeat_penalty"]))
        self.max_tokens = self._int(16, 131072, int(shown["max_tokens"]))
        self.n_ctx = self._int(AUTO_N_CTX, 131072,
                               AUTO_N_CTX if settings.n_ctx is None else settings.n_ctx)
        self.n_threads = self._int(0, 256, settings.n_threads or 0)
        self.n_gpu_layers = self._int(
            AUTO_GPU_LAYERS, 999,
            AUTO_GPU_LAYERS if settings.n_gpu_layers is None else settings.n_gpu_layers)
        self.thinking_budget = self._int(0, 131072, settings.thinking_budget)
        self.check_samples = self._int(0, 9, settings.check_samples or 0)
        self.math_mode = QCheckBox(self)
        self.math_mode.setChecked(bool(shown["math_mode"]))
        self.language = QComboBox(self)
        self.language.addItem("", "")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.theme = QComboBox(self)
        for scheme in theme.Scheme:
            self.theme.addItem("", scheme.value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.font_size = self._int(7, 32, settings.font_size)
        self.send_on_enter = QCheckBox(self)
        self.send_on_enter.setChecked(settings.send_on_enter)
        self.show_reasoning = QCheckBox(self)
        self.show_reasoning.setChecked(settings.show_reasoning)
        self.this_chat_only = QCheckBox(self)
        self.this_chat_only.setEnabled(has_conversation)
        self.this_chat_only.setChecked(is_override and has_conversation)
        self._rows: list[tuple[QWidget, str]] = []
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.api_page = LocalApiPage(settings, self)
        api_layout.addWidget(self.api_page)
        from app.ui.shell.download_page import add_download_page  # download code: not at start

        self.sources_box = add_download_page(self, downloads_layout)
        self.form.parentWidget().layout().addWidget(self.this_chat_only)
        for tab_layout in (self.form, api_layout, downloads_layout):
            tab_layout.parentWidget().layout().addStretch(1)
        model_layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(720, 640)  # fits 1366x768 with a taskbar and the title bar
        self._is_filling = True
        self.preset.setCurrentIndex(max(0, self.preset.findData(settings.preset)))
        self._is_filling = False
        self.retranslate()

    def _add_tab(self, kind: type[Any] = QFormLayout) -> tuple[Any, QScrollArea]:
        """A scrolling tab; returns the layout to fill (a form in a column) and the tab."""
        scroll = QScrollArea(self.tabs)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget(scroll)
        column = QVBoxLayout(inner)
        if kind is QFormLayout:
            filled: Any = QFormLayout()
            column.addLayout(filled)
        else:
            filled = column
        scroll.setWidget(inner)
        self.tabs.addTab(scroll, "")
        return filled, scroll

    def show_tab(self, widget: QWidget) -> None:
        """Bring the tab holding `widget` to the front."""
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if tab is not None and (tab is widget or tab.isAncestorOf(widget)):
                self.tabs.setCurrentIndex(index)
                return

    @staticmethod
    def _shown_values(settings: Settings) -> dict[str, Any]:
        """Each sampling field as the user chose it, or what "auto" gives under the preset."""
        values = inherited_values(SamplingParams(), settings.preset)
        for key in AUTO_KEYS:
            chosen = getattr(settings, key)
            if chosen is not None:
                values[key] = chosen
        return values

    def _double(self, low: float, high: float, step: float, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setDecimals(2)
        box.setValue(value)
        return box

    def _int(self, low: int, high: int, value: int) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(low, high)
        box.setValue(value)
        return box

    def retranslate(self) -> None:
        """(Re)build the labelled rows in the current language."""
        self.setWindowTitle(self.tr("Settings"))
        names = {"math": self.tr("Math tutor"), "hints": self.tr("Hints"),
                 "code": self.tr("Code helper"), "chat": self.tr("Chat")}
        for index in range(self.preset.count()):
            self.preset.setItemText(index, names[str(self.preset.itemData(index))])
        self.language.setItemText(0, self.tr("System language"))
        scheme_names = {"system": self.tr("Follow the system"), "light": self.tr("Light"),
                        "dark": self.tr("Dark")}
        for index in range(self.theme.count()):
            self.theme.setItemText(index, scheme_names[str(self.theme.itemData(index))])
        self.math_mode.setText(self.tr("Ask for step-by-step reasoning and a boxed answer"))
        self.n_ctx.setSpecialValueText(self.tr("Automatic"))
        self.n_gpu_layers.setSpecialValueText(self.tr("Automatic"))
        self.this_chat_only.setText(self.tr("Save for this chat only"))
        self.send_on_enter.setText(self.tr("Enter sends (else Ctrl+Enter sends)"))
        self.show_reasoning.setText(self.tr("Show the reasoning while it is written"))
        titles = [self.tr("General"), self.tr("Sampling"), self.tr("Model"),
                  self.tr("Local API"), self.tr("Downloads")]
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)
        general = [
            (self.language, self.tr("Language")),
            (self.theme, self.tr("Theme")),
            (self.font_size, self.tr("Text size (Ctrl+= / Ctrl+-)")),
            (self.send_on_enter, self.tr("Sending")),
            (self.show_reasoning, self.tr("Reasoning")),
        ]
        sampling = [
            (self.preset, self.tr("Preset")),
            (self.temperature, self.tr("Temperature")),
            (self.top_p, self.tr("Top-p")),
            (self.top_k, self.tr("Top-k")),
            (self.min_p, self.tr("Min-p")),
            (self.repeat_penalty, self.tr("Repeat penalty")),
            (self.max_tokens, self.tr("Max tokens")),
            (self.thinking_budget, self.tr("Thinking budget (0: none)")),
            (self.math_mode, self.tr("Math instruction")),
            (self.check_samples, self.tr("Answers compared by Check (0: automatic)")),
        ]
        loading = [
            (self.n_ctx, self.tr("Context length (next load)")),
            (self.n_threads, self.tr("Threads (0: automatic)")),
            (self.n_gpu_layers, self.tr("GPU layers (-1: all)")),
        ]
        for form, rows in ((self.general_form, general), (self.form, sampling),
                           (self.loading_form, loading)):
            while form.rowCount():
                form.takeRow(0)
            for widget, label in rows:
                form.addRow(label, widget)
                widget.setAccessibleName(label)
        self.this_chat_only.setAccessibleName(self.this_chat_only.text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_preset_current_index_changed(self, _index: int) -> None:
        if self._is_filling:
            return
        values = inherited_values(SamplingParams(), str(self.preset.currentData()))
        self.temperature.setValue(values["temperature"])
        self.top_p.setValue(values["top_p"])
        self.top_k.setValue(values["top_k"])
        self.min_p.setValue(values["min_p"])
        self.repeat_penalty.setValue(values["repeat_penalty"])
        self.max_tokens.setValue(values["max_tokens"])
        self.math_mode.setChecked(values["math_mode"])

    def result_settings(self) -> Settings:
        """The settings as edited; a value equal to what "auto" gives stays "auto" (None)."""
        preset = str(self.preset.currentData())
        inherited = inherited_values(SamplingParams(), preset)

        def auto(key: str, value: Any) -> Any:
            return None if value == inherited[key] else value

        n_ctx, layers = self.n_ctx.value(), self.n_gpu_layers.value()
        return dataclasses.replace(
            self.model_page.result(self.api_page.result(self._settings)),
            preset=preset,
            temperature=auto("temperature", round(self.temperature.value(), 2)),
            top_p=auto("top_p", round(self.top_p.value(), 2)),
            top_k=auto("top_k", self.top_k.value()),
            min_p=auto("min_p", round(self.min_p.value(), 2)),
            repeat_penalty=auto("repeat_penalty", round(self.repeat_penalty.value(), 2)),
            max_tokens=auto("max_tokens", self.max_tokens.value()),
            math_mode=auto("math_mode", self.math_mode.isChecked()),
            thinking_budget=self.thinking_budget.value(),
            # 1 would compare an answer with itself: the check needs at least 2
            check_samples=(max(2, self.check_samples.value())
                           if self.check_samples.value() else None),
            n_ctx=None if n_ctx == AUTO_N_CTX else n_ctx,
            n_threads=self.n_threads.value() or None,
            n_gpu_layers=None if layers == AUTO_GPU_LAYERS else layers,
            language=str(self.language.currentData()),
            theme=str(self.theme.currentData()),
            font_size=self.font_size.value(),
            send_on_enter=self.send_on_enter.isChecked(),
            show_reasoning=self.show_reasoning.isChecked(),
        )


class SettingsBinder(QObject):
    """Holds the settings, applies them live and saves them.

    Signals:
        changed(object): the Settings now in use (after `apply`).
        dialog_made(object): a SettingsDialog was built (before it shows).
    """

    changed = Signal(object)
    dialog_made = Signal(object)

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self._controller: Any = None
        self._window: Any = None

    @classmethod
    def load(cls) -> SettingsBinder:
        """Read settings.json (never fails; see app.store.settings)."""
        return cls(load_settings())

    def settings_value(self, name: str, default: object) -> object:
        """One setting by name; "" and missing give `default`."""
        value = getattr(self.settings, name, default)
        return value if value != "" else default

    def attach(self, controller: Any, window: Any) -> None:
        """Connect the window's Settings action."""
        self._controller = controller
        self._window = window
        window.settings_requested.connect(self.open_dialog)

    def effective(self) -> Settings:
        """Global settings with the open conversation's overrides applied."""
        overrides = self._overrides()
        known = {k: v for k, v in overrides.items() if k in OVERRIDABLE}
        try:
            return dataclasses.replace(self.settings, **known)
        except TypeError:
            return self.settings

    def generate_options(self) -> GenerateOptions:
        """Options for the next reply: the loaded model family's profile, then the settings."""
        client = getattr(self._controller, "client", None)
        return options_from(self.effective(), family_sampling(getattr(client, "loaded", None)))

    def _overrides(self) -> dict[str, Any]:
        controller = self._controller
        if controller is None or controller.conversation_id is None:
            return {}
        conv = controller.store.get_conversation(controller.conversation_id)
        return dict(conv.settings.get("overrides", {}))

    def make_dialog(self) -> SettingsDialog:
        """A dialog filled with the effective settings."""
        has_conv = self._controller is not None and self._controller.conversation_id is not None
        dialog = SettingsDialog(self.effective(), self._window, has_conversation=has_conv,
                                is_override=bool(self._overrides()))
        self.dialog_made.emit(dialog)
        return dialog

    def open_dialog(self) -> None:
        """Show the dialog and apply what the user chose."""
        dialog = self.make_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply(dialog.result_settings(), this_chat_only=dialog.this_chat_only.isChecked())

    def apply(self, new: Settings, *, this_chat_only: bool = False) -> None:
        """Use and persist what `new` changes (sampling to the chat only if asked).

        The fields `new` changes are merged into the saved file, as
        live_settings.save_changes does, never the binder's whole copy.
        """
        if this_chat_only and self._controller is not None and \
                self._controller.conversation_id is not None:
            cid = self._controller.conversation_id
            conv = self._controller.store.get_conversation(cid)
            overrides = {k: getattr(new, k) for k in OVERRIDABLE}
            self._controller.store.set_conversation_settings(
                cid, {**conv.settings, "overrides": overrides})
            new = dataclasses.replace(new, **{k: getattr(self.settings, k) for k in OVERRIDABLE})
        old = self.settings
        # Only what the caller changed goes over the saved file: fields others saved
        # meanwhile (model choice, plan, setup_skipped, window geometry) stay.
        changes = {f.name: getattr(new, f.name) for f in dataclasses.fields(Settings)
                   if getattr(new, f.name) != getattr(old, f.name)}
        new = dataclasses.replace(load_settings(), **changes)
        self.settings = new
        try:
            save_settings(new)
        except PonderError as exc:
            log.warning("settings not saved: %s", exc)
            if self._controller is not None:
                self._controller.error_shown.emit(str(exc))
        if new.language != old.language:
            i18n.install(new.language or "system")
        if new.theme != old.theme:
            self.apply_theme()
        self.changed.emit(new)

    def apply_theme(self) -> None:
        """Re-apply the theme setting (also on a system scheme change)."""
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, theme.Scheme(self.settings.theme or "system"))

    def on_system_scheme_changed(self, *_args: object) -> None:
        """The OS switched light/dark: follow it when the theme is "system"."""
        if (self.settings.theme or "system") == "system":
            self.apply_theme()
