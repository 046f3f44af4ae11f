"""Split a streamed reply into its think block (reasoning) and its answer.

The rules, shared by the streaming `ReasoningSplitter` and the one-shot
reference `split_reasoning`:

- An opening tag at the very start of the output (after optional whitespace)
  starts reasoning. With `starts_in_reasoning` (the prompt already opened the
  think block) the output is reasoning from the start; a redundant opening tag
  there is dropped too.
- Whitespace at the start of the reasoning is dropped.
- Reasoning ends at the first closing tag; the whitespace right after it
  (usually "\\n\\n") is dropped, and everything after it is the answer.
  Tags inside the answer are plain text.
- Output that does not open with the tag is all answer, leading whitespace
  included (unless `starts_in_reasoning`: then all of it is reasoning until a
  closing tag).
"""

from __future__ import annotations

from enum import Enum

from app.core.types import Channel, TextDelta


def split_reasoning(
    text: str,
    starts_in_reasoning: bool = False,
    open_tag: str = "<think>",
    close_tag: str = "</think>",
) -> tuple[str, str]:
    """Split a complete reply into (reasoning, answer); see the module rules."""
    stripped = text.lstrip()
    if stripped.startswith(open_tag):
        rest = stripped[len(open_tag) :]
    elif starts_in_reasoning:
        rest = stripped
    else:
        return "", text
    rest = rest.lstrip()
    end = rest.find(close_tag)
    if end < 0:
        return rest, ""
    return rest[:end], rest[end + len(close_tag) :].lstrip()


class _State(Enum):
    LEAD = "lead"
    """Before the first non-whitespace text: is there an opening tag?"""
    REASONING_START = "reasoning_start"
    """Just inside the think block: dropping leading whitespace."""
    REASONING = "reasoning"
    """Inside the think block, looking for the closing tag."""
    AFTER_CLOSE = "after_close"
    """Just after the closing tag: dropping whitespace."""
    ANSWER = "answer"
    """Everything else is answer."""


class ReasoningSplitter:
    """Streaming version of `split_reasoning`: feed chunks, get channel deltas.

    Tags may straddle chunk boundaries; only text that could still be the
    start of a tag is held back. Work is linear in the total text.

    Args:
        open_tag: the tag that opens the think block.
        close_tag: the tag that closes it.
        starts_in_reasoning: the prompt already opened the think block.
    """

    def __init__(
        self,
        open_tag: str = "<think>",
        close_tag: str = "</think>",
        starts_in_reasoning: bool = False,
    ) -> None:
        if not open_tag or not close_tag:
            raise ValueError("think tags must not be empty")
        self._open = open_tag
        self._close = close_tag
        self._starts_in_reasoning = starts_in_reasoning
        self._state = _State.LEAD
        self._lead_space: list[str] = []  # whitespace seen before a decision
        self._lead_tag = ""  # the part of the opening tag matched so far
        self._hold = ""  # possible start of the closing tag (REASONING only)
        self._reasoning: list[str] = []
        self._answer: list[str] = []
        self._queued: list[TextDelta] = []  # output made outside feed/flush

    @property
    def in_reasoning(self) -> bool:
        """True while text goes to the reasoning channel."""
        if self._state == _State.LEAD:
            return self._starts_in_reasoning
        return self._state in (_State.REASONING_START, _State.REASONING)

    @property
    def reasoning(self) -> str:
        """All reasoning emitted so far (joins the parts: O(length))."""
        return _joined(self._reasoning)

    @property
    def answer(self) -> str:
        """All answer text emitted so far (joins the parts: O(length))."""
        return _joined(self._answer)

    def feed(self, text: str) -> list[TextDelta]:
        """Take the next chunk of output; return the deltas it settles."""
        out, self._queued = self._queued, []
        pos = 0
        while pos < len(text):
            pos = self._step(text, pos, out)
        return out

    def flush(self) -> list[TextDelta]:
        """End of stream: emit whatever was held back."""
        out, self._queued = self._queued, []
        if self._state == _State.LEAD:
            if self._starts_in_reasoning:
                self._emit(out, Channel.REASONING, self._lead_tag)
                self._state = _State.REASONING
            else:
                self._emit(out, Channel.ANSWER, "".join(self._lead_space) + self._lead_tag)
                self._state = _State.ANSWER
            self._lead_space, self._lead_tag = [], ""
        elif self._state == _State.REASONING:
            self._emit(out, Channel.REASONING, self._hold)
            self._hold = ""
        return out

    def close_reasoning(self) -> None:
        """The engine closed the think block itself ("Answer now").

        Held-back text goes to reasoning (returned by the next feed or flush)
        and what follows is answer. No effect when not in reasoning.
        """
        if not self.in_reasoning:
            return
        if self._state == _State.LEAD:
            self._emit(self._queued, Channel.REASONING, self._lead_tag)
            self._lead_space, self._lead_tag = [], ""
        elif self._state == _State.REASONING:
            self._emit(self._queued, Channel.REASONING, self._hold)
            self._hold = ""
        self._state = _State.AFTER_CLOSE

    # -- the state machine -------------------------------------------------

    def _step(self, text: str, pos: int, out: list[TextDelta]) -> int:
        """Consume text from `pos` in the current state; return the new position."""
        state = self._state
        if state == _State.ANSWER:
            self._emit(out, Channel.ANSWER, text[pos:])
            return len(text)
        if state in (_State.REASONING_START, _State.AFTER_CLOSE):
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos < len(text):
                self._state = _State.REASONING if state == _State.REASONING_START else _State.ANSWER
            return pos
        if state == _State.REASONING:
            return self._step_reasoning(text, pos, out)
        return self._step_lead(text, pos, out)

    def _step_lead(self, text: str, pos: int, out: list[TextDelta]) -> int:
        # Character by character, but only until the first non-space text
        # decides the case, so this is short.
        while pos < len(text):
            char = text[pos]
            if not self._lead_tag and char.isspace():
                self._lead_space.append(char)
                pos += 1
                continue
            candidate = self._lead_tag + char
            if self._open.startswith(candidate):
                pos += 1
                self._lead_tag = candidate
                if candidate == self._open:
                    self._lead_space, self._lead_tag = [], ""
                    self._state = _State.REASONING_START
                    return pos
                continue
            # Not an opening tag: the case is decided.
            if self._starts_in_reasoning:
                # Leading whitespace is dropped from reasoning; re-read the
                # matched tag part as reasoning text (it may hold a "<").
                self._hold = self._lead_tag
                self._state = _State.REASONING
            else:
                self._emit(out, Channel.ANSWER, "".join(self._lead_space) + self._lead_tag)
                self._state = _State.ANSWER
            self._lead_space, self._lead_tag = [], ""
            return pos
        return pos

    def _step_reasoning(self, text: str, pos: int, out: list[TextDelta]) -> int:
        buffer = self._hold + text[pos:]
        self._hold = ""
        end = buffer.find(self._close)
        if end >= 0:
            self._emit(out, Channel.REASONING, buffer[:end])
            self._state = _State.AFTER_CLOSE
            # Continue after the tag; express it as a position in `text`.
            consumed = end + len(self._close) - (len(buffer) - (len(text) - pos))
            return pos + consumed
        keep = _partial_suffix(buffer, self._close)
        self._emit(out, Channel.REASONING, buffer[: len(buffer) - keep])
        self._hold = buffer[len(buffer) - keep :]
        return len(text)

    def _emit(self, out: list[TextDelta], channel: Channel, text: str) -> None:
        if not text:
            return
        (self._reasoning if channel == Channel.REASONING else self._answer).append(text)
        if out and out[-1].channel == channel:
            out[-1] = TextDelta(channel, out[-1].text + text)
        else:
            out.append(TextDelta(channel, text))


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    longest = min(len(tag) - 1, len(text))
    first = text.find(tag[0], len(text) - longest)
    if first < 0:
        return 0  # the usual case: no tag start near the end
    for length in range(len(text) - first, 0, -1):
        if text.endswith(tag[:length]):
            return length
    return 0


def _joined(parts: list[str]) -> str:
    if len(parts) > 1:
        parts[:] = ["".join(parts)]
    return parts[0] if parts else ""
