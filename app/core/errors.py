"""Errors the user can meet. Each carries a sentence fit to show in a dialog.

Modules raise these (never bare library exceptions) when the cause is
something the user can act on; the GUI shows `str(error)` and logs the rest.
"""

from __future__ import annotations


class PonderError(Exception):
    """Base class: the message is written for the user, with a next step."""


class ModelFileError(PonderError):
    """A model file is missing, incomplete, or not a usable GGUF."""


class ModelLoadError(PonderError):
    """llama.cpp could not load a file that looked valid (memory, driver...)."""


class BackendError(PonderError):
    """The inference backend failed while generating (incl. remote servers)."""


class ContextOverflowError(PonderError):
    """Even the newest message alone does not fit the context window."""


class StoreError(PonderError):
    """The chat database cannot be opened or written."""


class DownloadError(PonderError):
    """A model download failed; the partial file is kept for resuming."""


class VerificationError(DownloadError):
    """A downloaded or imported file does not match its expected SHA-256."""
