"""Widgets that show rendered markdown: prose browsers and code blocks.

A MarkdownView holds one widget per segment (see segments.py). Setting new
text re-renders only segments whose source changed, which while streaming
is just the growing tail.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat import math_metrics
from app.ui.chat.math_queue import math_queue
from app.ui.chat.rendered_piece import RenderedPiece
from app.ui.chat.rendering import (
    TailRenderer,
    fallback_html,
    is_renderer_ready,
    plain_code,
    render_code,
    render_markdown,
    svg_to_image,
)
from app.ui.chat.run_panel import is_python, run_code_block
from app.ui.chat.segments import Segment, split_segments
from app.ui.common import theme

log = logging.getLogger(__name__)

_RENDERER_LOADING = "renderer-loading"
"""Stands in `MarkdownView._waiting` for "wait until the renderer is imported"."""


def open_external(url: QUrl) -> bool:
    """Open http(s) links in the system browser; ignore every other scheme."""
    if url.scheme() in ("http", "https"):
        return QDesktopServices.openUrl(url)
    log.info("ignored a link with scheme %r", url.scheme())
    return False


class RichBrowser(QTextBrowser):
    """A read-only browser whose height follows its document.

    Signals:
        copy_requested(int): a `copy:N` link was clicked.
    """

    copy_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, is_code: bool = False) -> None:
        super().__init__(parent)
        self._is_code = is_code
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Prose wraps, but a display formula wider than the window cannot: it
        # scrolls sideways instead of being cut off.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if is_code:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
            self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        # A transparent base through the palette: a per-widget stylesheet would
        # double the cost of creating each browser (~0.4 ms) for the same look.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
        self.setPalette(palette)
        self.document().setDocumentMargin(2)
        self.anchorClicked.connect(self._on_self_anchor_clicked)
        self.document().documentLayout().documentSizeChanged.connect(self._on_document_resized)

    def set_piece(self, piece: RenderedPiece) -> None:
        """Show `piece`, loading its math images as document resources."""
        doc = self.document()
        ratio = self.devicePixelRatioF() or QGuiApplication.primaryScreen().devicePixelRatio()
        for name, svg in piece.images.items():
            image = svg_to_image(name, svg, ratio)
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        self.setHtml(piece.html)
        self._fit_height()

    def _on_self_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == "copy":
            try:
                self.copy_requested.emit(int(url.path() or url.toString().split(":", 1)[1]))
            except ValueError:
                log.warning("bad copy link %s", url.toString())
            return
        open_external(url)

    def _on_document_resized(self, _size: object = None) -> None:
        self._fit_height()

    def _fit_height(self) -> None:
        doc = self.document()
        if not self._is_code:
            width = self.viewport().width()
            if doc.textWidth() != width:  # setting it again would re-layout the text
                doc.setTextWidth(width)
        height = int(doc.size().height() + 0.999) + 2
        if doc.size().width() > self.viewport().width() + 0.5:
            height += self.horizontalScrollBar().sizeHint().height()
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())


class CodeBlock(QFrame):
    """A fenced code block: language label, Run (Python only), Copy, sideways scrolling.

    Signals:
        copied(str): the code was put on the clipboard.
    """

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self._code = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(2)
        header = QHBoxLayout()
        self.language_label = QLabel(self)
        self.language_label.setObjectName("codeLanguage")
        self.copy_button = QToolButton(self)
        self.copy_button.setAutoRaise(True)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.run_button = QToolButton(self)  # Python only, and only on a click (run_panel)
        self.run_button.setAutoRaise(True)
        self.run_button.setVisible(False)
        self.run_button.clicked.connect(self._on_run_button_clicked)
        header.addWidget(self.language_label)
        header.addStretch(1)
        header.addWidget(self.run_button)
        header.addWidget(self.copy_button)
        layout.addLayout(header)
        self.browser = RichBrowser(self, is_code=True)
        layout.addWidget(self.browser)
        self.retranslate()

    @property
    def code(self) -> str:
        """The code text without fences."""
        return self._code

    def retranslate(self) -> None:
        """Set the user-visible texts in the current language."""
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setAccessibleName(self.tr("Copy code"))
        self.run_button.setText(self.tr("Run"))
        self.run_button.setAccessibleName(self.tr("Run this code on this computer"))
        self.browser.setAccessibleName(self.tr("Code block"))

    def set_segment(self, segment: Segment, *, is_dark: bool, is_plain: bool = False) -> None:
        """Show a code segment (rendered by app.render as a lone fence).

        With `is_plain` the code shows without colours (while the renderer loads).
        """
        self._code = segment.code
        self.run_button.setVisible(is_python(segment.language))
        self.language_label.setText(segment.language or self.tr("code"))
        if is_plain:
            piece = plain_code(segment.code)
        else:
            piece = render_code(segment.code, segment.language, is_dark=is_dark)
        self.browser.set_piece(piece)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._code)
        self.copied.emit(self._code)

    def _on_run_button_clicked(self) -> None:
        run_code_block(self, self._code)


class MarkdownView(QWidget):
    """Rendered markdown as a column of prose and code widgets.

    Signals:
        copied(str): some text was put on the clipboard (a code block).
    """

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None, accessible_name: str = "") -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._segments: list[Segment] = []
        self._widgets: list[QWidget] = []
        self._code_texts: dict[int, list[str]] = {}
        self._text = ""
        self._accessible_name = accessible_name
        self._waiting: dict[int, tuple[object, ...]] = {}  # segment index -> formulas
        self._is_listening = False
        self._is_streaming = False
        self._tail: TailRenderer | None = None
        self._tail_index = -1  # the segment the tail renderer draws
        self.render_count = 0
        """How many segment renders happened (tests check tail-only updates)."""

    @property
    def has_pending_math(self) -> bool:
        """Whether some formula still shows as source, waiting for the math thread."""
        return bool(self._waiting)

    @property
    def text(self) -> str:
        """The markdown shown."""
        return self._text

    @property
    def tail_renderer(self) -> TailRenderer | None:
        """The incremental renderer of the growing segment (only while streaming)."""
        return self._tail

    def set_markdown(self, text: str, *, is_streaming: bool = False) -> None:
        """Show `text`, re-rendering only the segments that changed.

        While `is_streaming`, the open last prose segment is drawn by a
        TailRenderer (finished blocks kept, only the tail rendered again);
        the first call without it renders that segment once more in full.
        """
        if text == self._text and self._widgets and is_streaming == self._is_streaming:
            return
        # The streamed segment was drawn in streaming mode: draw it again in full.
        redraw = self._tail_index if not is_streaming else -1
        if not is_streaming:
            self._tail, self._tail_index = None, -1
        self._is_streaming = is_streaming
        self._text = text
        is_dark = theme.current().is_dark
        new = split_segments(text)
        for index, segment in enumerate(new):
            old = self._segments[index] if index < len(self._segments) else None
            if old == segment and index < len(self._widgets) and index != redraw:
                continue
            self._show_segment(index, segment, is_dark)
        for widget in self._widgets[len(new):]:
            widget.deleteLater()
        del self._widgets[len(new):]
        for index in [i for i in self._waiting if i >= len(new)]:
            del self._waiting[index]
        self._segments = new

    def _show_segment(self, index: int, segment: Segment, is_dark: bool) -> None:
        widget = self._widgets[index] if index < len(self._widgets) else None
        wanted = CodeBlock if segment.is_code else RichBrowser
        if widget is not None and type(widget) is not wanted:
            widget.deleteLater()
            widget = None
        if widget is None:
            if segment.is_code:
                block = CodeBlock(self)
                block.copied.connect(self.copied)
                widget = block
            else:
                browser = RichBrowser(self)
                browser.setAccessibleName(self._accessible_name)
                browser.copy_requested.connect(self._on_browser_copy_requested)
                widget = browser
            if index < len(self._widgets):
                self._widgets[index] = widget
                self._layout.insertWidget(index, widget)
            else:
                self._widgets.append(widget)
                self._layout.addWidget(widget)
        self.render_count += 1
        # Until the renderer's imports finish on the math thread (~1-2 s after
        # start), text shows plain rather than blocking the GUI on that import.
        is_ready = is_renderer_ready()
        if isinstance(widget, CodeBlock):
            widget.set_segment(segment, is_dark=is_dark, is_plain=not is_ready)
            self._wait_for(index, () if is_ready else (_RENDERER_LOADING,))
        elif isinstance(widget, RichBrowser):
            widget.ensurePolished()  # the chat's text size comes from a style sheet
            math_metrics.use_font(widget.font())  # formulas sit on this font's baseline
            if is_ready and self._is_streaming and not segment.is_closed:
                piece = self._tail_for(index, is_dark).render(segment.source)
            elif is_ready:
                piece = render_markdown(segment.source, is_dark=is_dark, defer_math=True)
            else:
                piece = replace(fallback_html(segment.source), pending=(_RENDERER_LOADING,))
            self._code_texts[id(widget)] = piece.code_texts
            widget.set_piece(piece)
            self._wait_for(index, piece.pending)

    def _tail_for(self, index: int, is_dark: bool) -> TailRenderer:
        if self._tail is None or self._tail_index != index or self._tail.is_dark != is_dark:
            self._tail, self._tail_index = TailRenderer(is_dark=is_dark), index
        return self._tail

    def _wait_for(self, index: int, pending: tuple[object, ...]) -> None:
        """Have new formulas of segment `index` rendered on the math thread."""
        if not pending:
            self._waiting.pop(index, None)
            return
        self._waiting[index] = pending
        queue = math_queue()
        if not self._is_listening:
            self._is_listening = True
            queue.formulas_ready.connect(self._on_math_queue_formulas_ready)
        if _RENDERER_LOADING in pending:
            queue.warm_up()
        else:
            queue.submit(pending)

    def _on_math_queue_formulas_ready(self) -> None:
        if not is_renderer_ready():
            return
        from app.ui.chat import render_bridge

        is_dark = theme.current().is_dark
        for index, pending in list(self._waiting.items()):
            if index < len(self._segments) and render_bridge.is_cached(pending):
                self._show_segment(index, self._segments[index], is_dark)

    def _on_browser_copy_requested(self, index: int) -> None:
        browser = self.sender()
        texts = self._code_texts.get(id(browser), [])
        if 0 <= index < len(texts):
            QGuiApplication.clipboard().setText(texts[index])
            self.copied.emit(texts[index])

    def retranslate(self) -> None:
        """Re-set texts of code block headers."""
        for widget in self._widgets:
            if isinstance(widget, CodeBlock):
                widget.retranslate()
