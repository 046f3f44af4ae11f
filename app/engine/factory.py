"""Open the right backend for a model file or a server address."""

from __future__ import annotations

from pathlib import Path

from app.core.types import LoadParams
from app.engine.backend import Backend


def open_backend(
    model: str | Path,
    *,
    remote_url: str | None = None,
    api_key: str | None = None,
    timeout_s: float = 60,
    n_ctx: int = 4096,
    n_threads: int | None = None,
    n_gpu_layers: int = 0,
    flash_attn: bool = True,
    chat_template: str | None = None,
) -> Backend:
    """A loaded local model, or a client for an OpenAI-compatible server.

    Args:
        model: the GGUF file, or with `remote_url` the server's model name.
        remote_url: the server's API root; None loads `model` locally.
        api_key: for the server.
        timeout_s: seconds to wait for the server.
        n_ctx, n_threads, n_gpu_layers, flash_attn, chat_template: see
            LoadParams (local models only).

    Raises:
        ModelFileError, ModelLoadError: the local file cannot be used.
        BackendError: the server address is not valid.
    """
    if remote_url:
        from app.engine.remote import RemoteBackend

        return RemoteBackend(remote_url, str(model), api_key=api_key, timeout_s=timeout_s,
                             n_ctx=0)
    from app.engine.local import LocalBackend

    return LocalBackend(
        LoadParams(
            model_path=Path(model),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_gpu_layers=n_gpu_layers,
            flash_attn=flash_attn,
            chat_template=chat_template,
        )
    )
