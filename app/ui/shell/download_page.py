"""The Settings dialog's download source box (app.ui.setup.sources_box) and its save.

Imported when the dialog opens, not at start: the box brings in the
download code.
"""

from __future__ import annotations

from typing import Any

from app.core import paths
from app.ui.setup.sources_box import SourcesBox


def add_download_page(dialog: Any, layout: Any) -> SourcesBox:
    """Add the source and proxy box to the Settings dialog's `layout`.

    OK then saves them first, and keeps the dialog open (the box says why)
    when a URL is not usable.
    """
    box = SourcesBox(paths.config_dir(), dialog)
    layout.addWidget(box)
    dialog.buttons.accepted.disconnect(dialog.accept)

    def accept() -> None:
        if save_download_sources(dialog):
            dialog.accept()
        elif hasattr(dialog, "show_tab"):
            dialog.show_tab(box)  # the box says why: let it be seen

    dialog.buttons.accepted.connect(accept)
    return box


def save_download_sources(dialog: Any) -> bool:
    """Save the dialog's source and proxy; False (the box says why) when they are not usable."""
    box: SourcesBox | None = getattr(dialog, "sources_box", None)
    return box is None or box.save() is not None
