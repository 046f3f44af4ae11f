"""Calls app.render and converts its result into the UI's RenderedPiece."""

from __future__ import annotations

import warnings

from app.ui.chat import math_metrics
from app.ui.chat.rendered_piece import RenderedPiece

with warnings.catch_warnings():
    # ziamath 0.13 uses the deprecated importlib.resources.path at import time.
    warnings.simplefilter("ignore", DeprecationWarning)
    from app.render.markdown import new_context, parser, plain_html, render_tokens
    from app.render.markdown import render_markdown as _render
    from app.render.math_images import PendingFormula, default_math_renderer
    from app.render.stream import StreamRenderer
    from app.render.text_metrics import TextMetrics, set_text_metrics


def body_font_px() -> float:
    """The message font's pixel size, its metrics registered with app.render.

    Formulas are sized and padded to that font so that they sit on its baseline.
    """
    body = math_metrics.current()
    set_text_metrics(
        TextMetrics(
            font_px=body.font_px,
            ascent=body.ascent,
            descent=body.descent,
            middle_font_px=body.middle_font_px,
        )
    )
    return body.font_px


def render(markdown: str, *, is_dark: bool, is_streaming: bool = False,
           defer_math: bool = False) -> RenderedPiece:
    """Markdown -> Qt-safe HTML with math SVGs and code texts.

    Args:
        markdown: the text of one segment.
        is_dark: dark theme colours.
        is_streaming: the text may still grow.
        defer_math: formulas not yet in the cache are not rendered here (one
            costs 10-130 ms): they show as grey source and are listed in
            `pending` for `math_queue` to render on its thread.
    """
    font_px = body_font_px()
    if not defer_math:
        result = _render(markdown, dark=is_dark, streaming=is_streaming, font_px=font_px)
        pending: tuple[PendingFormula, ...] = ()
        html, images, code = result.html, result.math_images, result.code_blocks
    else:
        # A deadline already past: every uncached formula is deferred.
        ctx = new_context(
            dark=is_dark, streaming=is_streaming, math_deadline=0.0, font_px=font_px)
        try:
            md = parser(is_streaming)
            html = render_tokens(md, md.parse(markdown, {}), ctx)
        except Exception:  # same safety net as render_markdown
            ctx = new_context(dark=is_dark, streaming=is_streaming, font_px=font_px)
            html = plain_html(markdown)
        images, code, pending = ctx.math_images, ctx.code_blocks, tuple(ctx.pending)
    return RenderedPiece(
        html=html,
        images={f"math:{key}": image.svg for key, image in images.items()},
        code_texts=[block.code for block in code],
        pending=pending,
    )


def new_stream(*, is_dark: bool) -> StreamRenderer:
    """An incremental renderer for one growing segment; new formulas are deferred."""
    return StreamRenderer(dark=is_dark, math_budget_ms=0, font_px=body_font_px())


def render_stream(stream: StreamRenderer, markdown: str) -> RenderedPiece:
    """The segment so far: finished blocks come from `stream`'s cache, the tail is rendered.

    Formulas not yet in the cache show as grey source and are listed in
    `pending` for `math_queue`, as with `render(..., defer_math=True)`.
    """
    result = stream.update(markdown)
    return RenderedPiece(
        html=result.html,
        images={f"math:{key}": image.svg for key, image in result.math_images.items()},
        code_texts=[block.code for block in result.code_blocks],
        pending=tuple(stream.pending_formulas),
    )


def render_pending(pending: tuple[object, ...]) -> None:
    """Render deferred formulas into the shared cache (call on a worker thread)."""
    default_math_renderer().render_pending(
        [f for f in pending if isinstance(f, PendingFormula)])


def is_cached(pending: tuple[object, ...]) -> bool:
    """Whether every deferred formula of `pending` is in the cache now."""
    math = default_math_renderer()
    return all(math.is_cached(f.tex, display=f.display, style=f.style)
               for f in pending if isinstance(f, PendingFormula))


WARM_LANGUAGES = ("python", "cpp", "javascript", "bash")
"""Languages whose Pygments lexer is built at start (python's alone takes ~60 ms)."""


def warm_up(languages: tuple[str, ...] = WARM_LANGUAGES) -> None:
    """Pay first-use costs now, off the GUI thread: ziamath's fonts, lexer tables."""
    render("$x$", is_dark=False)
    for language in languages:
        render_code("x = 1\n", language, is_dark=False)


def render_code(code: str, language: str, *, is_dark: bool) -> RenderedPiece:
    """Highlighted code alone (the code block widget draws label and copy button)."""
    from app.render.code import highlight_code
    from app.render.palette import palette_for

    palette = palette_for(is_dark)
    body = highlight_code(code, language, palette)
    return RenderedPiece(html=f'<pre style="white-space:pre; margin:0;">{body}</pre>',
                         code_texts=[code])


def render_boxed(boxed: str, label: str, *, is_dark: bool) -> RenderedPiece:
    """The final \\boxed{} answer as a highlighted line with its math rendered."""
    from app.render.answer import render_boxed_answer

    result = render_boxed_answer(boxed, dark=is_dark, label=label, font_px=body_font_px())
    return RenderedPiece(
        html=result.html,
        images={f"math:{key}": image.svg for key, image in result.math_images.items()},
    )


IS_READY = True
"""Set last: the module is fully imported (see rendering.is_renderer_ready)."""
