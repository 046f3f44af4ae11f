"""The main window: sidebar, chat view or empty state, composer, status bar."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.chat_view import ChatView
from app.ui.chat.composer import Composer
from app.ui.chat.find_bar import FindBar
from app.ui.common.product_mark import mark_icon
from app.ui.shell.about_dialog import LoadedModel
from app.ui.shell.empty_state import EmptyState
from app.ui.shell.find_wiring import FindController
from app.ui.shell.help_menu import HelpMenu
from app.ui.shell.notice_bar import NoticeArea
from app.ui.shell.sidebar import Sidebar
from app.ui.shell.status_bar import StatusBar


class MainWindow(QMainWindow):
    """Lays out the widgets and turns menu actions into signals.

    Signals:
        open_model_requested(str): load this GGUF file.
        download_requested(): open the download wizard.
        models_requested(): open the Models page.
        export_requested(str, str): format ("markdown" or "json"), file path.
        import_requested(str): a JSON file to import.
        settings_requested(): open the settings dialog.
        copy_last_answer_requested(): Ctrl+Shift+C.
        stop_requested(): Esc.
        closing(): the window is about to close.
    """

    open_model_requested = Signal(str)
    download_requested = Signal()
    models_requested = Signal()
    export_requested = Signal(str, str)
    import_requested = Signal(str)
    settings_requested = Signal()
    copy_last_answer_requested = Signal()
    stop_requested = Signal()
    closing = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.resize(1100, 760)
        self.setWindowIcon(mark_icon())
        self.sidebar = Sidebar(self)
        self.chat_view = ChatView(self)
        self.empty_state = EmptyState(self)
        self.composer = Composer(self)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.chat_view)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.notices = NoticeArea(right)  # faults met at start, and other notices
        right_layout.addWidget(self.notices)
        self.find_bar = FindBar(right)
        right_layout.addWidget(self.find_bar)
        right_layout.addWidget(self.stack, 1)
        right_layout.addWidget(self.composer)
        splitter = QSplitter(self)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 850])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.empty_state.import_requested.connect(self._on_open_model_action_triggered)
        self.empty_state.download_requested.connect(self.download_requested)
        self._build_menus()
        self._build_shortcuts()
        self.find_controller = FindController(self.find_bar, self.chat_view, self.sidebar)
        self.help_menu = HelpMenu.install(self, LoadedModel)
        self.retranslate()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_action.triggered.connect(self.sidebar.new_requested)
        self.open_model_action = QAction(self)
        self.open_model_action.setShortcut(QKeySequence("Ctrl+O"))
        self.open_model_action.triggered.connect(self._on_open_model_action_triggered)
        self.models_action = QAction(self)
        self.models_action.triggered.connect(self.models_requested)
        self.import_action = QAction(self)
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.export_md_action = QAction(self)
        self.export_md_action.triggered.connect(self._on_export_md_action_triggered)
        self.export_json_action = QAction(self)
        self.export_json_action.triggered.connect(self._on_export_json_action_triggered)
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.settings_requested)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.new_action, self.open_model_action, self.models_action, None,
                       self.import_action,
                       self.export_md_action, self.export_json_action, None,
                       self.settings_action, None, self.quit_action):
            if action is None:
                self.file_menu.addSeparator()
            else:
                self.file_menu.addAction(action)
        self.edit_menu = bar.addMenu("")
        self.copy_answer_action = QAction(self)
        self.copy_answer_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_answer_action.triggered.connect(self.copy_last_answer_requested)
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self._on_find_action_triggered)
        self.search_chats_action = QAction(self)
        self.search_chats_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.search_chats_action.triggered.connect(self.sidebar.focus_search)
        self.edit_menu.addAction(self.copy_answer_action)
        self.edit_menu.addAction(self.find_action)
        self.edit_menu.addAction(self.search_chats_action)

    def _build_shortcuts(self) -> None:
        self.stop_shortcut = QShortcut(QKeySequence("Esc"), self)
        self.stop_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.stop_shortcut.activated.connect(self.stop_requested)
        self.composer.stop_requested.connect(self.stop_requested)

    def show_chat(self, is_chat: bool) -> None:
        """Show the chat view (True) or the no-model empty state (False)."""
        self.stack.setCurrentWidget(self.chat_view if is_chat else self.empty_state)

    def show_error(self, title: str, message: str) -> None:
        """A short message box for an error the user can act on."""
        QMessageBox.warning(self, title, message)

    def retranslate(self) -> None:
        """Set user-visible texts in the current language."""
        self.setWindowTitle(self.tr("Ponder"))
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.new_action.setText(self.tr("New chat"))
        self.open_model_action.setText(self.tr("Open GGUF file…"))
        self.models_action.setText(self.tr("Models…"))
        self.import_action.setText(self.tr("Import chat (JSON)…"))
        self.export_md_action.setText(self.tr("Export chat as Markdown…"))
        self.export_json_action.setText(self.tr("Export chat as JSON…"))
        self.settings_action.setText(self.tr("Settings…"))
        self.quit_action.setText(self.tr("Quit"))
        self.copy_answer_action.setText(self.tr("Copy last answer"))
        self.find_action.setText(self.tr("Find in conversation"))
        self.search_chats_action.setText(self.tr("Search chats"))
        self.sidebar.setAccessibleName(self.tr("Chats"))
        self.stack.setAccessibleName(self.tr("Chat area"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)

    def _on_find_action_triggered(self) -> None:
        self.find_bar.open_bar()

    def _on_open_model_action_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a GGUF model"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.open_model_requested.emit(path)

    def _on_import_action_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a chat"), "",
                                              self.tr("Ponder chats (*.json)"))
        if path:
            self.import_requested.emit(path)

    def _on_export_md_action_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export as Markdown"), "chat.md",
                                              self.tr("Markdown (*.md)"))
        if path:
            self.export_requested.emit("markdown", path)

    def _on_export_json_action_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export as JSON"), "chat.json",
                                              self.tr("JSON (*.json)"))
        if path:
            self.export_requested.emit("json", path)
