"""Turn a conversation into the exact prompt tokens a local model sees.

The model's own chat template renders the messages (after the family's rules
from app.chat.prompt), the reasoning suffix (`<think>\\n` for R1) is appended
when the template does not write it, and the text is tokenized with special
tokens parsed and without a second BOS when the template already printed one.
Fitting to the context drops the oldest turns and, before that, shortens the
room left for the reply down to a floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.chat.profile import ModelProfile
from app.chat.prompt import generation_suffix, prepare_messages, prompt_opens_reasoning
from app.chat.template import ChatTemplate
from app.chat.trim import trim_to_fit
from app.core.types import ChatMessage, Role

Tokenizer = Callable[[str, bool], list[int]]
"""(text, add_bos) -> token ids, special tokens parsed."""

MIN_REPLY_TOKENS = 256
"""The reply room is never shrunk below this (or max_tokens, if smaller)."""


@dataclass(frozen=True)
class BuiltPrompt:
    """One rendered and tokenized prompt.

    Attributes:
        text: the prompt text, suffix included.
        tokens: its token ids, as fed to the model.
        starts_in_reasoning: the prompt ends inside an open think block.
    """

    text: str
    tokens: list[int]
    starts_in_reasoning: bool


@dataclass(frozen=True)
class FittedPrompt:
    """A prompt that fits the context, with the reply room it leaves.

    Attributes:
        prompt: the built prompt.
        max_tokens: tokens the reply may use (<= the requested max_tokens).
        dropped_messages: messages left out from the start.
    """

    prompt: BuiltPrompt
    max_tokens: int
    dropped_messages: int


class PromptBuilder:
    """Renders and tokenizes conversations for one loaded model.

    Args:
        template: the chat template (the file's own or an override).
        profile: the model family's rules.
        tokenize: the model's tokenizer.
        bos_text: the text of the BOS token ("" if the model has none).
    """

    def __init__(
        self, template: ChatTemplate, profile: ModelProfile, tokenize: Tokenizer, bos_text: str
    ) -> None:
        self.template = template
        self.profile = profile
        self._tokenize = tokenize
        self._bos_text = bos_text

    def render(self, prepared: Sequence[ChatMessage]) -> str:
        """Template render plus the reasoning suffix, for already prepared messages."""
        rendered = self.template.render(prepared, add_generation_prompt=True)
        return rendered + generation_suffix(rendered, self.profile)

    def tokenize_prompt(self, text: str) -> list[int]:
        """Tokenize prompt text; BOS is added only if the template did not print it."""
        has_bos = bool(self._bos_text) and text.startswith(self._bos_text)
        return self._tokenize(text, not has_bos)

    def build(self, prepared: Sequence[ChatMessage]) -> BuiltPrompt:
        """Render and tokenize prepared messages."""
        text = self.render(prepared)
        return BuiltPrompt(
            text=text,
            tokens=self.tokenize_prompt(text),
            starts_in_reasoning=prompt_opens_reasoning(text, self.profile),
        )

    def prepare(self, messages: Sequence[ChatMessage], math_mode: bool) -> list[ChatMessage]:
        """Apply the family's rules (no system prompt for R1, answers only, math)."""
        return prepare_messages(messages, self.profile, math_mode=math_mode)

    def fit(
        self,
        messages: Sequence[ChatMessage],
        n_ctx: int,
        max_tokens: int,
        math_mode: bool = False,
    ) -> FittedPrompt:
        """Build a prompt that leaves room for the reply inside `n_ctx`.

        First the reply room shrinks (down to MIN_REPLY_TOKENS or max_tokens,
        whichever is smaller); only if that is not enough are the oldest turns
        dropped.

        Raises:
            ContextOverflowError: the newest message alone does not fit.
        """
        messages, partial = split_continuation(messages)
        prepared = self.prepare(messages, math_mode)
        built = self._with_continuation(self.build(prepared), partial)
        floor = max(1, min(max_tokens, MIN_REPLY_TOKENS, n_ctx // 2))
        if len(built.tokens) + floor <= n_ctx:
            room = min(max_tokens, n_ctx - len(built.tokens))
            return FittedPrompt(built, room, 0)

        # Trim the turns as given, then apply the family's rules: a leading system
        # message is always kept, and for R1 it is folded into the first turn kept
        # (trimming the folded list would drop it with the oldest turn).
        def count(candidate: Sequence[ChatMessage]) -> int:
            return len(self.tokenize_prompt(self.render(self.prepare(candidate, math_mode))))

        extra = len(self._tokenize(continuation_text(partial, True, self.profile), False))
        kept, dropped = trim_to_fit(messages, count, n_ctx - floor - extra)
        built = self._with_continuation(self.build(self.prepare(kept, math_mode)), partial)
        room = min(max_tokens, n_ctx - len(built.tokens))
        return FittedPrompt(built, room, dropped)

    def _with_continuation(self, built: BuiltPrompt, partial: ChatMessage | None) -> BuiltPrompt:
        """Append a stopped reply's text so that generation picks up where it ended."""
        if partial is None:
            return built
        text = built.text + continuation_text(partial, built.starts_in_reasoning, self.profile)
        return BuiltPrompt(
            text=text,
            tokens=self.tokenize_prompt(text),
            # inside the think block when the stopped reply had not reached its answer
            starts_in_reasoning=(built.starts_in_reasoning or bool(partial.reasoning))
            and not partial.content,
        )


def split_continuation(
    messages: Sequence[ChatMessage],
) -> tuple[Sequence[ChatMessage], ChatMessage | None]:
    """Separate a trailing assistant message: a stopped reply to continue.

    A conversation that ends with the assistant's turn asks the model to go on
    with that turn (the "Continue" button), not to start a new one.
    """
    if len(messages) >= 2 and messages[-1].role is Role.ASSISTANT:
        return messages[:-1], messages[-1]
    return messages, None


def continuation_text(
    partial: ChatMessage | None, prompt_opens_think: bool, profile: ModelProfile
) -> str:
    """The text of a stopped reply as the model wrote it, think block included.

    Args:
        partial: the stopped reply (reasoning and answer kept apart).
        prompt_opens_think: the prompt already ends with the opening tag.
        profile: the model family's tags.
    """
    if partial is None:
        return ""
    text = ""
    if partial.reasoning or prompt_opens_think:
        if not prompt_opens_think:
            text += f"{profile.think_open}\n"
        text += partial.reasoning
        if partial.content:
            text += f"\n{profile.think_close}\n\n"
    return text + partial.content
