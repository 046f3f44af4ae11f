""""Is my answer right?" in the window, and the saved checks of a message.

The student's answer is compared with the model's boxed answer by the
MathJudge (a worker process) on a TaskThread; the verdict goes to the
StudentAnswer row of whichever widget shows the message now and is saved
with the message (kind "student"). `load_check`/`save_check` here are the
window's door to ChatStore's saved checks for both kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.core.errors import PonderError
from app.ui.chat.message_widget import MessageWidget
from app.ui.shell.controller import ChatController
from app.ui.threads.model_tasks import TaskThread
from app.ui.threads.tutor_tasks import MathJudge, StudentVerdict, Verdict, student_job

log = logging.getLogger(__name__)

VOTE = "vote"
STUDENT = "student"
"""The kinds of saved checks (ChatStore.save_check)."""


def load_check(controller: ChatController, message_id: int,
               kind: str) -> dict[str, object] | None:
    """The message's saved check of `kind`, or None (also when it cannot be read)."""
    try:
        return controller.store.load_check(message_id, kind)
    except PonderError as exc:
        log.warning("saved %s check of message %d unreadable: %s", kind, message_id, exc)
        return None


def save_check(controller: ChatController, message_id: int, kind: str,
               data: dict[str, object]) -> None:
    """Keep a check with its message; tell the user when it cannot be saved."""
    store = controller.store
    try:
        store.save_check(message_id, data, kind)
    except PonderError as exc:
        log.warning("%s check of message %d not saved: %s", kind, message_id, exc)
        try:
            store.get_message(message_id)
        except PonderError:
            return  # the message was deleted meanwhile: nothing to keep the check with
        controller.show_error(str(exc))


class StudentChecks(QObject):
    """Runs "Is my answer right?" off the GUI thread and shows the verdicts.

    Signals:
        checked(int): the verdict for this message shows (and is saved).
    """

    checked = Signal(int)

    def __init__(self, controller: ChatController, judge: Callable[[], MathJudge],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._judge = judge
        self._threads: dict[int, TaskThread] = {}

    @property
    def threads(self) -> list[TaskThread]:
        """The comparisons running now."""
        return list(self._threads.values())

    def _widget(self, message_id: int) -> MessageWidget | None:
        return self.controller.window.chat_view.widget_for(message_id)

    def restore(self, widget: MessageWidget) -> None:
        """Show the running comparison or the saved verdict of the widget's message."""
        mid = widget.message_id
        if mid in self._threads:
            widget.student_answer.show_checking()
            return
        saved = load_check(self.controller, mid, STUDENT)
        if saved is None:
            return
        try:
            verdict = Verdict(str(saved.get("verdict")))
        except ValueError:
            return
        widget.student_answer.show_verdict(verdict, reason=str(saved.get("reason", "")),
                                           answer=str(saved.get("answer", "")))

    def check(self, message_id: int, answer: str) -> None:
        """Compare the student's `answer` with the model's final answer."""
        widget = self._widget(message_id)
        if widget is None or not widget.data.boxed or message_id in self._threads:
            return
        widget.student_answer.show_checking()
        thread = TaskThread(student_job(self._judge(), widget.data.boxed, answer), self)
        thread.setObjectName("ponder-student-check")
        self._threads[message_id] = thread

        def done(verdict: object) -> None:
            self._threads.pop(message_id, None)
            if not isinstance(verdict, StudentVerdict):
                return
            save_check(self.controller, message_id, STUDENT,
                       {"answer": answer, "verdict": verdict.verdict.value,
                        "reason": verdict.reason})
            shown = self._widget(message_id)
            if shown is not None:
                shown.student_answer.show_verdict(verdict.verdict, reason=verdict.reason)
            self.checked.emit(message_id)

        def failed(message: str) -> None:
            self._threads.pop(message_id, None)
            shown = self._widget(message_id)
            if shown is not None:
                shown.student_answer.show_failure(message)
            self.checked.emit(message_id)

        thread.succeeded.connect(done)
        thread.failed.connect(failed)
        thread.finished.connect(thread.deleteLater)
        thread.start()
