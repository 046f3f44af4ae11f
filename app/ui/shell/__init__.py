"""The main window and its frame: sidebar, status bar, settings, the chat controller."""
