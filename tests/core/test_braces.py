"""closing_brace: nesting, escapes, the end bound."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.braces import closing_brace


def test_nested_groups_close_at_the_outer_brace() -> None:
    text = r"\boxed{a{b}{c{d}}} tail"
    assert closing_brace(text, 6) == text.index(" tail") - 1


def test_escaped_braces_do_not_count() -> None:
    text = r"{\{x\}}"
    assert closing_brace(text, 0) == len(text) - 1


def test_unclosed_group_gives_minus_one() -> None:
    assert closing_brace("{a{b}", 0) == -1


def test_end_bound_hides_a_later_close() -> None:
    text = "{abc}"
    assert closing_brace(text, 0, end=4) == -1
    assert closing_brace(text, 0, end=5) == 4


@given(st.text(alphabet="ab "), st.text(alphabet="ab "))
def test_group_of_plain_text_closes_at_its_end(inner: str, after: str) -> None:
    text = "{" + inner + "}" + after
    assert closing_brace(text, 0) == len(inner) + 1
