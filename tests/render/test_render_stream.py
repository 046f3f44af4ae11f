"""The incremental renderer: same result as a full render, work bounded by the tail."""

from __future__ import annotations

import pytest

from app.render import MathRenderer, StreamRenderer, render_markdown
from app.render import stream as stream_module
from tests.support.html_check import html_problems

R1_ANSWER = r"""To solve the problem, we set up the equation.

## Step 1: the equation

Let $x$ be the number of apples. Then
$$
3x + 5 = 20
$$
so \(x = 5\).

| item | count |
|------|------:|
| apples | $5$ |
| pears | 2 |

1. First, subtract 5.
2. Then divide by 3.

3. A loose item after a blank line.

- bullet with `code`
  continued line

> Note: check the result: \[3 \cdot 5 + 5 = 20\]

```python
def solve() -> int:
    return (20 - 5) // 3
```

Also in cases form:
$$\begin{cases} x = 5 \\ y = 2 \end{cases}$$

    indented code block

The final answer is \boxed{5}.
"""


def _stream(text: str, step: int, **kwargs: bool) -> tuple[StreamRenderer, list[str]]:
    renderer = StreamRenderer(**kwargs)
    htmls = []
    for end in range(step, len(text) + step, step):
        result = renderer.update(text[:end])
        assert html_problems(result.html, set(result.math_images), len(result.code_blocks)) == []
        htmls.append(result.html)
    return renderer, htmls


@pytest.mark.parametrize("step", [1, 3, 17, 64])
def test_incremental_final_equals_full_render(step: int) -> None:
    renderer, _ = _stream(R1_ANSWER, step)
    final = renderer.finish()
    full = render_markdown(R1_ANSWER)
    assert final.html == full.html
    assert final.code_blocks == full.code_blocks
    assert final.math_images.keys() == full.math_images.keys()
    assert len(full.code_blocks) == 2 and len(full.math_images) >= 6


def test_dark_stream_equals_dark_full_render() -> None:
    renderer, _ = _stream(R1_ANSWER, 29, dark=True)
    assert renderer.finish().html == render_markdown(R1_ANSWER, dark=True).html


def test_stable_part_only_grows() -> None:
    renderer = StreamRenderer()
    previous = ""
    commits = 0
    for end in range(1, len(R1_ANSWER) + 1):
        renderer.update(R1_ANSWER[:end])
        assert renderer.stable_html.startswith(previous)
        commits += renderer.stable_html != previous
        previous = renderer.stable_html
    assert commits >= 8
    # Near the end only the last block or so is re-rendered.
    assert len(renderer.tail_html) < len(renderer.stable_html) / 5


def test_each_update_parses_only_the_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = stream_module.parser

    class Spy:
        def __init__(self, streaming: bool) -> None:
            self._md = real(streaming)
            self.options = self._md.options
            self.renderer = self._md.renderer

        def parse(self, text: str, env: dict[str, object]) -> object:
            seen.append(len(text))
            return self._md.parse(text, env)

    monkeypatch.setattr(stream_module, "parser", Spy)
    paragraphs = "\n\n".join(f"Paragraph {n} with some words in it." for n in range(200))
    renderer = StreamRenderer()
    for end in range(0, len(paragraphs), 40):
        renderer.update(paragraphs[: end + 40])
    assert max(seen[-50:]) < 200, "the tail should stay about one paragraph long"


def test_formulas_are_not_rendered_again_while_streaming() -> None:
    math = MathRenderer()
    renderer = StreamRenderer(math=math)
    text = "".join(f"Value ${n}x^2$ here.\n\n" for n in range(30))
    for end in range(1, len(text) + 1, 5):
        renderer.update(text[:end])
    result = renderer.finish(text)
    assert len(result.math_images) == 30
    assert math.renders == 30


def test_unclosed_fence_while_streaming_is_a_code_block_so_far() -> None:
    renderer = StreamRenderer()
    result = renderer.update("Code:\n\n```js\nconsole.log(1);\nconsole.lo")
    assert result.code_blocks[-1].code == "console.log(1);\nconsole.lo"
    assert result.code_blocks[-1].language == "js"
    assert 'href="copy:0"' in result.html


def test_unclosed_display_math_stays_text_until_closed() -> None:
    renderer = StreamRenderer()
    text = "Intro.\n\n$$\n\\frac{a}{b}\n"
    result = renderer.update(text)
    assert result.math_images == {}
    assert "\\frac{a}{b}" in result.html
    result = renderer.update(text + "$$\n\nNext.")
    assert len(result.math_images) == 1
    assert "\\frac" not in result.html


def test_half_written_table_survives() -> None:
    renderer = StreamRenderer()
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |"
    for end in range(1, len(table) + 1):
        result = renderer.update(table[:end])
        assert html_problems(result.html) == []
    assert "<table" in result.html


def test_replaced_text_restarts() -> None:
    renderer = StreamRenderer()
    renderer.update("First paragraph.\n\nSecond paragraph.\n\nThird")
    result = renderer.update("Completely different.")
    assert "First" not in result.html
    assert result.html == render_markdown("Completely different.", streaming=True).html


def test_append_and_code_numbering_across_commits() -> None:
    renderer = StreamRenderer()
    for piece in ["```\na\n```\n\n", "text\n\n", "```py\nb\n```\n\nmore\n\n", "```\nc\n"]:
        result = renderer.append(piece)
    assert [c.code for c in result.code_blocks] == ["a\n", "b\n", "c\n"]
    assert [c.index for c in result.code_blocks] == [0, 1, 2]
    assert result.code_for_link("copy:2") == "c\n"
    assert renderer.finish().html == render_markdown(renderer.text).html


@pytest.mark.parametrize(
    "text",
    [
        "- a\n- b\n\n1\n\n",
        "1. a\n2. b\n\n3. c\n\nend",
        "para\n\n    code\n\n    more code\n\nend",
        "> quote\n\n> another\n\nend",
        "$$\nx\n\ny\n$$\n\nz",
        "text\n$$\na\n$$\n\n$$\nb",
        "foo\n\nbar\n===\n\nbaz",
        "| a |\n|---|\n| 1 |\n\n| b |\n|--|\n",
        "```\nopen fence\n\nstill code\n\n",
        "a\rb\r\rc $x$\r\rd\n\ne\r\n\r\nf\n\ng",
    ],
)
def test_tricky_boundaries_match_full_render(text: str) -> None:
    renderer, _ = _stream(text, 1)
    assert renderer.finish().html == render_markdown(text).html


def test_math_budget_zero_defers_formulas_to_a_worker() -> None:
    math = MathRenderer()
    renderer = StreamRenderer(math=math, math_budget_ms=0)
    text = "First $a^2$ and \\(b_1\\).\n\nSecond paragraph.\n\nThird"
    result = renderer.update(text)
    assert result.math_images == {}
    assert math.renders == 0
    assert sorted(p.tex for p in renderer.pending_formulas) == ["a^2", "b_1"]
    assert "$a^2$" in result.html
    assert renderer.stable_html == "", "blocks with deferred formulas must not be frozen"
    math.render_pending(renderer.pending_formulas)  # what a worker thread would do
    assert math.renders == 2
    result = renderer.update(text)
    assert renderer.pending_formulas == []
    assert len(result.math_images) == 2
    assert "$a^2$" not in result.html
    assert renderer.stable_html != ""
    assert renderer.finish().html == render_markdown(text, math=math).html


@pytest.mark.parametrize("budget_ms", [0.0, 2.0])
def test_budgeted_stream_finishes_equal_to_full_render(budget_ms: float) -> None:
    math = MathRenderer()
    renderer = StreamRenderer(math=math, math_budget_ms=budget_ms)
    for end in range(1, len(R1_ANSWER) + 1, 23):
        result = renderer.update(R1_ANSWER[:end])
        assert html_problems(result.html, set(result.math_images)) == []
    final = renderer.finish(R1_ANSWER)
    assert renderer.pending_formulas == []
    assert final.html == render_markdown(R1_ANSWER, math=math).html
    assert len(final.math_images) >= 6
