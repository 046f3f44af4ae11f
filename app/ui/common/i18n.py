"""UI languages: English (source strings) and Simplified Chinese (.qm).

Switching is live: installing a translator makes Qt send a LanguageChange
event to every widget, and each widget re-sets its texts in `retranslate()`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core.resources import resources_dir

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
"""Language code -> its name in itself."""

_translators: list[QTranslator] = []
"""Ponder's own translator and Qt's (standard buttons such as Back, Next, Cancel)."""


def system_language() -> str:
    """The supported language closest to the system locale."""
    name = QLocale.system().name()
    return "zh_CN" if name.startswith("zh") else "en"


def install(language: str) -> str:
    """Make `language` ("en", "zh_CN" or "system") the UI language.

    Returns:
        The language code actually in use ("en" when a .qm file is missing).
    """
    app = QCoreApplication.instance()
    if app is None:
        return "en"
    code = system_language() if language in ("", "system") else language
    while _translators:
        app.removeTranslator(_translators.pop())
    if code == "en":
        return "en"
    translator = QTranslator(app)
    qm = resources_dir() / "i18n" / f"ponder_{code}.qm"
    if not translator.load(str(qm)):
        log.warning("no translation file at %s; using English", qm)
        return "en"
    app.installTranslator(translator)
    _translators.append(translator)
    qt_translator = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(f"qtbase_{code}", qt_dir):
        app.installTranslator(qt_translator)
        _translators.append(qt_translator)
    else:
        log.info("Qt's own %s translation is missing in %s", code, qt_dir)
    return code


def tr(context: str, text: str) -> str:
    """Translate `text` in `context` (for code that is not a QObject)."""
    return QCoreApplication.translate(context, text)


def fill(text: str, *values: object) -> str:
    """Put values into %1, %2, … of a translated string (Qt's placeholder style).

    Higher numbers go first, so %1 never eats the start of %10.
    """
    for index in range(len(values), 0, -1):
        text = text.replace(f"%{index}", str(values[index - 1]))
    return text
