"""A markdown-it plugin that finds the math R1 models write.

Inline: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` inside a paragraph, a bare
``\\boxed{…}`` and a bare environment (``\\begin{pmatrix}…\\end{pmatrix}``).
Blocks: lines opening with ``$$`` or ``\\[`` up to the line that closes them,
and a display environment written without delimiters (``\\begin{aligned}`` on
its own line, or after a math-like start such as ``f(x) =``) up to its
``\\end``. Tokens carry the TeX in ``content`` and ``meta["display"]``.

Rules chosen for model text: a ``$`` opens math only before a non-space and
closes only after a non-space and not before a digit, so "costs $5 and $6"
stays text. Display math never spans a blank line. A block whose closing
delimiter has not arrived yet (while streaming) runs to the end of the text
and is shown as plain text until it closes.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from app.core.braces import closing_brace
from app.render.math_envs import begin_at, find_begin, is_math_like, matching_end

MATH_INLINE = "math_inline"
MATH_BLOCK = "math_block"

_BLOCK_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"))


def _find_unescaped(src: str, needle: str, start: int, end: int) -> int:
    """First ``needle`` in src[start:end] not preceded by a backslash escape."""
    i = start
    while i < end:
        ch = src[i]
        if ch == "\\" and not needle.startswith("\\"):
            i += 2
            continue
        if src.startswith(needle, i) and i + len(needle) <= end:
            return i
        i += 1
    return -1


def _find_single_dollar_close(src: str, start: int, end: int) -> int:
    """The closing ``$`` of inline math opened just before ``start``, or -1."""
    i = start
    while i < end:
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "$":
            before = src[i - 1]
            after = src[i + 1] if i + 1 < end else ""
            if after == "$":
                return -1  # "$x$$": not a clean single-dollar formula
            if not before.isspace() and not after.isdigit():
                return i
        i += 1
    return -1


def _math_inline(state: StateInline, silent: bool) -> bool:
    src, pos, end = state.src, state.pos, state.posMax
    tex: str
    display: bool
    if src.startswith("$$", pos):
        close = _find_unescaped(src, "$$", pos + 2, end)
        if close < 0:
            return False
        tex, display, after = src[pos + 2 : close], True, close + 2
    elif src.startswith("$", pos):
        if pos + 1 >= end or src[pos + 1].isspace():
            return False
        close = _find_single_dollar_close(src, pos + 1, end)
        if close < 0:
            return False
        tex, display, after = src[pos + 1 : close], False, close + 1
    elif src.startswith("\\(", pos) or src.startswith("\\[", pos):
        closer = "\\)" if src[pos + 1] == "(" else "\\]"
        close = _find_unescaped(src, closer, pos + 2, end)
        if close < 0:
            return False
        tex, display, after = src[pos + 2 : close], closer == "\\]", close + 2
    elif src.startswith("\\boxed{", pos):
        close = closing_brace(src, pos + 6, end)
        if close < 0:
            return False
        tex, display, after = src[pos : close + 1], False, close + 1
    elif src.startswith("\\begin", pos) and begin_at(src, pos) is not None:
        close = matching_end(src, pos, end)
        if close < 0:
            return False
        tex, after = src[pos:close], close
        display = "\n" in tex
    else:
        return False
    if not tex.strip():
        return False
    if not silent:
        token = state.push(MATH_INLINE, "", 0)
        token.content = tex.strip()
        token.meta = {"display": display, "source": src[pos:after]}
    state.pos = after
    return True


def make_math_block_rule(streaming: bool) -> Callable[[StateBlock, int, int, bool], bool]:
    """The block rule; while streaming an unclosed block runs to the end.

    Args:
        streaming: whether the text may still grow.

    Returns:
        A markdown-it block rule function.
    """

    def math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if state.is_code_block(start_line):
            return False
        begin = state.bMarks[start_line] + state.tShift[start_line]
        line_end = state.eMarks[start_line]
        line = state.src[begin:line_end]
        pair = next((d for d in _BLOCK_DELIMITERS if line.startswith(d[0])), None)
        if pair is None:
            return False
        opener, closer = pair
        rest = line[len(opener) :]
        close_at = _find_unescaped(rest, closer, 0, len(rest))
        if close_at >= 0:
            if rest[close_at + len(closer) :].strip():
                return False  # "$$a$$ and more": inline math in a paragraph
            if not rest[:close_at].strip():
                return False
            body, last, is_closed = [rest[:close_at]], start_line, True
        else:
            body, last, is_closed = [rest], start_line, False
            next_line = start_line + 1
            while next_line < end_line:
                if state.isEmpty(next_line):
                    break
                text = state.src[
                    state.bMarks[next_line] + state.tShift[next_line] : state.eMarks[next_line]
                ]
                close_at = _find_unescaped(text, closer, 0, len(text))
                if close_at >= 0:
                    if text[close_at + len(closer) :].strip():
                        return False
                    body.append(text[:close_at])
                    last, is_closed = next_line, True
                    break
                body.append(text)
                last = next_line
                next_line += 1
            if not is_closed and not (streaming and last == end_line - 1):
                return False
        if silent:
            return True
        state.line = last + 1
        token = state.push(MATH_BLOCK, "math", 0)
        token.block = True
        token.content = "\n".join(body).strip()
        token.markup = opener
        token.map = [start_line, state.line]
        token.meta = {"display": True, "closed": is_closed, "closer": closer}
        return True

    return math_block


def make_environment_block_rule(
    streaming: bool,
) -> Callable[[StateBlock, int, int, bool], bool]:
    """The block rule for a display environment written without delimiters.

    A line holding ``\\begin{env}`` of a math environment, with nothing but
    math-like text before it, starts the block; it runs to the line with the
    matching ``\\end{env}`` (followed by math-like text at most) and never
    across a blank line. While streaming, an unclosed one runs to the end.

    Args:
        streaming: whether the text may still grow.

    Returns:
        A markdown-it block rule function.
    """

    def environment_block(
        state: StateBlock, start_line: int, end_line: int, silent: bool
    ) -> bool:
        if state.is_code_block(start_line):
            return False
        first = state.bMarks[start_line] + state.tShift[start_line]
        line = state.src[first : state.eMarks[start_line]]
        at = find_begin(line)
        if at < 0 or not is_math_like(line[:at]):
            return False
        joined, last = line, start_line
        close = matching_end(joined, at)
        while close < 0 and last + 1 < end_line and not state.isEmpty(last + 1):
            last += 1
            joined += "\n" + state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]]
            close = matching_end(joined, at)
        if close >= 0 and not is_math_like(joined[close:]):
            return False
        if close < 0 and not (streaming and last == end_line - 1):
            return False
        if silent:
            return True
        state.line = last + 1
        token = state.push(MATH_BLOCK, "math", 0)
        token.block = True
        token.content = joined.strip()
        token.markup = ""
        token.map = [start_line, state.line]
        token.meta = {"display": True, "closed": close >= 0, "closer": ""}
        return True

    return environment_block


def math_plugin(md: MarkdownIt, streaming: bool = False) -> None:
    """Install the math rules into a MarkdownIt instance.

    Args:
        md: the parser to extend.
        streaming: whether unclosed display math may run to the end of text.
    """
    md.inline.ruler.before("escape", MATH_INLINE, _math_inline)
    md.block.ruler.before(
        "fence",
        MATH_BLOCK,
        make_math_block_rule(streaming),
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.block.ruler.before(
        "fence",
        "math_environment",
        make_environment_block_rule(streaming),
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
