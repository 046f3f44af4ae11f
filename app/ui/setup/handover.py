"""The wizard's first-answer model, kept for the window instead of loaded twice.

The first-answer job hands its loaded model to a ModelHandover (on the job's
thread); the wizard takes it when Finish is pressed and gives it to the
window (ModelLoads.adopt), or closes it when the wizard is cancelled or
another model was chosen.
"""

from __future__ import annotations

import threading

from app.services.loading import LoadedModel


class ModelHandover:
    """Holds at most one loaded model until someone takes or releases it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: LoadedModel | None = None

    def keep(self, loaded: LoadedModel) -> None:
        """Hold `loaded` (any model held before is closed)."""
        with self._lock:
            old, self._loaded = self._loaded, loaded
        if old is not None and old is not loaded:
            old.backend.close()

    def take(self) -> LoadedModel | None:
        """The model held, now the caller's to use and close; None if there is none."""
        with self._lock:
            loaded, self._loaded = self._loaded, None
        return loaded

    def release(self) -> None:
        """Close the model held, if any (nobody took it)."""
        loaded = self.take()
        if loaded is not None:
            loaded.backend.close()
