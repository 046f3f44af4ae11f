"""Light and dark palettes plus one stylesheet, following the system scheme.

On Qt >= 6.5 `QStyleHints.colorScheme` tells light from dark and emits
`colorSchemeChanged` when the user switches; older Qt falls back to the
window colour's lightness.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


class Scheme(str, Enum):
    """Which colours to use."""

    SYSTEM = "system"
    """Follow the operating system."""
    LIGHT = "light"
    """Always light."""
    DARK = "dark"
    """Always dark."""


@dataclass(frozen=True)
class Colors:
    """The few colours the app paints with (hex strings)."""

    window: str
    base: str
    text: str
    muted: str
    accent: str
    user_bubble: str
    assistant_bubble: str
    code_bg: str
    border: str
    answer_bg: str
    is_dark: bool


LIGHT = Colors("#f6f6f7", "#ffffff", "#1d1d1f", "#6e6e73", "#2f6fde", "#e8f0fe", "#ffffff",
               "#f3f4f6", "#d9d9de", "#fff6d6", False)
DARK = Colors("#1e1f22", "#2b2d31", "#e8e8ea", "#a0a0a8", "#6ea0ff", "#28344d", "#2b2d31",
              "#1b1c1f", "#3d3f45", "#4a4020", True)

_current: Colors = LIGHT


def current() -> Colors:
    """The colours in use now."""
    return _current


def system_is_dark() -> bool:
    """Whether the operating system asks for a dark scheme."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        value = scheme()
        if value == Qt.ColorScheme.Dark:
            return True
        if value == Qt.ColorScheme.Light:
            return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def resolve(scheme: Scheme) -> Colors:
    """The colours for a scheme setting."""
    if scheme is Scheme.DARK:
        return DARK
    if scheme is Scheme.LIGHT:
        return LIGHT
    return DARK if system_is_dark() else LIGHT


def apply(app: QApplication, scheme: Scheme = Scheme.SYSTEM) -> Colors:
    """Set the palette and stylesheet of `app`; returns the colours used."""
    global _current
    colors = resolve(scheme)
    _current = colors
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(colors.window))
    pal.setColor(QPalette.ColorRole.Base, QColor(colors.base))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(colors.code_bg))
    pal.setColor(QPalette.ColorRole.Text, QColor(colors.text))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(colors.text))
    pal.setColor(QPalette.ColorRole.Button, QColor(colors.base))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(colors.text))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(colors.accent))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(colors.muted))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(colors.base))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(colors.text))
    pal.setColor(QPalette.ColorRole.Link, QColor(colors.accent))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.WindowText):
        pal.setColor(disabled, role, QColor(colors.muted))
    pal.setColor(QPalette.ColorRole.Mid, QColor(colors.border))
    pal.setColor(QPalette.ColorRole.Dark, QColor(colors.border))
    app.setPalette(pal)
    app.setStyleSheet(stylesheet(colors))
    return colors


def stylesheet(c: Colors) -> str:
    """The app's stylesheet for colours `c`."""
    return f"""
QFrame#message[role="user"] {{ background: {c.user_bubble}; border-radius: 10px; }}
QFrame#message[role="assistant"] {{ background: {c.assistant_bubble};
    border: 1px solid {c.border}; border-radius: 10px; }}
QLabel#roleLabel {{ color: {c.muted}; font-weight: 600; }}
QLabel#boxedAnswer {{ background: {c.answer_bg}; border-radius: 6px; padding: 6px 10px;
    font-weight: 600; }}
QFrame#codeBlock {{ background: {c.code_bg}; border: 1px solid {c.border}; border-radius: 6px; }}
QLabel#codeLanguage {{ color: {c.muted}; font-size: 11px; }}
QFrame#reasoning {{ border-left: 3px solid {c.border}; }}
QToolButton#reasoningToggle {{ color: {c.muted}; border: none; }}
QLabel#noticeLabel {{ color: {c.muted}; font-style: italic; }}
QLabel#emptyTitle {{ font-size: 20px; font-weight: 600; }}
QLabel#emptyHint {{ color: {c.muted}; }}
QLabel#recommendation {{ background: {c.user_bubble}; border: 1px solid {c.border};
    border-radius: 8px; padding: 10px; }}
QFrame#demoOffer {{ background: {c.base}; border: 1px dashed {c.border}; border-radius: 8px; }}
QFrame#findBar {{ background: {c.window}; }}
QLabel#findCount {{ color: {c.muted}; }}
QListWidget#conversationList {{ border: none; background: {c.window}; }}
QPlainTextEdit#composerInput {{ border: 1px solid {c.border}; border-radius: 8px;
    background: {c.base}; padding: 4px; }}
QScrollBar:horizontal {{ height: 10px; background: transparent; }}
QScrollBar:vertical {{ width: 10px; background: transparent; }}
QScrollBar::handle {{ background: {c.border}; border-radius: 4px; min-width: 24px;
    min-height: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QStatusBar QLabel {{ color: {c.muted}; padding: 0 6px; }}
"""
