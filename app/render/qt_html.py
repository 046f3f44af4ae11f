"""markdown-it renderer that writes the rich-text subset QTextDocument understands.

Model output is data, never markup: raw HTML is off in the parser, every text
is escaped, only http(s) links become links, and images in the text become
links (nothing is fetched). Layout uses what Qt honours: tables with
border/cellpadding/bgcolor attributes, ``align`` attributes and simple inline
styles.
"""

from __future__ import annotations

import html
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from app.render.code import code_block_html
from app.render.math_images import MathRenderer, MathStyle, PendingFormula
from app.render.palette import Palette
from app.render.tex import split_cjk
from app.render.types import CodeBlock, MathImage

ENV_KEY = "ponder_render"
SAFE_SCHEMES = ("http://", "https://")


@dataclass
class RenderContext:
    """What one render pass collects and needs; lives in the markdown-it env.

    Attributes:
        palette: the theme's colours.
        math_style: formula size and colour.
        math: the (cached) formula renderer.
        first_code_index: N of the first code block (blocks before it were
            rendered in an earlier pass).
        code_blocks: code blocks met so far.
        math_images: images referenced so far.
        open_links: for each open link, whether an ``<a>`` was written.
        streaming: the text may still grow (code highlights complete lines).
        math_deadline: ``time.perf_counter()`` value after which formulas not
            in the cache are not rendered but shown as source and listed in
            ``pending``; None renders every formula at once.
        pending: formulas deferred because of ``math_deadline``.
        middle_font_px: font size of the span around each formula image
            (its x-height puts the image's baseline on the text's; see
            app/render/text_metrics.py); None writes no span.
    """

    palette: Palette
    math_style: MathStyle
    math: MathRenderer
    first_code_index: int = 0
    code_blocks: list[CodeBlock] = field(default_factory=list)
    math_images: dict[str, MathImage] = field(default_factory=dict)
    open_links: list[bool] = field(default_factory=list)
    streaming: bool = False
    math_deadline: float | None = None
    pending: list[PendingFormula] = field(default_factory=list)
    middle_font_px: int | None = None


def context_of(env: MutableMapping[str, Any]) -> RenderContext:
    """The RenderContext stored in a markdown-it env."""
    ctx = env[ENV_KEY]
    assert isinstance(ctx, RenderContext)
    return ctx


def escape(text: str) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape(text, quote=True)


def is_safe_url(url: str) -> bool:
    """Whether a link may be shown as a clickable link (http and https only)."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


def formula_html(
    tex: str, source: str, display: bool, ctx: RenderContext, *, block: bool = False
) -> str:
    """A formula as ``<img src="math:KEY">`` references, or its source on failure.

    Args:
        tex: the TeX without delimiters.
        source: the formula as written, delimiters included (the fallback).
        display: display style.
        ctx: the render context; images are added to it.
        block: the formula is a block of its own (its fallback may be a box).

    Returns:
        Inline HTML (a table when ``block`` and the formula cannot be drawn).
    """
    parts = split_cjk(tex)
    if (
        parts is not None
        and ctx.math_deadline is not None
        and time.perf_counter() >= ctx.math_deadline
    ):
        late = [
            PendingFormula(part.content, display, ctx.math_style)
            for part in parts
            if not part.is_text
            and not ctx.math.is_cached(part.content, display=display, style=ctx.math_style)
        ]
        if late:
            ctx.pending.extend(late)
            return f'<span style="color:{ctx.palette.muted};">{escape(source)}</span>'
    if parts is not None:
        pieces: list[str] = []
        images: list[MathImage] = []
        for part in parts:
            if part.is_text:
                pieces.append(escape(part.content))
                continue
            image = ctx.math.render(part.content, display=display, style=ctx.math_style)
            if image is None:
                break
            images.append(image)
            pieces.append(_image_html(image, ctx))
        else:
            for image in images:
                ctx.math_images[image.key] = image
            return "".join(pieces)
    return source_box(source, block, ctx)


def _image_html(image: MathImage, ctx: RenderContext) -> str:
    img = (
        f'<img src="math:{image.key}" width="{image.width}" height="{image.height}" '
        f'style="vertical-align:middle;">'
    )
    if ctx.middle_font_px is None:
        return img
    return f'<span style="font-size:{ctx.middle_font_px}px;">{img}</span>'


def source_box(source: str, block: bool, ctx: RenderContext) -> str:
    """A formula that cannot be drawn: its TeX, whole, in a monospace box.

    Inline it is a code span; a block keeps its lines in a shaded one-cell
    table (QTextDocument draws no padding or border on ``pre``).

    Args:
        source: the formula as written, delimiters included.
        block: the formula is a block of its own.
        ctx: the render context.

    Returns:
        Inline HTML, or a table for a block.
    """
    code = (
        f'<code style="background-color:{ctx.palette.code_bg}; font-family:monospace;">'
        f"{escape(source).replace(chr(10), '<br>')}</code>"
    )
    if not block:
        return code
    return (
        f'<table border="0" cellspacing="0" cellpadding="6" bgcolor="{ctx.palette.code_bg}">'
        f"<tr><td>{code}</td></tr></table>"
    )


class QtRenderer(RendererHTML):
    """Render rules for Qt rich text (method names are markdown-it token types)."""

    # --- math -----------------------------------------------------------

    def math_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        token = tokens[idx]
        display = bool(token.meta.get("display"))
        source = str(token.meta.get("source", token.content))
        return formula_html(token.content, source, display, context_of(env))

    def math_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        token = tokens[idx]
        ctx = context_of(env)
        closer = str(token.meta.get("closer", "$$"))
        if not token.meta.get("closed"):
            # Still streaming: show what has arrived as text, never half a formula.
            raw = f"{token.markup}\n{token.content}".strip()
            return "<p>" + escape(raw).replace("\n", "<br>") + "</p>\n"
        source = f"{token.markup}{token.content}{closer}"
        inner = formula_html(token.content, source, True, ctx, block=True)
        if inner.startswith("<table"):
            return inner + "\n"
        return f'<p align="center">{inner}</p>\n'

    # --- code -----------------------------------------------------------

    def fence(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        token = tokens[idx]
        language = token.info.strip().split(" ", 1)[0] if token.info.strip() else ""
        return self._code(token.content, language, env)

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return self._code(tokens[idx].content, "", env)

    def _code(self, code: str, language: str, env: MutableMapping[str, Any]) -> str:
        ctx = context_of(env)
        index = ctx.first_code_index + len(ctx.code_blocks)
        ctx.code_blocks.append(CodeBlock(index=index, language=language, code=code))
        return code_block_html(code, language, index, ctx.palette, streaming=ctx.streaming)

    def code_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        palette = context_of(env).palette
        return (
            f'<code style="background-color:{palette.code_bg}; font-family:monospace;">'
            f"{escape(tokens[idx].content)}</code>"
        )

    # --- links and images -------------------------------------------------

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        ctx = context_of(env)
        href = str(tokens[idx].attrGet("href") or "")
        if is_safe_url(href):
            ctx.open_links.append(True)
            return f'<a href="{escape(href)}" style="color:{ctx.palette.link};">'
        ctx.open_links.append(False)
        return ""

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        ctx = context_of(env)
        was_link = ctx.open_links.pop() if ctx.open_links else False
        return "</a>" if was_link else ""

    def image(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        token = tokens[idx]
        ctx = context_of(env)
        alt = self.renderInlineAsText(token.children or [], options, env) or "image"
        src = str(token.attrGet("src") or "")
        label = escape(f"[{alt}]")
        if is_safe_url(src):
            return f'<a href="{escape(src)}" style="color:{ctx.palette.link};">{label}</a>'
        return label

    # --- text ------------------------------------------------------------

    def text(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return escape(tokens[idx].content)

    def softbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return "<br>\n"

    def hardbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return "<br>\n"

    def hr(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return "<hr>\n"

    # --- quotes and tables ------------------------------------------------

    def blockquote_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        # Qt draws no left border on blockquote: a thin coloured cell is the bar.
        bar = context_of(env).palette.quote_bar
        return (
            '<table border="0" cellspacing="0" cellpadding="4"><tr>'
            f'<td width="3" bgcolor="{bar}"></td><td>\n'
        )

    def blockquote_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return "</td></tr></table>\n"

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        border = context_of(env).palette.border
        return (
            '<table border="1" cellspacing="0" cellpadding="4" '
            f'style="border-collapse:collapse; border-color:{border};">\n'
        )

    def th_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return _cell_open("th", tokens[idx])

    def td_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping[str, Any]
    ) -> str:
        return _cell_open("td", tokens[idx])


def _cell_open(tag: str, token: Token) -> str:
    style = str(token.attrGet("style") or "")
    for align in ("left", "center", "right"):
        if style == f"text-align:{align}":
            return f'<{tag} align="{align}">'
    return f"<{tag}>"
