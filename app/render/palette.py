"""Colours of rendered messages for the light and the dark theme."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    """Colours the renderer writes into inline styles (``#rrggbb``).

    Attributes:
        text: body text, also the colour of formulas.
        muted: secondary text such as code language labels.
        link: hyperlinks.
        code_bg: background of code blocks and inline code.
        quote_bar: the bar left of a block quote.
        border: table cell borders.
        answer_bg: background of the final-answer line.
        answer_label: the "Answer" label on it.
        pygments_style: the Pygments style for code highlighting.
    """

    text: str
    muted: str
    link: str
    code_bg: str
    quote_bar: str
    border: str
    answer_bg: str
    answer_label: str
    pygments_style: str


LIGHT = Palette(
    text="#1f2328",
    muted="#59636e",
    link="#0969da",
    code_bg="#f3f4f6",
    quote_bar="#d0d7de",
    border="#9aa4ae",
    answer_bg="#fff4c2",
    answer_label="#7a5b00",
    pygments_style="default",
)

DARK = Palette(
    text="#e6edf3",
    muted="#9198a1",
    link="#4493f8",
    code_bg="#1e2329",
    quote_bar="#3d444d",
    border="#3d444d",
    answer_bg="#3b3212",
    answer_label="#f2cc60",
    pygments_style="github-dark",
)


def palette_for(dark: bool) -> Palette:
    """The palette of the light or the dark theme.

    Args:
        dark: True for the dark theme.

    Returns:
        The matching palette.
    """
    return DARK if dark else LIGHT
