"""TeX rewrites so that ziamath draws what TeX would draw.

ziamath (through latex2mathml) lacks some environments models use, spaces a
minus after ``=`` or ``(`` as a binary operator (``= − 2``), and sets no thin
space after ``\\det``/``\\gcd``/``\\operatorname``. The rewrites here fix that
before the TeX is converted; they never change what the formula means.
"""

from __future__ import annotations

import re

from app.core.braces import closing_brace

# Environments ziamath lacks or numbers, and the one drawn instead (None: drop it).
_ENV_REPLACEMENTS: dict[str, str | None] = {
    "align": "aligned",
    "align*": "aligned",
    "alignat": "aligned",
    "alignat*": "aligned",
    "alignedat": "aligned",
    "eqnarray": "aligned",
    "eqnarray*": "aligned",
    "gather": "gathered",
    "gather*": "gathered",
    "multline": "gathered",
    "multline*": "gathered",
    "dcases": "cases",
    "rcases": "cases",
    "subarray": "array",
    "equation": None,
    "equation*": None,
}
_TAKES_COLUMN_COUNT = frozenset({"alignat", "alignat*", "alignedat"})
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z]+\*?)\}")
_DROPPED = re.compile(r"\\(?:nonumber|notag)\b|\\label\s*\{[^{}]*\}")
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|\s+|.", re.DOTALL)
_TEXT_COMMANDS = frozenset({"\\text", "\\textrm", "\\textbf", "\\textit", "\\mbox", "\\mathrm"})
# After these a minus is a sign, not a subtraction (TeX's rule: it follows
# nothing, an opening, a relation, a binary operator or punctuation).
_SIGN_AFTER = frozenset("=<>([{,;:&+-^_") | frozenset(
    {
        "", "\\\\", "\\le", "\\leq", "\\ge", "\\geq", "\\ne", "\\neq", "\\lt", "\\gt",
        "\\approx", "\\equiv", "\\sim", "\\simeq", "\\cong", "\\propto", "\\ll", "\\gg",
        "\\to", "\\rightarrow", "\\Rightarrow", "\\implies", "\\iff", "\\Leftrightarrow",
        "\\mapsto", "\\in", "\\notin", "\\pm", "\\mp", "\\times", "\\cdot", "\\div",
        "\\left", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\{", "\\lbrace", "\\langle",
        "\\lvert", "\\lVert", "\\mid", "\\colon", "\\cup", "\\cap", "\\land", "\\lor",
        "\\quad", "\\qquad",
    }
)  # fmt: skip
# Spacing is no atom: the minus looks past it.
_SPACES = frozenset({"\\,", "\\;", "\\:", "\\!", "\\ ", "~"})
_OPERATORS_WITHOUT_SPACE = frozenset({"\\det", "\\gcd", "\\Pr"})
_NO_SPACE_BEFORE = frozenset("([{^_.,;:)]}|'!=")


def normalize_environments(tex: str) -> str:
    """Replace environments ziamath lacks by the closest one it has.

    ``align`` becomes ``aligned`` (no equation numbers), ``gather``
    ``gathered``, ``dcases`` ``cases``; ``equation`` is dropped; ``\\label``,
    ``\\nonumber`` and ``\\notag`` go.

    Args:
        tex: the formula's TeX.

    Returns:
        TeX that ziamath can draw.
    """

    def replace(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if name not in _ENV_REPLACEMENTS:
            return match.group(0)
        new = _ENV_REPLACEMENTS[name]
        return "" if new is None else f"\\{kind}{{{new}}}"

    out: list[str] = []
    pos = 0
    for match in _ENV.finditer(tex):
        out.append(tex[pos : match.start()])
        out.append(replace(match))
        pos = match.end()
        if match.group(1) == "begin" and match.group(2) in _TAKES_COLUMN_COUNT:
            rest = tex[pos:].lstrip()
            if rest.startswith("{"):
                skipped = len(tex) - pos - len(rest)
                close = closing_brace(tex, pos + skipped)
                if close >= 0:
                    pos = close + 1
    out.append(tex[pos:])
    return _DROPPED.sub("", "".join(out))


def space_signs_and_operators(tex: str) -> str:
    """Mark each sign minus as an ordinary symbol and add TeX's space after ``\\det``.

    ``= -2`` becomes ``= {-}2`` (drawn ``= −2``, not ``= − 2``); ``\\det A``
    becomes ``\\det\\,A``. Text arguments (``\\text{...}``) stay as they are.

    Args:
        tex: the formula's TeX.

    Returns:
        The rewritten TeX.
    """
    out: list[str] = []
    previous = ""
    pending_operator = False
    i = 0
    while i < len(tex):
        match = _TOKEN.match(tex, i)
        assert match is not None  # the pattern matches any character
        token = match.group(0)
        end = match.end()
        if token in _TEXT_COMMANDS or token == "\\operatorname":
            brace = end
            while brace < len(tex) and tex[brace].isspace():
                brace += 1
            close = closing_brace(tex, brace) if brace < len(tex) and tex[brace] == "{" else -1
            if close >= 0:
                if pending_operator:
                    out.append("\\,")
                out.append(tex[i : close + 1])
                previous = token
                pending_operator = token == "\\operatorname"
                i = close + 1
                continue
        if token in ("\\begin", "\\end"):
            env = _ENV.match(tex, i)
            if env is not None:
                # A new environment starts a cell; one that ends is an operand.
                stop = env.end()
                takes_argument = env.group(2) in _TAKES_COLUMN_COUNT | {"array", "subarray"}
                if token == "\\begin" and takes_argument and tex[stop:].lstrip().startswith("{"):
                    # array's column spec or alignat's column count
                    brace = len(tex) - len(tex[stop:].lstrip())
                    stop = max(stop, closing_brace(tex, brace) + 1)
                out.append(tex[i:stop])
                previous = "" if token == "\\begin" else ")"
                pending_operator = False
                i = stop
                continue
        if token.isspace() or token in _SPACES:
            out.append(token)
            if token in _SPACES:
                pending_operator = False
            i = end
            continue
        if pending_operator and token[0] not in _NO_SPACE_BEFORE and token not in (
            "\\left",
            "\\big",
            "\\Big",
        ):
            out.append("\\,")
        pending_operator = token in _OPERATORS_WITHOUT_SPACE
        if token == "-" and previous in _SIGN_AFTER:
            out.append("{-}")
        else:
            out.append(token)
        previous = token
        i = end
    return "".join(out)


def prepare_tex(tex: str) -> str:
    """All rewrites, in order, for a formula about to be drawn.

    Args:
        tex: the formula's TeX as the model wrote it.

    Returns:
        TeX for ziamath (before its XML escaping).
    """
    return space_signs_and_operators(normalize_environments(tex))
