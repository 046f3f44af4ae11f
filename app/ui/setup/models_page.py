"""The Models page: installed models, the default, delete, open folder, switch the running model.

The page only lists and asks; loading a model happens on the engine worker
(the `switch_requested` signal goes to ModelSetup, which asks the
controller), so the window never freezes while a model loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import paths
from app.core.errors import PonderError
from app.models.catalog import Catalog
from app.models.demo import DemoModel
from app.models.download import format_bytes
from app.models.hashing import HashCache
from app.models.importer import ImportMode
from app.models.installed import (
    InstalledModel,
    delete_model,
    list_installed,
    list_partial_downloads,
    set_default_model,
)
from app.ui.common.i18n import fill
from app.ui.setup.demo_offer import DemoOffer
from app.ui.setup.model_trust import hash_job, is_flagged, trust_text, trust_tooltip, unchecked
from app.ui.setup.states_box import StatesBox
from app.ui.threads.model_tasks import TaskThread, import_job

Confirm = Callable[[str, str], bool]
"""Asks the user (title, question) and returns True for yes."""
OpenUrl = Callable[[QUrl], bool]


class ModelsPage(QDialog):
    """Lists the models folder and acts on the selected model.

    Signals:
        switch_requested(str): load this model in the running app.
        setup_requested(): open the setup wizard (download or import).
        models_changed(): a model was deleted or the default changed.
        imported(str): a file given to import_file is now in the models folder (its path).
    """

    switch_requested = Signal(str)
    setup_requested = Signal()
    models_changed = Signal()
    imported = Signal(str)

    COLUMNS = 7

    def __init__(self, models_dir: Path, catalog: Catalog | None = None,
                 parent: QWidget | None = None,
                 demo_models: Callable[[], list[DemoModel]] | None = None) -> None:
        super().__init__(parent)
        self.models_dir = models_dir
        self.catalog = catalog
        self.demos = demo_models() if demo_models is not None else []
        self._demo_task: TaskThread | None = None
        self.hash_cache = HashCache.in_folder(paths.data_dir())
        self._hash_task: TaskThread | None = None
        self._hash_tried: set[Path] = set()  # hashed once per page, also when it failed
        self._hash_stopped = False  # closed: no new hashing until shown again
        self.models: list[InstalledModel] = []
        self.loaded_path: Path | None = None
        self.confirm: Confirm = self._ask
        """Asks before deleting (tests replace it)."""
        self.open_url: OpenUrl = QDesktopServices.openUrl
        """Opens the folder in the file manager (tests replace it)."""
        layout = QVBoxLayout(self)
        self.folder_label = QLabel(self)
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.folder_label)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(self._on_table_item_double_clicked)
        layout.addWidget(self.table, 1)
        self.demo_offer = DemoOffer(self)
        self.demo_offer.use_requested.connect(self._on_demo_offer_use_requested)
        layout.addWidget(self.demo_offer)
        self.states_box = StatesBox(self)  # saved conversation memory: space used, Clear
        layout.addWidget(self.states_box)
        self.partial_label = QLabel(self)
        self.partial_label.setWordWrap(True)
        layout.addWidget(self.partial_label)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")
        layout.addWidget(self.error_label)
        row = QHBoxLayout()
        self.use_button = QPushButton(self)
        self.use_button.clicked.connect(self.use_selected)
        self.default_button = QPushButton(self)
        self.default_button.clicked.connect(self.set_selected_default)
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self.delete_selected)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(self.open_folder)
        self.setup_button = QPushButton(self)
        self.setup_button.clicked.connect(self.setup_requested)
        for button in (self.use_button, self.default_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.folder_button)
        row.addWidget(self.setup_button)
        layout.addLayout(row)
        self.resize(820, 420)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setWindowTitle(self.tr("Models"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Model"), self.tr("Size"), self.tr("Quantization"),
            self.tr("Architecture"), self.tr("Context"), self.tr("Status"),
            self.tr("Trust")])
        self.table.setAccessibleName(self.tr("Installed models"))
        self.folder_label.setText(fill(self.tr("Models folder: %1"), self.models_dir))
        self.use_button.setText(self.tr("Use now"))
        self.use_button.setAccessibleName(self.tr("Load the selected model now"))
        self.default_button.setText(self.tr("Set as default"))
        self.default_button.setAccessibleName(self.tr("Load the selected model at start"))
        self.delete_button.setText(self.tr("Delete…"))
        self.delete_button.setAccessibleName(self.tr("Delete the selected model"))
        self.folder_button.setText(self.tr("Open folder"))
        self.folder_button.setAccessibleName(self.tr("Open the models folder"))
        self.setup_button.setText(self.tr("Download or import…"))
        self.setup_button.setAccessibleName(self.tr("Open the model setup assistant"))
        if self.models or self.table.rowCount():
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- listing ----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the models folder, keeping the selection where possible."""
        selected = self.selected()
        self.models = list_installed(self.models_dir, self.catalog, hash_cache=self.hash_cache)
        self._check_hashes()
        self.table.setRowCount(len(self.models))
        for row, m in enumerate(self.models):
            ctx = f"{m.context_length:,}" if m.context_length else "?"
            cells = [m.name if m.name == m.file_name else f"{m.name}\n{m.file_name}",
                     format_bytes(m.size_bytes), m.quant, m.architecture, ctx,
                     self._status(m), trust_text(m, is_checking=self._hash_task is not None)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if m.problem:
                    item.setToolTip(m.problem)
                if column == self.COLUMNS - 1:
                    item.setToolTip(trust_tooltip(m))
                    if is_flagged(m):
                        item.setForeground(QBrush(QColor("#c0392b")))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if selected is not None:
            for row, m in enumerate(self.models):
                if m.path == selected.path:
                    self.table.selectRow(row)
        elif self.models:
            self.table.selectRow(0)
        partial = list_partial_downloads(self.models_dir)
        self.partial_label.setText("\n".join(
            fill(self.tr("Incomplete download: %1 (%2 of %3). Open Download or import… to "
                         "resume it."), p.target_name, format_bytes(p.done_bytes),
                 format_bytes(p.total_bytes) if p.total_bytes else "?")
            for p in partial))
        self.partial_label.setVisible(bool(partial))
        if not self.models:
            self.error_label.setText(self.tr("No models are installed yet. Download one or "
                                             "import a GGUF file."))
        names = {m.file_name for m in self.models}
        offer = next((d for d in self.demos if d.path.name not in names), None)
        self.demo_offer.set_demo(offer if self._demo_task is None else None)
        self._update_buttons()

    def _status(self, m: InstalledModel) -> str:
        parts = []
        if m.problem:
            parts.append(self.tr("damaged"))
        if is_flagged(m):
            parts.append(self.tr("flagged"))
        if self.loaded_path is not None and m.path == self.loaded_path:
            parts.append(self.tr("in use"))
        if m.is_default:
            parts.append(self.tr("default"))
        if any(d.path.name == m.file_name for d in self.demos):
            parts.append(self.tr("demo model, not the tutor"))
        return ", ".join(parts)

    def set_loaded(self, path: Path | None) -> None:
        """Mark the model the app has loaded now."""
        self.loaded_path = path
        self.refresh()

    def selected(self) -> InstalledModel | None:
        """The selected model, if any."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.models):
            return None
        return self.models[rows[0].row()]

    def select(self, file_name: str) -> None:
        """Select a model by file name."""
        for row, m in enumerate(self.models):
            if m.file_name == file_name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        m = self.selected()
        self.use_button.setEnabled(m is not None and m.is_usable)
        self.default_button.setEnabled(m is not None and m.is_usable and not m.is_default)
        self.delete_button.setEnabled(m is not None)

    # -- actions ----------------------------------------------------------------

    def use_selected(self) -> None:
        """Ask the app to load the selected model (on the engine worker)."""
        m = self.selected()
        if m is not None and m.is_usable:
            self.error_label.setText("")
            self.switch_requested.emit(str(m.path))

    def set_selected_default(self) -> None:
        """Make the selected model the one loaded at start."""
        m = self.selected()
        if m is None:
            return
        try:
            set_default_model(self.models_dir, m.path)
        except PonderError as exc:
            self.error_label.setText(str(exc))
            return
        self.refresh()
        self.models_changed.emit()

    def delete_selected(self) -> None:
        """Delete the selected model after asking."""
        m = self.selected()
        if m is None:
            return
        question = fill(self.tr("Delete %1 (%2)? The file is removed from the models "
                                "folder; you would need to download or import it again."),
                        m.file_name, format_bytes(m.size_bytes))
        if not self.confirm(self.tr("Delete model"), question):
            return
        try:
            delete_model(self.models_dir, m.path)
        except PonderError as exc:
            self.error_label.setText(str(exc))
            return
        self.error_label.setText("")
        self.refresh()
        self.models_changed.emit()

    def open_folder(self) -> None:
        """Show the models folder in the system's file manager."""
        self.models_dir.mkdir(parents=True, exist_ok=True)
        if not self.open_url(QUrl.fromLocalFile(str(self.models_dir))):
            self.error_label.setText(fill(self.tr("The folder could not be opened. It is "
                                                  "here: %1"), self.models_dir))

    def show_load_error(self, message: str) -> None:
        """Show why switching the model failed (the old model may be unloaded)."""
        self.error_label.setText(message)

    def _on_demo_offer_use_requested(self, path: str) -> None:
        """Add the packaged demo model to the folder (a hard link where possible)."""
        self.import_file(Path(path), ImportMode.HARDLINK, is_demo=True)

    def import_file(self, path: Path, mode: ImportMode = ImportMode.COPY, *,
                    is_demo: bool = False) -> None:
        """Check and add a GGUF file to the models folder on a worker thread."""
        if self._demo_task is not None:
            return
        self.error_label.setText(fill(self.tr("Importing %1…"), path.name))
        task = TaskThread(import_job(path, self.models_dir, self.catalog, mode,
                                     is_demo=is_demo), self)
        task.succeeded.connect(self._on_demo_task_succeeded)
        task.failed.connect(self.error_label.setText)
        task.finished.connect(self._on_demo_task_finished)
        self._demo_task = task
        self.demo_offer.setVisible(False)
        task.start()

    def _on_demo_task_succeeded(self, result: object) -> None:
        if isinstance(result, InstalledModel):
            self.error_label.setText("")  # never made the default: the user decides
            self._demo_task = None
            self.refresh()
            self.select(result.file_name)
            self.models_changed.emit()
            self.imported.emit(str(result.path))

    def _on_demo_task_finished(self) -> None:
        self._demo_task = None
        self.refresh()

    def _check_hashes(self) -> None:
        """Hash the files not checked yet on a worker thread, then list again."""
        files = [p for p in unchecked(self.models) if p not in self._hash_tried]
        if not files or self._hash_task is not None or self._hash_stopped:
            return
        self._hash_tried.update(files)
        task = TaskThread(hash_job(files, self.hash_cache), self)
        task.setObjectName("hash")
        task.finished.connect(self._on_hash_task_finished)
        self._hash_task = task
        task.start()

    def _on_hash_task_finished(self) -> None:
        self._hash_task = None
        self.refresh()

    def stop(self) -> None:
        """Stop hashing and wait for it (the page closes; it goes on when shown again).

        No new hash starts until the page is shown again, also not from the
        ended task's `finished` signal (queued to this thread meanwhile).
        """
        self._hash_stopped = True
        task, self._hash_task = self._hash_task, None
        if task is not None:
            task.finished.disconnect(self._on_hash_task_finished)
            task.cancel()
            task.wait()  # a cancelled hash ends within one chunk
        self._hash_tried.clear()  # files hashed already are in the cache

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._hash_stopped:
            self._hash_stopped = False
            self.refresh()  # hashing goes on where it stopped

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)

    def _on_table_item_double_clicked(self, _item: QTableWidgetItem) -> None:
        self.use_selected()

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
