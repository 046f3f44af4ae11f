"""Loading a model, the one way every front end does it.

`load_params` turns a model file plus the settings (the user's explicit
choices first, then the saved hardware plan, then safe defaults) into
LoadParams. `ModelLoader` loads them with the GPU fallback chain (the plan's
layers, about half of them, then the CPU alone) and says why it moved on in
one sentence, or connects to a server. The window, `ponder chat`,
`ponder --self-test`, the wizard's first answer and the API server all come
through here, so a fix on one path is a fix on all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app.core.errors import ModelFileError, ModelLoadError, PonderError
from app.core.gguf_header import check_model_file
from app.core.types import LoadParams
from app.engine.backend import Backend
from app.hardware.fallback import LoadAttempt, gpu_layer_attempts, should_retry_on_cpu
from app.services.states import attach_states
from app.store.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096
"""Context length when neither the user nor the plan chose one."""

BackendBuilder = Callable[[LoadParams], Backend]
"""Loads one attempt of a local model (on the calling thread)."""
FallbackCallback = Callable[[str], None]
"""Told the one-sentence reason when a GPU load is retried with fewer layers."""


@dataclass(frozen=True)
class ModelSource:
    """What to load: a local GGUF file or a model on a server.

    Attributes:
        path: the GGUF file (local models).
        remote_url: the server's API root (servers).
        remote_model: the model name the server knows.
        api_key: the server's key, if it needs one.
        chat_template: a Jinja template replacing the file's own (local only).
        timeout_s: seconds to wait for a server.
    """

    path: Path | None = None
    remote_url: str = ""
    remote_model: str = ""
    api_key: str | None = None
    chat_template: str | None = None
    timeout_s: float = 60.0

    @property
    def is_remote(self) -> bool:
        return bool(self.remote_url)

    @property
    def label(self) -> str:
        """A short description for messages."""
        if self.is_remote:
            return f"{self.remote_model} at {self.remote_url}"
        return self.path.name if self.path is not None else "no model"


@dataclass(frozen=True)
class LoadedModel:
    """A backend ready to use and how it was loaded.

    Attributes:
        backend: the loaded model or server client.
        source: what was asked for.
        params: the load parameters that worked (None for a server).
        fallback_reason: why fewer GPU layers were used than planned, if so.
    """

    backend: Backend
    source: ModelSource
    params: LoadParams | None = None
    fallback_reason: str | None = None


def local_builder(params: LoadParams) -> Backend:
    """Load a GGUF through llama.cpp (app.engine.local, imported lazily)."""
    from app.engine.local import LocalBackend

    return LocalBackend(params)


def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build can offload to a GPU (imports llama_cpp)."""
    from app.engine.capabilities import gpu_offload_supported as supported

    return supported()


def load_params(
    path: Path,
    settings: Settings,
    *,
    gpu_offload: Callable[[], bool] = gpu_offload_supported,
    chat_template: str | None = None,
) -> LoadParams:
    """LoadParams for `path`: the user's explicit choice, else the saved plan, else defaults.

    Args:
        path: the GGUF file.
        settings: n_ctx / n_gpu_layers / n_threads (None: auto) and the plan.
        gpu_offload: asked only when neither the user nor the plan chose
            the GPU layers: all layers if the build can offload, else none.
        chat_template: a template replacing the file's own.
    """
    n_ctx = settings.n_ctx or settings.plan_n_ctx or DEFAULT_N_CTX
    if settings.n_gpu_layers is not None:
        layers = settings.n_gpu_layers
    elif settings.plan_n_gpu_layers is not None:
        layers = settings.plan_n_gpu_layers
    else:
        layers = -1 if gpu_offload() else 0
    return LoadParams(model_path=path, n_ctx=n_ctx, n_threads=settings.n_threads or None,
                      n_gpu_layers=layers, flash_attn=True, chat_template=chat_template)


def total_layers(path: Path) -> int | None:
    """Offloadable layers of a GGUF (block count + the output layer), if the header says."""
    try:
        header = check_model_file(path)
    except ModelFileError:
        return None
    arch = header.metadata.get("general.architecture")
    count = header.metadata.get(f"{arch}.block_count") if isinstance(arch, str) else None
    return count + 1 if isinstance(count, int) and count > 0 else None


def fallback_sentence(failed: LoadAttempt, following: LoadAttempt, error: str) -> str:
    """One sentence telling the user why the GPU load was retried."""
    if following.is_cpu_only:
        return (f"The GPU could not hold the model ({error}); it runs on the CPU instead, "
                "which is slower.")
    return (f"The GPU could not hold {failed.offloaded or 'all'} layers ({error}); "
            f"{following.offloaded} layers run on the GPU and the rest on the CPU.")


class ModelLoader:
    """Loads local models with the GPU fallback chain, or connects to servers.

    Args:
        build: loads one local attempt (llama.cpp by default; tests pass a
            recording builder to see the parameters that reach the backend).
    """

    def __init__(self, build: BackendBuilder = local_builder) -> None:
        self._build = build

    def load(
        self,
        source: ModelSource,
        settings: Settings,
        on_fallback: FallbackCallback | None = None,
        *,
        gpu_offload: Callable[[], bool] = gpu_offload_supported,
    ) -> LoadedModel:
        """Load `source` as the settings and the plan say.

        Raises:
            PonderError: the file is broken, the last attempt failed, or the
                server address is not valid.
        """
        if source.is_remote:
            from app.engine.remote import RemoteBackend

            backend = RemoteBackend(source.remote_url, source.remote_model,
                                    api_key=source.api_key, timeout_s=source.timeout_s)
            return LoadedModel(backend, source)
        if source.path is None:
            raise ModelFileError("No model file was chosen. Open a GGUF file or download a model.")
        params = load_params(source.path, settings, gpu_offload=gpu_offload,
                             chat_template=source.chat_template)
        loaded = self.load_params(source, params, on_fallback)
        attach_states(loaded.backend, settings)  # conversation states on disk (local only)
        return loaded

    def load_params(
        self,
        source: ModelSource,
        params: LoadParams,
        on_fallback: FallbackCallback | None = None,
    ) -> LoadedModel:
        """Load exact parameters, retrying with fewer GPU layers and then the CPU."""
        attempts = gpu_layer_attempts(params.n_gpu_layers, total_layers(params.model_path))
        reason: str | None = None
        for index, attempt in enumerate(attempts):
            tried = replace(params, n_gpu_layers=attempt.n_gpu_layers)
            try:
                backend = self._build(tried)
            except Exception as exc:
                is_last = index == len(attempts) - 1
                if is_last or not should_retry_on_cpu(exc):
                    if isinstance(exc, PonderError):
                        raise
                    raise ModelLoadError(
                        f"The model could not be loaded ({type(exc).__name__}: {exc}). Close "
                        "other programs or choose a smaller quantization, then try again."
                    ) from exc
                log.warning("loading with %s GPU layers failed: %s", attempt.n_gpu_layers, exc)
                reason = fallback_sentence(attempt, attempts[index + 1], str(exc))
                if on_fallback is not None:
                    on_fallback(reason)
                continue
            return LoadedModel(backend, source, tried, reason)
        raise AssertionError("gpu_layer_attempts always returns at least one attempt")
