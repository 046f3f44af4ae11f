"""Run a costly GUI update at most once per interval, merging the calls in between."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    """Calls `action` at most once per `interval_s`; requests in between are merged.

    A request when the interval has passed runs the action at once; a request
    inside the interval arms one timer for its end, and every further request
    until then is covered by that one call. The interval counts from the end
    of the last call, so the caller's loop gets the interval to itself.
    """

    def __init__(self, interval_s: float, action: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_s = interval_s
        self._action = action
        self._last_end = float("-inf")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def is_pending(self) -> bool:
        """Whether a merged call is waiting for the interval to end."""
        return self._timer.isActive()

    def request(self) -> None:
        """Run the action now, or once the interval since the last run has passed."""
        if self._timer.isActive():
            return  # the call already due covers this request too
        wait_s = self._last_end + self.interval_s - time.perf_counter()
        if wait_s <= 0:
            self.run_now()
        else:
            self._timer.start(max(1, round(wait_s * 1000)))

    def run_now(self) -> None:
        """Run the action at once (a pending call is dropped: this one covers it)."""
        self._timer.stop()
        self._action()
        self._last_end = time.perf_counter()

    def cancel(self) -> None:
        """Drop a pending call."""
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.run_now()
