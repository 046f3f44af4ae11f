"""Calls app.render and converts its result into the UI's RenderedPiece."""

from __future__ import annotations

import warnings

from app.ui.rendering import RenderedPiece

with warnings.catch_warnings():
    # ziamath 0.13 uses the deprecated importlib.resources.path at import time.
    warnings.simplefilter("ignore", DeprecationWarning)
    from app.render.markdown import render_markdown as _render


def render(markdown: str, *, is_dark: bool, is_streaming: bool = False) -> RenderedPiece:
    """Markdown -> Qt-safe HTML with math SVGs and code texts."""
    result = _render(markdown, dark=is_dark, streaming=is_streaming)
    return RenderedPiece(
        html=result.html,
        images={f"math:{key}": image.svg for key, image in result.math_images.items()},
        code_texts=[block.code for block in result.code_blocks],
    )


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

    result = render_boxed_answer(boxed, dark=is_dark, label=label)
    return RenderedPiece(
        html=result.html,
        images={f"math:{key}": image.svg for key, image in result.math_images.items()},
    )
