"""Shape a conversation for one model family before its template renders it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.chat.profile import ModelProfile
from app.chat.template import ChatTemplate
from app.core.types import ChatMessage, Role


@dataclass(frozen=True)
class BuiltPrompt:
    """A prompt ready for the tokenizer.

    Attributes:
        text: the rendered prompt, generation suffix included.
        starts_in_reasoning: the prompt ends inside an open think block, so
            the reply's first words are reasoning (pass this to the
            ReasoningSplitter).
    """

    text: str
    starts_in_reasoning: bool


def build_prompt(
    template: ChatTemplate,
    messages: Sequence[ChatMessage],
    profile: ModelProfile,
    math_mode: bool = False,
) -> BuiltPrompt:
    """prepare_messages, render, and generation_suffix in one call.

    Raises:
        ModelFileError: the template failed to render.
    """
    rendered = template.render(prepare_messages(messages, profile, math_mode))
    text = rendered + generation_suffix(rendered, profile)
    return BuiltPrompt(text, prompt_opens_reasoning(text, profile))


def prepare_messages(
    messages: Sequence[ChatMessage], profile: ModelProfile, math_mode: bool = False
) -> list[ChatMessage]:
    """Apply the family's rules to a conversation.

    - Families without system prompts (R1) get the system text at the start
      of the first user turn, separated by a blank line.
    - In math mode the family's math instruction is appended to the last user
      turn (after a blank line), unless that turn already contains it.
    - Assistant turns keep only their answer: no reasoning, and any think
      block left inside `content` is cut off.

    Args:
        messages: the conversation, oldest first.
        profile: the model family's rules.
        math_mode: add the math instruction.

    Returns:
        A new list; the input is not changed.
    """
    system_texts = [m.content for m in messages if m.role == Role.SYSTEM and m.content.strip()]
    keep_system = profile.allows_system_prompt
    result: list[ChatMessage] = []
    for message in messages:
        if message.role == Role.SYSTEM:
            if keep_system:
                result.append(ChatMessage(Role.SYSTEM, message.content))
            continue
        if message.role == Role.ASSISTANT:
            result.append(ChatMessage(Role.ASSISTANT, _answer_only(message.content, profile)))
        else:
            result.append(ChatMessage(message.role, message.content))

    if not keep_system and system_texts:
        system = "\n\n".join(text.strip() for text in system_texts)
        first_user = _index_of_user(result, last=False)
        if first_user is None:
            result.insert(0, ChatMessage(Role.USER, system))
        else:
            user = result[first_user]
            merged = f"{system}\n\n{user.content}" if user.content else system
            result[first_user] = ChatMessage(Role.USER, merged)

    if math_mode:
        last_user = _index_of_user(result, last=True)
        if last_user is not None:
            user = result[last_user]
            if profile.math_instruction not in user.content:
                body = user.content.rstrip()
                text = f"{body}\n\n{profile.math_instruction}" if body else profile.math_instruction
                result[last_user] = ChatMessage(Role.USER, text)
    return result


def generation_suffix(rendered: str, profile: ModelProfile) -> str:
    """Text to append after the rendered prompt so the reply starts thinking.

    Args:
        rendered: the prompt rendered with the generation prompt.
        profile: the model family's rules.

    Returns:
        `think_open + "\\n"` when the family forces thinking and the prompt
        does not already end with the open tag (with or without the newline);
        else "".
    """
    if not profile.force_think:
        return ""
    if _ends_with_open_tag(rendered, profile):
        return ""
    return profile.think_open + "\n"


def prompt_opens_reasoning(rendered_with_suffix: str, profile: ModelProfile) -> bool:
    """True when the prompt ends inside an open think block.

    Then the model's first words are reasoning, and the output holds only the
    closing tag. Only the end of the prompt counts: a `<think>` the user typed
    earlier in the conversation does not.

    Args:
        rendered_with_suffix: the full prompt, generation suffix included.
        profile: the model family's rules.
    """
    return _ends_with_open_tag(rendered_with_suffix, profile)


def _ends_with_open_tag(text: str, profile: ModelProfile) -> bool:
    # Look at the tail only: the prompt can be very long.
    tail = text[-(len(profile.think_open) + 16) :]
    return tail.rstrip().endswith(profile.think_open)


def _answer_only(content: str, profile: ModelProfile) -> str:
    close = content.rfind(profile.think_close)
    if close < 0:
        return content
    return content[close + len(profile.think_close) :].lstrip()


def _index_of_user(messages: Sequence[ChatMessage], last: bool) -> int | None:
    indices = range(len(messages) - 1, -1, -1) if last else range(len(messages))
    for index in indices:
        if messages[index].role == Role.USER:
            return index
    return None


TOKENS_PER_MESSAGE = 4
"""Template glue per message in an estimate (role markers, separators)."""


def estimate_prompt_tokens(
    messages: Sequence[ChatMessage], count_tokens: Callable[[str], int]
) -> int:
    """Prompt tokens of `messages` as sent (answers only, no reasoning), estimated."""
    return sum(count_tokens(m.content) + TOKENS_PER_MESSAGE for m in messages)
