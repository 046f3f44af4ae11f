"""TeX display environments that models write without ``$$`` or ``\\[`` around them.

R1 distills often put ``\\begin{aligned} … \\end{aligned}`` (or ``cases``,
``pmatrix``, ``array``…) straight into the text. These helpers find such an
environment and its matching end, so the math rules can treat it as a formula
(keeping every ``\\\\``, which markdown would otherwise read as an escaped
backslash).
"""

from __future__ import annotations

import re

MATH_ENVIRONMENTS = frozenset(
    {
        "aligned", "align", "align*", "alignat", "alignat*", "alignedat",
        "gather", "gather*", "gathered", "multline", "multline*", "split",
        "equation", "equation*", "eqnarray", "eqnarray*",
        "cases", "dcases", "rcases",
        "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix",
        "array", "subarray",
    }
)  # fmt: skip

_BEGIN = re.compile(r"\\begin\s*\{([A-Za-z]+\*?)\}")
_END = re.compile(r"\\end\s*\{([A-Za-z]+\*?)\}")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]{3,}|[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]")
_SHORT_WORD = re.compile(r"\b(?:is|so|we|of|to|in|if|as|at|by|or|on|be|it|an|and|for)\b", re.I)


def begin_at(text: str, pos: int) -> str | None:
    """The math environment whose ``\\begin{…}`` starts at ``pos``, or None.

    Args:
        text: the text.
        pos: where ``\\begin`` would start.

    Returns:
        The environment's name when it is one of ``MATH_ENVIRONMENTS``.
    """
    match = _BEGIN.match(text, pos)
    if match is None or match.group(1) not in MATH_ENVIRONMENTS:
        return None
    return match.group(1)


def matching_end(text: str, pos: int, end: int | None = None) -> int:
    """Where the environment opened at ``pos`` ends (just after its ``\\end{…}``).

    Environments of the same name nest.

    Args:
        text: the text.
        pos: index of the opening ``\\begin``.
        end: index to stop before; the end of ``text`` when None.

    Returns:
        The index after the matching ``\\end{name}``, or -1 when it has not
        arrived before ``end``.
    """
    stop = len(text) if end is None else end
    name = begin_at(text, pos)
    if name is None:
        return -1
    depth = 0
    i = pos
    while i < stop:
        if text.startswith("\\begin", i):
            match = _BEGIN.match(text, i)
            if match is not None and match.group(1) == name:
                depth += 1
                i = match.end()
                continue
        elif text.startswith("\\end", i):
            match = _END.match(text, i)
            if match is not None and match.group(1) == name:
                depth -= 1
                if depth == 0:
                    return match.end() if match.end() <= stop else -1
                i = match.end()
                continue
        i += 2 if text[i] == "\\" else 1
    return -1


def is_math_like(text: str) -> bool:
    """Whether text next to a bare environment on its line reads as math, not prose.

    ``f(x) =``, ``A =``, ``\\det A =``, ``= ad - bc`` and ``.`` are math;
    ``The system is`` is prose (a word of three or more letters outside a
    TeX command, a short English word, or CJK text).

    Args:
        text: the part of the line before ``\\begin`` or after ``\\end``.

    Returns:
        True when the text can belong to the formula.
    """
    if "$" in text or "`" in text:
        return False
    bare = _COMMAND.sub(" ", text)
    return _WORD.search(bare) is None and _SHORT_WORD.search(bare) is None


def find_begin(line: str) -> int:
    """Index of the first math environment's ``\\begin`` in a line, or -1."""
    for match in _BEGIN.finditer(line):
        if match.group(1) in MATH_ENVIRONMENTS:
            return match.start()
    return -1
