"""The allow-list checker used by the render tests catches what it must."""

from __future__ import annotations

import pytest

from tests.support.html_check import html_problems


@pytest.mark.parametrize(
    "html",
    [
        "<b>x</b>",
        "<script>x</script>",
        '<img src="x" onerror="y">',
        '<img src="http://evil/x.png">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="file:///etc/passwd">x</a>',
        '<span style="background:url(http://x)">x</span>',
        '<p onclick="x">y</p>',
        "<!-- hidden -->",
        '<td bgcolor="red">x</td>',
    ],
)
def test_foreign_markup_is_reported(html: str) -> None:
    assert html_problems(html) != []


def test_own_markup_passes_and_references_are_checked() -> None:
    html = (
        '<p align="center"><img src="math:ab12" width="3" height="4" '
        'style="vertical-align:middle;"></p><a href="copy:0" style="color:#000000;">Copy</a>'
    )
    assert html_problems(html, {"ab12"}, 1) == []
    assert html_problems(html, {"cd34"}, 1) != []
    assert html_problems(html, {"ab12"}, 0) != []
