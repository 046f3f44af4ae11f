"""Runs the local API for the window, sharing the window's one loaded model.

The server (app.server.runner.ApiServer) serves the ModelHost the engine
worker owns, so the model is in memory once and API requests take turns
with the window's replies in the host's queue. It follows the settings: on
start-up and after each change in the settings dialog it is started,
restarted (a new port, key or host list) or stopped. Starting binds the port
and imports the web stack (a few hundred ms), so it runs on a short-lived
thread; the result comes back as a signal. The status bar shows the address
while the API is on; a port in use is told in one sentence.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from app.core.errors import PonderError
from app.services.api_key import api_key
from app.store.settings import Settings
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsBinder

log = logging.getLogger(__name__)

LATEST_START_MS = 2000
"""At start-up the API starts after the window first paints, or after this long."""


def server_config(settings: Settings, port: int | None = None) -> Any:
    """The ServerConfig for `settings` (a port of 0 picks a free one, for tests)."""
    from app.models.catalog import CatalogError, load_catalog
    from app.server.config import ServerConfig

    try:
        catalog = load_catalog()
        ids = {e.filename.lower(): m.id for m in catalog.models for e in (*m.files, *m.withheld)}
    except CatalogError as exc:
        log.warning("no catalog for the API's model names: %s", exc)
        ids = {}
    hosts = tuple(n.strip() for n in settings.api_server_allowed_hosts.split(",") if n.strip())
    return ServerConfig(port=settings.api_server_port if port is None else port,
                        api_key=api_key(settings) or None, allowed_hosts=hosts,
                        catalog_ids=ids)


class ApiControl(QObject):
    """Starts and stops the window's local API.

    Args:
        binder: the settings (its `changed` signal re-syncs the server).
        window: shows the address in its status bar.
        controller: its client's ModelHost is served; errors go to the user.
        port: a fixed port instead of the settings' (0: any free port, for tests).

    Signals:
        started(str): the API answers at this address.
        stopped(): the API is off.
        failed(str): it could not start (one sentence, e.g. a port in use).
    """

    started = Signal(str)
    stopped = Signal()
    failed = Signal(str)
    _start_done = Signal(int, object, str)  # attempt, ApiServer or None, error (any thread)

    def __init__(self, binder: SettingsBinder, window: MainWindow, controller: ChatController,
                 *, port: int | None = None) -> None:
        super().__init__(window)
        self.binder = binder
        self.window = window
        self.controller = controller
        self._port = port
        self.server: Any = None
        """The running ApiServer, or None."""
        self.last_error = ""
        """Why the last start failed ("" after a success or a stop)."""
        self._running_for: tuple[object, ...] | None = None
        self._attempt = 0
        self._is_first = True
        self._start_done.connect(self._on_start_done)
        binder.changed.connect(self._on_binder_changed)
        binder.dialog_made.connect(self._on_binder_dialog_made)
        window.closing.connect(self.stop)
        self._is_waiting_for_paint = binder.settings.api_server_enabled
        if self._is_waiting_for_paint:
            # Binding and the web stack's imports would compete with the first paint.
            window.installEventFilter(self)
            QTimer.singleShot(LATEST_START_MS, self, self._start_after_paint)

    @property
    def address(self) -> str:
        """The API root while it is on, else ""."""
        return str(self.server.address) if self.server is not None else ""

    @property
    def status_text(self) -> str:
        """One line for the settings page: the address, the last error, or ""."""
        if self.server is not None:
            return self.tr("On at %1").replace("%1", self.address)
        return self.last_error

    def snippet(self, port: int, has_key: bool) -> str:
        """The client snippet: the running server's own, else the write-up's for `port`."""
        from app.ui.shell.local_api_page import default_snippet

        server = self.server
        if server is not None and server.port == port and bool(server.config.api_key) == has_key:
            return str(server.snippet())
        return default_snippet(port, has_key)

    def sync(self, settings: Settings) -> None:
        """Start, restart or stop the API so that it matches `settings`."""
        self._is_waiting_for_paint = False  # a change from the dialog: act on it now
        if not settings.api_server_enabled:
            if self._running_for is not None or self.server is not None:
                self.stop()
            return  # off: the keyring is not even asked for the key
        wanted = self._wanted(settings)
        if wanted == self._running_for:
            return  # running (or starting) as asked
        self.stop()
        self._start(settings, wanted)

    def stop(self) -> None:
        """Stop the API (running replies end with their closed connections)."""
        self._attempt += 1  # a start still on its way is dropped when it arrives
        server, self.server = self.server, None
        self._running_for = None
        if server is not None:
            server.stop()
            log.info("local API stopped")
        self.window.status.set_api_address("")
        if server is not None:
            self.stopped.emit()

    def _wanted(self, settings: Settings) -> tuple[object, ...]:
        return (settings.api_server_port if self._port is None else self._port,
                api_key(settings), settings.api_server_allowed_hosts)

    def _start(self, settings: Settings, wanted: tuple[object, ...]) -> None:
        self._attempt += 1
        attempt = self._attempt
        host = self.controller.client.host
        port = self._port

        def start() -> None:
            from app.server.runner import ApiServer

            try:
                server = ApiServer(host, server_config(settings, port))
                server.start()
            except PonderError as exc:
                self._deliver(attempt, None, str(exc))
                return
            except Exception as exc:  # never a traceback in the window
                log.exception("the local API did not start")
                self._deliver(attempt, None, f"Ponder's API could not start ({exc}). See the "
                                             "log file for details.")
                return
            self._deliver(attempt, server, "")

        self._running_for = wanted
        threading.Thread(target=start, name="ponder-api-start", daemon=True).start()

    def _deliver(self, attempt: int, server: object, error: str) -> None:
        try:
            self._start_done.emit(attempt, server, error)
        except RuntimeError:  # the window is gone: do not leave a server behind
            if server is not None:
                server.stop()  # type: ignore[attr-defined]

    def _on_start_done(self, attempt: int, server: Any, error: str) -> None:
        if attempt != self._attempt:
            if server is not None:
                server.stop()  # stopped or changed again meanwhile
            return
        if server is None:
            self._running_for = None
            self.last_error = error
            log.warning("local API: %s", error)
            self.failed.emit(error)
            self.window.status.showMessage(error, 15000)
            if not self._is_first:  # at start-up the status line says it; no message box
                self.controller.show_error(error)
            self._is_first = False
            return
        self._is_first = False
        self.server = server
        self.last_error = ""
        self.window.status.set_api_address(server.address)
        log.info("local API on at %s", server.address)
        self.started.emit(server.address)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._is_waiting_for_paint:
            QTimer.singleShot(0, self, self._start_after_paint)
        return False

    def _start_after_paint(self) -> None:
        if self._is_waiting_for_paint:
            self._is_waiting_for_paint = False
            self.window.removeEventFilter(self)
            self.sync(self.binder.settings)

    def _on_binder_changed(self, settings: object) -> None:
        if isinstance(settings, Settings):
            self.sync(settings)

    def _on_binder_dialog_made(self, dialog: object) -> None:
        page = getattr(dialog, "api_page", None)
        if page is not None:
            page.set_snippet_source(self.snippet)
            page.set_status(self.status_text)
