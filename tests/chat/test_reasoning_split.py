"""ReasoningSplitter: unit cases, chunking-independence (hypothesis), linear cost."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.chat.reasoning import ReasoningSplitter, split_reasoning
from app.core.types import Channel, TextDelta

R1_OUTPUT = (
    "<think>\nOkay, so I need to find 2^10. Let me think: 2^5 = 32, and 32 * 32 = 1024."
    "\nWait, is that right? 32 * 32 = 1024. Yes.\n</think>\n\n"
    "$2^{10} = 1024$, so the answer is $\\boxed{1024}$."
)


def run(
    chunks: list[str],
    starts_in_reasoning: bool = False,
    open_tag: str = "<think>",
    close_tag: str = "</think>",
) -> tuple[str, str, list[list[TextDelta]], ReasoningSplitter]:
    splitter = ReasoningSplitter(open_tag, close_tag, starts_in_reasoning=starts_in_reasoning)
    outputs = [splitter.feed(chunk) for chunk in chunks]
    outputs.append(splitter.flush())
    reasoning = "".join(d.text for out in outputs for d in out if d.channel == Channel.REASONING)
    answer = "".join(d.text for out in outputs for d in out if d.channel == Channel.ANSWER)
    return reasoning, answer, outputs, splitter


def chunked(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 1000])
def test_r1_output_split_in_any_chunk_size(size: int) -> None:
    reasoning, answer, _, splitter = run(chunked(R1_OUTPUT, size))
    assert reasoning.startswith("Okay, so I need")
    assert reasoning.endswith("Yes.\n")
    assert answer == "$2^{10} = 1024$, so the answer is $\\boxed{1024}$."
    assert (splitter.reasoning, splitter.answer) == (reasoning, answer)


def test_prompt_opened_think_block_output_has_only_close_tag() -> None:
    text = "Okay, 2+2.\nThat is 4.\n</think>\n\nThe answer is 4."
    reasoning, answer, _, _ = run(chunked(text, 4), starts_in_reasoning=True)
    assert reasoning == "Okay, 2+2.\nThat is 4.\n"
    assert answer == "The answer is 4."


def test_redundant_open_tag_is_dropped_when_prompt_opened_the_block() -> None:
    reasoning, answer, _, _ = run(["\n<think>\nHm", "m.</think>Yes"], starts_in_reasoning=True)
    assert (reasoning, answer) == ("Hmm.", "Yes")


def test_no_tags_is_all_answer() -> None:
    text = "  Hello! <think> is just a word here.\n"
    assert run(chunked(text, 3))[:2] == ("", text)


def test_no_tags_with_open_prompt_is_all_reasoning() -> None:
    reasoning, answer, _, splitter = run(["I am still ", "thinking <"], starts_in_reasoning=True)
    assert (reasoning, answer) == ("I am still thinking <", "")
    assert splitter.in_reasoning


def test_open_tag_not_at_start_is_text() -> None:
    text = "Sure. <think>not reasoning</think> ok"
    assert run(chunked(text, 2))[:2] == ("", text)


def test_tags_inside_the_answer_are_text() -> None:
    reasoning, answer, _, _ = run(["<think>a</think>\n\nb </think> <think> c"])
    assert (reasoning, answer) == ("a", "b </think> <think> c")


def test_empty_think_block() -> None:
    assert run(["<think>\n\n</think>\n\nHi"])[:2] == ("", "Hi")


def test_partial_tag_at_end_of_stream_is_flushed() -> None:
    assert run(["<think>abc</thi"])[:2] == ("abc</thi", "")
    assert run(["  <thi"])[:2] == ("", "  <thi")


def test_only_a_possible_tag_prefix_is_held_back() -> None:
    splitter = ReasoningSplitter()
    assert splitter.feed("<think>Let x = 3. Then x<") == [
        TextDelta(Channel.REASONING, "Let x = 3. Then x")
    ]
    assert splitter.feed("5 holds.</") == [TextDelta(Channel.REASONING, "<5 holds.")]
    assert splitter.in_reasoning
    assert splitter.feed("think>\n") == []
    assert not splitter.in_reasoning
    assert splitter.feed("\nDone") == [TextDelta(Channel.ANSWER, "Done")]


def test_deltas_are_merged_per_channel_within_one_feed() -> None:
    splitter = ReasoningSplitter()
    assert splitter.feed("<think>a</think>\n\nb") == [
        TextDelta(Channel.REASONING, "a"),
        TextDelta(Channel.ANSWER, "b"),
    ]


def test_close_reasoning_answer_now() -> None:
    splitter = ReasoningSplitter(starts_in_reasoning=True)
    assert splitter.feed("Let me think about </th") == [
        TextDelta(Channel.REASONING, "Let me think about ")
    ]
    splitter.close_reasoning()  # the engine injected "</think>" itself
    assert not splitter.in_reasoning
    assert splitter.reasoning == "Let me think about </th"
    assert splitter.feed("\n\nThe answer is 5.") == [
        TextDelta(Channel.REASONING, "</th"),
        TextDelta(Channel.ANSWER, "The answer is 5."),
    ]
    assert splitter.flush() == []
    assert splitter.answer == "The answer is 5."


def test_close_reasoning_is_a_no_op_in_the_answer() -> None:
    splitter = ReasoningSplitter()
    splitter.feed("Just an answer")
    splitter.close_reasoning()
    assert splitter.feed(" more") == [TextDelta(Channel.ANSWER, " more")]


def test_custom_tags() -> None:
    reasoning, answer, _, _ = run(
        chunked("<|thought|>x<y<|/thought|> z", 1), open_tag="<|thought|>", close_tag="<|/thought|>"
    )
    assert (reasoning, answer) == ("x<y", "z")


def test_empty_tags_are_refused() -> None:
    with pytest.raises(ValueError):
        ReasoningSplitter(open_tag="")


# -- property: chunking never changes the result -----------------------------

FRAGMENTS = [
    "<think>",
    "</think>",
    "<",
    "think",
    "/",
    ">",
    "</",
    "<th",
    "ink>",
    "</thi",
    "\n",
    "\n\n",
    " ",
    "\t",
    "a",
    "Ok.",
    "é",
    "思考",
    "🙂",
    "x<y",
    "\u3000",
]
SPACE = st.text(alphabet=st.sampled_from([" ", "\n", "\t", "\r", "\u3000"]), max_size=3)
BODY = st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join)
# Shaped like real replies: [space][<think>][space]body[</think>][space]body
shaped = st.tuples(
    SPACE,
    st.sampled_from(["", "<think>", "<thi"]),
    SPACE,
    BODY,
    st.sampled_from(["", "</think>", "</th"]),
    SPACE,
    BODY,
).map("".join)
texts = st.one_of(
    shaped,
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(list("<think/> \n")), max_size=60),
)


@st.composite
def text_and_chunks(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = draw(texts)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(text_and_chunks(), st.booleans())
def test_any_chunking_equals_whole_feed_and_reference(
    case: tuple[str, list[str]], starts_in_reasoning: bool
) -> None:
    text, chunks = case
    assert "".join(chunks) == text
    streamed = run(chunks, starts_in_reasoning)
    whole = run([text], starts_in_reasoning)
    expected = split_reasoning(text, starts_in_reasoning)
    assert streamed[:2] == whole[:2] == expected
    for out in streamed[2]:
        assert all(delta.text for delta in out)
        assert all(a.channel != b.channel for a, b in itertools.pairwise(out))
    assert (streamed[3].reasoning, streamed[3].answer) == expected


def test_reference_function_rules() -> None:
    assert split_reasoning("<think>\nr\n</think>\n\na") == ("r\n", "a")
    assert split_reasoning("r</think>a", starts_in_reasoning=True) == ("r", "a")
    assert split_reasoning("r</think>a") == ("", "r</think>a")
    assert split_reasoning("\n<think>r") == ("r", "")


def test_held_back_text_never_exceeds_a_tag_prefix() -> None:
    # Holding back only a possible tag start is what keeps the work linear:
    # each character is scanned a bounded number of times.
    body = "Let x<3 and y</th be given; a</thin b <thinking> " * 200
    text = "<think>\n" + body + "</think>\n\nDone."
    splitter = ReasoningSplitter()
    fed = emitted = 0
    for chunk in chunked(text, 3):
        fed += len(chunk)
        emitted += sum(len(d.text) for d in splitter.feed(chunk))
        if splitter.in_reasoning and fed > len("<think>\n"):
            assert fed - len("<think>\n") - emitted < len("</think>")
    assert emitted + sum(len(d.text) for d in splitter.flush()) == len(body) + len("Done.")


def test_long_stream_in_tiny_chunks_is_fast() -> None:
    # 150k characters in 3-character chunks with many '<' near-misses; a
    # splitter that rescanned its reasoning per chunk would take minutes.
    body = "Let x<3 and y</th be given; " * 5_500
    text = "<think>\n" + body + "</think>\n\nDone."
    splitter = ReasoningSplitter()
    start = time.perf_counter()
    for chunk in chunked(text, 3):
        splitter.feed(chunk)
    splitter.flush()
    elapsed = time.perf_counter() - start
    assert splitter.reasoning == body
    assert splitter.answer == "Done."
    assert elapsed < 10.0
