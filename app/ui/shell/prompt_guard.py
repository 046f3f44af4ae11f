"""A message far longer than the model's context is refused at once, not sent.

Pasting a megabyte of text and pressing Enter used to store the message (a
1 MB write on the GUI thread), lay the whole text out in the conversation
(most of a second) and only then hear from the engine that it does not fit.
The guard sits between the composer and the controller: a message with more
characters than the context could hold even at a generous number of
characters per token gets the context message right away, as a notice, and
the text goes back into the composer for shortening. Anything shorter takes
the normal path, where the engine counts the tokens exactly.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject

from app.ui.common.i18n import fill

MAX_CHARS_PER_TOKEN = 16
"""More characters than any tokenizer packs into one token of ordinary text."""

NOTICE_NAME = "prompt_too_long"


def too_long_message(text: str, n_ctx: int | None) -> str | None:
    """The context message when `text` cannot fit a context of `n_ctx` tokens, else None."""
    if not n_ctx or len(text) <= n_ctx * MAX_CHARS_PER_TOKEN:
        return None
    return fill(QCoreApplication.translate(
        "PromptGuard",
        "This message is too long for the model: it has %1 characters, far more than its "
        "context of %2 tokens can hold. Shorten the message or split it into parts, or "
        "choose a larger context size in the model settings."),
        f"{len(text):,}", f"{n_ctx:,}")


class PromptGuard(QObject):
    """Routes the composer's sends to the controller, refusing hopeless ones."""

    def __init__(self, window: Any, controller: Any) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        composer = window.composer
        composer.send_requested.disconnect(controller._on_composer_send_requested)
        composer.send_requested.connect(self._on_composer_send_requested)

    def _n_ctx(self) -> int | None:
        info = getattr(self.controller, "backend_info", None)
        return int(info.n_ctx) if info is not None and info.n_ctx else None

    def _on_composer_send_requested(self, text: str) -> None:
        message = too_long_message(text, self._n_ctx())
        if message is None:
            old = self.window.notices.named(NOTICE_NAME)
            if old is not None:
                old.dismiss()
            self.controller._on_composer_send_requested(text)
            return
        self.window.composer.set_text(text)  # given back, to shorten
        old = self.window.notices.named(NOTICE_NAME)
        if old is not None:
            old.dismiss()
        self.window.notices.add(message, name=NOTICE_NAME)
        self.controller.error_shown.emit(message)
