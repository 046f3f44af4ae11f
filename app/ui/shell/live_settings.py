"""Settings that act on the window at once.

Text size (View menu, Ctrl+= / Ctrl+- / Ctrl+0), the window's size and place
(restored at start, saved on close), Enter or Ctrl+Enter to send, and whether
a new reply's reasoning starts unfolded. Theme and language are applied by
the SettingsBinder itself; sampling reaches each reply through
`SettingsBinder.generate_options`; the model fields apply at the next load.

Changes the window makes by itself (a zoom step, the geometry on close) are
merged into the saved file (`save_changes`), so they never overwrite what
another part of the app saved meanwhile, such as the hardware plan.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QByteArray, QObject

from app.core.errors import PonderError
from app.store.settings import Settings, load_settings, save_settings
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsBinder
from app.ui.shell.view_menu import ViewMenu

log = logging.getLogger(__name__)

FONT_MIN = 7
"""Smallest chat text size in points."""
FONT_MAX = 32
"""Largest chat text size in points."""
DEFAULT_FONT_SIZE = Settings().font_size


def save_changes(**changes: Any) -> Settings:
    """Merge `changes` into the saved settings file and return the result.

    Raises:
        StoreError: the settings file cannot be written.
    """
    merged = dataclasses.replace(load_settings(), **changes)
    save_settings(merged)
    return merged


def clamp_font_size(points: int) -> int:
    """A text size inside FONT_MIN..FONT_MAX."""
    return max(FONT_MIN, min(FONT_MAX, points))


class LiveSettings(QObject):
    """Applies the window's settings now and keeps the ones the window changes.

    Args:
        binder: holds the settings; its `changed` signal re-applies them.
        window: the main window.
        controller: its ChatController (new replies, errors).
    """

    def __init__(self, binder: SettingsBinder, window: MainWindow,
                 controller: ChatController) -> None:
        super().__init__(window)
        self.binder = binder
        self.window = window
        self.controller = controller
        help_menu = getattr(window, "help_menu", None)
        self.view_menu = ViewMenu.install(window, getattr(help_menu, "menu", None))
        self.view_menu.zoom_requested.connect(self._on_view_menu_zoom_requested)
        binder.changed.connect(self._on_binder_changed)
        controller.reply_started.connect(self._on_controller_reply_started)
        window.closing.connect(self.save_geometry)
        self.apply(binder.settings)
        self.restore_geometry()

    @property
    def settings(self) -> Settings:
        """The settings in use."""
        return self.binder.settings

    def apply(self, settings: Settings) -> None:
        """Show `settings` in the window (text size, how Enter behaves)."""
        self.window.chat_view.set_text_size(clamp_font_size(settings.font_size))
        self.window.composer.set_send_on_enter(settings.send_on_enter)

    def zoom(self, step: int) -> int:
        """One step larger (+1), smaller (-1) or back to the default (0); returns the size."""
        current = clamp_font_size(self.settings.font_size)
        size = DEFAULT_FONT_SIZE if step == 0 else clamp_font_size(current + step)
        self._keep(font_size=size)
        self.window.chat_view.set_text_size(size)
        return size

    def restore_geometry(self) -> bool:
        """Put the window where it was last closed; False when nothing usable was saved."""
        saved = self.settings.window_geometry
        if not saved:
            return False
        data = QByteArray.fromBase64(saved.encode("ascii", "ignore"))
        return bool(self.window.restoreGeometry(data))

    def save_geometry(self) -> None:
        """Remember the window's size and place (on close)."""
        text = bytes(self.window.saveGeometry().toBase64().data()).decode("ascii")
        self._keep(window_geometry=text)

    def _keep(self, **changes: Any) -> None:
        self.binder.settings = dataclasses.replace(self.binder.settings, **changes)
        try:
            save_changes(**changes)
        except PonderError as exc:
            log.warning("settings not saved: %s", exc)
            self.controller.error_shown.emit(str(exc))

    def _on_binder_changed(self, settings: object) -> None:
        if isinstance(settings, Settings):
            self.apply(settings)

    def _on_view_menu_zoom_requested(self, step: int) -> None:
        self.zoom(step)

    def _on_controller_reply_started(self, message_id: int) -> None:
        if self.settings.show_reasoning:
            return  # the reasoning unfolds while it is written, as stored by default
        try:
            self.controller.store.set_reasoning_collapsed(message_id, True)
        except PonderError as exc:
            log.warning("reasoning fold not saved: %s", exc)
        view = self.window.chat_view
        widget = view.widget_for(message_id)
        if widget is not None:
            view.update_message(dataclasses.replace(widget.data, is_reasoning_collapsed=True))
