"""A recording builder: the load parameters that reached the backend."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import ModelLoadError
from app.core.types import LoadParams
from app.engine.backend import Backend
from app.engine.fake import FakeBackend


@dataclass
class RecordingBuilder:
    """Builds FakeBackends and records every LoadParams it was given.

    Attributes:
        calls: the parameters of every attempt, oldest first.
        fail_gpu: attempts with GPU layers (n_gpu_layers != 0) raise, to
            exercise the fallback chain.
    """

    calls: list[LoadParams] = field(default_factory=list)
    fail_gpu: bool = False

    def __call__(self, params: LoadParams) -> Backend:
        self.calls.append(params)
        if self.fail_gpu and params.n_gpu_layers != 0:
            raise ModelLoadError("out of device memory (test)")
        return FakeBackend(answer="ok", model_name=params.model_path.name, n_ctx=params.n_ctx)
