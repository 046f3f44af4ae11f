"""Hints mode: the model gives the next step only; a final answer stays hidden until revealed.

The "Hints" preset (app.services.sampling.PRESETS) sets `GenerateOptions.hints`.
The instruction goes on the LATEST user turn when the prompt is built
(`hint_messages`): R1 takes no system prompt, and the first turn is the first
one dropped when a long chat no longer fits. A "Next hint" follow-up is a
plain user turn (`NEXT_HINT_TEXT`) that always gets the instruction.

If a `\\boxed{}` answer appears anyway, `hidden_answer` replaces it with a
placeholder and `hint_view` hides the reasoning too (it holds the whole
solution) until the user reveals that message. Which answers were written in
hints mode and which were revealed is kept in the conversation's settings
JSON under `HINTS_KEY` (`{"answers": [ids], "revealed": [ids]}`), so the
reveal is per message and survives a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.braces import closing_brace
from app.core.types import ChatMessage, Role
from app.store.chat_store import ChatStore
from app.store.records import ConversationTree

HINT_INSTRUCTION = (
    "Hints mode: reply with only the next step, as a short hint. Do not solve the "
    "whole problem and do not give the final answer."
)
"""Put after the latest user turn while hints mode is on."""

NEXT_HINT_TEXT = "Next hint, please."
"""The follow-up turn the "Next hint" button sends."""

ANSWER_PLACEHOLDER = "\\boxed{?}"
"""Stands where a hidden \\boxed{...} answer was (drawn as a box with a question mark)."""

HINTS_KEY = "hints"
"""The key of the hints state in a conversation's settings JSON."""

_BOX_OPENERS = ("\\boxed{", "\\fbox{")


def hint_messages(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """`messages` with the hint instruction after the latest user turn only.

    A turn that already holds the instruction is left as it is; no other turn
    is changed (the stored conversation never holds the instruction).
    """
    result = list(messages)
    for index in range(len(result) - 1, -1, -1):
        message = result[index]
        if message.role is not Role.USER:
            continue
        if HINT_INSTRUCTION not in message.content:
            body = message.content.rstrip()
            text = f"{body}\n\n{HINT_INSTRUCTION}" if body else HINT_INSTRUCTION
            result[index] = ChatMessage(Role.USER, text, message.reasoning)
        break
    return result


def asks_for_hints(messages: Sequence[ChatMessage], hints: bool) -> bool:
    """Whether this prompt is a hints-mode turn: the preset says so, or it follows "Next hint"."""
    if hints:
        return True
    latest = next((m for m in reversed(messages) if m.role is Role.USER), None)
    return latest is not None and latest.content.strip() == NEXT_HINT_TEXT


def hidden_answer(text: str) -> tuple[str, bool]:
    """`text` with every \\boxed{...} replaced by ANSWER_PLACEHOLDER.

    A box still being written (no closing brace yet) is hidden up to the end.

    Returns:
        (the text to show, whether anything was hidden).
    """
    pieces: list[str] = []
    position = 0
    hidden = False
    while True:
        start, opener = _next_box(text, position)
        if start < 0:
            break
        end = closing_brace(text, start + len(opener) - 1)  # the opener ends at its `{`
        pieces.append(text[position:start])
        pieces.append(ANSWER_PLACEHOLDER)
        hidden = True
        if end < 0:
            position = len(text)
            break
        position = end + 1
    pieces.append(text[position:])
    return "".join(pieces), hidden


def _next_box(text: str, position: int) -> tuple[int, str]:
    found = [(text.find(opener, position), opener) for opener in _BOX_OPENERS]
    found = [(index, opener) for index, opener in found if index >= 0]
    return min(found) if found else (-1, "")


@dataclass(frozen=True)
class HintView:
    """What a hint answer shows.

    Attributes:
        content: the answer with any boxed result replaced by the placeholder.
        reasoning_hidden: the reasoning is not shown (it holds the whole solution).
        answer_hidden: a boxed result was replaced.
    """

    content: str
    reasoning_hidden: bool
    answer_hidden: bool

    @property
    def has_hidden(self) -> bool:
        """Whether "Reveal answer" has something to show."""
        return self.reasoning_hidden or self.answer_hidden


def hint_view(content: str, reasoning: str, revealed: bool) -> HintView:
    """How a hint answer is shown: everything once revealed, else box and reasoning hidden."""
    if revealed:
        return HintView(content, False, False)
    shown, hidden = hidden_answer(content)
    return HintView(shown, bool(reasoning.strip()), hidden)


@dataclass(frozen=True)
class HintState:
    """A conversation's hints: answers written in hints mode, and those revealed."""

    answers: frozenset[int] = frozenset()
    revealed: frozenset[int] = frozenset()


def hint_state(store: ChatStore, conversation_id: int) -> HintState:
    """The stored hints state of a conversation (empty when it has none)."""
    raw = store.get_conversation(conversation_id).settings.get(HINTS_KEY)
    if not isinstance(raw, dict):
        return HintState()
    return HintState(_ids(raw.get("answers")), _ids(raw.get("revealed")))


def mark_hint_answer(store: ChatStore, conversation_id: int, message_id: int,
                     is_hint: bool = True) -> HintState:
    """Remember whether the reply `message_id` (just started) is written in hints mode.

    A new reply is never revealed; `is_hint=False` forgets the id (SQLite may
    give a deleted message's id to a new one).
    """
    state = hint_state(store, conversation_id)
    answers = state.answers | {message_id} if is_hint else state.answers - {message_id}
    new = HintState(answers, state.revealed - {message_id})
    if new != state:
        _save(store, conversation_id, new)
    return new


def reveal(store: ChatStore, conversation_id: int, message_id: int) -> HintState:
    """Remember that the user revealed the answer of `message_id`."""
    state = hint_state(store, conversation_id)
    new = HintState(state.answers, state.revealed | {message_id})
    _save(store, conversation_id, new)
    return new


def _save(store: ChatStore, conversation_id: int, state: HintState) -> None:
    settings = dict(store.get_conversation(conversation_id).settings)
    settings[HINTS_KEY] = {"answers": sorted(state.answers), "revealed": sorted(state.revealed)}
    store.set_conversation_settings(conversation_id, settings)


def _ids(value: object) -> frozenset[int]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool))


def carry_hints(store: ChatStore, conversation_id: int, tree: ConversationTree) -> None:
    """After `tree` (an export) was imported as `conversation_id`, keep its hints.

    The exported state names the exported messages; the store inserted the
    tree's messages in order, so the copies' ids follow the same order.
    """
    raw = tree.settings.get(HINTS_KEY)
    if not isinstance(raw, dict):
        return
    copies = [m.key for m in store.load_tree(conversation_id).messages]
    mapping = dict(zip((m.key for m in tree.messages), copies, strict=True))
    state = HintState(
        frozenset(mapping[i] for i in _ids(raw.get("answers")) if i in mapping),
        frozenset(mapping[i] for i in _ids(raw.get("revealed")) if i in mapping))
    _save(store, conversation_id, state)
