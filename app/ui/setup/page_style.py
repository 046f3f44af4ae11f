"""Small looks shared by the setup pages."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: #c0392b;"
"""Red text: something failed and the user has to act."""
WARNING_STYLE = "color: #a05a00;"
"""Amber text: works, but slower or with a caveat."""


def show_as_error(label: QLabel) -> None:
    """Make `label` a wrapped, red error line."""
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
