"""Code blocks: Pygments highlighting with inline styles, inside a Qt-friendly table."""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from app.render.palette import Palette

# Above this size highlighting is skipped: plain text is instant and readable.
MAX_HIGHLIGHT_CHARS = 200_000


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=8)
def _formatter(style: str) -> HtmlFormatter[str]:
    return HtmlFormatter(style=style, noclasses=True, nowrap=True)


@lru_cache(maxsize=256)
def _highlight_cached(code: str, language: str, style: str) -> str:
    result: str = highlight(code, _lexer(language), _formatter(style))
    if result.endswith("\n") and not code.endswith("\n"):
        result = result[:-1]
    return result


def highlight_code(code: str, language: str, palette: Palette, *, streaming: bool = False) -> str:
    """Code as HTML with coloured spans (inline styles); newlines kept.

    Results are cached, so a finished block in the streaming tail costs
    nothing to re-render.

    Args:
        code: the source text.
        language: a Pygments language name or alias ("" for plain text).
        palette: the theme (gives the Pygments style).
        streaming: the code may still grow: only complete lines are
            highlighted (cached); the unfinished last line is plain text
            until its newline arrives.

    Returns:
        Escaped HTML without a wrapping element.
    """
    if not language or len(code) > MAX_HIGHLIGHT_CHARS:
        return html.escape(code, quote=False)
    language = language.lower()
    style = palette.pygments_style
    if streaming:
        cut = code.rfind("\n") + 1
        done = _highlight_cached(code[:cut], language, style) if cut else ""
        return done + html.escape(code[cut:], quote=False)
    return _highlight_cached(code, language, style)


def code_block_html(
    code: str, language: str, index: int, palette: Palette, *, streaming: bool = False
) -> str:
    """One code block: a language label, a Copy link and the unwrapped code.

    QTextDocument ignores padding and borders on ``pre``, so the block is a
    one-cell-wide table with a background colour; ``pre`` keeps long lines
    intact (the GUI scrolls them).

    Args:
        code: the code text.
        language: the fence's language word ("" when none).
        index: N of the ``copy:N`` link.
        palette: the theme.
        streaming: the code may still grow (see ``highlight_code``).

    Returns:
        The block's HTML.
    """
    if code.endswith("\n"):
        # The fence's own final newline is no line of code; keep it through
        # highlighting so a streaming block is cached line by line.
        body = highlight_code(code, language, palette, streaming=streaming).removesuffix("\n")
    else:
        body = highlight_code(code, language, palette, streaming=streaming)
    label = html.escape(language or "text")
    return (
        f'<table width="100%" border="0" cellspacing="0" cellpadding="6" '
        f'bgcolor="{palette.code_bg}">'
        f'<tr><td><span style="color:{palette.muted}; font-size:small;">{label}</span></td>'
        f'<td align="right"><a href="copy:{index}" style="color:{palette.link};">Copy</a></td>'
        f'</tr><tr><td colspan="2"><pre style="white-space:pre; font-family:monospace; '
        f'color:{palette.text};">{body}</pre></td></tr></table>\n'
    )


def clear_highlight_cache() -> None:
    """Forget cached highlighting (benchmarks use it to measure cold code)."""
    _highlight_cached.cache_clear()
