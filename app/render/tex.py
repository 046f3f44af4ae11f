"""TeX clean-up before ziamath sees it: escapes it chokes on, CJK text split out.

ziamath turns TeX into MathML text and parses that as XML, so a bare ``&``
outside an alignment environment, or ``&``/``<`` inside ``\\text{}``, breaks
the XML. Its STIX Two Math font has no CJK glyphs and ziafont cannot read the
``.ttc`` collections CJK fonts ship as, so Chinese inside ``\\text{}`` at the
top level of a formula is cut out and shown as HTML text between images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.braces import closing_brace

_TEXT_COMMANDS = frozenset(
    {"text", "textrm", "textbf", "textit", "textsf", "texttt", "mbox", "mathrm", "operatorname"}
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")
# CJK ideographs, kana, hangul, CJK punctuation and full-width forms.
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


@dataclass(frozen=True)
class TexPart:
    """A piece of a formula after CJK text was split out.

    Attributes:
        is_text: True for plain text shown as HTML, False for TeX to render.
        content: the TeX, or the plain text.
    """

    is_text: bool
    content: str


def has_cjk(text: str) -> bool:
    """Whether the text holds any CJK character.

    Args:
        text: any string.

    Returns:
        True when a CJK character occurs.
    """
    return _CJK.search(text) is not None


def _text_argument(tex: str, i: int) -> tuple[str, str, int] | None:
    """Parse ``\\text{...}``-like commands at ``i``: (command, argument, end) or None."""
    match = _COMMAND.match(tex, i)
    if match is None or match.group(1) not in _TEXT_COMMANDS:
        return None
    brace = match.end()
    if brace >= len(tex) or tex[brace] != "{":
        return None
    close = closing_brace(tex, brace)
    if close < 0:
        return None
    return match.group(1), tex[brace + 1 : close], close + 1


def _escape_text_argument(arg: str) -> str:
    arg = arg.replace("&", "&amp;").replace("\\&amp;", "&amp;")
    return arg.replace("<", "&lt;").replace(">", "&gt;")


def escape_for_ziamath(tex: str) -> str:
    """Escape what ziamath's XML step would choke on.

    A bare ``&`` outside ``\\begin..\\end`` becomes ``\\&``; inside text
    arguments ``&``, ``<`` and ``>`` become XML entities.

    Args:
        tex: the formula's TeX.

    Returns:
        TeX that renders the same and parses as XML after conversion.
    """
    out: list[str] = []
    env_depth = 0
    i = 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            parsed = _text_argument(tex, i)
            if parsed is not None:
                command, arg, end = parsed
                out.append(f"\\{command}{{{_escape_text_argument(arg)}}}")
                i = end
                continue
            match = _COMMAND.match(tex, i)
            if match is None:
                out.append(tex[i : i + 2])
                i += 2
                continue
            if match.group(1) == "begin":
                env_depth += 1
            elif match.group(1) == "end":
                env_depth = max(0, env_depth - 1)
            out.append(match.group(0))
            i = match.end()
            continue
        out.append("\\&" if ch == "&" and env_depth == 0 else ch)
        i += 1
    return "".join(out)


def _plain_text(arg: str) -> str:
    """A text argument as it reads: TeX escapes and spacing commands removed."""
    arg = re.sub(r"\\([&%$#_{} ])", r"\1", arg)
    return arg.replace("~", "\u00a0")


def split_cjk(tex: str) -> list[TexPart] | None:
    """Split top-level CJK text out of a formula.

    ``x = 3 \\text{（米）}`` becomes the formula ``x = 3`` and the text
    ``（米）``. CJK text nested inside a group or an environment cannot be
    split out without breaking the layout.

    Args:
        tex: the formula's TeX.

    Returns:
        The parts in order (a formula without CJK gives one math part), or
        None when CJK remains inside the math after splitting.
    """
    if not has_cjk(tex):
        return [TexPart(is_text=False, content=tex)]
    parts: list[TexPart] = []
    math: list[str] = []
    depth = 0
    i = 0

    def flush_math() -> None:
        chunk = "".join(math).strip()
        if chunk:
            parts.append(TexPart(is_text=False, content=chunk))
        math.clear()

    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            parsed = _text_argument(tex, i) if depth == 0 else None
            if parsed is not None and has_cjk(parsed[1]):
                flush_math()
                parts.append(TexPart(is_text=True, content=_plain_text(parsed[1])))
                i = parsed[2]
                continue
            match = _COMMAND.match(tex, i)
            # An environment is one unit: CJK inside it cannot be split out.
            if match is not None and match.group(1) == "begin":
                depth += 1
            elif match is not None and match.group(1) == "end":
                depth = max(0, depth - 1)
            step = match.end() if match is not None else i + 2
            math.append(tex[i:step])
            i = step
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and has_cjk(ch):
            flush_math()
            end = i
            while end < len(tex) and has_cjk(tex[end]):
                end += 1
            parts.append(TexPart(is_text=True, content=tex[i:end]))
            i = end
            continue
        math.append(ch)
        i += 1
    flush_math()
    if any(not part.is_text and has_cjk(part.content) for part in parts):
        return None
    return parts
