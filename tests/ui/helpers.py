"""Builders for GUI tests: a window wired to a real store and a worker thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.engine.backend import Backend
from app.engine.fake import FakeBackend
from app.services.loading import LoadedModel, ModelSource
from app.store.chat_store import ChatStore
from app.ui.common import theme
from app.ui.shell.controller import ChatController
from app.ui.shell.main_window import MainWindow
from app.ui.threads.worker import EngineClient, ModelMaker

REASONING = ("The user asks for the sum of the first n odd numbers. Let me check small "
             "cases: 1, 1+3=4, 1+3+5=9. These are squares, so the sum is n^2. ") * 3

ANSWER = r"""The sum of the first $n$ odd numbers is a perfect square:

$$\sum_{k=1}^{n} (2k-1) = n^2$$

| n | sum | square |
|---|-----|--------|
| 1 | 1 | 1 |
| 2 | 4 | 4 |
| 3 | 9 | 9 |

```python
def odd_sum(n: int) -> int:
    return sum(2 * k - 1 for k in range(1, n + 1))  LONG_COMMENT
```

So the answer is $\boxed{n^2}$.""".replace(
    "LONG_COMMENT", "# a deliberately long line that must scroll inside its own block " * 2)


@dataclass
class Rig:
    """A window, its controller, the worker and the store."""

    window: MainWindow
    controller: ChatController
    client: EngineClient
    store: ChatStore

    def close(self) -> None:
        """Stop the worker and close the store."""
        self.client.shutdown()
        self.window.close()
        self.store.close()


def make_rig(db: Path, scheme: theme.Scheme = theme.Scheme.LIGHT) -> Rig:
    """A window with a real SQLite store in `db` and a worker thread."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, scheme)
    store = ChatStore(db)
    window = MainWindow()
    client = EngineClient(window, batch_interval_s=0.03)
    controller = ChatController(store, client, window)
    controller.show_dialogs = False
    window.resize(1000, 800)
    window.show()
    return Rig(window, controller, client, store)


def fake(delay_s: float = 0.0005, **kwargs: object) -> FakeBackend:
    """The scripted backend with the sample reasoning and answer."""
    return FakeBackend(REASONING, ANSWER, chunk_chars=4, delay_s=delay_s, **kwargs)  # type: ignore[arg-type]


def adopted(make: Callable[[], Backend]) -> ModelMaker:
    """For `controller.load_model` / `client.adopt`: the host adopts the backend `make` builds."""
    return lambda: LoadedModel(make(), ModelSource())


def snap(widget: QWidget, path: Path) -> None:
    """Let pending layouts settle, then save a screenshot of `widget`."""
    app = QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    assert widget.grab().save(str(path))
