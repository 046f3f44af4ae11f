"""trim_to_fit: oldest turns go first, minimal drops, few count calls, clear overflow."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.chat.template import R1_TEMPLATE, ChatTemplate
from app.chat.trim import trim_to_fit
from app.core.errors import ContextOverflowError, PonderError
from app.core.types import ChatMessage, Role

TEMPLATE = ChatTemplate(R1_TEMPLATE, bos_token="<｜begin▁of▁sentence｜>")


class Counter:
    """Counts prompt 'tokens' as rendered characters / 4, and counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: Sequence[ChatMessage]) -> int:
        self.calls += 1
        return math.ceil(len(TEMPLATE.render(messages)) / 4)


def conversation(turns: int, size: int = 200, system: bool = True) -> list[ChatMessage]:
    messages = [ChatMessage(Role.SYSTEM, "Be exact.")] if system else []
    for i in range(turns):
        messages.append(ChatMessage(Role.USER, f"question {i} " + "q" * size))
        messages.append(ChatMessage(Role.ASSISTANT, f"answer {i} " + "a" * size))
    messages.append(ChatMessage(Role.USER, "the newest question"))
    return messages


def test_everything_fits_with_one_count_call() -> None:
    messages = conversation(5)
    counter = Counter()
    kept, dropped = trim_to_fit(messages, counter, budget_tokens=10_000)
    assert (kept, dropped) == (messages, 0)
    assert counter.calls == 1


def test_drops_oldest_turns_in_pairs_and_keeps_system_and_last_user() -> None:
    messages = conversation(10)
    counter = Counter()
    budget = counter(conversation(3)) + 1  # room for exactly three old turns
    counter.calls = 0
    kept, dropped = trim_to_fit(messages, counter, budget)
    assert dropped == 14
    assert kept[0] == messages[0]
    assert kept[1].content.startswith("question 7 ")
    assert kept[-1].content == "the newest question"
    assert [m.role for m in kept[1:-1]] == [Role.USER, Role.ASSISTANT] * 3
    assert counter(kept) <= budget
    # Binary search: fits-check, minimal-check, then log2(10 turns) probes.
    assert counter.calls <= 2 + math.ceil(math.log2(10)) + 1


def test_without_system_message() -> None:
    messages = conversation(4, system=False)
    counter = Counter()
    budget = counter(messages[-3:])  # last turn + newest question
    kept, dropped = trim_to_fit(messages, counter, budget)
    assert kept == messages[-3:]
    assert dropped == 6


def test_only_system_and_last_user_fit() -> None:
    messages = conversation(3)
    counter = Counter()
    minimal = [messages[0], messages[-1]]
    kept, dropped = trim_to_fit(messages, counter, counter(minimal))
    assert kept == minimal
    assert dropped == 6


def test_overflow_says_how_long_and_how_big() -> None:
    messages = [ChatMessage(Role.USER, "x" * 40_000)]
    counter = Counter()
    with pytest.raises(ContextOverflowError) as caught:
        trim_to_fit(messages, counter, budget_tokens=2_048)
    text = str(caught.value)
    assert isinstance(caught.value, PonderError)
    assert "10,0" in text  # about 10,000 tokens
    assert "2,048" in text
    assert "Shorten the message" in text
    assert messages == [ChatMessage(Role.USER, "x" * 40_000)]  # nothing lost


def test_empty_conversation() -> None:
    assert trim_to_fit([], Counter(), 10) == ([], 0)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 300), min_size=1, max_size=24),
    budget=st.integers(10, 2_000),
    system=st.booleans(),
)
def test_result_fits_and_drops_as_little_as_possible(
    sizes: list[int], budget: int, system: bool
) -> None:
    messages = [ChatMessage(Role.SYSTEM, "sys")] if system else []
    for i, size in enumerate(sizes):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        messages.append(ChatMessage(role, str(i) + "z" * size))
    messages.append(ChatMessage(Role.USER, "last"))
    counter = Counter()
    try:
        kept, dropped = trim_to_fit(messages, counter, budget)
    except ContextOverflowError:
        head = messages[:1] if system else []
        assert counter(head + messages[-1:]) > budget
        return
    assert counter(kept) <= budget
    assert len(kept) + dropped == len(messages)
    assert kept[-1] == messages[-1]
    head = messages[:1] if system else []
    assert kept == head + messages[len(head) + dropped :]
    if dropped:
        assert kept[len(head)].role == Role.USER
        # Keeping the most recent dropped turn would not have fit.
        cut = len(head) + dropped
        previous_turn = max(i for i in range(len(head), cut) if messages[i].role == Role.USER)
        assert counter(head + messages[previous_turn:]) > budget
