"""The final ``\\boxed{}`` answer as a highlighted line under the reply."""

from __future__ import annotations

from app.render.markdown import DEFAULT_FONT_PX, new_context
from app.render.palette import palette_for
from app.render.qt_html import escape, formula_html
from app.render.types import RenderedMessage


def render_boxed_answer(
    boxed: str,
    *,
    dark: bool = False,
    label: str = "Answer",
    font_px: float = DEFAULT_FONT_PX,
) -> RenderedMessage:
    """Render the content of the last ``\\boxed{...}`` as an answer line.

    Args:
        boxed: what stood inside ``\\boxed{}`` (TeX), e.g. ``Finished.boxed``.
        dark: dark theme colours.
        label: the word before the answer (translated by the GUI).
        font_px: body font size in logical pixels.

    Returns:
        A one-row table with a coloured background holding the label and the
        boxed formula (or its source when the TeX cannot be rendered).
    """
    palette = palette_for(dark)
    ctx = new_context(dark=dark, font_px=font_px)
    tex = f"\\boxed{{{boxed}}}"
    formula = formula_html(tex, tex, False, ctx)
    html_out = (
        f'<table width="100%" border="0" cellspacing="0" cellpadding="8" '
        f'bgcolor="{palette.answer_bg}"><tr><td>'
        f'<span style="color:{palette.answer_label}; font-weight:bold;">{escape(label)}:</span> '
        f"{formula}</td></tr></table>\n"
    )
    return RenderedMessage(html=html_out, math_images=ctx.math_images)
