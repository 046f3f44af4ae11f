"""Markdown, code and math to Qt-safe HTML. No Qt widgets, no Qt at all.

    render_markdown(text, dark=False, streaming=False) -> RenderedMessage
    StreamRenderer(dark=False).update(text_so_far) / .finish() -> RenderedMessage
    render_boxed_answer(boxed_tex, dark=False) -> RenderedMessage

While streaming, ``StreamRenderer(math_budget_ms=0)`` leaves new formulas to a
worker thread (``MathRenderer.render_pending(renderer.pending_formulas)``), so
an update costs about a millisecond; the next update picks the images up.

The HTML refers to formulas as ``<img src="math:KEY">`` (SVG bytes in
``RenderedMessage.math_images[KEY]``) and to code blocks with
``<a href="copy:N">`` links (``RenderedMessage.code_blocks[N]``).
"""

from app.render.answer import render_boxed_answer
from app.render.markdown import render_markdown
from app.render.math_images import (
    MathRenderer,
    MathStyle,
    PendingFormula,
    default_math_renderer,
)
from app.render.stream import StreamRenderer
from app.render.types import CodeBlock, MathImage, RenderedMessage

__all__ = [
    "CodeBlock",
    "MathImage",
    "MathRenderer",
    "MathStyle",
    "PendingFormula",
    "RenderedMessage",
    "StreamRenderer",
    "default_math_renderer",
    "render_boxed_answer",
    "render_markdown",
]
