"""Formulas to SVG with ziamath, cached, sized for Qt's inline image layout.

Rendering a new formula costs ~10-100 ms, so results (failures too) are kept
in an LRU cache keyed by everything that changes the picture.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from app.render.tex import escape_for_ziamath
from app.render.types import MathImage

with warnings.catch_warnings():
    # ziamath 0.13 finds its font with the deprecated importlib.resources.path().
    warnings.simplefilter("ignore", DeprecationWarning)
    from ziamath.config import config as ziamath_config
    from ziamath.zmath import Latex

log = logging.getLogger(__name__)

# SVG 2 output uses <use href> without xlink, which QtSvg drops: no glyphs.
ziamath_config.svg2 = False

_ROOT_SIZE = re.compile(r'<svg\b[^>]*?\swidth="[^"]*"\s+height="[^"]*"\s+viewBox="([^"]*)"')

# QTextDocument centres a middle-aligned image on (font ascent - descent) / 2
# above the baseline; for common UI fonts that is about 0.35 of the font size.
TEXT_MIDDLE_RATIO = 0.35


@dataclass(frozen=True)
class MathStyle:
    """How formulas look.

    Attributes:
        font_px: the surrounding text's font size in logical pixels.
        color: the formula colour, ``#rrggbb``.
        text_middle_px: height above the baseline on which Qt centres a
            middle-aligned image; None means ``TEXT_MIDDLE_RATIO * font_px``.
    """

    font_px: float = 16.0
    color: str = "#000000"
    text_middle_px: float | None = None

    @property
    def middle(self) -> float:
        """The text middle in pixels above the baseline."""
        if self.text_middle_px is not None:
            return self.text_middle_px
        return TEXT_MIDDLE_RATIO * self.font_px


@dataclass(frozen=True)
class PendingFormula:
    """A formula left for later because the update's math time budget was spent.

    Attributes:
        tex: the TeX (one math part, CJK text already split out).
        display: display style.
        style: size and colour.
    """

    tex: str
    display: bool
    style: MathStyle


class MathRenderer:
    """Renders TeX formulas to padded SVG images, with an LRU cache.

    Thread-safe; meant to be shared (see ``default_math_renderer``).
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self._max_entries = max_entries
        self._cache: OrderedDict[tuple[str, bool, float, str, float], MathImage | None] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self.renders = 0
        """How many formulas were actually rendered (cache misses)."""

    def render(self, tex: str, *, display: bool, style: MathStyle) -> MathImage | None:
        """Render one formula (without its delimiters).

        Args:
            tex: the TeX source.
            display: True for display style (``$$``, ``\\[``).
            style: size and colour.

        Returns:
            The image, or None when ziamath cannot render this TeX; the caller
            then shows the source instead.
        """
        key = (tex, display, style.font_px, style.color, style.middle)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        image = self._render_uncached(tex, display, style)
        with self._lock:
            self._cache[key] = image
            self._cache.move_to_end(key)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return image

    def is_cached(self, tex: str, *, display: bool, style: MathStyle) -> bool:
        """Whether ``render`` would answer from the cache (instantly).

        Args:
            tex: the TeX source.
            display: display style.
            style: size and colour.

        Returns:
            True when the result (image or failure) is cached.
        """
        with self._lock:
            return (tex, display, style.font_px, style.color, style.middle) in self._cache

    def render_pending(self, pending: list[PendingFormula]) -> None:
        """Render formulas into the cache (e.g. on a worker thread).

        Args:
            pending: what a StreamRenderer reported in ``pending_formulas``.
        """
        for formula in pending:
            self.render(formula.tex, display=formula.display, style=formula.style)

    def clear(self) -> None:
        """Forget all cached images."""
        with self._lock:
            self._cache.clear()

    def _render_uncached(self, tex: str, display: bool, style: MathStyle) -> MathImage | None:
        self.renders += 1
        if not tex.strip():
            return None
        size = style.font_px * (1.15 if display else 1.0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                latex = Latex(
                    escape_for_ziamath(tex), size=size, inline=not display, color=style.color
                )
                svg = latex.svg()
        except Exception as exc:  # ziamath raises many kinds on bad TeX
            log.debug("formula not rendered (%s: %s): %r", type(exc).__name__, exc, tex)
            return None
        return _fit_svg(svg, tex, display, style)


def _fit_svg(svg: str, tex: str, display: bool, style: MathStyle) -> MathImage | None:
    """Pad the SVG to whole pixels with its baseline where Qt's middle alignment puts it."""
    match = _ROOT_SIZE.search(svg)
    if match is None:
        return None
    try:
        x, y, w, h = (float(v) for v in match.group(1).split())
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        return None
    ascent, descent = -y, y + h
    twice_middle = 2 * style.middle
    # Qt centres the image on `middle`: (top - bottom) / 2 must equal it.
    if ascent - descent >= twice_middle:
        top, bottom = ascent, ascent - twice_middle
    else:
        top, bottom = descent + twice_middle, descent
    height = math.ceil(top + bottom - 1e-6)
    slack = (height - (top + bottom)) / 2
    top += slack
    bottom += slack
    width = math.ceil(w - 1e-6)
    view = f"{x:.3f} {-top:.3f} {width} {height}"
    head = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    fitted = f'{head} width="{width}" height="{height}" viewBox="{view}"' + svg[match.end() :]
    identity = repr((tex, display, style.font_px, style.color, style.middle)).encode()
    digest = hashlib.sha1(identity, usedforsecurity=False).hexdigest()[:20]
    return MathImage(
        key=digest,
        svg=fitted.encode("utf-8"),
        width=width,
        height=height,
        depth=math.ceil(bottom - 1e-6),
        display=display,
    )


_default = MathRenderer()


def default_math_renderer() -> MathRenderer:
    """The process-wide renderer whose cache all messages share."""
    return _default
