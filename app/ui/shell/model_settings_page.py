"""Settings → Model: run a model on this computer, or use a model on a server.

"On this computer" lists the installed models and the catalog's models (the
7B included), each with the planner's verdict for this machine (probed on a
task thread when the page first shows). "A server" takes an
OpenAI-compatible address, lists the models it offers (GET /v1/models, on a
task thread) and keeps an optional API key in the system keyring when there
is one (app.services.secrets). The page only edits the settings; the window
loads the chosen model when the dialog is accepted (ModelLoads).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core import paths
from app.hardware.planner import Plan
from app.models.catalog import Catalog
from app.models.installed import list_installed
from app.services.model_choice import LOCAL, REMOTE, LocalChoice, local_choices
from app.services.remote import list_server_models
from app.services.secrets import remote_key, store_remote_key
from app.store.settings import Settings
from app.ui.common.i18n import fill
from app.ui.threads.model_tasks import TaskThread

VerdictsFn = Callable[[], dict[str, Plan]]
"""The planner's verdict for each catalog model on this machine (runs on a task thread)."""
ListModelsFn = Callable[[str, str | None], list[str]]
"""(server URL, API key) -> the model ids it offers (runs on a task thread)."""

_RUNNING: set[TaskThread] = set()
"""Task threads still running after their page went away (kept alive until they end)."""

PATH_ROLE = Qt.ItemDataRole.UserRole
"""Item data: the installed file's path as a string ("" when not downloaded)."""


class ModelSettingsPage(QGroupBox):
    """The Model part of the settings dialog.

    Args:
        settings: the settings being edited.
        catalog: the models Ponder can download (default: the shipped catalog).
        models_dir: the models folder (default: the app's).
        verdicts: the planner's verdicts (default: probe this machine).
        list_models: asks a server for its models (default: GET /v1/models).
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 catalog: Catalog | None = None, models_dir: Path | None = None,
                 verdicts: VerdictsFn | None = None,
                 list_models: ListModelsFn = list_server_models) -> None:
        super().__init__(parent)
        self._settings = settings
        self._models_dir = models_dir or paths.models_dir()
        if catalog is None:
            from app.models.catalog import load_catalog

            catalog = load_catalog()
        self._catalog = catalog
        self._verdicts_fn = verdicts or self._probe_verdicts
        self._list_models = list_models
        self._plans: dict[str, Plan] = {}
        self._tasks: list[TaskThread] = []
        self._verdict_task: TaskThread | None = None
        self.local_radio = QRadioButton(self)
        self.remote_radio = QRadioButton(self)
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.local_radio)
        self._mode.addButton(self.remote_radio)
        self.local_list = QListWidget(self)
        self.local_list.setMinimumHeight(90)
        self.local_list.setWordWrap(True)
        self.local_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.local_note = QLabel(self)
        self.local_note.setWordWrap(True)
        self.url = QLineEdit(settings.remote_url, self)
        self.key = QLineEdit(remote_key(settings) or "", self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.list_button = QPushButton(self)
        self.list_button.clicked.connect(self.list_server_models)
        self.server_model = QComboBox(self)
        self.server_model.setEditable(True)
        self.server_model.setCurrentText(settings.remote_model)
        self.server_status = QLabel(self)
        self.server_status.setWordWrap(True)
        self._build_layout()
        self.local_radio.setChecked(settings.backend != REMOTE)
        self.remote_radio.setChecked(settings.backend == REMOTE)
        self.local_radio.toggled.connect(self._update_enabled)
        self.local_list.currentItemChanged.connect(self._on_local_list_current_item_changed)
        self._choices: list[LocalChoice] = []
        self.refresh_local()
        self._update_enabled()
        if isinstance(parent, QDialog):
            parent.finished.connect(self.stop)
        self.retranslate()

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.local_list)
        layout.addWidget(self.local_note)
        layout.addWidget(self.remote_radio)
        form = QFormLayout()
        self._url_label, self._key_label, self._model_label = QLabel(self), QLabel(self), \
            QLabel(self)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.list_button)
        form.addRow(self._url_label, url_row)
        form.addRow(self._key_label, self.key)
        form.addRow(self._model_label, self.server_model)
        layout.addLayout(form)
        layout.addWidget(self.server_status)

    # ------------------------------------------------------------ this computer

    def refresh_local(self) -> None:
        """List the installed and catalog models with the verdicts known so far."""
        installed = list_installed(self._models_dir, self._catalog)
        self._choices = local_choices(installed, self._catalog, self._plans)
        chosen = self._settings.last_model
        self.local_list.clear()
        for choice in self._choices:
            item = QListWidgetItem(self._item_text(choice), self.local_list)
            item.setData(PATH_ROLE, str(choice.path) if choice.path else "")
            if choice.plan is not None:
                item.setToolTip(choice.plan.reason)
            if choice.path is not None and chosen and \
                    Path(chosen).resolve() == choice.path.resolve():
                self.local_list.setCurrentItem(item)

    def _item_text(self, choice: LocalChoice) -> str:
        if choice.plan is None:
            verdict = (self.tr("checking this computer…") if choice.catalog_id
                       and not self._plans else "")
        elif choice.plan.fits:
            verdict = fill(self.tr("fits this computer (%1, about %2 tokens/s on %3)"),
                           choice.plan.quant, f"{choice.plan.expected_tps:.0f}",
                           choice.plan.device)
        else:
            verdict = self.tr("too big for this computer")
        where = self.tr("installed") if choice.path is not None else self.tr("not downloaded")
        parts = [choice.name, where] + ([verdict] if verdict else [])
        return " — ".join(parts)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._verdict_task is None and not self._plans:
            fn = self._verdicts_fn
            task = TaskThread(lambda _report, _cancel: fn())
            task.setObjectName("model verdicts")
            task.succeeded.connect(self._on_verdict_task_succeeded)
            self._verdict_task = task
            self._start(task)

    def _probe_verdicts(self) -> dict[str, Plan]:
        from app.services.model_choice import machine_verdicts

        return machine_verdicts(self._models_dir, self._catalog)

    def _on_verdict_task_succeeded(self, plans: object) -> None:
        if isinstance(plans, dict):
            self._plans = plans
            current = self.local_list.currentRow()
            self.refresh_local()
            if current >= 0 and self.local_list.currentItem() is None:
                self.local_list.setCurrentRow(current)

    def _on_local_list_current_item_changed(self, item: QListWidgetItem | None,
                                            _previous: QListWidgetItem | None) -> None:
        if item is not None and not item.data(PATH_ROLE):
            self.local_note.setText(self.tr(
                "This model is not on this computer yet: download it with File → Models… → "
                "Set up a model. Until then the current model stays."))
        else:
            self.local_note.setText("")

    # ------------------------------------------------------------------ server

    def list_server_models(self) -> None:
        """Ask the server at the address for its models (on a task thread)."""
        url = self.url.text().strip()
        key = self.key.text().strip() or None
        self.server_status.setText(fill(self.tr("Asking %1 for its models…"), url))
        self.list_button.setEnabled(False)
        list_models = self._list_models
        task = TaskThread(lambda _report, _cancel: list_models(url, key))
        task.setObjectName("server models")
        task.succeeded.connect(self._on_list_task_succeeded)
        task.failed.connect(self._on_list_task_failed)
        task.finished.connect(self._on_list_task_finished)
        self._start(task)

    def _on_list_task_succeeded(self, models: object) -> None:
        assert isinstance(models, list)
        typed = self.server_model.currentText()
        self.server_model.clear()
        self.server_model.addItems([str(m) for m in models])
        if typed in models:
            self.server_model.setCurrentText(typed)
        self.server_status.setText(fill(self.tr("The server offers %1 model(s)."), len(models)))

    def _on_list_task_failed(self, message: str) -> None:
        self.server_status.setText(message)

    def _on_list_task_finished(self) -> None:
        self.list_button.setEnabled(True)

    # ------------------------------------------------------------------ common

    def _start(self, task: TaskThread) -> None:
        # No Qt parent: a dialog closed while a task runs must not destroy a running thread.
        self._tasks = [t for t in self._tasks if t.isRunning()]
        self._tasks.append(task)
        _RUNNING.add(task)
        task.finished.connect(lambda: _RUNNING.discard(task))
        task.start()

    @property
    def is_busy(self) -> bool:
        """Whether a verdict or a server question is still running."""
        return any(t.isRunning() for t in self._tasks)

    def stop(self) -> None:
        """Wait for the page's task threads (the dialog is closing)."""
        for task in self._tasks:
            task.cancel()
            task.wait(15000)

    def _update_enabled(self) -> None:
        local = self.local_radio.isChecked()
        self.local_list.setEnabled(local)
        for widget in (self.url, self.key, self.list_button, self.server_model):
            widget.setEnabled(not local)

    def result(self, settings: Settings) -> Settings:
        """`settings` with the model choice; the key goes to the keyring when there is one."""
        if self.local_radio.isChecked():
            item = self.local_list.currentItem()
            path = str(item.data(PATH_ROLE)) if item is not None else ""
            return dataclasses.replace(settings, backend=LOCAL,
                                       last_model=path or settings.last_model)
        url = self.url.text().strip()
        chosen = dataclasses.replace(settings, backend=REMOTE, remote_url=url,
                                     remote_model=self.server_model.currentText().strip())
        return store_remote_key(chosen, url, self.key.text().strip())

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setTitle(self.tr("Model"))
        self.local_radio.setText(self.tr("On this computer"))
        self.remote_radio.setText(self.tr("A server (OpenAI-compatible)"))
        self.url.setPlaceholderText("http://127.0.0.1:8080/v1")
        self.key.setPlaceholderText(self.tr("None"))
        self.list_button.setText(self.tr("List models"))
        self._url_label.setText(self.tr("Address"))
        self._key_label.setText(self.tr("API key (optional)"))
        self._model_label.setText(self.tr("Model"))
        for widget, name in ((self.local_list, self.tr("Models on this computer")),
                             (self.url, self.tr("Server address")),
                             (self.key, self.tr("Server API key")),
                             (self.server_model, self.tr("Server model")),
                             (self.list_button, self.tr("List the server's models"))):
            widget.setAccessibleName(name)
        for row in range(self.local_list.count()):
            self.local_list.item(row).setText(self._item_text(self._choices[row]))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
