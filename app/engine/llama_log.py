"""Send llama.cpp's own log lines to Python logging instead of stderr.

llama.cpp prints model-loading chatter (and some errors) from C through a
callback. llama-cpp-python installs one that writes to stderr; the app
replaces it once so the lines land in the log file under the logger
"ponder.llama", at the level llama.cpp gave them.
"""

from __future__ import annotations

import ctypes
import logging

import llama_cpp

LOGGER = logging.getLogger("ponder.llama")

# ggml_log_level (NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4) -> logging level;
# 5 (CONT) continues the previous line. llama-cpp-python's own table predates
# this order and would turn every info line into a warning.
_LEVELS = {0: logging.INFO, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING,
           4: logging.ERROR}
_state = {"level": logging.DEBUG}
_installed: list[object] = []  # keeps the ctypes callback alive


def _on_log(level: int, text: bytes | None, user_data: ctypes.c_void_p) -> None:
    py_level = _state["level"] if level == 5 else _LEVELS.get(level, logging.DEBUG)
    _state["level"] = py_level
    if text and LOGGER.isEnabledFor(py_level):
        line = text.decode("utf-8", errors="replace").rstrip("\n")
        if line:
            LOGGER.log(py_level, "%s", line)


def route_llama_logs() -> None:
    """Install the callback (idempotent)."""
    if _installed:
        return
    callback = llama_cpp.llama_log_callback(_on_log)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _installed.append(callback)
