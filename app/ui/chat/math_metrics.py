"""The message text's font, measured for formula placement (see app/render/text_metrics.py).

A formula image lands on the text's baseline when it is padded to the body
font's ascent and descent and sits in a span whose font has an x-height of
``2 * (ascent - descent)`` (Qt's rule for middle-aligned images). This module
measures those numbers with Qt on the GUI thread; render_bridge hands them
to app.render. It imports no part of app.render (that loads on the math
thread), only QtGui.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QFontMetricsF, QGuiApplication

_MAX_SPAN_PX = 400


@dataclass(frozen=True)
class BodyFont:
    """The body font's numbers in logical pixels.

    Attributes:
        font_px: pixel size of the font.
        ascent: line-box ascent.
        descent: line-box descent.
        middle_font_px: a pixel size whose x-height is ``2 * (ascent -
            descent)`` in the application font's family (None if none fits).
    """

    font_px: float
    ascent: float
    descent: float
    middle_font_px: int | None


_measured: dict[str, BodyFont] = {}
_current: BodyFont | None = None


def measure(font: QFont) -> BodyFont:
    """Measure `font` (cached by its key); call on the GUI thread."""
    key = font.key()
    cached = _measured.get(key)
    if cached is not None:
        return cached
    metrics = QFontMetricsF(font)
    ascent, descent = metrics.ascent(), metrics.descent()
    body = BodyFont(
        font_px=float(QFontInfo(font).pixelSize()),
        ascent=ascent,
        descent=descent,
        middle_font_px=_span_px_for_x_height(round(2 * (ascent - descent))),
    )
    _measured[key] = body
    return body


def _span_px_for_x_height(x_height: int) -> int | None:
    """The pixel size whose x-height is `x_height`, in the font Qt gives a bare span.

    A span that sets only a size takes the application font's family; Qt
    measures a middle-aligned image's x-height with that font.
    """
    if x_height <= 0:
        return None
    base = QFont(QGuiApplication.font())
    best: tuple[int, int] | None = None
    for px in range(1, _MAX_SPAN_PX):
        base.setPixelSize(px)
        got = QFontMetrics(base).xHeight()
        if got == x_height:
            return px
        if best is None or abs(got - x_height) < abs(best[1] - x_height):
            best = (px, got)
        if got > x_height:
            break
    return None if best is None else best[0]


def use_font(font: QFont) -> None:
    """Formulas rendered from now on match `font` (the message browsers' font)."""
    global _current
    _current = measure(font)


def current() -> BodyFont:
    """The font formulas match: the one last given to `use_font`, else the app's."""
    global _current
    if _current is None:
        _current = measure(QGuiApplication.font())
    return _current
