"""Incremental rendering of a reply that is still streaming.

A growing message is split into finished top-level blocks, rendered once and
kept, and the growing tail, re-rendered on every update; so an update costs
O(tail), not O(message).

A block is finished once a blank line and the complete first line of a new
top-level block follow it. Nothing after that point can change it: display
math never spans a blank line here, link reference definitions are off, and
the first complete line of a new block decides that the block before it has
ended (a list cannot swallow it any more, a fence or formula that is still
open runs to the end and so is always part of the tail).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from markdown_it.token import Token

from app.render.markdown import DEFAULT_FONT_PX, new_context, parser, plain_html, render_tokens
from app.render.math_images import MathRenderer, PendingFormula
from app.render.qt_html import RenderContext
from app.render.types import CodeBlock, MathImage, RenderedMessage

log = logging.getLogger(__name__)


def _top_level_blocks(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token index ranges [start, end) of each top-level block."""
    blocks: list[tuple[int, int]] = []
    start = 0
    for i, token in enumerate(tokens):
        if token.level == 0 and token.nesting != -1 and i > start:
            blocks.append((start, i))
            start = i
    if start < len(tokens):
        blocks.append((start, len(tokens)))
    return blocks


def _normalize(text: str) -> str:
    """Newlines as markdown-it sees them, so its line numbers index our text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


class StreamRenderer:
    """Renders one streaming message, keeping finished blocks' HTML.

    Feed it the whole text so far with ``update`` (or pieces with ``append``)
    and call ``finish`` at the end. The result of ``finish`` equals
    ``render_markdown(text)``.

    Attributes:
        stable_html: HTML of the finished blocks (never changes once written).
        tail_html: HTML of the growing tail from the last update.
    """

    def __init__(
        self,
        *,
        dark: bool = False,
        font_px: float = DEFAULT_FONT_PX,
        math: MathRenderer | None = None,
        math_budget_ms: float | None = None,
    ) -> None:
        """Start an empty message.

        Args:
            dark: dark theme colours.
            font_px: body font size in logical pixels.
            math: the formula renderer; the shared cached one by default.
            math_budget_ms: milliseconds one ``update`` may spend before it
                stops rendering new formulas (one formula takes 10-100 ms):
                later ones show as source and are listed in
                ``pending_formulas`` until a later update (or a worker thread
                calling ``MathRenderer.render_pending``) has them cached.
                0 renders no new formula during updates; None (the default)
                renders all at once. ``finish`` always renders everything.
        """
        self._dark = dark
        self._font_px = font_px
        self._math = math
        self._math_budget_s = None if math_budget_ms is None else math_budget_ms / 1000
        self._deadline: float | None = None
        self.pending_formulas: list[PendingFormula] = []
        """Formulas deferred in the last update (empty after ``finish``)."""
        self._text = ""
        self._stable_end = 0  # chars of text covered by stable blocks
        self._stable_parts: list[str] = []
        self._stable_images: dict[str, MathImage] = {}
        self._stable_code: list[CodeBlock] = []
        self.stable_html = ""
        self.tail_html = ""
        self._tail_images: dict[str, MathImage] = {}
        self._tail_code: list[CodeBlock] = []

    @property
    def text(self) -> str:
        """The whole message text received so far."""
        return self._text

    def append(self, delta: str) -> RenderedMessage:
        """Add streamed text and render.

        Args:
            delta: the new piece of text.

        Returns:
            The message so far.
        """
        return self.update(self._text + delta)

    def update(self, text: str) -> RenderedMessage:
        """Render the message so far.

        Args:
            text: the whole text so far. It normally extends the previous text;
                if it does not (the message was replaced), rendering restarts.

        Returns:
            The message so far (unclosed display math shown as text).
        """
        text = _normalize(text)
        if not text.startswith(self._text[: self._stable_end]):
            self._reset()
        self._text = text
        budget = self._math_budget_s
        self._deadline = None if budget is None else time.perf_counter() + budget
        self._render_tail(streaming=True)
        return self.result()

    def finish(self, text: str | None = None) -> RenderedMessage:
        """Render the final message.

        Args:
            text: the complete text; None keeps the text given so far.

        Returns:
            The finished message, equal to ``render_markdown(text)``.
        """
        if text is not None:
            text = _normalize(text)
            if not text.startswith(self._text[: self._stable_end]):
                self._reset()
            self._text = text
        self._deadline = None
        self._render_tail(streaming=False)
        return self.result()

    def result(self) -> RenderedMessage:
        """The message as of the last update."""
        return RenderedMessage(
            html=self.stable_html + self.tail_html,
            math_images={**self._stable_images, **self._tail_images},
            code_blocks=self._stable_code + self._tail_code,
        )

    def _reset(self) -> None:
        self._stable_end = 0
        self._stable_parts = []
        self._stable_images = {}
        self._stable_code = []
        self.stable_html = ""

    def _new_context(self, *, streaming: bool) -> RenderContext:
        """A render context with this message's settings; code numbers follow the stable part's."""
        return new_context(
            dark=self._dark,
            font_px=self._font_px,
            first_code_index=len(self._stable_code),
            math=self._math,
            streaming=streaming,
            math_deadline=self._deadline,
        )

    def _render_tail(self, *, streaming: bool) -> None:
        tail = self._text[self._stable_end :]
        try:
            self._render_tail_unsafe(tail, streaming=streaming)
        except Exception:  # a message must always show
            log.exception("incremental rendering failed; showing plain text")
            self.tail_html = plain_html(tail)
            self._tail_images = {}
            self._tail_code = []
            self.pending_formulas = []

    def _render_tail_unsafe(self, tail: str, *, streaming: bool) -> None:
        md = parser(streaming)
        tokens = md.parse(tail, {})
        if streaming:
            tokens = self._commit_finished(tail, tokens)
            tail = self._text[self._stable_end :]
        ctx = self._new_context(streaming=streaming)
        self.tail_html = render_tokens(md, tokens, ctx)
        self._tail_images = ctx.math_images
        self._tail_code = ctx.code_blocks
        self.pending_formulas = ctx.pending

    def _commit_finished(self, tail: str, tokens: list[Token]) -> list[Token]:
        """Move finished blocks into the stable part; return the tail's tokens."""
        blocks = _top_level_blocks(tokens)
        if len(blocks) < 2:
            return tokens
        lines = tail.split("\n")
        complete_lines = len(lines) - 1  # the last piece has no newline yet
        commit_upto = -1  # blocks [0, commit_upto] are finished
        for k in range(len(blocks) - 1):
            end_map = tokens[blocks[k][0]].map
            next_map = tokens[blocks[k + 1][0]].map
            if end_map is None or next_map is None:
                continue
            end_line, next_start = end_map[1], next_map[0]
            has_gap = next_start > end_line and all(
                not lines[i].strip() for i in range(end_line, next_start)
            )
            if has_gap and next_start < complete_lines:
                commit_upto = k
        if commit_upto < 0:
            return tokens
        cut_token = blocks[commit_upto + 1][0]
        cut_map = tokens[cut_token].map
        assert cut_map is not None
        md = parser(True)
        ctx = self._new_context(streaming=True)
        stable_html = render_tokens(md, tokens[:cut_token], ctx)
        if ctx.pending:
            return tokens  # a deferred formula must not be frozen as source text
        self._stable_parts.append(stable_html)
        self._stable_images.update(ctx.math_images)
        self._stable_code.extend(ctx.code_blocks)
        self.stable_html = "".join(self._stable_parts)
        self._stable_end += _line_starts(tail)[cut_map[0]]
        return tokens[cut_token:]
