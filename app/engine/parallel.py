"""Drive k sequences of one request through their own reply policies, in turn.

`LocalBackend.open_sources` returns k TokenSources that share one decode
session: reading each once per round makes one llama_decode batch per round.
`run_parallel` is that round: every sequence keeps its own `ReplyPolicy`
(Answer now, thinking budget, loop notice, limits, Finished), exactly as
`run_reply` does for one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from app.chat.reply import ReplyPolicy, SourceUsage, TokenSource
from app.core.types import GenerateOptions, GenerationControl, StopReason, StreamEvent


def run_parallel(
    sources: Sequence[TokenSource], options: GenerateOptions, control: GenerationControl
) -> Iterator[tuple[int, StreamEvent]]:
    """Yield (sequence index, event); every sequence ends with exactly one Finished.

    Each round takes one piece from every live sequence. Cancel ends all of
    them; a sequence's end (EOS, its length limit) ends only that one.
    """
    policies = [ReplyPolicy(source.setup, options) for source in sources]
    live = list(range(len(sources)))
    try:
        for index in live:
            for event in policies[index].start():
                yield index, event
        while live:
            for index in list(live):
                source, policy = sources[index], policies[index]
                stop = _step(source, policy, control)
                for event in stop.events:
                    yield index, event
                if stop.reason is not None:
                    live.remove(index)
                    yield from _finish(source, policy, stop.reason, index)
    finally:
        for index in live:
            sources[index].close()


class _Step:
    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.reason: StopReason | None = None


def _step(source: TokenSource, policy: ReplyPolicy, control: GenerationControl) -> _Step:
    step = _Step()
    if control.is_cancelled:
        step.reason = StopReason.CANCELLED
        return step
    kind = policy.close_wanted(control)
    if kind is not None:
        step.events += policy.closed(kind, source.close_reasoning())
    piece = source.next_piece()
    if piece is None:
        step.reason = StopReason.CANCELLED if control.is_cancelled else source.stop_reason
        return step
    step.events += policy.feed(piece)
    step.reason = policy.is_full()
    return step


def _finish(source: TokenSource, policy: ReplyPolicy, reason: StopReason,
            index: int) -> Iterator[tuple[int, StreamEvent]]:
    try:
        usage: SourceUsage = source.usage()
    finally:
        source.close()
    for event in policy.finish(reason, usage):
        yield index, event
