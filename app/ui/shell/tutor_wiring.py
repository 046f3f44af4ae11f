"""The tutor in the window: "Check this answer" and "Is my answer right?" wired up.

Every message widget the chat view builds is connected here. Check plans
the vote (how many answers, how long on this computer) and shows the
confirm face of the widget's VotePanel; Start draws the samples through
the worker's ModelHost on a CheckRun thread; the votes, the tokens per
sample and the final result go to the panel of whichever widget shows the
message now (a conversation may be closed and opened again while its check
runs; the text size rebuilds every widget). The final vote is saved with
the message (ChatStore.save_check) and shown again when the message is
shown again; the student's answer is student_checks' (wired here too).
Esc stops every check.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from app.core.errors import PonderError
from app.core.types import GenerateOptions
from app.services.host import NO_MODEL_MESSAGE
from app.services.replies import conversation_prompt
from app.store.settings import Settings
from app.ui.chat.message_widget import MessageWidget
from app.ui.shell.controller import ChatController
from app.ui.shell.student_checks import VOTE, StudentChecks, load_check, save_check
from app.ui.threads.model_tasks import TaskThread
from app.ui.threads.tutor_tasks import (
    CheckPlan,
    CheckRequest,
    CheckRun,
    MathJudge,
    VoteResult,
    plan_job,
)

log = logging.getLogger(__name__)

REPLAN_DELAY_MS = 250
"""A new number of answers is planned once the spin box rests this long."""


@dataclass
class _Run:
    thread: CheckRun
    original: str | None
    tokens: dict[int, int] = field(default_factory=dict)
    result: VoteResult | None = None


class TutorWiring(QObject):
    """Connects the message widgets to the tutor's tasks.

    Args:
        controller: the window's ChatController (store, client, view).
        settings: the settings in use (check_samples, max_tokens).
        options: the options of a reply now (the samples are drawn like it).
        remember_samples: saves a number of answers the user picked.

    Signals:
        check_planned(int): the confirm face of this message's check shows.
        check_started(int): its samples are being drawn.
        check_finished(int): its vote is final (and saved).
        student_checked(int): the verdict on the student's answer shows (and is saved).
    """

    check_planned = Signal(int)
    check_started = Signal(int)
    check_finished = Signal(int)
    student_checked = Signal(int)

    def __init__(self, controller: ChatController,
                 settings: Callable[[], Settings] | None = None,
                 options: Callable[[], GenerateOptions] | None = None,
                 remember_samples: Callable[[int], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or controller)
        self.controller = controller
        self._settings = settings or Settings
        self._options = options or GenerateOptions
        self._remember = remember_samples
        self._judge: MathJudge | None = None
        self._runs: dict[int, _Run] = {}
        self._planning: dict[int, TaskThread] = {}
        self._plans: dict[int, CheckPlan] = {}
        self._first_plans: dict[int, int] = {}
        self._requests: dict[int, CheckRequest] = {}
        self.students = StudentChecks(controller, lambda: self.judge, self)
        """Is my answer right? (the verdicts and their threads)."""
        self.students.checked.connect(self.student_checked)
        self._replan = QTimer(self)
        self._replan.setSingleShot(True)
        self._replan.setInterval(REPLAN_DELAY_MS)
        self._replan.timeout.connect(self._on_replan_timeout)
        self._replan_for: tuple[int, int] = (0, 0)
        window = controller.window
        view = window.chat_view
        view.widget_created.connect(self._on_view_widget_created)
        for widget in view.message_widgets:
            self._on_view_widget_created(widget)
        window.stop_requested.connect(self.stop_all)
        controller.reply_started.connect(self._on_controller_reply_started)
        # Built before the engine client's own hooks: a check holds the model's
        # turn, so it must stop before the client frees the model.
        window.closing.connect(self.shutdown)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.check_action = QAction(window)
        self.check_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.check_action.triggered.connect(self.check_newest)
        window.edit_menu.addAction(self.check_action)
        window.installEventFilter(self)  # the menu entry follows the language
        self.retranslate()

    # --------------------------------------------------------------- helpers

    def retranslate(self) -> None:
        """Set the menu entry's text in the current language."""
        self.check_action.setText(self.tr("Check the newest answer"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    @property
    def judge(self) -> MathJudge:
        """The equivalence judge (its worker process starts at the first comparison)."""
        if self._judge is None:
            self._judge = MathJudge()
        return self._judge

    def _widget(self, message_id: int) -> MessageWidget | None:
        return self.controller.window.chat_view.widget_for(message_id)

    @property
    def running(self) -> list[int]:
        """Messages whose check is drawing samples now."""
        return list(self._runs)

    def _on_view_widget_created(self, widget: object) -> None:
        if not isinstance(widget, MessageWidget):
            return
        widget.check_requested.connect(self.plan)
        widget.check_start_requested.connect(self.start)
        widget.check_samples_changed.connect(self._on_widget_check_samples_changed)
        widget.check_stop_requested.connect(self.stop)
        widget.student_check_requested.connect(self.students.check)
        self._restore(widget)

    def _restore(self, widget: MessageWidget) -> None:
        """Show what is running or saved for the message the widget shows."""
        if not widget.is_checkable:
            return
        mid = widget.message_id
        run = self._runs.get(mid)
        if run is not None:
            panel = widget.vote_panel
            panel.show_running(run.thread.plan.samples, run.original)
            panel.set_tokens(run.tokens)
            if run.result is not None:
                panel.show_vote(run.result, is_final=False)
        else:
            saved = load_check(self.controller, mid, VOTE)
            if saved is not None:
                try:
                    widget.vote_panel.show_vote(VoteResult.from_dict(saved), is_final=True)
                except PonderError as exc:
                    widget.vote_panel.show_error(str(exc))
        self.students.restore(widget)

    # ------------------------------------------------------------- the vote

    def check_newest(self) -> None:
        """Ctrl+Shift+K: open the check of the newest answer that has a final result."""
        for widget in reversed(self.controller.window.chat_view.message_widgets):
            if widget.is_checkable:
                self.plan(widget.message_id)
                return

    def plan(self, message_id: int) -> None:
        """Work out the check of `message_id` and ask the user (the confirm face)."""
        widget = self._widget(message_id)
        if widget is None or not widget.is_checkable or message_id in self._runs:
            return
        panel = widget.vote_panel
        request = self._request_for(message_id)
        if request is None:
            panel.show_error(self.tr("This answer is no longer in the conversation."))
            return
        if self.controller.client.loaded is None:
            panel.show_error(NO_MODEL_MESSAGE)
            return
        self._requests[message_id] = request
        panel.show_planning()
        self._plan_then(message_id, self._settings().check_samples, self._show_plan)

    def _request_for(self, message_id: int) -> CheckRequest | None:
        store = self.controller.store
        try:
            message = store.get_message(message_id)
            path = store.active_path(message.conversation_id)
        except PonderError as exc:
            log.warning("no check for message %d: %s", message_id, exc)
            return None
        ids = [m.id for m in path]
        if message_id not in ids:
            return None
        history = conversation_prompt(store, message.conversation_id, path[:ids.index(message_id)])
        speed = message.stats.get("decode_tps")
        return CheckRequest(history, self._options(), message.content, message.reasoning,
                            float(speed) if isinstance(speed, (int, float)) else 0.0)

    def _plan_then(self, message_id: int, wanted: int | None,
                   then: Callable[[int, CheckPlan], None]) -> None:
        request = self._requests.get(message_id)
        if request is None:
            return
        old = self._planning.pop(message_id, None)
        if old is not None:
            old.cancel()
        job = plan_job(self.controller.client.host, request, wanted, self._settings().max_tokens)
        thread = TaskThread(job, self)
        thread.setObjectName("ponder-check-plan")
        self._planning[message_id] = thread

        def done(plan: object) -> None:
            if self._planning.get(message_id) is thread:
                del self._planning[message_id]
                if isinstance(plan, CheckPlan):
                    then(message_id, plan)

        def failed(message: str) -> None:
            if self._planning.get(message_id) is thread:
                del self._planning[message_id]
                widget = self._widget(message_id)
                if widget is not None:
                    widget.vote_panel.show_error(message)

        thread.succeeded.connect(done)
        thread.failed.connect(failed)
        thread.finished.connect(thread.deleteLater)
        thread.start()

    def _show_plan(self, message_id: int, plan: CheckPlan) -> None:
        self._plans[message_id] = plan
        self._first_plans.setdefault(message_id, plan.samples)
        widget = self._widget(message_id)
        if widget is not None and message_id not in self._runs:
            widget.vote_panel.show_confirm(plan)
            self.check_planned.emit(message_id)

    def _on_widget_check_samples_changed(self, message_id: int, samples: int) -> None:
        self._replan_for = (message_id, samples)
        self._replan.start()

    def _on_replan_timeout(self) -> None:
        message_id, samples = self._replan_for
        self._plan_then(message_id, samples, self._show_plan)

    def start(self, message_id: int, samples: int) -> None:
        """Draw the samples: `samples` answers in all (re-planned if the number changed)."""
        if message_id in self._runs or message_id not in self._requests:
            return
        self._replan.stop()
        plan = self._plans.get(message_id)
        settings = self._settings()
        picked = samples != settings.check_samples and (
            settings.check_samples is not None or samples != self._first_plans.get(message_id))
        if picked and self._remember is not None:
            self._remember(samples)  # the user's number is the default from now on
        if plan is None or plan.samples != samples:
            self._plan_then(message_id, samples, self._start_run)
        else:
            self._start_run(message_id, plan)

    def _start_run(self, message_id: int, plan: CheckPlan) -> None:
        request = self._requests.get(message_id)
        if request is None or message_id in self._runs:
            return
        thread = CheckRun(self.controller.client.host, request, plan, self.judge, self)
        widget = self._widget(message_id)
        original = widget.data.boxed if widget is not None else None
        run = _Run(thread, original)
        self._runs[message_id] = run
        thread.tokens.connect(lambda tokens: self._on_run_tokens(message_id, tokens))
        thread.vote.connect(lambda result: self._on_run_vote(message_id, result, False))
        thread.finished_vote.connect(lambda result: self._on_run_vote(message_id, result, True))
        thread.failed.connect(lambda message: self._on_run_failed(message_id, message))
        thread.finished.connect(lambda: self._on_run_thread_finished(message_id, thread))
        if widget is not None:
            widget.vote_panel.show_running(plan.samples, original)
        thread.start()
        self.check_started.emit(message_id)

    def _on_run_tokens(self, message_id: int, tokens: object) -> None:
        run = self._runs.get(message_id)
        if run is None or not isinstance(tokens, dict):
            return
        run.tokens.update(tokens)
        widget = self._widget(message_id)
        if widget is not None:
            widget.vote_panel.set_tokens(tokens)

    def _on_run_vote(self, message_id: int, result: object, is_final: bool) -> None:
        run = self._runs.get(message_id)
        if run is None or not isinstance(result, VoteResult):
            return
        run.result = result
        if is_final:
            del self._runs[message_id]
            save_check(self.controller, message_id, VOTE, result.to_dict())
        widget = self._widget(message_id)
        if widget is not None:
            widget.vote_panel.show_vote(result, is_final=is_final)
        if is_final:
            self.check_finished.emit(message_id)

    def _on_run_failed(self, message_id: int, message: str) -> None:
        self._runs.pop(message_id, None)
        widget = self._widget(message_id)
        if widget is not None:
            widget.vote_panel.show_error(message)
        self.check_finished.emit(message_id)

    def _on_run_thread_finished(self, message_id: int, thread: CheckRun) -> None:
        run = self._runs.get(message_id)
        if run is not None and run.thread is thread:
            del self._runs[message_id]  # ended without a word (should not happen)
        thread.deleteLater()

    def stop(self, message_id: int) -> None:
        """Stop the check of `message_id`; the votes in so far are kept and saved."""
        run = self._runs.get(message_id)
        if run is not None:
            run.thread.stop()

    def _on_controller_reply_started(self, _message_id: int) -> None:
        if self._runs:  # the check holds the model: the reply waits for its turn
            self.controller.window.status.showMessage(self.tr(
                "An answer check is using the model; your reply starts when it ends "
                "(Esc stops both)."), 15000)

    def stop_all(self) -> None:
        """Esc: stop every check."""
        for run in self._runs.values():
            run.thread.stop()

    # ------------------------------------------------------------------ end

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop every check, wait for the threads, close the judge's process."""
        self.stop_all()
        threads: list[TaskThread | CheckRun] = [run.thread for run in self._runs.values()]
        threads += list(self._planning.values()) + self.students.threads
        for thread in threads:
            thread.wait(timeout_ms)
        if self._judge is not None:
            self._judge.close()
            self._judge = None


def remember_in(binder: object) -> Callable[[int], None]:
    """Saves a picked number of answers through a SettingsBinder (`apply`)."""

    def remember(samples: int) -> None:
        settings = getattr(binder, "settings", None)
        apply = getattr(binder, "apply", None)
        if isinstance(settings, Settings) and callable(apply):
            apply(dataclasses.replace(settings, check_samples=samples))

    return remember
