"""Sampling resolves in one place: profile -> preset -> settings -> chat -> request."""

from __future__ import annotations

from app.chat.profile import GENERIC_PROFILE, R1_PROFILE
from app.services.sampling import inherited_values, resolve_options
from app.store.settings import Settings, settings_from_dict


def test_auto_settings_inherit_the_family_profile() -> None:
    r1 = resolve_options(R1_PROFILE.default_sampling, Settings())
    generic = resolve_options(GENERIC_PROFILE.default_sampling, Settings())
    assert (r1.sampling.temperature, r1.sampling.top_p) == (0.6, 0.95)
    assert (generic.sampling.temperature, generic.sampling.top_p) == (0.7, 0.9)
    assert r1.math_mode is False
    assert r1.thinking_budget is None


def test_a_users_explicit_choice_beats_the_profile() -> None:
    options = resolve_options(GENERIC_PROFILE.default_sampling, Settings(temperature=0.2))
    assert options.sampling.temperature == 0.2
    assert options.sampling.top_p == 0.9  # still the family's


def test_preset_sits_between_profile_and_settings() -> None:
    math = resolve_options(R1_PROFILE.default_sampling, Settings(preset="math"))
    assert math.math_mode is True
    assert math.sampling.max_tokens == 8192
    code = resolve_options(R1_PROFILE.default_sampling, Settings(preset="code"))
    assert code.sampling.temperature == 0.5
    chosen = resolve_options(R1_PROFILE.default_sampling,
                             Settings(preset="code", temperature=0.9))
    assert chosen.sampling.temperature == 0.9


def test_chat_override_then_request_win() -> None:
    settings = Settings(temperature=0.3, thinking_budget=500)
    chat = {"temperature": 0.4, "preset": "math", "thinking_budget": 0}
    options = resolve_options(R1_PROFILE.default_sampling, settings, chat)
    assert options.sampling.temperature == 0.4
    assert options.math_mode is True  # the chat's preset
    assert options.thinking_budget is None  # the chat turned the budget off
    request = resolve_options(R1_PROFILE.default_sampling, settings, chat,
                              {"temperature": 1.1, "seed": 5, "max_tokens": None})
    assert request.sampling.temperature == 1.1
    assert request.sampling.seed == 5
    assert request.sampling.max_tokens == 8192  # None in a request inherits


def test_inherited_values_show_what_auto_means() -> None:
    values = inherited_values(R1_PROFILE.default_sampling, "math")
    assert values["temperature"] == 0.6
    assert values["math_mode"] is True


def test_version_1_settings_migrate_defaults_to_auto() -> None:
    old = {"temperature": 0.6, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
           "repeat_penalty": 1.0, "max_tokens": 4096, "n_ctx": 4096, "n_gpu_layers": -1,
           "n_threads": 0, "math_mode": False, "api_server_port": 8080}
    migrated = settings_from_dict(old)
    assert migrated.temperature is None and migrated.top_p is None
    assert migrated.n_ctx is None and migrated.n_gpu_layers is None
    assert migrated.n_threads is None and migrated.math_mode is None
    assert migrated.api_server_port != 8080  # llama.cpp's server's port
    # so the family's profile applies again where the user never chose
    options = resolve_options(GENERIC_PROFILE.default_sampling, migrated)
    assert options.sampling.temperature == 0.7
    # a real choice survives the migration
    kept = settings_from_dict({**old, "temperature": 0.3, "n_ctx": 8192})
    assert kept.temperature == 0.3 and kept.n_ctx == 8192
    # a version-2 file is taken as written
    same = settings_from_dict({"temperature": 0.6, "settings_version": 2})
    assert same.temperature == 0.6
