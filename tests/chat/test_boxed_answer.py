"""extract_boxed on R1-style answers."""

from __future__ import annotations

import pytest

from app.chat.answer import extract_boxed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The answer is $\\boxed{42}$.", "42"),
        ("$$\\boxed{\\frac{1}{2}}$$", "\\frac{1}{2}"),
        ("\\boxed{\\frac{\\sqrt{3}}{2}} and more text", "\\frac{\\sqrt{3}}{2}"),
        ("First \\boxed{1}, then corrected: \\boxed{2}.", "2"),
        ("\\boxed {x = 5}", "x = 5"),
        ("\\fbox{yes}", "yes"),
        ("\\boxed{ 7 }", "7"),
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),
        ("\\boxed{\\}}", "\\}"),
        ("\\boxed{a \\\\ b}", "a \\\\ b"),
        (
            "\\boxed{\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}}",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
        ),
        ("\\boxed{\\boxed{2}}", "\\boxed{2}"),
        ("\\boxed{3} then \\boxed{\\text{B}}", "\\text{B}"),
        ("数学: \\boxed{答案是 5}", "答案是 5"),
    ],
)
def test_extracts_last_top_level_box(text: str, expected: str) -> None:
    assert extract_boxed(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "No box here, just 42.",
        "\\boxed{\\frac{1}{2}",  # cut off mid-answer
        "\\boxed{1} and then \\boxed{2",  # the last one is cut off
        "\\boxed{\\}",  # the brace is escaped, so never closed
        "\\boxedfoo{1}",  # another command
        "\\boxed 5",  # no braces
    ],
)
def test_none_when_absent_or_unbalanced(text: str) -> None:
    assert extract_boxed(text) is None


def test_long_answer_with_many_boxes_is_fast_enough() -> None:
    text = "Step \\boxed{\\frac{a}{b}} " * 20_000 + "final \\boxed{\\sqrt{2}}"
    assert extract_boxed(text) == "\\sqrt{2}"
