"""Markdown structure, code blocks, links and escaping in the Qt HTML."""

from __future__ import annotations

import re

import pytest

from app.render import render_markdown
from app.render.palette import DARK, LIGHT
from tests.support.html_check import html_problems


def _clean(text: str, **kwargs: bool) -> str:
    rendered = render_markdown(text, **kwargs)
    problems = html_problems(rendered.html, set(rendered.math_images), len(rendered.code_blocks))
    assert problems == []
    return rendered.html


def test_table_has_border_attributes_and_alignment() -> None:
    html = _clean("| name | n |\n|:-----|--:|\n| a | 1 |\n| b | 22 |\n")
    assert '<table border="1" cellspacing="0" cellpadding="4"' in html
    assert '<th align="left">name</th>' in html
    assert '<td align="right">22</td>' in html
    assert html.count("<tr>") == 3


def test_lists_nested_and_ordered() -> None:
    html = _clean("1. one\n2. two\n   - inner\n3. three\n")
    assert html.count("<li>") == 4
    assert "<ol>" in html and "<ul>" in html
    assert html.index("<ul>") < html.index("three")


def test_ordered_list_keeps_start_number() -> None:
    assert '<ol start="3">' in _clean("3. three\n4. four\n")


def test_quote_is_a_table_with_a_coloured_bar() -> None:
    html = _clean("> quoted **text**\n\nafter\n")
    assert f'<td width="3" bgcolor="{LIGHT.quote_bar}"></td>' in html
    assert "<strong>text</strong>" in html
    assert html.index("quoted") < html.index("</table>") < html.index("after")


def test_headings_emphasis_strikethrough_and_rule() -> None:
    html = _clean("# Big\n\n### Small\n\n*it* **bold** ~~gone~~\n\n---\n")
    assert "<h1>Big</h1>" in html and "<h3>Small</h3>" in html
    assert "<em>it</em>" in html and "<strong>bold</strong>" in html and "<s>gone</s>" in html
    assert "<hr>" in html


def test_single_newlines_are_line_breaks() -> None:
    assert "line one<br>\nline two" in _clean("line one\nline two")


def test_inline_code_is_escaped_and_styled() -> None:
    html = _clean("use `a < b && <i>` here")
    assert "a &lt; b &amp;&amp; &lt;i&gt;" in html
    assert f"background-color:{LIGHT.code_bg}" in html
    assert "<i>" not in html


def test_code_block_label_copy_link_and_code_text() -> None:
    code = "def f(x):\n    return x * 2\n"
    rendered = render_markdown(f"Look:\n\n```python\n{code}```\n\nand\n\n```\nplain <b>\n```\n")
    assert [b.index for b in rendered.code_blocks] == [0, 1]
    assert rendered.code_blocks[0].code == code
    assert rendered.code_blocks[0].language == "python"
    assert rendered.code_blocks[1].language == ""
    assert '<a href="copy:0"' in rendered.html and '<a href="copy:1"' in rendered.html
    assert ">python</span>" in rendered.html and ">text</span>" in rendered.html
    assert rendered.code_for_link("copy:1") == "plain <b>\n"
    assert rendered.code_for_link("copy:2") is None
    assert rendered.code_for_link("https://x.org") is None
    assert "plain &lt;b&gt;" in rendered.html


def test_code_is_highlighted_with_inline_styles_per_theme() -> None:
    light = render_markdown("```python\nimport os\n```").html
    dark = render_markdown("```python\nimport os\n```", dark=True).html
    assert '<span style="color:' in light
    assert "class=" not in light
    assert light != dark
    assert f'bgcolor="{DARK.code_bg}"' in dark


def test_long_code_lines_stay_whole_inside_pre() -> None:
    long_line = "x = [" + ", ".join(str(i) for i in range(400)) + "]"
    html = _clean(f"```\n{long_line}\nsecond\n```")
    pre = re.search(r"<pre style=\"([^\"]*)\">(.*?)</pre>", html, re.S)
    assert pre is not None
    assert "white-space:pre" in pre.group(1)
    assert pre.group(2) == f"{long_line}\nsecond"
    assert "<br>" not in pre.group(2)


def test_unknown_language_falls_back_to_plain_text() -> None:
    rendered = render_markdown("```nosuchlang\na <b> c\n```")
    assert "a &lt;b&gt; c" in rendered.html
    assert rendered.code_blocks[0].language == "nosuchlang"


def test_indented_code_block_gets_copy_link() -> None:
    rendered = render_markdown("para\n\n    indented code\n")
    assert rendered.code_blocks[0].code == "indented code\n"
    assert 'href="copy:0"' in rendered.html


@pytest.mark.parametrize(
    "url", ["http://example.com/a?b=1&c=2", "https://example.org/x_(y)", "HTTPS://EXAMPLE.COM"]
)
def test_http_links_are_links(url: str) -> None:
    html = _clean(f"see [the page]({url}) now")
    assert re.search(r'<a href="[^"]+" style="color:#[0-9a-f]{6};">the page</a>', html)


def test_autolinks_are_links() -> None:
    assert '<a href="https://example.com"' in _clean("<https://example.com>")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://host/x",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "copy:0",
        "math:abc",
    ],
)
def test_other_schemes_are_not_links(url: str) -> None:
    html = _clean(f"see [label]({url}) now and <{url}>")
    assert "<a " not in html
    assert "label" in html


def test_images_in_text_become_links_never_loaded() -> None:
    html = _clean("![a cat](https://example.com/cat.png) ![x](file:///etc/passwd)")
    assert "<img" not in html
    assert '<a href="https://example.com/cat.png"' in html
    assert "[a cat]" in html and "[x]" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<b>bold?</b>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "<style>body{color:red}</style>",
        "<!-- comment --> <?pi?> <![CDATA[x]]>",
        '<table border=1><tr><td bgcolor="red">x</td></tr></table>',
        "&lt;b&gt; &amp; &#60;script&#62;",
    ],
)
def test_html_in_model_text_stays_text(text: str) -> None:
    for body in (text, f"para\n\n{text}\n\nmore", f"- {text}", f"> {text}", f"| {text} |\n|-|\n"):
        html = _clean(body)
        assert (
            "<script" not in html
            and "<b>" not in html
            and "onerror=" not in html.replace("onerror=&quot;", "")
        )


def test_script_text_is_visible_as_text() -> None:
    html = _clean("<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_empty_and_whitespace_messages() -> None:
    assert render_markdown("").html == ""
    assert render_markdown("  \n\n ").code_blocks == []


def test_unclosed_fence_renders_code_so_far() -> None:
    rendered = render_markdown("Here:\n\n```python\nprint(1)\nprint(2", streaming=True)
    assert rendered.code_blocks[0].code == "print(1)\nprint(2"
    assert 'href="copy:0"' in rendered.html


def test_half_written_table_renders() -> None:
    for text in ("| a | b |\n|--", "| a | b |\n|---|---|\n| 1 |", "| a | b |\n|---|---|\n| 1 | 2"):
        _clean(text, streaming=True)
