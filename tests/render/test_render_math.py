"""Formulas: every delimiter form, environments, CJK text, fallbacks, SVG shape, cache."""

from __future__ import annotations

import html
import re
import time
import xml.etree.ElementTree as ET

import pytest

from app.render import MathRenderer, MathStyle, render_boxed_answer, render_markdown
from app.render.palette import DARK, LIGHT
from app.render.tex import escape_for_ziamath, split_cjk
from app.render.types import MathImage, RenderedMessage
from tests.support.html_check import html_problems

SVG_NS = "{http://www.w3.org/2000/svg}"
IMG = re.compile(r'<img src="math:([0-9a-f]+)" width="(\d+)" height="(\d+)"')


def _images(rendered: RenderedMessage) -> list[MathImage]:
    assert html_problems(rendered.html, set(rendered.math_images)) == []
    keys = [m.group(1) for m in IMG.finditer(rendered.html)]
    assert set(keys) == set(rendered.math_images)
    return [rendered.math_images[k] for k in keys]


def _glyph_count(image: MathImage) -> int:
    root = ET.fromstring(image.svg)
    kinds = (f"{SVG_NS}path", f"{SVG_NS}use", f"{SVG_NS}rect")
    return sum(1 for el in root.iter() if el.tag in kinds)


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("area $x^2+1$ here", False),
        ("area \\(x^2+1\\) here", False),
        ("area $$x^2+1$$ here", True),
        ("area \\[x^2+1\\] here", True),
        ("$$\nx^2+1\n$$", True),
        ("\\[\nx^2+1\n\\]", True),
        ("$$x^2+1$$", True),
    ],
)
def test_each_delimiter_form_becomes_one_image(text: str, display: bool) -> None:
    rendered = render_markdown(text)
    (image,) = _images(rendered)
    assert image.display is display
    assert _glyph_count(image) >= 4
    assert "x^2" not in rendered.html and "$" not in rendered.html
    if "here" not in text:
        assert rendered.html.startswith('<p align="center"><img')


def test_display_block_interrupts_a_paragraph() -> None:
    rendered = render_markdown("So we get\n$$\na = b\n$$\nand then")
    assert len(_images(rendered)) == 1
    assert rendered.html.index("So we get") < rendered.html.index("<img")
    assert rendered.html.index("<img") < rendered.html.index("and then")


def test_dollar_amounts_are_not_math() -> None:
    rendered = render_markdown("It costs $5 and $6, or $ 7 $.")
    assert rendered.math_images == {}
    assert "$5 and $6, or $ 7 $." in rendered.html


def test_math_inside_code_stays_code() -> None:
    rendered = render_markdown("`$x$` and\n\n```\n$$y$$\n```")
    assert rendered.math_images == {}
    assert "$x$" in rendered.html and "$$y$$" in rendered.html


def test_escaped_dollar_is_text() -> None:
    rendered = render_markdown("price \\$5 and \\$6")
    assert rendered.math_images == {}
    assert "$5 and $6" in rendered.html


def test_bare_boxed_outside_math_is_rendered() -> None:
    rendered = render_markdown("The answer is \\boxed{\\frac{3}{4}}.")
    (image,) = _images(rendered)
    assert not image.display
    assert "boxed" not in rendered.html


@pytest.mark.parametrize(
    "tex",
    [
        "\\boxed{42}",
        "\\begin{aligned} x + y &= 5 \\\\ x - y &= 1 \\end{aligned}",
        "f(x) = \\begin{cases} x^2 & x \\ge 0 \\\\ -x & \\text{otherwise} \\end{cases}",
        "A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
        "\\sqrt{\\frac{a}{b}} \\cdot \\sum_{k=1}^{n} k^2 \\approx \\int_0^1 x\\,dx",
    ],
)
def test_model_math_renders_as_svg(tex: str) -> None:
    (image,) = _images(render_markdown(f"$${tex}$$"))
    assert _glyph_count(image) >= 3
    assert image.width > 10 and image.height > 10


def test_environment_is_taller_than_one_line() -> None:
    (line,) = _images(render_markdown("$$x = 1$$"))
    (matrix,) = _images(render_markdown("$$\\begin{pmatrix}1\\\\2\\\\3\\end{pmatrix}$$"))
    assert matrix.height > 1.5 * line.height


def test_bare_ampersand_is_escaped_not_fatal() -> None:
    assert escape_for_ziamath("a & b") == "a \\& b"
    assert escape_for_ziamath("\\begin{cases}1 & 2\\end{cases}") == (
        "\\begin{cases}1 & 2\\end{cases}"
    )
    assert escape_for_ziamath("\\text{R\\&D <x>}") == "\\text{R&amp;D &lt;x&gt;}"
    assert len(_images(render_markdown("$a & b$ and $\\text{R&D}$"))) == 2


def test_chinese_text_is_split_out_as_html_text() -> None:
    rendered = render_markdown("$$\\text{面积} = 3 \\times 4 = 12 \\text{ 平方米}$$")
    images = _images(rendered)
    assert len(images) == 1
    assert "面积" in rendered.html and "平方米" in rendered.html
    assert rendered.html.index("面积") < rendered.html.index("<img")
    assert rendered.html.index("<img") < rendered.html.index("平方米")


def test_chinese_split_keeps_order_and_math() -> None:
    parts = split_cjk("x \\text{（米）} + y \\text{答}")
    assert parts is not None
    assert [(p.is_text, p.content) for p in parts] == [
        (False, "x"),
        (True, "（米）"),
        (False, "+ y"),
        (True, "答"),
    ]


def test_chinese_nested_in_an_environment_falls_back_to_source() -> None:
    tex = "\\begin{cases} 1 & \\text{当 } x > 0 \\end{cases}"
    assert split_cjk(tex) is None
    rendered = render_markdown(f"$${tex}$$")
    assert rendered.math_images == {}
    assert "<code" in rendered.html and "当" in rendered.html and "\\begin{cases}" in rendered.html


@pytest.mark.parametrize(
    "tex", ["x^", "\\frac{1}{", "\\left( x", "\\begin{cases} x", "\\sqrt", "a_{", "%"]
)
def test_broken_tex_falls_back_to_readable_source(tex: str) -> None:
    rendered = render_markdown(f"see ${tex}$ here")
    if rendered.math_images:  # ziamath sometimes draws something sensible
        return
    assert html_problems(rendered.html) == []
    assert "<code" in rendered.html
    assert html.escape(f"${tex}$") in rendered.html


def test_broken_tex_always_falls_back_for_known_failures() -> None:
    rendered = render_markdown("see $x^$ and \\(\\left( x\\) here")
    assert rendered.math_images == {}
    assert rendered.html.count("<code") == 2
    assert "$x^$" in rendered.html and "\\(\\left( x\\)" in rendered.html


def test_unclosed_dollars_stay_plain_text() -> None:
    rendered = render_markdown("we have $x + 1 and \\(y", streaming=True)
    assert rendered.math_images == {}
    assert "$x + 1 and" in rendered.html


def test_unclosed_display_block_while_streaming_is_text() -> None:
    rendered = render_markdown("Then\n\n$$\n\\frac{1}{2} + x", streaming=True)
    assert rendered.math_images == {}
    assert "$$<br>\\frac{1}{2} + x" in rendered.html
    closed = render_markdown("Then\n\n$$\n\\frac{1}{2} + x\n$$", streaming=True)
    assert len(_images(closed)) == 1


def test_svg_is_svg11_sized_and_baseline_padded() -> None:
    style = MathStyle(font_px=16.0, color="#123456")
    image = MathRenderer().render("\\frac{a}{b} + y_1", display=False, style=style)
    assert image is not None
    root = ET.fromstring(image.svg)
    assert root.get("width") == str(image.width) and root.get("height") == str(image.height)
    _vx, vy, vw, vh = (float(v) for v in (root.get("viewBox") or "").split())
    assert (vw, vh) == (image.width, image.height)
    top, bottom = -vy, vy + vh
    # It reaches as far beyond the text's ascent as beyond its descent
    # (what makes Qt's middle alignment put the baselines together).
    assert (top - style.ascent) == pytest.approx(bottom - style.descent, abs=1e-3)
    assert top >= style.ascent and bottom >= style.descent
    assert image.depth == pytest.approx(bottom, abs=1.0)
    assert b'fill="#123456"' in image.svg
    assert not re.search(rb"<use[^>]* href=", image.svg), "SVG 2 <use href> loses glyphs in QtSvg"


def test_tall_formula_pads_below_baseline() -> None:
    style = MathStyle(font_px=16.0)
    tall = MathRenderer().render("\\sum_{k=1}^{n} k", display=True, style=style)
    flat = MathRenderer().render("x", display=False, style=style)
    assert tall is not None and flat is not None
    assert tall.height > flat.height
    assert tall.depth > flat.depth


def test_dark_theme_colours_formulas() -> None:
    light = render_markdown("$x$")
    dark = render_markdown("$x$", dark=True)
    (li,) = light.math_images.values()
    (di,) = dark.math_images.values()
    assert li.key != di.key
    assert f'fill="{LIGHT.text}"'.encode() in li.svg
    assert f'fill="{DARK.text}"'.encode() in di.svg


def test_cache_renders_each_formula_once() -> None:
    renderer = MathRenderer()
    style = MathStyle()
    first = renderer.render("\\int_0^1 x^2\\,dx", display=True, style=style)
    start = time.perf_counter()
    again = renderer.render("\\int_0^1 x^2\\,dx", display=True, style=style)
    hit_s = time.perf_counter() - start
    assert again is first
    assert renderer.renders == 1
    assert hit_s < 0.001
    assert renderer.render("x^", display=False, style=style) is None
    assert renderer.render("x^", display=False, style=style) is None
    assert renderer.renders == 2
    assert renderer.render("x", display=False, style=MathStyle(font_px=20)) is not None
    assert renderer.renders == 3


def test_cache_is_bounded() -> None:
    renderer = MathRenderer(max_entries=3)
    style = MathStyle()
    for n in range(5):
        renderer.render(f"x_{n}", display=False, style=style)
    renderer.render("x_4", display=False, style=style)
    assert renderer.renders == 5
    renderer.render("x_0", display=False, style=style)
    assert renderer.renders == 6


def test_boxed_answer_line() -> None:
    rendered = render_boxed_answer("\\frac{3}{4}", dark=True)
    (image,) = _images(rendered)
    assert f'bgcolor="{DARK.answer_bg}"' in rendered.html
    assert "Answer:" in rendered.html
    assert _glyph_count(image) >= 3


def test_boxed_answer_with_broken_tex_shows_source() -> None:
    rendered = render_boxed_answer("\\left( x", label="答案")
    assert rendered.math_images == {}
    assert "答案:" in rendered.html and "\\boxed{\\left( x}" in rendered.html
    assert html_problems(rendered.html) == []
