"""Sampling resolves in one place: family profile -> preset -> settings -> chat -> request.

Each layer only says what it sets; a missing key or a None value means
"inherit from the layer below". The model family's profile (app.chat.profile)
is the base, so an R1 model gets DeepSeek's advice unless the user chose
otherwise; a preset adds what it is for (Math tutor: longer replies and the
step-by-step instruction; Hints: the next-step-only instruction); the global
settings hold the user's explicit choices; a conversation's overrides and a
single request's values come last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from app.core.types import GenerateOptions, SamplingParams
from app.store.settings import Settings

SAMPLING_KEYS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty", "max_tokens",
                 "seed")
"""Keys that set a SamplingParams field."""

OPTION_KEYS = ("math_mode", "hints", "thinking_budget")
"""Keys that set a GenerateOptions field."""

OVERRIDABLE = ("preset", "temperature", "top_p", "top_k", "min_p", "repeat_penalty",
               "max_tokens", "math_mode", "thinking_budget")
"""Settings a conversation may override."""

PRESETS: dict[str, dict[str, Any]] = {
    "math": {"max_tokens": 8192, "math_mode": True},
    # The next step only, never the final answer (app.services.hints); no boxed-answer ask.
    "hints": {"max_tokens": 8192, "math_mode": False, "hints": True},
    "code": {"temperature": 0.5, "max_tokens": 8192, "math_mode": False},
    "chat": {},
}
"""Preset name -> only what the preset changes on top of the family's profile."""

PRESET_NAMES = tuple(PRESETS)


def settings_layer(settings: Settings) -> dict[str, Any]:
    """The user's explicit choices in `settings` (None values are "auto")."""
    layer: dict[str, Any] = {}
    for key in (*SAMPLING_KEYS, "math_mode"):
        value = getattr(settings, key, None)
        if value is not None:
            layer[key] = value
    layer["thinking_budget"] = settings.thinking_budget
    return layer


def resolve_options(
    profile_sampling: SamplingParams,
    settings: Settings | None = None,
    chat_override: Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
) -> GenerateOptions:
    """The options for one reply.

    Args:
        profile_sampling: the loaded model family's defaults (the base).
        settings: the global settings; its `preset` picks the preset layer.
        chat_override: the conversation's overrides (keys of OVERRIDABLE;
            a "preset" key there replaces the global preset).
        request: values for this request only (e.g. a CLI flag, an API field).

    Returns:
        GenerateOptions with every layer applied; thinking_budget 0 means none.
    """
    chat = dict(chat_override or {})
    preset_name = str(chat.get("preset") or (settings.preset if settings else "chat"))
    layers: list[Mapping[str, Any]] = [PRESETS.get(preset_name, {})]
    if settings is not None:
        layers.append(settings_layer(settings))
    layers.append(chat)
    layers.append(request or {})
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value is not None and key in (*SAMPLING_KEYS, *OPTION_KEYS):
                merged[key] = value
    sampling = dataclasses.replace(
        profile_sampling, **{k: merged[k] for k in SAMPLING_KEYS if k in merged}
    )
    budget = merged.get("thinking_budget")
    return GenerateOptions(
        sampling=sampling,
        math_mode=bool(merged.get("math_mode", False)),
        hints=bool(merged.get("hints", False)),
        thinking_budget=int(budget) if budget else None,
    )


def inherited_values(profile_sampling: SamplingParams, preset: str) -> dict[str, Any]:
    """What each sampling setting is when left on "auto" (for the settings dialog)."""
    options = resolve_options(profile_sampling, Settings(preset=preset))
    values: dict[str, Any] = dataclasses.asdict(options.sampling)
    values["math_mode"] = options.math_mode
    return values
