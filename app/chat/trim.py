"""Drop the oldest turns of a conversation until its prompt fits the context."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.errors import ContextOverflowError
from app.core.types import ChatMessage, Role

TokenCounter = Callable[[Sequence[ChatMessage]], int]


def trim_to_fit(
    messages: Sequence[ChatMessage],
    count_prompt_tokens: TokenCounter,
    budget_tokens: int,
) -> tuple[list[ChatMessage], int]:
    """Keep as much recent history as fits in `budget_tokens`.

    A leading system message and the last user message (with anything after
    it) are always kept. The turns in between are dropped oldest first, a
    user message together with the replies that follow it, so the kept
    history never starts with an orphaned reply. The number of calls to
    `count_prompt_tokens` is 1 when everything fits, else about
    2 + log2(turns) (binary search over how many turns to drop).

    Args:
        messages: the conversation, oldest first.
        count_prompt_tokens: tokens of the prompt rendered from some messages
            (template, generation prompt and all).
        budget_tokens: the most prompt tokens allowed (context minus room for
            the reply).

    Returns:
        (kept messages, number of messages dropped).

    Raises:
        ContextOverflowError: even the system message and the last user
            message alone are over the budget.
    """
    kept = list(messages)
    if not kept or count_prompt_tokens(kept) <= budget_tokens:
        return kept, 0

    head = kept[:1] if kept[0].role == Role.SYSTEM else []
    last_user = _last_user_index(kept)
    if last_user is None or last_user < len(head):
        last_user = max(len(kept) - 1, len(head))
    tail = kept[last_user:]
    turns = _group_turns(kept[len(head) : last_user])

    def with_dropped(count: int) -> list[ChatMessage]:
        return head + [m for turn in turns[count:] for m in turn] + tail

    minimal = head + tail
    minimal_tokens = count_prompt_tokens(minimal)
    if minimal_tokens > budget_tokens:
        raise ContextOverflowError(
            f"This message is too long for the model: with the conversation's setup it "
            f"takes about {minimal_tokens:,} tokens, but the context has room for "
            f"{budget_tokens:,} tokens of prompt. Shorten the message or split it into "
            "parts, or choose a larger context size in the model settings."
        )

    # Dropping more turns never makes the prompt longer: find the fewest
    # drops that fit. `low` does not fit (0 was tried), `high` fits.
    low, high = 0, len(turns)
    while high - low > 1:
        middle = (low + high) // 2
        if count_prompt_tokens(with_dropped(middle)) <= budget_tokens:
            high = middle
        else:
            low = middle
    result = with_dropped(high)
    return result, len(kept) - len(result)


def _last_user_index(messages: Sequence[ChatMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == Role.USER:
            return index
    return None


def _group_turns(messages: Sequence[ChatMessage]) -> list[list[ChatMessage]]:
    """Split into turns: each starts at a user message (leftovers form their own)."""
    turns: list[list[ChatMessage]] = []
    for message in messages:
        if message.role == Role.USER or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns
