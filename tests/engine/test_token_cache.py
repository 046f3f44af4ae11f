"""The prompt tokenizer that reuses the unchanged part: always the tokens of a full tokenization."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.types import ChatMessage, LoadParams, Role
from app.engine.local import LocalBackend
from app.engine.token_cache import PrefixTokenCache

pytestmark = pytest.mark.slow

TRICKY = [
    "plain words", "  leading spaces", "trailing spaces  ", "\n\nnewlines\n", "emoji 🧮 ∑ x² ≤ 3",
    "中文 数学题", "literal <｜User｜> marker", "a <|im_end|> inside", "<think>fake</think>",
    "x<y and y>z", "</s>", "tab\there", "\\boxed{\\frac{1}{2}}", "", " ",
    "```python\nprint(1)\n```",
]


@pytest.fixture(scope="module", params=["r1", "smollm2"])
def backend(request: pytest.FixtureRequest, tiny_r1_gguf: Path,
            smollm2_path: Path) -> Iterator[LocalBackend]:
    path = tiny_r1_gguf if request.param == "r1" else smollm2_path
    loaded = LocalBackend(LoadParams(model_path=path, n_ctx=4096, n_threads=1, n_gpu_layers=0))
    yield loaded
    loaded.close()


def _conversation(rng: random.Random, turns: int) -> list[ChatMessage]:
    messages = []
    for turn in range(turns):
        messages.append(ChatMessage(Role.USER, f"{rng.choice(TRICKY)} question {turn}"))
        messages.append(ChatMessage(Role.ASSISTANT, f"{rng.choice(TRICKY)} answer {turn}"))
    return messages


def test_the_template_markers_are_found(backend: LocalBackend) -> None:
    cache = backend.prompt_tokens
    assert isinstance(cache, PrefixTokenCache)
    assert len(cache._ids) >= 2  # a user and an assistant marker at least


def _plain(backend: LocalBackend, text: str) -> list[int]:
    """What the prompt tokenizer must give: one plain tokenization, BOS as it decides."""
    bos = backend.prompts._bos_text
    return backend.tokenize(text, add_bos=not (bos and text.startswith(bos)))


def test_a_growing_conversation_reuses_tokens_and_matches(backend: LocalBackend) -> None:
    rng = random.Random(3)
    history: list[ChatMessage] = []
    reused = []
    for turn in range(8):
        history += _conversation(rng, 1)
        text = backend.prompts.render(history[:-1])  # ends with the user's turn
        tokens = backend.prompts.tokenize_prompt(text)
        reused.append(backend.prompt_tokens.reused_tokens)
        assert tokens == _plain(backend, text), f"turn {turn}"
    # from the second turn on, most of the prompt is reused
    assert all(r > 0 for r in reused[1:])
    assert reused[-1] > len(tokens) // 2


def test_a_changed_early_turn_reuses_only_what_is_before_it(backend: LocalBackend) -> None:
    messages = _conversation(random.Random(5), 5)[:-1]
    first = backend.prompts.tokenize_prompt(backend.prompts.render(messages))
    edited = [ChatMessage(Role.USER, "edited first question"), *messages[1:]]
    text = backend.prompts.render(edited)
    second = backend.prompts.tokenize_prompt(text)
    assert backend.prompt_tokens.reused_tokens < len(first) // 3
    assert second == _plain(backend, text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TRICKY) | st.text(max_size=12), min_size=2, max_size=9),
       st.integers(0, 3))
def test_any_sequence_of_prompts_tokenizes_like_the_plain_tokenizer(
        backend: LocalBackend, pieces: list[str], cut: int) -> None:
    messages = [ChatMessage(Role.USER if i % 2 == 0 else Role.ASSISTANT, piece)
                for i, piece in enumerate(pieces)]
    if messages[-1].role is Role.ASSISTANT:
        messages.pop()
    for shown in (messages[: max(1, len(messages) - 2 * cut)], messages):
        text = backend.prompts.render(shown)
        assert backend.prompts.tokenize_prompt(text) == _plain(backend, text)
