"""Model text (markdown with math) to a RenderedMessage; the public entry point."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.render.math_images import MathRenderer, MathStyle, default_math_renderer
from app.render.math_syntax import math_plugin
from app.render.palette import palette_for
from app.render.qt_html import ENV_KEY, QtRenderer, RenderContext
from app.render.text_metrics import MATH_SCALE, text_metrics_for
from app.render.types import RenderedMessage

log = logging.getLogger(__name__)

DEFAULT_FONT_PX = 16.0


@lru_cache(maxsize=2)
def parser(streaming: bool) -> MarkdownIt:
    """The markdown parser (one for final text, one for text still streaming).

    CommonMark plus tables, strikethrough and math; raw HTML off; single
    newlines are line breaks (models rely on them). Link reference
    definitions are off: they would let text at the end change links at the
    start, which breaks incremental rendering and rarely occurs in chats.

    Args:
        streaming: whether an unclosed display formula may run to the end.

    Returns:
        A configured MarkdownIt instance (shared; treat as read-only).
    """
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}, renderer_cls=QtRenderer)
    md.enable(["table", "strikethrough"])
    md.disable(["reference", "html_block", "html_inline"])
    md.use(math_plugin, streaming=streaming)
    return md


def new_context(
    *,
    dark: bool,
    font_px: float = DEFAULT_FONT_PX,
    first_code_index: int = 0,
    math: MathRenderer | None = None,
    streaming: bool = False,
    math_deadline: float | None = None,
) -> RenderContext:
    """A fresh render context for one pass.

    Args:
        dark: dark theme colours.
        font_px: body font size in logical pixels; formulas match the
            metrics the GUI registered for it (app/render/text_metrics.py).
        first_code_index: N of the first code block in this pass.
        math: the formula renderer; the shared cached one by default.
        streaming: the text may still grow.
        math_deadline: ``time.perf_counter()`` value after which uncached
            formulas are deferred (see RenderContext); None: no limit.

    Returns:
        The context.
    """
    palette = palette_for(dark)
    metrics = text_metrics_for(font_px)
    return RenderContext(
        palette=palette,
        math_style=MathStyle(
            font_px=font_px * MATH_SCALE,
            color=palette.text,
            text_ascent=metrics.ascent,
            text_descent=metrics.descent,
        ),
        middle_font_px=metrics.middle_font_px,
        math=math or default_math_renderer(),
        first_code_index=first_code_index,
        streaming=streaming,
        math_deadline=math_deadline,
    )


def render_tokens(md: MarkdownIt, tokens: Sequence[Token], ctx: RenderContext) -> str:
    """Render parsed block tokens with a context (collects images and code)."""
    html_out: str = md.renderer.render(tokens, md.options, {ENV_KEY: ctx})
    return html_out


def plain_html(text: str) -> str:
    """The last-resort rendering: escaped text with line breaks."""
    return "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>\n"


def render_markdown(
    text: str,
    *,
    dark: bool = False,
    streaming: bool = False,
    font_px: float = DEFAULT_FONT_PX,
    math: MathRenderer | None = None,
) -> RenderedMessage:
    """Render a whole message.

    Never raises for any text: should rendering fail unexpectedly, the text
    comes back escaped, with line breaks (and the error is logged).

    Args:
        text: the model's markdown.
        dark: dark theme colours.
        streaming: the text may still grow: a display formula whose closing
            delimiter has not arrived is shown as plain text.
        font_px: body font size in logical pixels.
        math: the formula renderer; the shared cached one by default.

    Returns:
        HTML plus the formula images and code blocks it refers to.
    """
    ctx = new_context(dark=dark, font_px=font_px, math=math, streaming=streaming)
    try:
        md = parser(streaming)
        html_out = render_tokens(md, md.parse(text, {}), ctx)
    except Exception:  # a message must always show
        log.exception("markdown rendering failed; showing plain text")
        return RenderedMessage(html=plain_html(text))
    return RenderedMessage(html=html_out, math_images=ctx.math_images, code_blocks=ctx.code_blocks)
