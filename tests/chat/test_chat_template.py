"""ChatTemplate: real R1 and ChatML templates, HF-compatible rendering, errors."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.chat.template import CHATML_TEMPLATE, R1_TEMPLATE, ChatTemplate
from app.core.errors import ModelFileError
from app.core.types import ChatMessage, Role

DATA = Path(__file__).resolve().parents[1] / "data"
BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"


def user(text: str) -> ChatMessage:
    return ChatMessage(Role.USER, text)


def assistant(text: str, reasoning: str = "") -> ChatMessage:
    return ChatMessage(Role.ASSISTANT, text, reasoning)


@pytest.fixture(scope="module")
def r1() -> ChatTemplate:
    return ChatTemplate(R1_TEMPLATE, bos_token=BOS, eos_token=EOS)


def test_packaged_r1_template_is_the_one_in_the_real_gguf() -> None:
    assert (DATA / "r1-distill-chat-template.jinja").read_text(encoding="utf-8") == R1_TEMPLATE
    header = gzip.decompress((DATA / "r1-distill-qwen-tokenizer.gguf.gz").read_bytes())
    # GGUF stores the template as a raw UTF-8 string value.
    assert R1_TEMPLATE.encode("utf-8") in header


def test_r1_single_question(r1: ChatTemplate) -> None:
    assert r1.render([user("What is 2+2?")]) == f"{BOS}<｜User｜>What is 2+2?<｜Assistant｜>"


def test_r1_multi_turn_sends_answers_but_never_reasoning(r1: ChatTemplate) -> None:
    messages = [
        user("Hi"),
        assistant("Hello! How can I help?", reasoning="The user greets me. SECRET"),
        user("Integrate x dx."),
        assistant("$\\frac{x^2}{2} + C$", reasoning="Power rule. SECRET"),
        user("And x^2?"),
    ]
    expected = (
        f"{BOS}<｜User｜>Hi<｜Assistant｜>Hello! How can I help?{EOS}"
        f"<｜User｜>Integrate x dx.<｜Assistant｜>$\\frac{{x^2}}{{2}} + C${EOS}"
        "<｜User｜>And x^2?<｜Assistant｜>"
    )
    rendered = r1.render(messages)
    assert rendered == expected
    assert "SECRET" not in rendered


def test_r1_without_generation_prompt(r1: ChatTemplate) -> None:
    rendered = r1.render([user("a"), assistant("b")], add_generation_prompt=False)
    assert rendered == f"{BOS}<｜User｜>a<｜Assistant｜>b{EOS}"


def test_r1_template_itself_cuts_a_think_block_left_in_content(r1: ChatTemplate) -> None:
    rendered = r1.render([user("q"), assistant("<think>hmm</think>42"), user("q2")])
    assert rendered == f"{BOS}<｜User｜>q<｜Assistant｜>42{EOS}<｜User｜>q2<｜Assistant｜>"


def _r1_reference(messages: list[ChatMessage], add_generation_prompt: bool) -> str:
    """A hand-written R1 renderer for plain user/assistant conversations."""
    parts = [BOS]
    for message in messages:
        if message.role == Role.USER:
            parts.append("<｜User｜>" + message.content)
        else:
            parts.append("<｜Assistant｜>" + message.content.split("</think>")[-1] + EOS)
    if add_generation_prompt:
        parts.append("<｜Assistant｜>")
    return "".join(parts)


_words = st.text(alphabet=st.sampled_from(list("ab xy\n{}%#'\"\\<>|=+é中")), max_size=30)


@st.composite
def conversations(draw: st.DrawFn) -> list[ChatMessage]:
    turns = draw(st.integers(min_value=0, max_value=5))
    messages: list[ChatMessage] = []
    for _ in range(turns):
        messages.append(user(draw(_words)))
        messages.append(assistant(draw(_words), reasoning=draw(_words)))
    messages.append(user(draw(_words)))
    return messages


@settings(max_examples=150, deadline=None)
@given(conversations(), st.booleans())
def test_r1_corpus_matches_hand_written_renderer(
    messages: list[ChatMessage], add_generation_prompt: bool
) -> None:
    template = ChatTemplate(R1_TEMPLATE, bos_token=BOS, eos_token=EOS)
    rendered = template.render(messages, add_generation_prompt=add_generation_prompt)
    assert rendered == _r1_reference(messages, add_generation_prompt)


def test_chatml_fallback() -> None:
    template = ChatTemplate(CHATML_TEMPLATE)
    messages = [ChatMessage(Role.SYSTEM, "Be brief."), user("Hi"), assistant("Hello.", "r")]
    assert template.render(messages) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello.<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert not template.render([user("Hi")], add_generation_prompt=False).endswith("assistant\n")


def test_syntax_error_is_a_model_file_error() -> None:
    with pytest.raises(ModelFileError, match=r"chat template could not be read.*line 1"):
        ChatTemplate("{% for m in messages %}{{ m.content }}")


def test_raise_exception_in_template_is_a_model_file_error() -> None:
    source = (
        "{% if messages[0]['role'] != 'user' %}"
        "{{ raise_exception('Conversations must start with a user turn') }}{% endif %}ok"
    )
    template = ChatTemplate(source)
    assert template.render([user("x")]) == "ok"
    with pytest.raises(ModelFileError, match="must start with a user turn"):
        template.render([assistant("x")])


def test_runtime_type_error_is_a_model_file_error() -> None:
    template = ChatTemplate("{{ messages[0]['content'] + 1 }}")
    with pytest.raises(ModelFileError, match="failed to build the prompt"):
        template.render([user("x")])


def test_sandbox_refuses_mutation_and_dunder_access() -> None:
    with pytest.raises(ModelFileError):
        ChatTemplate("{% set x = [] %}{{ x.append(1) }}").render([user("x")])
    with pytest.raises(ModelFileError):
        ChatTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}").render([user("x")])


def test_tojson_does_not_html_escape_and_keeps_unicode() -> None:
    template = ChatTemplate(
        "{{ messages[0]['content'] | tojson }}|{{ {'a': 1} | tojson(indent=2) }}"
    )
    assert template.render([user('<a & "b"> 中')]) == '"<a & \\"b\\"> 中"|{\n  "a": 1\n}'


def test_strftime_now_and_bos_eos_are_available() -> None:
    template = ChatTemplate("{{ bos_token }}{{ strftime_now('%Y') }}{{ eos_token }}", "<s>", "</s>")
    year = datetime.datetime.now().year
    assert template.render([user("x")]) in {f"<s>{year}</s>", f"<s>{year + 1}</s>"}


def test_hf_whitespace_rules_and_loop_controls() -> None:
    # trim_blocks/lstrip_blocks as in transformers and llama-cpp-python: block
    # tags on their own lines leave no blank lines behind.
    source = (
        "{% for m in messages %}\n"
        "    {% if loop.index > 2 %}{% break %}{% endif %}\n"
        "{{ m.role }}: {{ m.content }}\n"
        "{% endfor %}\n"
    )
    rendered = ChatTemplate(source).render([user("a"), assistant("b"), user("c")])
    assert rendered == "user: a\nassistant: b\n"


def test_compiled_template_is_cached() -> None:
    first = ChatTemplate(R1_TEMPLATE)
    second = ChatTemplate(R1_TEMPLATE, bos_token="x")
    assert first._template is second._template
    assert second.render([user("q")]).startswith("x<｜User｜>q")
