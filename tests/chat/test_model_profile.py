"""detect_profile and template_override on real and realistic templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.chat.profile import detect_profile, template_override
from app.chat.template import CHATML_TEMPLATE, R1_TEMPLATE

DATA = Path(__file__).resolve().parents[1] / "data"
R1_FROM_FILE = (DATA / "r1-distill-chat-template.jinja").read_text(encoding="utf-8")
QWQ_LIKE = (
    "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + "
    "'<|im_end|>\\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n<think>\\n' }}{% endif %}"
)


def test_r1_detected_from_its_template_even_with_a_plain_name() -> None:
    profile = detect_profile(R1_FROM_FILE, model_name="model.gguf", architecture="qwen2")
    assert profile.is_reasoning
    assert profile.force_think
    assert not profile.allows_system_prompt
    assert profile.default_sampling.temperature == pytest.approx(0.6)
    assert profile.default_sampling.top_p == pytest.approx(0.95)
    assert profile.think_open == "<think>"
    assert profile.think_close == "</think>"
    assert "\\boxed{}" in profile.math_instruction


@pytest.mark.parametrize(
    "name",
    [
        "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf",
        "deepseek_r1_distill_llama_8b",
        "unsloth/DeepSeek-R1-0528-Qwen3-8B-GGUF",
        "my R1 Distill 1.5B",
    ],
)
def test_r1_detected_from_the_name_with_a_wrong_chatml_template(name: str) -> None:
    assert detect_profile(CHATML_TEMPLATE, model_name=name).name == "deepseek-r1"


def test_chatml_model_is_generic() -> None:
    profile = detect_profile(
        CHATML_TEMPLATE, model_name="SmolLM2-135M-Instruct", architecture="llama"
    )
    assert profile.name == "generic"
    assert not profile.is_reasoning
    assert not profile.force_think
    assert profile.allows_system_prompt


def test_no_template_and_no_name_is_generic() -> None:
    assert detect_profile(None).name == "generic"


def test_think_capable_template_or_name_is_a_thinking_profile() -> None:
    by_template = detect_profile(QWQ_LIKE, model_name="model.gguf")
    assert by_template.is_reasoning and not by_template.force_think
    assert by_template.allows_system_prompt
    assert detect_profile(CHATML_TEMPLATE, model_name="QwQ-32B-Q4_K_M").name == "thinking"
    assert detect_profile(CHATML_TEMPLATE, architecture="qwen3").name == "thinking"


def test_override_restores_r1_template_over_wrong_chatml_or_none() -> None:
    name = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    assert template_override(CHATML_TEMPLATE, name) == R1_TEMPLATE
    assert template_override(None, name) == R1_TEMPLATE
    assert template_override("  ", name) == R1_TEMPLATE


def test_override_keeps_a_models_own_good_template() -> None:
    assert template_override(R1_FROM_FILE, "DeepSeek-R1-Distill-Qwen-1.5B") is None
    assert template_override(CHATML_TEMPLATE, "SmolLM2-135M-Instruct") is None
    # A custom, non-ChatML template on an R1-named file is the user's choice.
    assert template_override("{{ messages[0]['content'] }}", "deepseek-r1-custom") is None


def test_override_gives_chatml_to_models_without_template() -> None:
    assert template_override(None, "gemma-3-270m") == CHATML_TEMPLATE
    assert template_override("", "") == CHATML_TEMPLATE
