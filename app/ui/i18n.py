"""UI languages: English (source strings) and Simplified Chinese (.qm).

Switching is live: installing a translator makes Qt send a LanguageChange
event to every widget, and each widget re-sets its texts in `retranslate()`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
"""Language code -> its name in itself."""

_translator: QTranslator | None = None


def resources_dir() -> Path:
    """The folder with icons and translations (inside a frozen build too)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def system_language() -> str:
    """The supported language closest to the system locale."""
    name = QLocale.system().name()
    return "zh_CN" if name.startswith("zh") else "en"


def install(language: str) -> str:
    """Make `language` ("en", "zh_CN" or "system") the UI language.

    Returns:
        The language code actually in use ("en" when a .qm file is missing).
    """
    global _translator
    app = QCoreApplication.instance()
    if app is None:
        return "en"
    code = system_language() if language in ("", "system") else language
    if _translator is not None:
        app.removeTranslator(_translator)
        _translator = None
    if code == "en":
        return "en"
    translator = QTranslator(app)
    qm = resources_dir() / "i18n" / f"ponder_{code}.qm"
    if not translator.load(str(qm)):
        log.warning("no translation file at %s; using English", qm)
        return "en"
    app.installTranslator(translator)
    _translator = translator
    return code


def tr(context: str, text: str) -> str:
    """Translate `text` in `context` (for code that is not a QObject)."""
    return QCoreApplication.translate(context, text)
