"""prepare_messages, generation_suffix, prompt_opens_reasoning, end to end with R1."""

from __future__ import annotations

from pathlib import Path

from app.chat.profile import detect_profile
from app.chat.prompt import (
    build_prompt,
    generation_suffix,
    prepare_messages,
    prompt_opens_reasoning,
)
from app.chat.template import CHATML_TEMPLATE, ChatTemplate
from app.core.types import ChatMessage, Role

DATA = Path(__file__).resolve().parents[1] / "data"
R1_SOURCE = (DATA / "r1-distill-chat-template.jinja").read_text(encoding="utf-8")
OLD_END = "{{'<｜Assistant｜>'}}{% endif %}"
# Newer R1 templates (e.g. the 0528 update) open the think block in the prompt.
R1_NEW_SOURCE = R1_SOURCE.replace(OLD_END, "{{'<｜Assistant｜><think>\\n'}}{% endif %}")
BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
R1 = detect_profile(R1_SOURCE)
GENERIC = detect_profile(CHATML_TEMPLATE, "SmolLM2")
MATH = R1.math_instruction


def test_variant_template_differs_only_at_the_end() -> None:
    assert R1_SOURCE.endswith(OLD_END)
    assert R1_NEW_SOURCE != R1_SOURCE


def test_r1_folds_system_text_into_first_user_turn() -> None:
    messages = [
        ChatMessage(Role.SYSTEM, "You are a patient tutor."),
        ChatMessage(Role.USER, "What is 7*8?"),
        ChatMessage(Role.ASSISTANT, "56", reasoning="7*8=56"),
        ChatMessage(Role.USER, "And 7*9?"),
    ]
    prepared = prepare_messages(messages, R1)
    assert [m.role for m in prepared] == [Role.USER, Role.ASSISTANT, Role.USER]
    assert prepared[0].content == "You are a patient tutor.\n\nWhat is 7*8?"
    assert prepared[1] == ChatMessage(Role.ASSISTANT, "56")
    assert prepared[2].content == "And 7*9?"
    assert messages[0].role == Role.SYSTEM  # input untouched


def test_several_system_messages_are_joined_and_blank_ones_ignored() -> None:
    messages = [
        ChatMessage(Role.SYSTEM, "A."),
        ChatMessage(Role.SYSTEM, "  "),
        ChatMessage(Role.USER, "q"),
        ChatMessage(Role.SYSTEM, "B."),
    ]
    prepared = prepare_messages(messages, R1)
    assert prepared == [ChatMessage(Role.USER, "A.\n\nB.\n\nq")]


def test_system_without_any_user_turn_becomes_a_user_turn() -> None:
    prepared = prepare_messages([ChatMessage(Role.SYSTEM, "Only this.")], R1)
    assert prepared == [ChatMessage(Role.USER, "Only this.")]


def test_generic_profile_keeps_system_prompt() -> None:
    messages = [ChatMessage(Role.SYSTEM, "Be brief."), ChatMessage(Role.USER, "Hi")]
    assert prepare_messages(messages, GENERIC) == messages


def test_math_instruction_goes_to_last_user_turn_once() -> None:
    messages = [
        ChatMessage(Role.USER, "Solve x+1=2."),
        ChatMessage(Role.ASSISTANT, "x=1"),
        ChatMessage(Role.USER, "Solve 2x=6.  \n"),
    ]
    prepared = prepare_messages(messages, R1, math_mode=True)
    assert prepared[0].content == "Solve x+1=2."
    assert prepared[2].content == f"Solve 2x=6.\n\n{MATH}"
    again = prepare_messages(prepared, R1, math_mode=True)
    assert again[2].content == prepared[2].content
    assert again[2].content.count(MATH) == 1


def test_math_instruction_alone_when_user_turn_is_empty() -> None:
    prepared = prepare_messages([ChatMessage(Role.USER, "")], R1, math_mode=True)
    assert prepared[0].content == MATH


def test_assistant_keeps_answer_only_even_if_content_holds_think_block() -> None:
    messages = [
        ChatMessage(Role.USER, "q"),
        ChatMessage(Role.ASSISTANT, "<think>\nlong thoughts\n</think>\n\nThe answer.", "r"),
        ChatMessage(Role.USER, "q2"),
    ]
    for profile in (R1, GENERIC):
        assert prepare_messages(messages, profile)[1] == ChatMessage(Role.ASSISTANT, "The answer.")


def test_generation_suffix_for_old_r1_template_forces_think() -> None:
    rendered = ChatTemplate(R1_SOURCE, BOS, EOS).render([ChatMessage(Role.USER, "hi")])
    assert rendered.endswith("<｜Assistant｜>")
    suffix = generation_suffix(rendered, R1)
    assert suffix == "<think>\n"
    assert prompt_opens_reasoning(rendered + suffix, R1)
    assert not prompt_opens_reasoning(rendered, R1)


def test_generation_suffix_empty_when_new_template_already_opens_think() -> None:
    rendered = ChatTemplate(R1_NEW_SOURCE, BOS, EOS).render([ChatMessage(Role.USER, "hi")])
    assert rendered.endswith("<｜Assistant｜><think>\n")
    assert generation_suffix(rendered, R1) == ""
    assert generation_suffix(rendered.rstrip("\n"), R1) == ""
    assert prompt_opens_reasoning(rendered, R1)


def test_generation_suffix_empty_for_generic_models() -> None:
    rendered = ChatTemplate(CHATML_TEMPLATE).render([ChatMessage(Role.USER, "hi")])
    assert generation_suffix(rendered, GENERIC) == ""
    assert not prompt_opens_reasoning(rendered, GENERIC)


def test_closed_empty_think_block_in_prompt_does_not_open_reasoning() -> None:
    # Qwen3 with thinking switched off ends its prompt with an empty block.
    prompt = "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    assert not prompt_opens_reasoning(prompt, GENERIC)


def test_user_typed_think_tag_earlier_does_not_count() -> None:
    rendered = ChatTemplate(CHATML_TEMPLATE).render([ChatMessage(Role.USER, "what is <think>?")])
    assert not prompt_opens_reasoning(rendered, GENERIC)


def test_r1_end_to_end_prompt_with_system_and_math() -> None:
    messages = [
        ChatMessage(Role.SYSTEM, "Answer in English."),
        ChatMessage(Role.USER, "What is 1+1?"),
        ChatMessage(Role.ASSISTANT, "It is $\\boxed{2}$.", reasoning="1+1=2, easy."),
        ChatMessage(Role.USER, "What is 2^10?"),
    ]
    template = ChatTemplate(R1_SOURCE, BOS, EOS)
    rendered = template.render(prepare_messages(messages, R1, math_mode=True))
    prompt = rendered + generation_suffix(rendered, R1)
    assert prompt == (
        f"{BOS}<｜User｜>Answer in English.\n\nWhat is 1+1?"
        f"<｜Assistant｜>It is $\\boxed{{2}}$.{EOS}"
        f"<｜User｜>What is 2^10?\n\n{MATH}<｜Assistant｜><think>\n"
    )


def test_build_prompt_feeds_the_splitter_the_right_start() -> None:
    messages = [ChatMessage(Role.SYSTEM, "Be brief."), ChatMessage(Role.USER, "2+2?")]
    old = build_prompt(ChatTemplate(R1_SOURCE, BOS, EOS), messages, R1, math_mode=True)
    new = build_prompt(ChatTemplate(R1_NEW_SOURCE, BOS, EOS), messages, R1, math_mode=True)
    assert old.text == new.text
    assert old.text.endswith(f"<｜User｜>Be brief.\n\n2+2?\n\n{MATH}<｜Assistant｜><think>\n")
    assert old.starts_in_reasoning and new.starts_in_reasoning
    plain = build_prompt(ChatTemplate(CHATML_TEMPLATE), messages, GENERIC)
    assert plain.text.startswith("<|im_start|>system\nBe brief.<|im_end|>\n")
    assert not plain.starts_in_reasoning
