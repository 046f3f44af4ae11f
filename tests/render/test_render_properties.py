"""Property tests: any model text renders, and none of it survives as markup."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.render import MathRenderer, StreamRenderer, render_markdown
from tests.support.html_check import html_problems

HTML_FRAGMENTS = [
    "<script>alert(1)</script>",
    "<b>",
    "</b>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:x'>",
    '"',
    "'",
    "&",
    "&amp;",
    "&#60;",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?",
    "<style>",
    "</td>",
    "<br>",
]
TEX_FRAGMENTS = [
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\boxed{",
    "}",
    "{",
    "\\frac{1}{2}",
    "\\text{中文}",
    "\\begin{cases}",
    "\\end{cases}",
    "\\begin{pmatrix}",
    "\\end{aligned}",
    "&=",
    "\\\\",
    "x^2",
    "_",
    "^",
    "%",
    "#",
    "\\",
    "&",
    "<",
    "\\left(",
    "\\text{R&D}",
]
MARKDOWN_FRAGMENTS = [
    "`",
    "```",
    "```python\n",
    "~~~",
    "    ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "| a | b |\n",
    "|---|---|\n",
    "---",
    "===",
    "*",
    "**",
    "~~",
    "[x](",
    "](http://a.b)",
    "(javascript:alert(1))",
    "![i](",
    "<http://x.y>",
    "<javascript:x>",
    "file:///etc/passwd",
    "[ref]: http://x",
    "[ref]",
    "\u0000",
    "\u202e",
    "\ufeff",
    "面积",
    "😀",
    " ",
    "\t",
    "\r\n",
    "\r",
]
FRAGMENTS = HTML_FRAGMENTS + TEX_FRAGMENTS + MARKDOWN_FRAGMENTS

model_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map(
    "".join
)

# Broken TeX is the common case here; the log must only hold debug lines.
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _ErrorRecorder(logging.Handler):
    """Collects errors the renderer logs when its plain-text safety net catches one."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _no_logged_errors() -> Iterator[None]:
    recorder = _ErrorRecorder()
    logger = logging.getLogger("app.render")
    logger.addHandler(recorder)
    try:
        yield
    finally:
        logger.removeHandler(recorder)
    assert recorder.messages == [], "the renderer hit its safety net"


def _assert_clean(html: str, math_keys: set[str], code_count: int) -> None:
    problems = html_problems(html, math_keys, code_count)
    assert problems == [], problems


@_SETTINGS
@given(text=model_text, dark=st.booleans(), streaming=st.booleans())
def test_any_text_renders_to_allowed_markup_only(text: str, dark: bool, streaming: bool) -> None:
    with _no_logged_errors():
        rendered = render_markdown(text, dark=dark, streaming=streaming)
    _assert_clean(rendered.html, set(rendered.math_images), len(rendered.code_blocks))
    assert [b.index for b in rendered.code_blocks] == list(range(len(rendered.code_blocks)))


@_SETTINGS
@given(text=model_text, step=st.integers(min_value=1, max_value=30))
def test_streaming_any_text_matches_full_render(text: str, step: int) -> None:
    renderer = StreamRenderer()
    with _no_logged_errors():
        for end in range(step, len(text) + step, step):
            result = renderer.update(text[:end])
            _assert_clean(result.html, set(result.math_images), len(result.code_blocks))
        assert renderer.finish().html == render_markdown(text).html


@_SETTINGS
@given(tex=st.lists(st.sampled_from(TEX_FRAGMENTS), min_size=1, max_size=12).map("".join))
def test_any_tex_renders_or_falls_back(tex: str) -> None:
    for text in (f"${tex}$", f"$$\n{tex}\n$$", f"\\({tex}\\)"):
        rendered = render_markdown(text)
        _assert_clean(rendered.html, set(rendered.math_images), len(rendered.code_blocks))


def test_renderer_logs_no_errors_for_hostile_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    hostile = "".join(FRAGMENTS) * 3
    rendered = render_markdown(hostile)
    StreamRenderer(math=MathRenderer()).update(hostile)
    _assert_clean(rendered.html, set(rendered.math_images), len(rendered.code_blocks))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
