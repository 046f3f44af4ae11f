"""The math R1 distills write, as they write it: no raw TeX, no broken halves.

Bare display environments, the sign minus, operator spacing, clipping pads,
the baseline padding rule, and the monospace box for what cannot be drawn.
The on-screen half (pixels at 100/150/200%) is test_math_on_screen.py.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from app.render import MathRenderer, MathStyle, render_markdown
from app.render.markdown import new_context, parser
from app.render.math_envs import is_math_like, matching_end
from app.render.tex_fixes import normalize_environments, prepare_tex, space_signs_and_operators
from app.render.text_metrics import TextMetrics, set_text_metrics, text_metrics_for
from app.render.types import RenderedMessage
from tests.support.html_check import html_problems

ENVIRONMENTS = [
    "\\begin{aligned}\nx + y &= 5 \\\\\nx - y &= 1\n\\end{aligned}",
    "\\begin{cases}\nx^2 & x \\ge 0 \\\\\n-x & x < 0\n\\end{cases}",
    "\\begin{pmatrix}\n1 & 2 \\\\\n3 & 4\n\\end{pmatrix}",
    "\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}",
    "\\begin{array}{cc}\na & b \\\\\nc & d\n\\end{array}",
    "\\begin{align}\na &= b + c \\label{eq1} \\\\\n&= d\n\\end{align}",
    "\\begin{align*}\na &= 1 \\\\\nb &= 2\n\\end{align*}",
    "\\begin{gather}\na = 1 \\\\\nb = 2\n\\end{gather}",
    "\\begin{equation}\nE = mc^2\n\\end{equation}",
    "\\begin{vmatrix} a & b \\\\ c & d \\end{vmatrix} = ad - bc",
]


@pytest.fixture
def registered_metrics() -> Iterator[TextMetrics]:
    metrics = TextMetrics(font_px=13.0, ascent=12.1, descent=3.0, middle_font_px=41)
    set_text_metrics(metrics)
    yield metrics
    set_text_metrics(TextMetrics.estimate(13.0))


def _math_tokens(text: str) -> list[str]:
    tokens = parser(False).parse(text)
    found = [t.content for t in tokens if t.type == "math_block"]
    for token in tokens:
        found += [c.content for c in token.children or [] if c.type == "math_inline"]
    return found


def _one_display_image(rendered: RenderedMessage) -> None:
    assert html_problems(rendered.html, set(rendered.math_images)) == []
    assert len(rendered.math_images) == 1, rendered.html
    (image,) = rendered.math_images.values()
    assert image.display
    assert "\\begin" not in rendered.html and "\\end" not in rendered.html
    assert "<code" not in rendered.html


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_bare_environment_between_paragraphs_is_drawn(env: str) -> None:
    rendered = render_markdown(f"We get\n{env}\nso we are done.")
    _one_display_image(rendered)
    assert rendered.html.index("We get") < rendered.html.index("<img")
    assert rendered.html.index("<img") < rendered.html.index("so we are done.")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_bare_environment_keeps_every_line_break(env: str) -> None:
    (tex,) = _math_tokens(f"We get\n{env}\nso")
    assert tex.count("\\\\") == env.count("\\\\")
    assert tex == env


def test_environment_after_a_math_start_on_its_line_is_one_formula() -> None:
    text = "f(x) = \\begin{cases}\nx & x > 0 \\\\\n0 & \\text{otherwise}\n\\end{cases}."
    rendered = render_markdown(text)
    _one_display_image(rendered)
    assert "f(x)" not in rendered.html
    assert _math_tokens(text) == [text]


def test_environment_inside_prose_is_an_inline_formula() -> None:
    text = "The matrix \\begin{pmatrix}1&2\\\\3&4\\end{pmatrix} has determinant $-2$."
    rendered = render_markdown(text)
    assert html_problems(rendered.html, set(rendered.math_images)) == []
    assert len(rendered.math_images) == 2
    assert "The matrix " in rendered.html and "has determinant" in rendered.html
    assert "\\begin" not in rendered.html
    assert _math_tokens(text)[0] == "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"


def test_environment_inside_a_delimited_block_still_works() -> None:
    rendered = render_markdown("\\[\n\\begin{aligned}\na &= 1 \\\\\nb &= 2\n\\end{aligned}\n\\]")
    _one_display_image(rendered)


def test_unknown_or_prose_environments_stay_text() -> None:
    rendered = render_markdown("\\begin{itemize}\n\\item one\n\\end{itemize}")
    assert rendered.math_images == {}
    assert not is_math_like("The system is ")
    assert is_math_like("f(x) = ") and is_math_like("\\det A =") and is_math_like(".")


def test_unclosed_bare_environment_while_streaming_is_text_until_it_closes() -> None:
    head = "So\n\n\\begin{aligned}\na &= 1 \\\\\nb &= 2"
    streaming = render_markdown(head, streaming=True)
    assert streaming.math_images == {}
    assert "a &amp;= 1 \\\\<br>" in streaming.html  # both backslashes, as text
    closed = render_markdown(head + "\n\\end{aligned}", streaming=True)
    assert len(closed.math_images) == 1


def test_nested_environments_find_their_own_end() -> None:
    tex = "\\begin{pmatrix} \\begin{pmatrix} 1 \\end{pmatrix} & 2 \\end{pmatrix} + 1"
    assert matching_end(tex, 0) == tex.index(" + 1")
    assert matching_end("\\begin{pmatrix} 1 ", 0) == -1


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        ("\\det A = -2", "\\det \\,A = {-}2"),
        ("-x", "{-}x"),
        ("(-1)^n", "({-}1)^n"),
        ("x \\in [-1, 1]", "x \\in [{-}1, 1]"),
        ("a - b", "a - b"),
        ("|x| - 1", "|x| - 1"),
        ("\\begin{cases} -x & x<0 \\end{cases}", "\\begin{cases} {-}x & x<0 \\end{cases}"),
        ("\\begin{array}{cc} -1 & 2 \\end{array}", "\\begin{array}{cc} {-}1 & 2 \\end{array}"),
        ("\\begin{pmatrix} 1 \\end{pmatrix} - B", "\\begin{pmatrix} 1 \\end{pmatrix} - B"),
        ("\\text{a - b} = -1", "\\text{a - b} = {-}1"),
        ("\\sin x - 1", "\\sin x - 1"),
        ("\\det(A)", "\\det(A)"),
    ],
)
def test_sign_minus_and_operator_spacing(tex: str, expected: str) -> None:
    assert space_signs_and_operators(tex) == expected


def test_environments_ziamath_lacks_are_replaced() -> None:
    assert normalize_environments("\\begin{align} a &= 1 \\label{x} \\end{align}") == (
        "\\begin{aligned} a &= 1  \\end{aligned}"
    )
    assert normalize_environments("\\begin{alignat}{2} a &= 1 \\end{alignat}") == (
        "\\begin{aligned} a &= 1 \\end{aligned}"
    )
    assert normalize_environments("\\begin{equation} e \\end{equation}") == " e "
    assert prepare_tex("\\begin{gather*} -a \\end{gather*}") == (
        "\\begin{gathered} {-}a \\end{gathered}"
    )


def test_sign_minus_is_drawn_as_tight_as_an_ordinary_symbol() -> None:
    renderer, style = MathRenderer(), MathStyle()
    sign = renderer.render("\\det A = -2", display=False, style=style)
    explicit = renderer.render("\\det\\,A = {-}2", display=False, style=style)
    binary = renderer.render("\\det\\,A = 1 - 2", display=False, style=style)
    one = renderer.render("\\det\\,A = 1", display=False, style=style)
    assert sign is not None and explicit is not None and binary is not None and one is not None
    assert sign.width == explicit.width
    # "1 - 2" adds a digit, a minus and two medium spaces; "-2" only a minus and a digit.
    assert sign.width < binary.width - (one.width - sign.width + 4)


@pytest.mark.parametrize(
    "text",
    [
        "see $\\foo{x}$ here",
        "see $\\frac{1}{$ here",
        "see $\\text{面积} = \\foo{x}$ here",
        "$$\\undefinedcommand{x} + 1$$",
        "\\begin{cases}\n\\weird x & 1\n\\end{cases}",
    ],
)
def test_what_cannot_be_drawn_shows_its_whole_source_in_a_monospace_box(text: str) -> None:
    rendered = render_markdown(text)
    assert rendered.math_images == {}, "never a broken half: no image for any part"
    assert html_problems(rendered.html) == []
    codes = re.findall(r"<code style=\"[^\"]*font-family:monospace;\">(.*?)</code>", rendered.html)
    assert len(codes) == 1
    source = text.split("see ")[-1].split(" here")[0]
    assert html.unescape(codes[0].replace("<br>", "\n")) == source


def test_display_fallback_is_a_shaded_box_of_its_own() -> None:
    rendered = render_markdown("Before\n\n$$\\foo{x}$$\n\nAfter")
    assert '<table border="0" cellspacing="0" cellpadding="6" bgcolor=' in rendered.html
    assert "<p align=\"center\"><table" not in rendered.html


def test_images_have_blank_sides_and_even_sizes() -> None:
    style = MathStyle()
    for tex in ("f(x)", "\\frac{n(n+1)}{2}", "\\int_0^1 f", "x"):
        for display in (False, True):
            image = MathRenderer().render(tex, display=display, style=style)
            assert image is not None
            assert image.width % 2 == 0 and image.height % 2 == 0
            view = re.search(rb'viewBox="([-\d.]+) ', image.svg)
            assert view is not None
            ink_left = min(
                float(x) for x in re.findall(rb'd="M ([-\d.]+)', image.svg)
            )
            assert ink_left - float(view.group(1)) >= 0.99  # a blank pixel before the ink


def test_padding_follows_the_registered_text_metrics(registered_metrics: TextMetrics) -> None:
    ctx = new_context(dark=False, font_px=13.0)
    assert ctx.math_style.ascent == registered_metrics.ascent
    assert ctx.math_style.descent == registered_metrics.descent
    assert ctx.middle_font_px == 41
    rendered = render_markdown("a $y_k^2$ b", font_px=13.0)
    assert '<span style="font-size:41px;"><img src="math:' in rendered.html
    (image,) = rendered.math_images.values()
    svg_view = re.search(rb'viewBox="[-\d.]+ ([-\d.]+) [\d.]+ ([\d.]+)"', image.svg)
    assert svg_view is not None
    top = -float(svg_view.group(1))
    bottom = float(svg_view.group(2)) - top
    # As far beyond the text's ascent as beyond its descent: Qt's middle rule.
    assert top - registered_metrics.ascent == pytest.approx(
        bottom - registered_metrics.descent, abs=1e-3
    )
    assert text_metrics_for(99.0) == TextMetrics.estimate(99.0)
