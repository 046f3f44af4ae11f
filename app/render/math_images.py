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
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass

from app.render.tex import escape_for_ziamath
from app.render.tex_fixes import prepare_tex
from app.render.text_metrics import MATH_SCALE
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
# An unknown command comes back from latex2mathml as its own name ("\\foo").
_RAW_COMMAND = re.compile(r"^\\[A-Za-z]")
_MATHML_TOKENS = frozenset({"mi", "mo", "mn"})
SIDE_PAD_PX = 1
"""Blank pixels left and right, so no glyph's overhang (italic f, big operators) is cut."""


@dataclass(frozen=True)
class MathStyle:
    """How formulas look, and the text they sit in.

    Attributes:
        font_px: the formula size in logical pixels (display style draws
            ``DISPLAY_SCALE`` times larger).
        color: the formula colour, ``#rrggbb``.
        text_ascent: the surrounding text's line-box ascent in pixels; None
            estimates it from ``font_px``.
        text_descent: the surrounding text's line-box descent; None estimates it.
    """

    font_px: float = 16.0
    color: str = "#000000"
    text_ascent: float | None = None
    text_descent: float | None = None

    @property
    def ascent(self) -> float:
        """The text's ascent (measured or estimated)."""
        if self.text_ascent is not None:
            return self.text_ascent
        return 0.928 * self.font_px / MATH_SCALE

    @property
    def descent(self) -> float:
        """The text's descent (measured or estimated)."""
        if self.text_descent is not None:
            return self.text_descent
        return 0.236 * self.font_px / MATH_SCALE


DISPLAY_SCALE = 1.15
"""Display formulas are drawn this much larger than inline ones."""


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
        self._cache: OrderedDict[tuple[str, bool, MathStyle], MathImage | None] = OrderedDict()
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
        key = (tex, display, style)
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
            return (tex, display, style) in self._cache

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
        size = style.font_px * (DISPLAY_SCALE if display else 1.0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                latex = Latex(
                    escape_for_ziamath(prepare_tex(tex)),
                    size=size,
                    inline=not display,
                    color=style.color,
                    margin=0,  # _fit_svg pads; ziamath's own margin would double the gap
                )
                unknown = _unknown_command(latex.mathml)
                if unknown:
                    log.debug("formula not rendered (unknown command %s): %r", unknown, tex)
                    return None
                svg = latex.svg()
        except Exception as exc:  # ziamath raises many kinds on bad TeX
            log.debug("formula not rendered (%s: %s): %r", type(exc).__name__, exc, tex)
            return None
        return _fit_svg(svg, tex, display, style)


def _unknown_command(mathml: object) -> str:
    """A TeX command latex2mathml did not know (it would be drawn as raw text), or ""."""
    root = ET.fromstring(mathml) if isinstance(mathml, str) else mathml
    if not isinstance(root, ET.Element):
        return ""
    for element in root.iter():
        text = element.text or ""
        if element.tag in _MATHML_TOKENS and _RAW_COMMAND.match(text):
            return text
    return ""


def _even_ceil(value: float) -> int:
    """The smallest even whole number not below `value`."""
    whole = math.ceil(value - 1e-6)
    return whole + whole % 2


def _fit_svg(svg: str, tex: str, display: bool, style: MathStyle) -> MathImage | None:
    """Pad the SVG to whole pixels so that Qt puts its baseline on the text's.

    The padded image reaches as far beyond the text's ascent as beyond its
    descent (see app/render/text_metrics.py for why that makes Qt's
    middle alignment exact); a blank pixel or two each side keeps overhangs.
    """
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
    extra = max(0.0, ascent - style.ascent, descent - style.descent)
    top, bottom = style.ascent + extra, style.descent + extra
    # Even sizes: at 150% they still map to whole device pixels (no resampling).
    height = _even_ceil(top + bottom)
    slack = (height - (top + bottom)) / 2
    top += slack
    bottom += slack
    left = math.floor(x) - SIDE_PAD_PX
    width = _even_ceil(math.ceil(x + w - 1e-6) + SIDE_PAD_PX - left)
    view = f"{left} {-top:.3f} {width} {height}"
    head = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    fitted = f'{head} width="{width}" height="{height}" viewBox="{view}"' + svg[match.end() :]
    identity = repr((tex, display, style)).encode()
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
