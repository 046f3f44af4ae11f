"""Sentences the backends show when the think block is closed for the user."""

from __future__ import annotations

from app.core.types import NoticeKind


def close_message(kind: NoticeKind, budget: int | None) -> str:
    """The notice text for Answer now (ANSWER_NOW) or a spent thinking budget."""
    if kind is NoticeKind.BUDGET_REACHED:
        return f"The thinking budget of {budget:,} tokens ran out; the answer follows."
    return "Stopped thinking on request; the answer follows."
