"""What a headless `ponder` command does around its work in a terminal."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from app.core.types import GenerationControl


def quiet_llama_logs(verbose: bool) -> None:
    """llama.cpp's log lines: shown with --verbose, else dropped."""
    logger = logging.getLogger("ponder.llama")
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    else:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


@contextmanager
def ctrl_c_cancels(control: GenerationControl) -> Iterator[None]:
    """Within the block, the first Ctrl+C cancels `control`; a second one interrupts."""

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if control.is_cancelled:
            raise KeyboardInterrupt
        control.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
