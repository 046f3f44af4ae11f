"""Every render test fails if the renderer had to use its plain-text safety net."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class _ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def _no_render_errors() -> Iterator[None]:
    recorder = _ErrorRecorder()
    logger = logging.getLogger("app.render")
    logger.addHandler(recorder)
    try:
        yield
    finally:
        logger.removeHandler(recorder)
    assert recorder.messages == [], f"renderer fell back to plain text: {recorder.messages}"
