"""Qt helpers for `ponder --self-test` and for screenshots of packaged builds.

`render_offscreen` renders one message the way the chat view would (through
app.ui.chat.rendering when it is there, else Qt's own markdown reader) into a
QTextDocument on the offscreen platform and paints it into an image, so a
frozen build proves that its Qt plugins, fonts and renderer work without a
display.

`schedule_screenshot_from_env` is the hook that lets a test of an installed
package capture the real window: when PONDER_SCREENSHOT names a PNG file, the
window grabs itself once it has been shown and, with PONDER_SCREENSHOT_QUIT=1,
the app quits afterwards.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSizeF, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget

SCREENSHOT_ENV = "PONDER_SCREENSHOT"
SCREENSHOT_QUIT_ENV = "PONDER_SCREENSHOT_QUIT"
SCREENSHOT_DELAY_MS = 800


@dataclass(frozen=True)
class RenderResult:
    """What rendering one message cost and produced.

    Attributes:
        ms: wall time of HTML generation, layout and painting, in milliseconds.
        width: the laid-out document's width in pixels.
        height: the laid-out document's height in pixels.
        ink_pixels: painted pixels that differ from the background (proof
            that glyphs were actually drawn, i.e. fonts were found).
        via: "app.render" or "qt-markdown", whichever produced the HTML.
    """

    ms: float
    width: int
    height: int
    ink_pixels: int
    via: str


def _ensure_app() -> QGuiApplication:
    """Return the running Qt application, creating a widgets one if needed."""
    app = QGuiApplication.instance()
    if app is None:
        app = QApplication(["ponder-self-test"])
    assert isinstance(app, QGuiApplication)
    return app


def _count_ink(image: QImage, background: int) -> int:
    """Pixels of `image` that differ from `background` (sampled every 2nd px)."""
    ink = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if image.pixel(x, y) != background:
                ink += 1
    return ink


def render_offscreen(markdown: str, width: int = 640) -> RenderResult:
    """Render `markdown` as one chat message into an offscreen image.

    The caller sets QT_QPA_PLATFORM before the first Qt call (the self-test
    sets "offscreen").

    Args:
        markdown: the message text.
        width: the text width in pixels.

    Returns:
        Timing and size of the rendered message.
    """
    _ensure_app()
    start = time.perf_counter()
    document = QTextDocument()
    via = "qt-markdown"
    try:
        from app.ui.chat.rendering import render_markdown
    except ImportError:
        document.setMarkdown(markdown)
    else:
        piece = render_markdown(markdown)
        document.setHtml(piece.html)
        via = "app.render"
    document.setTextWidth(width)
    size: QSizeF = document.size()
    image = QImage(max(1, int(size.width())), max(1, int(size.height())),
                   QImage.Format.Format_RGB32)
    background = 0xFFFFFFFF
    image.fill(background)
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    ms = (time.perf_counter() - start) * 1000.0
    return RenderResult(ms=ms, width=image.width(), height=image.height(),
                        ink_pixels=_count_ink(image, background), via=via)


def schedule_screenshot_from_env(window: QWidget) -> bool:
    """Save a PNG of `window` shortly after it is shown, if PONDER_SCREENSHOT asks.

    Call it once after `window.show()`. Does nothing unless the environment
    variable PONDER_SCREENSHOT holds a file path. With
    PONDER_SCREENSHOT_QUIT=1 the application quits after saving, so a test
    can start the installed app, wait for it to exit and open the picture.

    Args:
        window: the main window.

    Returns:
        Whether a screenshot was scheduled.
    """
    target = os.environ.get(SCREENSHOT_ENV, "").strip()
    if not target:
        return False
    should_quit = os.environ.get(SCREENSHOT_QUIT_ENV, "") == "1"

    def _grab() -> None:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path), "PNG")
        if should_quit:
            app = QGuiApplication.instance()
            if app is not None:
                app.quit()

    QTimer.singleShot(SCREENSHOT_DELAY_MS, _grab)
    return True
