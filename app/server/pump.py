"""One reply's blocking stream, run in its own thread, read from the event loop.

The model host's streams block (waiting for the turn, then llama.cpp), so
each request runs its stream in a thread of its own and hands the events to
the server's event loop through an asyncio queue. The pump also applies the
request's stop sequences to the answer and cancels the reply once one is
found, so generation stops within one token, and it cancels the reply when
the client goes away.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator

from app.core.errors import PonderError
from app.core.types import (
    Channel,
    Finished,
    GenerationControl,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.server.stops import StopMatcher

log = logging.getLogger(__name__)

DISCONNECT_POLL_S = 0.2
"""How often a client waiting for its first token is checked for a disconnect."""

FINISH_REASONS: dict[StopReason, str] = {
    StopReason.EOS: "stop",
    StopReason.MAX_TOKENS: "length",
    StopReason.CONTEXT_FULL: "length",
    StopReason.CANCELLED: "stop",
    StopReason.ERROR: "stop",
}
"""Why a reply ended -> OpenAI's finish_reason."""

_END = object()


class ClientGone(Exception):
    """The client disconnected before its reply was complete."""


class ReplyPump:
    """Runs `produce()` in a thread; `next()` hands its events to the event loop.

    Must be created on the event loop's thread.

    Args:
        produce: the blocking stream (a ModelHost stream or a raw completion).
        control: the reply's control; cancelled when the client goes away.
        stops: stop sequences applied to the answer text.
        on_done: called in the thread when the stream has ended (any way).
    """

    def __init__(
        self,
        produce: Callable[[], Iterator[StreamEvent]],
        control: GenerationControl,
        stops: tuple[str, ...] = (),
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.control = control
        self._produce = produce
        self._on_done = on_done
        self._matcher = StopMatcher(stops)
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._thread = threading.Thread(target=self._run, name="ponder-api-reply", daemon=True)
        self.is_stopped_by_sequence = False
        """A stop sequence ended the reply (finish_reason "stop")."""

    def start(self) -> None:
        """Start the stream's thread."""
        self._thread.start()

    def finish_reason(self, finished: Finished) -> str:
        """OpenAI's finish_reason for the reply that ended with `finished`."""
        if self.is_stopped_by_sequence:
            return "stop"
        return FINISH_REASONS.get(finished.stats.stop_reason, "stop")

    # -- the thread ---------------------------------------------------------

    def _run(self) -> None:
        try:
            for event in self._produce():
                for item in self._filter(event):
                    self._put(item)
        except BaseException as exc:
            if not isinstance(exc, PonderError):
                log.exception("an API reply failed")
            self._put(exc)
        finally:
            self._put(_END)
            if self._on_done is not None:
                self._on_done()

    def _filter(self, event: StreamEvent) -> list[StreamEvent]:
        if isinstance(event, TextDelta):
            if event.channel is not Channel.ANSWER:
                return [event]
            text = self._matcher.feed(event.text)
            if self._matcher.is_stopped and not self.is_stopped_by_sequence:
                self.is_stopped_by_sequence = True
                self.control.cancel()
            return [TextDelta(Channel.ANSWER, text)] if text else []
        if isinstance(event, Finished):
            tail = self._matcher.flush()
            head: list[StreamEvent] = [TextDelta(Channel.ANSWER, tail)] if tail else []
            return [*head, event]
        return []  # notices are for the window

    def _put(self, item: object) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the server's loop is closed: nobody is listening
            self.control.cancel()

    # -- the event loop -----------------------------------------------------

    async def next(
        self, is_disconnected: Callable[[], Awaitable[bool]] | None = None
    ) -> TextDelta | Finished | None:
        """The next event, or None after the last one.

        Args:
            is_disconnected: checked every DISCONNECT_POLL_S while waiting;
                when it says so the reply is cancelled and ClientGone raised.

        Raises:
            ClientGone: the client disconnected.
            BaseException: whatever the stream raised.
        """
        if is_disconnected is None:
            item = await self._queue.get()
        else:
            # asyncio.wait keeps the one getter across polls, so no event is
            # lost to a timeout that races with its arrival.
            getter = asyncio.ensure_future(self._queue.get())
            while not (await asyncio.wait({getter}, timeout=DISCONNECT_POLL_S))[0]:
                if await is_disconnected():
                    getter.cancel()
                    self.control.cancel()
                    raise ClientGone()
            item = getter.result()
        if item is _END:
            return None
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, TextDelta | Finished)
        return item
