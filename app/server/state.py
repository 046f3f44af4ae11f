"""What the API's handlers share: the model host, its name, options, admission.

The API serves whatever model the host holds (the window's model when the
window runs the server): under its catalog id when it is a catalog model,
else its file name. A request may name it by either (or the file's stem) or
leave `model` out. Sampling starts from the model family's profile (R1:
temperature 0.6, top-p 0.95) and the request's values win; the window's own
sampling settings and presets do not apply to API clients.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from app.chat.profile import ModelProfile
from app.core.types import GenerateOptions, SamplingParams
from app.server.config import ServerConfig
from app.server.errors import NO_MODEL, ApiError
from app.services.host import ModelHost
from app.services.loading import LoadedModel
from app.services.sampling import resolve_options


def model_names(loaded: LoadedModel, catalog_ids: dict[str, str]) -> list[str]:
    """Names the loaded model answers to; the first is the one /v1/models lists."""
    source = loaded.source
    if source.is_remote:
        return [source.remote_model]
    if source.path is None:
        return [loaded.backend.info.model_name]
    names: list[str] = []
    catalog_id = catalog_ids.get(source.path.name.lower())
    if catalog_id:
        names.append(catalog_id)
    names += [source.path.name, source.path.stem]
    return names


class ApiState:
    """Shared by every request of one server.

    Args:
        host: the model host (one model, one queue).
        config: the server's settings.
    """

    def __init__(self, host: ModelHost, config: ServerConfig) -> None:
        self.host = host
        self.config = config
        self.port = config.port
        """The bound port (set by the runner once the socket is bound)."""
        self.started = int(time.time())
        self._pending = 0
        self._lock = threading.Lock()
        self._catalog_ids = {k.lower(): v for k, v in config.catalog_ids.items()}

    # -- the model --------------------------------------------------------------

    def loaded(self) -> LoadedModel:
        """The loaded model; 503 when there is none."""
        loaded = self.host.loaded
        if loaded is None:
            raise ApiError(503, NO_MODEL, "model_not_loaded")
        return loaded

    def names(self) -> list[str]:
        """The loaded model's names (503 when none is loaded)."""
        return model_names(self.loaded(), self._catalog_ids)

    def resolve_model(self, asked: str | None) -> str:
        """The name a response carries; 404 when `asked` is not the loaded model."""
        names = self.names()
        if asked is None or asked.lower() in (n.lower() for n in names):
            return names[0]
        raise ApiError(404, f"The model '{asked}' is not loaded here. This server has "
                       f"'{names[0]}' loaded; use that name or leave 'model' out.",
                       "model_not_found", "model")

    def options(self, values: dict[str, Any]) -> GenerateOptions:
        """The family profile's sampling with the request's values on top."""
        profile = getattr(self.loaded().backend, "profile", None)
        base = profile.default_sampling if isinstance(profile, ModelProfile) else SamplingParams()
        return resolve_options(base, None, None, values)

    # -- admission --------------------------------------------------------------

    @property
    def pending(self) -> int:
        """API requests running or waiting now."""
        with self._lock:
            return self._pending

    def admit(self) -> None:
        """Count a request in; 429 when max_pending are already in."""
        with self._lock:
            if self._pending >= self.config.max_pending:
                raise ApiError(429, f"The model is busy with {self._pending} requests. "
                               "Try again in a moment.", "queue_full")
            self._pending += 1

    def release(self) -> None:
        """Count a request out (any thread)."""
        with self._lock:
            self._pending -= 1
