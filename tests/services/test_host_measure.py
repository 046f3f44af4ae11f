"""The context meter measures on its own thread: the host never frees the model under it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from app.core.types import ChatMessage, GenerateOptions, PromptMeasure, Role
from app.engine.fake import FakeBackend
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource


class SlowMeasure(FakeBackend):
    """Measures slowly and records whether it was closed mid-measure."""

    closed_while_measuring = False

    def measure_prompt(self, messages: Sequence[ChatMessage], options: GenerateOptions
                       ) -> PromptMeasure:
        time.sleep(0.3)
        if self.is_closed:
            self.closed_while_measuring = True
        return super().measure_prompt(messages, options)


def test_unload_waits_for_a_running_measure() -> None:
    backend = SlowMeasure("", "ok")
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource()))
    results: list[PromptMeasure | None] = []
    measuring = threading.Thread(target=lambda: results.append(
        host.measure([ChatMessage(Role.USER, "hi")], GenerateOptions())))
    measuring.start()
    time.sleep(0.05)
    host.unload()  # must wait for the measure, not free the model under it
    measuring.join()
    assert results and results[0] is not None and results[0].tokens > 0
    assert backend.is_closed and not backend.closed_while_measuring
    assert host.measure([ChatMessage(Role.USER, "hi")], GenerateOptions()) is None
