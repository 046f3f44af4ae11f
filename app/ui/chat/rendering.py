"""Adapter from app.render (markdown -> Qt-safe HTML) to the UI's widgets.

The renderer escapes all model text: output is never interpreted as HTML.
Math arrives as `math:KEY` images with SVG bytes, code blocks as `copy:N`
links with the code texts. This module turns the SVGs into QImages at the
screen's device pixel ratio and keeps a small cache of rendered images.
"""

from __future__ import annotations

import html
import logging
import math
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from app.ui.chat.rendered_piece import RenderedPiece

if TYPE_CHECKING:
    # app.render loads on the math thread at start (1-2 s); never here at import time.
    from app.render.stream import StreamRenderer

log = logging.getLogger(__name__)


def fallback_html(markdown: str) -> RenderedPiece:
    """Plain escaped text with line breaks, when no renderer is available."""
    body = html.escape(markdown).replace("\n", "<br>")
    return RenderedPiece(f"<p>{body}</p>")


def is_renderer_ready() -> bool:
    """Whether app.render is imported, so rendering will not wait for imports.

    The math thread imports it at start (see math_queue.warm_up); until then
    the GUI thread shows plain text rather than block for 1-2 s.
    """
    module = sys.modules.get("app.ui.chat.render_bridge")
    return bool(getattr(module, "IS_READY", False))


def plain_code(code: str) -> RenderedPiece:
    """Code without colours, as a code block shows it before highlighting."""
    return RenderedPiece(f'<pre style="white-space:pre; margin:0;">{html.escape(code)}</pre>',
                         code_texts=[code])


def render_markdown(markdown: str, *, is_dark: bool = False,
                    defer_math: bool = False) -> RenderedPiece:
    """Render one segment's markdown with app.render (escaped fallback).

    With `defer_math`, formulas not rendered before are left for a worker
    thread (see `RenderedPiece.pending`), so the call never blocks on ziamath.
    """
    try:
        from app.ui.chat import render_bridge
    except ImportError:
        return fallback_html(markdown)
    try:
        return render_bridge.render(markdown, is_dark=is_dark, defer_math=defer_math)
    except Exception:
        log.exception("rendering failed; showing the text as is")
        return fallback_html(markdown)


class TailRenderer:
    """Renders one growing prose segment while a reply streams (app.render.stream).

    Finished top-level blocks are rendered once and kept; each update renders
    only the tail after them, so a long paragraph-by-paragraph reply costs
    O(tail) per update instead of O(segment). Falls back to escaped text.
    """

    def __init__(self, *, is_dark: bool) -> None:
        self.is_dark = is_dark
        self._stream: StreamRenderer | None = None

    def render(self, markdown: str) -> RenderedPiece:
        """The segment so far (new formulas deferred to the math thread)."""
        try:
            from app.ui.chat import render_bridge

            if self._stream is None:
                self._stream = render_bridge.new_stream(is_dark=self.is_dark)
            return render_bridge.render_stream(self._stream, markdown)
        except Exception:
            log.exception("streaming render failed; showing the text as is")
            return fallback_html(markdown)


def render_code(code: str, language: str, *, is_dark: bool = False) -> RenderedPiece:
    """Highlight one code block's text (escaped fallback)."""
    try:
        from app.ui.chat import render_bridge

        return render_bridge.render_code(code, language, is_dark=is_dark)
    except Exception:
        log.exception("highlighting failed; showing the code as is")
        return RenderedPiece(f"<pre>{html.escape(code)}</pre>", code_texts=[code])


def render_boxed(boxed: str, label: str, *, is_dark: bool = False) -> RenderedPiece:
    """The final answer line (escaped fallback)."""
    try:
        from app.ui.chat import render_bridge

        return render_bridge.render_boxed(boxed, label, is_dark=is_dark)
    except Exception:
        log.exception("rendering the answer failed; showing it as text")
        return RenderedPiece(f"<p><b>{html.escape(label)}:</b> {html.escape(boxed)}</p>")


_svg_cache: dict[tuple[str, float], QImage] = {}


def svg_to_image(key: str, svg: bytes, device_pixel_ratio: float) -> QImage:
    """Rasterize SVG bytes at `device_pixel_ratio`; cached by (key, ratio)."""
    cached = _svg_cache.get((key, device_pixel_ratio))
    if cached is not None:
        return cached
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    size = renderer.defaultSize()
    if not renderer.isValid() or size.isEmpty():
        image = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        return image
    # Exactly logical size x ratio (app.render makes sizes even, so 150% is whole
    # too): a bitmap one pixel larger would be scaled down when drawn, and blur.
    px = QSize(max(1, math.ceil(size.width() * device_pixel_ratio - 1e-6)),
               max(1, math.ceil(size.height() * device_pixel_ratio - 1e-6)))
    image = QImage(px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, px.width(), px.height()))
    painter.end()
    image.setDevicePixelRatio(device_pixel_ratio)
    if len(_svg_cache) > 2000:
        _svg_cache.clear()
    _svg_cache[(key, device_pixel_ratio)] = image
    return image
