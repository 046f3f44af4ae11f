"""Per-family rules for prompting a model: reasoning tags, system prompt, sampling.

The family is recognised from the chat template first (it is what the model
was trained with) and from the model's name second. DeepSeek's advice for the
R1 distills: temperature 0.6, top-p 0.95, no system prompt, the reply starts
with `<think>\\n`, and math questions ask for the answer in `\\boxed{}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.chat.template import CHATML_TEMPLATE, R1_TEMPLATE
from app.core.types import SamplingParams

_R1_TEMPLATE_MARKERS = ("<｜Assistant｜>", "<｜User｜>")
_R1_NAME_MARKERS = ("deepseek-r1", "r1-distill")
_THINKING_NAME_MARKERS = ("qwq", "qwen3")
_CHATML_MARKER = "<|im_start|>"


@dataclass(frozen=True)
class ModelProfile:
    """How to talk to one family of models.

    Attributes:
        name: a short id of the family ("deepseek-r1", "thinking", "generic").
        is_reasoning: the model writes a think block before its answer.
        think_open: the tag that opens the think block.
        think_close: the tag that closes it.
        force_think: append `think_open + "\\n"` after the generation prompt
            when the template does not put it there itself (R1: keeps the
            model from skipping its reasoning).
        allows_system_prompt: False folds system text into the first user turn.
        default_sampling: the sampler settings the family is tuned for.
        math_instruction: appended to the last user turn in math mode.
    """

    name: str
    is_reasoning: bool
    think_open: str = "<think>"
    think_close: str = "</think>"
    force_think: bool = False
    allows_system_prompt: bool = True
    default_sampling: SamplingParams = field(default_factory=SamplingParams)
    math_instruction: str = (
        "Please reason step by step, and put your final answer within \\boxed{}."
    )


R1_PROFILE = ModelProfile(
    name="deepseek-r1",
    is_reasoning=True,
    force_think=True,
    allows_system_prompt=False,
    default_sampling=SamplingParams(temperature=0.6, top_p=0.95),
)
"""DeepSeek-R1 and its distills (Qwen, Llama)."""

THINKING_PROFILE = ModelProfile(
    name="thinking",
    is_reasoning=True,
    default_sampling=SamplingParams(temperature=0.6, top_p=0.95),
)
"""Other models that write a <think> block (QwQ, Qwen3); the template decides."""

GENERIC_PROFILE = ModelProfile(
    name="generic",
    is_reasoning=False,
    default_sampling=SamplingParams(temperature=0.7, top_p=0.9),
)
"""Everything else; a stray <think> block is still split off by the splitter."""


def _normalise_name(name: str) -> str:
    # "DeepSeek_R1 Distill" and "deepseek-r1-distill" name the same thing.
    return re.sub(r"[\s_.]+", "-", name.lower())


def is_r1_name(model_name: str) -> bool:
    """True when the name says DeepSeek-R1 or an R1 distill."""
    name = _normalise_name(model_name)
    return any(marker in name for marker in _R1_NAME_MARKERS)


def is_r1_template(template_source: str | None) -> bool:
    """True when the template speaks the DeepSeek chat format."""
    return bool(template_source) and any(
        marker in (template_source or "") for marker in _R1_TEMPLATE_MARKERS
    )


def detect_profile(
    template_source: str | None, model_name: str = "", architecture: str = ""
) -> ModelProfile:
    """Pick the profile for a model from its template, name and architecture.

    Args:
        template_source: the GGUF's chat template, if any.
        model_name: the file or display name (e.g. "DeepSeek-R1-Distill-Qwen-1.5B").
        architecture: the GGUF's `general.architecture` (e.g. "qwen2", "qwen3").

    Returns:
        The R1 profile for the DeepSeek-R1 family, the thinking profile for
        other models whose template or name shows a <think> block, else the
        generic profile.
    """
    if is_r1_template(template_source) or is_r1_name(model_name):
        return R1_PROFILE
    name = _normalise_name(model_name)
    arch = architecture.lower()
    if (
        (template_source and THINKING_PROFILE.think_open in template_source)
        or any(marker in name for marker in _THINKING_NAME_MARKERS)
        or arch.startswith("qwen3")
    ):
        return THINKING_PROFILE
    return GENERIC_PROFILE


def template_override(template_source: str | None, model_name: str) -> str | None:
    """A template to use instead of the file's own, or None to keep it.

    Some R1-distill GGUFs carry a ChatML template by mistake; rendered with it
    the model rambles. Models without any template get plain ChatML.

    Args:
        template_source: the GGUF's chat template, if any.
        model_name: the file or display name.

    Returns:
        R1_TEMPLATE for an R1 model (by name) whose template is missing or
        ChatML, CHATML_TEMPLATE for any other model without a template, else
        None.
    """
    has_template = bool(template_source and template_source.strip())
    wrong_for_r1 = not has_template or _CHATML_MARKER in (template_source or "")
    if is_r1_name(model_name) and not is_r1_template(template_source) and wrong_for_r1:
        return R1_TEMPLATE
    if not has_template:
        return CHATML_TEMPLATE
    return None
