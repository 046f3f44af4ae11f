"""`run_gui`: start the desktop app.

Start-up stays fast (< 1 s to an interactive window) because nothing heavy
is imported here: llama_cpp loads inside the worker thread only when a model
is opened, after the window is on screen.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.core import paths
from app.ui.common import i18n, theme
from app.ui.threads.worker import EngineClient

log = logging.getLogger(__name__)


@dataclass
class Gui:
    """The running app's main objects (tests and benchmarks use them too)."""

    app: QApplication
    window: object
    controller: object
    client: EngineClient
    setup: object = None
    """The ModelSetup (start-up model load, wizard, Models page)."""
    faults: object = None
    """The FaultNotices told at start (damaged database or settings, read-only, model gone)."""


def setup_logging() -> None:
    """Log to <logs dir>/ponder.log (rotating) and warnings to stderr."""
    try:
        folder = paths.ensure_dir(paths.logs_dir())
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "ponder.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _excepthook(kind: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> None:
    log.error("unhandled error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
    if QApplication.instance() is None:
        return
    QMessageBox.critical(
        None,
        QCoreApplication.translate("main", "Ponder"),
        QCoreApplication.translate(
            "main", "Something went wrong. Your chats are saved; the details are in the log "
            "file (%1). If it happens again, restart Ponder.").replace(
                "%1", str(paths.logs_dir() / "ponder.log")),
    )


def make_app(argv: list[str]) -> QApplication:
    """The QApplication, with high-DPI rounding set before it exists."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(["ponder", *argv])
    app.setApplicationName("Ponder")
    app.setOrganizationName("Ponder")
    return app


def build_gui(argv: list[str] | None = None, *, language: str | None = None,
              scheme: theme.Scheme | None = None) -> Gui:
    """Create the app, store, worker, window and controller (not shown yet)."""
    from app.store.chat_store import ChatStore
    from app.ui.shell.controller import ChatController
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.settings_dialog import SettingsBinder

    app = make_app(argv or [])
    binder = SettingsBinder.load()
    theme.apply(app, scheme or theme.Scheme(binder.settings_value("theme", "system")))
    i18n.install(language or str(binder.settings_value("language", "system")))
    paths.ensure_dir(paths.data_dir())
    store = ChatStore(paths.db_path())
    window = MainWindow()
    client = EngineClient(window)
    controller = ChatController(store, client, window, options=binder.generate_options)
    binder.attach(controller, window)
    from app.ui.shell.api_control import ApiControl
    from app.ui.shell.chat_instructions import ChatInstructions
    from app.ui.shell.context_meter import ContextMeter
    from app.ui.shell.hints_mode import HintsMode
    from app.ui.shell.live_settings import LiveSettings

    LiveSettings(binder, window, controller)  # text size, geometry, Enter, reasoning fold
    app.aboutToQuit.connect(ContextMeter(controller, binder.generate_options).shutdown)
    ApiControl(binder, window, controller)  # stops the API before the model is freed
    ChatInstructions(binder, controller)  # the open chat's instructions in Settings
    HintsMode(binder, controller)  # hint answers: hidden result, Reveal answer, Next hint
    from app.ui.shell.tutor_wiring import TutorWiring, remember_in

    # The tutor's checks; before the client's shutdown (a check holds the model).
    TutorWiring(controller, lambda: binder.settings, binder.generate_options, remember_in(binder))
    window.closing.connect(client.shutdown)
    app.aboutToQuit.connect(client.shutdown)
    app.aboutToQuit.connect(store.close)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(binder.on_system_scheme_changed)
    from app.ui.setup.model_setup import ModelSetup

    setup = ModelSetup(window, controller)
    setup.loads.follow(binder)  # Settings → Model switches the model
    from app.ui.shell.help_menu import model_in_use

    window.help_menu.model_info = lambda: model_in_use(controller, setup)
    from app.ui.shell.fault_notices import show_start_faults

    faults = show_start_faults(window, store, setup)
    from app.ui.shell.prompt_guard import PromptGuard

    PromptGuard(window, controller)  # a hopelessly long message is refused before it is stored
    return Gui(app, window, controller, client, setup, faults)


FIRST_PAINT_FALLBACK_MS = 5000
"""Start the deferred work after this long if the window has not painted."""


class _AfterFirstPaint(QObject):
    """Runs a callback once, after `widget` first paints (or after `latest_ms`).

    The start-up model load imports llama_cpp and jinja2 on the worker thread;
    started before the first paint it competes with it for the GIL
    (tests/ui/test_cold_imports.py). The timer covers a window that never paints.
    """

    def __init__(self, widget: QWidget, callback: Callable[[], None], latest_ms: int) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        widget.installEventFilter(self)
        QTimer.singleShot(latest_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()


def run_gui(argv: list[str], open_file: str | None = None) -> int:
    """Start Ponder's window and run the event loop; returns the exit code.

    With a window already open (same user and data folder), hand it `open_file`
    and return at once (app.ui.shell.single_instance).
    """
    setup_logging()
    sys.excepthook = _excepthook
    from app.ui.shell.single_instance import claim_window

    instance = claim_window(make_app(argv), open_file)
    if instance is None:
        return 0
    gui = build_gui(argv)
    instance.attach(gui.window, gui.setup.import_file)  # type: ignore[arg-type, attr-defined]
    gui.window.show()  # type: ignore[attr-defined]
    from app.ui.selftest_render import schedule_screenshot_from_env

    schedule_screenshot_from_env(gui.window)  # type: ignore[arg-type]
    QTimer.singleShot(0, gui.controller.start)  # type: ignore[attr-defined]
    from app.ui.setup.model_setup import safe_start

    # Loads the default model, or opens the wizard on a first run: after the first paint.
    # The fallback (a window that never paints, e.g. started minimised) is generous so
    # that a slow first paint on a loaded machine still comes first.
    _AfterFirstPaint(gui.window, lambda: safe_start(gui.setup), FIRST_PAINT_FALLBACK_MS)  # type: ignore[arg-type]
    if open_file:
        _AfterFirstPaint(gui.window, lambda: instance.open_files([open_file]),  # type: ignore[arg-type]
                         FIRST_PAINT_FALLBACK_MS)
    return int(gui.app.exec())
