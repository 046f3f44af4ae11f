"""LocalBackend on a tiny random R1-shaped GGUF (real R1 tokenizer and template)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Notice,
    NoticeKind,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.detok import TokenTextDecoder
from app.engine.llama_context import wants_prefetch
from app.engine.local import LocalBackend
from tests.support.gpu import gpu_layers
from tests.support.tiny_gguf import r1_template

pytestmark = pytest.mark.slow

BOS = "<｜begin▁of▁sentence｜>"
SAMPLING = SamplingParams(temperature=0.8, max_tokens=24, seed=11)


def _load(path: Path) -> LocalBackend:
    return LocalBackend(
        LoadParams(model_path=path, n_ctx=2048, n_threads=1, n_gpu_layers=gpu_layers())
    )


@pytest.fixture(scope="module")
def r1(tiny_r1_gguf: Path) -> Iterator[LocalBackend]:
    backend = _load(tiny_r1_gguf)
    yield backend
    backend.close()


def U(text: str) -> ChatMessage:
    return ChatMessage(Role.USER, text)


def A(text: str, reasoning: str = "") -> ChatMessage:
    return ChatMessage(Role.ASSISTANT, text, reasoning)


CONVERSATIONS: list[list[ChatMessage]] = [
    [U("What is 2+2?")],
    [U("Hi"), A("Hello! How can I help?"), U("Solve x^2 = 4.")],
    [U("天空为什么是蓝色的？"), A("因为瑞利散射。"), U("请详细解释。")],
    [
        U("Write code"),
        A("```python\nprint('hi')\n```"),
        U("Now in Rust 🦀"),
        A("fn main() {}"),
        U("Explain  spaces\n\nand lines"),
    ],
    [ChatMessage(Role.SYSTEM, "Be brief."), U("Why?")],
    [U("a"), A("<think>\nhidden thoughts\n</think>\n\nvisible answer"), U("b")],
]


def _independent_render(messages: list[ChatMessage]) -> str:
    """The template rendered by plain Jinja, the way HF transformers does."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = lambda msg: (_ for _ in ()).throw(Exception(msg))
    rows = [{"role": m.role.value, "content": m.content} for m in messages]
    return env.from_string(r1_template()).render(
        messages=rows, add_generation_prompt=True, bos_token=BOS, eos_token=""
    )


@pytest.mark.parametrize("index", range(len(CONVERSATIONS)))
def test_prompt_tokens_equal_the_templates_own_rendering(r1: LocalBackend, index: int) -> None:
    conversation = CONVERSATIONS[index]
    prepared = r1.prompts.prepare(conversation, math_mode=False)
    expected_text = _independent_render(prepared) + "<think>\n"
    expected = r1.tokenize(expected_text, add_bos=False)
    built = r1.prompts.build(prepared)
    assert built.text == expected_text
    assert built.tokens == expected
    assert built.tokens[0] == r1.header.bos_token_id
    assert built.tokens.count(r1.header.bos_token_id) == 1  # no double BOS
    # what llama.cpp evaluated starts with exactly these tokens
    options = GenerateOptions(sampling=SamplingParams(max_tokens=2, seed=1))
    list(r1.generate(conversation, options, GenerationControl()))
    assert r1.context_tokens[: len(expected)] == expected


def test_profile_forces_think_and_reply_starts_in_reasoning(r1: LocalBackend) -> None:
    assert r1.profile.name == "deepseek-r1"
    assert r1.profile.force_think
    built = r1.prompts.build(r1.prompts.prepare([U("Hi")], False))
    assert built.text.endswith("<｜User｜>Hi<｜Assistant｜><think>\n")
    assert built.starts_in_reasoning
    think = r1.tokenize("<think>", add_bos=False)
    assert len(think) == 1  # a special token, not spelled out
    events = list(r1.generate([U("Hi")], GenerateOptions(sampling=SAMPLING), GenerationControl()))
    first = next(e for e in events if isinstance(e, TextDelta))
    assert first.channel is Channel.REASONING


def test_newer_template_is_not_given_a_second_think(tiny_r1_think_gguf: Path) -> None:
    backend = _load(tiny_r1_think_gguf)
    try:
        built = backend.prompts.build(backend.prompts.prepare([U("Hi")], False))
        assert built.text.endswith("<｜Assistant｜><think>\n")
        assert built.text.count("<think>") == 1
        assert built.starts_in_reasoning
    finally:
        backend.close()


def test_wrong_chatml_template_on_an_r1_model_is_overridden(tiny_r1_chatml_gguf: Path) -> None:
    backend = _load(tiny_r1_chatml_gguf)
    try:
        assert backend.header.chat_template is not None
        assert "<|im_start|>" in backend.header.chat_template
        assert backend.profile.name == "deepseek-r1"
        text = backend.prompts.build(backend.prompts.prepare([U("Hi")], False)).text
        assert "<|im_start|>" not in text
        assert text == f"{BOS}<｜User｜>Hi<｜Assistant｜><think>\n"
    finally:
        backend.close()


def test_template_override_from_load_params(tiny_r1_gguf: Path) -> None:
    custom = "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}"
    backend = LocalBackend(
        LoadParams(model_path=tiny_r1_gguf, n_ctx=256, n_threads=1, chat_template=custom)
    )
    try:
        text = backend.prompts.build([U("Hi")]).text
        assert text == f"{BOS}[user]Hi<think>\n"
    finally:
        backend.close()


def test_reasoning_is_stripped_from_earlier_turns(r1: LocalBackend) -> None:
    conversation = [
        U("q1"),
        A("the answer", reasoning="SECRET reasoning"),
        U("q2"),
        A("<think>\nOLD THOUGHT\n</think>\n\nsecond answer"),
        U("q3"),
    ]
    text = r1.prompts.build(r1.prompts.prepare(conversation, False)).text
    assert "SECRET" not in text and "OLD THOUGHT" not in text
    assert "<｜Assistant｜>the answer<｜end▁of▁sentence｜>" in text
    assert "<｜Assistant｜>second answer<｜end▁of▁sentence｜>" in text


def test_math_mode_appends_the_instruction(r1: LocalBackend) -> None:
    text = r1.prompts.build(r1.prompts.prepare([U("What is 3*3?")], True)).text
    assert (
        "What is 3*3?\n\nPlease reason step by step, and put your final answer within "
        "\\boxed{}.<｜Assistant｜><think>\n" in text
    )


def test_answer_now_closes_the_think_block_in_place(r1: LocalBackend) -> None:
    control = GenerationControl()
    events: list[StreamEvent] = []
    options = GenerateOptions(sampling=SamplingParams(temperature=0.8, max_tokens=30, seed=5))
    prompt = r1.prompts.build(r1.prompts.prepare([U("Think about cats.")], False)).tokens
    for event in r1.generate([U("Think about cats.")], options, control):
        events.append(event)
        if isinstance(event, TextDelta) and len(r1.eval_batches) == 6:
            control.answer_now()
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == [NoticeKind.ANSWER_NOW]
    fin = events[-1]
    assert isinstance(fin, Finished)
    close = r1.tokenize("\n</think>\n\n", add_bos=False)
    batches = r1.eval_batches
    # the prompt was evaluated once; the close tag went in with the pending token, or
    # alone where decodes run ahead (a GPU: the token was launched before the close)
    tag_batch = len(close) if wants_prefetch(r1.info.backend) else 1 + len(close)
    assert batches[0] <= len(prompt)
    assert all(size < len(prompt) for size in batches[1:])
    assert max(batches[1:]) == tag_batch
    assert batches.count(tag_batch) == 1
    ctx = r1.context_tokens
    assert ctx[: len(prompt)] == prompt
    start = ctx.index(close[-1], len(prompt)) - len(close) + 1
    assert ctx[start : start + len(close)] == close
    # the reasoning before, the answer after; no reasoning delta after the notice
    after = events[events.index(notices[0]) + 1 :]
    assert all(e.channel is Channel.ANSWER for e in after if isinstance(e, TextDelta))
    assert fin.stats.reasoning_tokens >= 5
    assert fin.stats.completion_tokens >= fin.stats.reasoning_tokens
    assert fin.stats.stop_reason in (StopReason.MAX_TOKENS, StopReason.EOS)


def test_thinking_budget_answers_by_itself(r1: LocalBackend) -> None:
    options = GenerateOptions(
        sampling=SamplingParams(temperature=0.8, max_tokens=20, seed=2), thinking_budget=6
    )
    events = list(r1.generate([U("Think hard.")], options, GenerationControl()))
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.kind for n in notices] == [NoticeKind.BUDGET_REACHED]
    assert "6" in notices[0].message
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.reasoning_tokens == 6
    assert fin.stats.completion_tokens == 20


def test_second_turn_evaluates_only_the_new_part(r1: LocalBackend) -> None:
    options = GenerateOptions(sampling=SAMPLING)
    turn1 = [U("First question about the number seven and its properties.")]
    fin1 = list(r1.generate(turn1, options, GenerationControl()))[-1]
    assert isinstance(fin1, Finished)
    turn2 = [*turn1, A(fin1.answer or "ok", fin1.reasoning), U("Second question.")]
    fin2 = list(r1.generate(turn2, options, GenerationControl()))[-1]
    assert isinstance(fin2, Finished)
    assert fin2.stats.evaluated_tokens < fin2.stats.prompt_tokens
    assert fin2.stats.evaluated_tokens == sum(r1.eval_batches[: r1.prompt_batch_count])
    # turn 2 = last answer + new message + glue: far less than the whole prompt
    new_part = r1.tokenize(
        (fin1.answer or "ok") + "<｜end▁of▁sentence｜><｜User｜>Second "
        "question.<｜Assistant｜><think>\n"
    )
    assert fin2.stats.evaluated_tokens <= len(new_part) + 2


@pytest.mark.parametrize(
    "text", ["生僻字：龘靐齉爩𠀀", "emoji 🦀🎉 and ñ, ß, ю", "数学：∑ᵢ xᵢ² ≥ 0"]
)
def test_token_by_token_decoding_keeps_multibyte_text(r1: LocalBackend, text: str) -> None:
    tokens = r1.tokenize(text)
    llama = r1._llama
    pieces = [llama.detokenize([t], special=True) for t in tokens]
    # the test is only meaningful if some token is a partial UTF-8 sequence
    assert any(_is_partial(p) for p in pieces)
    decoder = TokenTextDecoder(lambda t: llama.detokenize([t], special=True))
    out = "".join(decoder.push(t) for t in tokens) + decoder.flush()
    assert out == text


def _is_partial(piece: bytes) -> bool:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_greedy_loop_is_reported_once(r1: LocalBackend) -> None:
    options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=150))
    events = list(r1.generate([U("hi")], options, GenerationControl()))
    kinds = [e.kind for e in events if isinstance(e, Notice)]
    assert kinds == [NoticeKind.REASONING_LOOP]
    fin = events[-1]
    assert isinstance(fin, Finished)
    assert fin.stats.completion_tokens == 150  # a notice, not a stop


def test_loop_detection_can_be_switched_off(r1: LocalBackend) -> None:
    options = GenerateOptions(
        sampling=SamplingParams(temperature=0.0, max_tokens=150), detect_loops=False
    )
    events = list(r1.generate([U("hi")], options, GenerationControl()))
    assert not [e for e in events if isinstance(e, Notice)]


def test_flash_attention_on_and_llama_logs_in_python_logging(
    tiny_r1_gguf: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    with caplog.at_level(logging.DEBUG, logger="ponder.llama"):
        on = LocalBackend(LoadParams(model_path=tiny_r1_gguf, n_ctx=256, n_threads=1))
        on.close()
        off = LocalBackend(
            LoadParams(model_path=tiny_r1_gguf, n_ctx=256, n_threads=1, flash_attn=False)
        )
        off.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "ponder.llama"]
    flash = [line for line in lines if line.startswith("llama_context: flash_attn")]
    assert len(flash) == 2
    assert flash[0].endswith("enabled")
    assert flash[1].endswith("disabled")
    assert not [r for r in caplog.records if r.name == "ponder.llama" and r.levelno >= 40]
    captured = capfd.readouterr()
    assert "llama_context" not in captured.err  # nothing printed to the terminal


def test_broken_templates_are_clear_errors(tmp_path: Path, tiny_r1_gguf: Path) -> None:
    from app.core.errors import ModelFileError
    from tests.support.tiny_gguf import write_tiny_gguf

    path = write_tiny_gguf(tmp_path / "broken-template.gguf", template="{% for x %}oops")
    with pytest.raises(ModelFileError, match=r"chat template stored inside .* is broken"):
        _load(path)
    with pytest.raises(ModelFileError, match="chat template"):
        LocalBackend(
            LoadParams(model_path=tiny_r1_gguf, n_ctx=128, n_threads=1, chat_template="{% if %}")
        )


def test_continue_a_stopped_reply_in_its_think_block(r1: LocalBackend) -> None:
    history = [U("Count to ten."), A("", "One, two, three")]
    fitted = r1.prompts.fit(history, 2048, 16)
    assert fitted.prompt.text.endswith(
        "<｜User｜>Count to ten.<｜Assistant｜><think>\nOne, two, three"
    )
    assert fitted.prompt.starts_in_reasoning
    events = list(r1.generate(history, GenerateOptions(sampling=SAMPLING), GenerationControl()))
    first = next(e for e in events if isinstance(e, TextDelta))
    assert first.channel is Channel.REASONING


def test_continue_a_stopped_answer_after_its_think_block(r1: LocalBackend) -> None:
    history = [U("Hi"), A("Hello, I am", "greet back")]
    fitted = r1.prompts.fit(history, 2048, 16)
    assert fitted.prompt.text.endswith(
        "<｜User｜>Hi<｜Assistant｜><think>\ngreet back\n</think>\n\nHello, I am"
    )
    assert not fitted.prompt.starts_in_reasoning
    # the stopped reply's tokens are the prompt's tail, not a new assistant turn
    assert fitted.prompt.text.count("<｜Assistant｜>") == 1
    fin = list(r1.generate(history, GenerateOptions(sampling=SAMPLING), GenerationControl()))[-1]
    assert isinstance(fin, Finished)
    assert fin.reasoning == ""  # all new text continues the answer


def test_backend_name_follows_gpu_offload(r1: LocalBackend) -> None:
    from tests.support.gpu import expected_backend

    assert r1.info.backend == expected_backend()
    assert r1.info.n_gpu_layers == gpu_layers()
