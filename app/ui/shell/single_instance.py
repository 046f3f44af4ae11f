"""One Ponder window per user: a second launch hands its arguments to the first.

The first window listens on a local socket named after the user and the data
folder (so two PONDER_HOME folders are two apps). A later `ponder` start
connects, sends its arguments as one JSON line, waits for the "ok" and exits;
the first window comes to the front and acts on them (`ponder FILE.gguf`
opens the import of that file). A socket left by a crashed window answers no
connection, so it is removed and the new start becomes the first window.
Only the window is locked: the headless `ponder` commands never come here.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from app.core import paths

log = logging.getLogger(__name__)

CONNECT_MS = 1000
"""How long a second start waits for the first window to accept it."""
REPLY_MS = 3000
"""How long a second start waits for the first window's "ok"."""
ACK = b"ok\n"


def server_name(data_dir: Path | None = None) -> str:
    """The socket name: one per user and data folder."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "user"
    folder = str((data_dir or paths.data_dir()).expanduser().resolve())
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:16]
    return f"ponder-{digest}"


def hand_over(arguments: list[str], name: str | None = None) -> bool | None:
    """Give `arguments` to a running window.

    Returns:
        True when a running window took them (this start should exit); False
        when none runs; None when one accepted the connection but did not
        answer (busy or hung: this start should not take its place either).
    """
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    payload = json.dumps({"argv": arguments}).encode("utf-8") + b"\n"
    socket.write(payload)
    socket.waitForBytesWritten(CONNECT_MS)
    reply = b""
    while ACK not in reply and socket.waitForReadyRead(REPLY_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return True if ACK in reply else None


class SingleInstance(QObject):
    """The first window's listener.

    Signals:
        arguments_received(list): a later start's arguments (a list of str).
    """

    arguments_received = Signal(list)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._window: QWidget | None = None
        self._open_file: Callable[[Path], None] | None = None

    def listen(self) -> bool:
        """Start listening; a stale socket from a crashed window is removed first."""
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("single instance: cannot listen on %s (%s)", self.name,
                    self._server.errorString())
        return False

    def close(self) -> None:
        """Stop listening (the window is closing)."""
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > 1_000_000:  # not a Ponder start: drop it
            socket.abort()
            return
        if b"\n" not in data:
            self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        try:
            message = json.loads(line.decode("utf-8"))
            argv = [str(a) for a in message["argv"]]
        except (ValueError, KeyError, TypeError):
            log.warning("single instance: ignored a message that is not a Ponder start")
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        self.arguments_received.emit(argv)

    def attach(self, window: QWidget, open_file: Callable[[Path], None]) -> None:
        """Bring `window` to the front and open the handed-over file on each later start."""
        self._window = window
        self._open_file = open_file
        self.arguments_received.connect(self._on_arguments_received)
        window.destroyed.connect(self.close)

    def open_files(self, arguments: list[str]) -> None:
        """Open the import of each model file named in `arguments`."""
        if self._open_file is None:
            return
        for arg in arguments:
            if arg:
                self._open_file(Path(arg))

    def _on_arguments_received(self, arguments: list[str]) -> None:
        log.info("single instance: a later start handed over %s", arguments)
        window = self._window
        if window is not None:
            if window.isMinimized():
                window.showNormal()
            window.show()
            if QGuiApplication.platformName() != "offscreen":
                window.raise_()
                window.activateWindow()
        self.open_files(arguments)


def claim_window(app: QCoreApplication, open_file: str | None) -> SingleInstance | None:
    """Become the user's one window, or hand `open_file` to the one already open.

    Returns:
        The listener when this start opens the window; None when a window is
        already open (print says so and this start should exit).
    """
    arguments = [str(Path(open_file).expanduser().resolve())] if open_file else []
    handed = hand_over(arguments)
    if handed is None:
        print("Ponder is already open but did not answer; try again in a moment.")
        return None
    if handed:
        print("Ponder is already open: its window was brought to the front.")
        return None
    instance = SingleInstance(parent=app)
    instance.listen()
    app.aboutToQuit.connect(instance.close)
    return instance
