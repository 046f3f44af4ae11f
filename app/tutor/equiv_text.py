"""Plain-text clean-up of an answer before the math parser sees it (stdlib only).

An answer reaches the judge as a model's boxed content, or as whatever a
student typed: `$\\frac12$`, `1/2`, `50%`, `√2`, `90°`, `1e3`. `prepare`
turns it into one LaTeX string the parser reads, or None when there is
nothing to judge (empty, a cut-off box, or words that are not math, which
the parser would otherwise read as a product of single-letter symbols:
"no idea" would become n*o*i*d*e*a and equal itself).
"""

from __future__ import annotations

import re

from app.chat.answer import extract_boxed

# Characters people type for math, and their LaTeX.
_UNICODE = {
    "−": "-", "–": "-", "×": r"\times ", "·": r"\cdot ", "÷": r"\div ",
    "π": r"\pi ", "∞": r"\infty ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ",
    "∪": r"\cup ", "∩": r"\cap ", "∈": r"\in ", "∅": r"\emptyset ", "±": r"\pm ",
    "°": r"^\circ ", "½": r"\frac{1}{2}", "¼": r"\frac{1}{4}", "¾": r"\frac{3}{4}",
    "²": "^2", "³": "^3", "\u00a0": " ",
}
_SQRT = re.compile(r"√\s*(\d+(?:\.\d+)?|[A-Za-z]|\([^()]*\)|\{[^{}]*\})")
_WRAPPERS = ((r"$$", r"$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]"))
_BARE_PERCENT = re.compile(r"(?<!\\)%")
# 1e3, 2.5E-4: scientific notation (LaTeX would read e as Euler's number).
_SCIENTIFIC = re.compile(r"(?<![A-Za-z\\])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![A-Za-z\d])")
# 1\,000 and 1{,}000: thousands separators the parser does not know.
_THOUSANDS = re.compile(r"(?<=\d)(?:\\,|\{,\})(?=\d{3}(?!\d))")
# Whole numbers with only spaces between them: `1 000` (a thousands separator) or
# `2 3`, which math-verify reads as a mixed number (2+3 = 5).
_SPACED_DIGITS = re.compile(r"(?<![\d.^_])\d+(?:[ \t]+\d+)+(?![\d.])")
_THOUSANDS_SPACED = re.compile(r"\d{1,3}(?:[ \t]+\d{3})+")
_DEGREE = re.compile(
    r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![A-Za-z])"
    r"|\\(?:text|mathrm)\s*\{\s*deg(?:ree)?s?\s*\}|(?<![A-Za-z\\])degrees?(?![A-Za-z])")
# What a degree mark applies to: a number, a braced group or one letter.
_DEGREE_OF = re.compile(r"(\d+(?:\.\d+)?|\{[^{}]*\}|[A-Za-z])\s*(?:" + _DEGREE.pattern + ")")

# A run of letters this long that is not below is a word, not a product of symbols.
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
_COMMAND = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|\\[A-Za-z]+")
_TEXT_COMMAND = re.compile(
    r"\\(?:text|textbf|textit|textrm|mathrm|mbox|operatorname)\s*\{([^{}]*)\}")
_MATH_WORDS = frozenset(
    """
    sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log lg ln exp sqrt
    lim max min gcd lcm mod det deg infty inf pi and or
""".split()  # noqa: SIM905 - a word list reads better as words
)
# Units the parser drops by itself (a trailing unit or one written in \text{}).
_UNIT_WORDS = frozenset(
    """
    cm mm km meter meters metre metres inch inches foot feet yard yards mile miles
    gram grams kg kilogram kilograms pound pounds ounce ounces liter liters litre litres
    ml sec second seconds minute minutes min mins hour hours hr hrs day days week weeks
    month months year years degree degrees radian radians rad dollar dollars cent cents
    percent percentage unit units square cubic sq mph kmh ft yd lb lbs oz in mi
""".split()  # noqa: SIM905 - a word list reads better as words
)


def strip_wrappers(text: str) -> str:
    """The answer without `$...$`, `\\(...\\)`, `\\[...\\]` around it and a final period."""
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for left, right in _WRAPPERS:
            if len(text) > len(left) + len(right) and text.startswith(left) \
                    and text.endswith(right):
                text = text[len(left):-len(right)].strip()
                changed = True
        if text.endswith(".") and not text.endswith(".."):  # a period, not an ellipsis
            text = text[:-1].rstrip()
            changed = True
    return text


def has_words(text: str) -> bool:
    """True when the answer holds a word that is neither math nor a unit."""
    for match in _TEXT_COMMAND.finditer(text):
        words = re.findall(r"[A-Za-z]{2,}", match.group(1))  # one letter: a label, (C)
        if any(w.lower() not in _UNIT_WORDS | _MATH_WORDS for w in words):
            return True
    bare = _COMMAND.sub(" ", _TEXT_COMMAND.sub(" ", text))
    return any(m.group(0).lower() not in _MATH_WORDS | _UNIT_WORDS
               for m in _WORD.finditer(bare))


def prepare(text: str) -> str | None:
    """The answer as LaTeX for the parser, or None when there is nothing to judge.

    Args:
        text: an answer: boxed content, a whole `\\boxed{...}`, or typed text.
    """
    if r"\boxed" in text or r"\fbox" in text:
        boxed = extract_boxed(text)
        if boxed is None:
            return None
        text = boxed
    text = strip_wrappers(text)
    for char, latex in _UNICODE.items():
        text = text.replace(char, latex)
    text = _SQRT.sub(lambda m: r"\sqrt{" + m.group(1).strip("(){}") + "}", text)
    text = _BARE_PERCENT.sub(r"\\%", text)
    text = _SCIENTIFIC.sub(r"\1\\cdot 10^{\2}", text)
    text = _THOUSANDS.sub("", text)
    for match in _SPACED_DIGITS.finditer(text):
        if _THOUSANDS_SPACED.fullmatch(match.group(0)) is None:
            return None  # `2 3`: twenty-three, five, or a typo; not for us to guess
    text = _SPACED_DIGITS.sub(lambda m: re.sub(r"\s+", "", m.group(0)), text)
    text = text.strip()
    if not text or has_words(text):
        return None
    return text


def has_degrees(text: str) -> bool:
    """True when the prepared answer has a degree mark (`^\\circ`, `\\degree`, "degrees")."""
    return _DEGREE.search(text) is not None


def degrees_as_radians(text: str) -> str:
    """The prepared answer with every degree mark read as a factor pi/180.

    `\\sin 60^\\circ` becomes `\\sin (60\\cdot\\frac{\\pi}{180})`, so it can equal
    `\\frac{\\sqrt3}{2}`; the parser on its own just drops the mark.
    """
    text = _DEGREE_OF.sub(r"(\1\\cdot\\frac{\\pi}{180})", text)
    return _DEGREE.sub(r"\\cdot\\frac{\\pi}{180}", text)
