"""Servers: which models an OpenAI-compatible server offers."""

from __future__ import annotations

from app.core.errors import BackendError


def list_server_models(url: str, api_key: str | None = None,
                       timeout_s: float = 10.0) -> list[str]:
    """The model ids the server at `url` offers (GET /v1/models), sorted.

    Raises:
        BackendError: the address is not valid, the server cannot be reached,
            refuses the key, or answers something that is not a model list.
    """
    from app.engine.remote import RemoteBackend

    client = RemoteBackend(url, "", api_key=api_key or None, timeout_s=timeout_s)
    try:
        models = sorted(set(client.list_models()))
    finally:
        client.close()
    if not models:
        raise BackendError(f"The server at {client.base_url} offers no models.")
    return models
