"""The desktop window (PySide6), in rooms that import downwards only.

common (theme, translations) <- threads (engine worker, model tasks) <- chat
(the chat pane: messages, markdown, the streaming reply) <- shell (main
window, sidebar, status bar, settings, the controller) <- setup (wizard,
Models page, model loading at start). `main.py` builds the app from all of
them; `selftest_render.py` serves `ponder --self-test`. Room packages import
nothing on their own, so importing one module never pulls in a room.
"""
