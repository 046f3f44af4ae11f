"""The desktop GUI (PySide6). Talks to the engine only through signals."""
