"""The body text's font metrics, which decide where a formula's baseline lands.

app/render imports no Qt, so the GUI measures its font and registers the
numbers here (``set_text_metrics``); headless callers get an estimate.

Why a formula needs them: Qt's rich text centres a ``vertical-align: middle``
image in its line box, and counts the image as reaching ``(height ± h) / 2``
above and below the baseline, where ``h`` is half the x-height of the
image's own font. An image whose extent above and below the text's box is
the same (``ascent + e`` up, ``descent + e`` down) and whose font has
``h = ascent - descent`` therefore sits with its baseline exactly on the
text's, whatever else shares the line. ``middle_font_px`` is a font size
with that x-height; formulas are wrapped in a span of that size.
"""

from __future__ import annotations

from dataclasses import dataclass

MATH_SCALE = 1.15
"""Formula size / text size: STIX Two's x-height is smaller than UI fonts'."""


@dataclass(frozen=True)
class TextMetrics:
    """The body font as the GUI lays it out, in logical pixels.

    Attributes:
        font_px: the font's pixel size.
        ascent: height above the baseline of the font's line box.
        descent: depth below the baseline of the font's line box.
        middle_font_px: a font size whose x-height is ``2 * (ascent -
            descent)`` (see the module docstring), or None when unknown.
    """

    font_px: float
    ascent: float
    descent: float
    middle_font_px: int | None = None

    @classmethod
    def estimate(cls, font_px: float) -> TextMetrics:
        """Metrics of a typical UI font (DejaVu Sans) at ``font_px``."""
        return cls(font_px=font_px, ascent=0.928 * font_px, descent=0.236 * font_px)


_registered: dict[float, TextMetrics] = {}


def set_text_metrics(metrics: TextMetrics) -> None:
    """Register measured metrics for their font size (the GUI calls this).

    Args:
        metrics: what the GUI measured.
    """
    _registered[metrics.font_px] = metrics


def text_metrics_for(font_px: float) -> TextMetrics:
    """The registered metrics for a font size, else an estimate.

    Args:
        font_px: the body font's pixel size.

    Returns:
        The metrics.
    """
    return _registered.get(font_px) or TextMetrics.estimate(font_px)
