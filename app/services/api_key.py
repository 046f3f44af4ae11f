"""The local API's key: in the system keyring when there is one, else in the settings file.

Keyed by name under the same keyring service as the remote server's key
(app.services.secrets). `keyring` is imported only when a key is read or
written. Without a usable keyring the key is kept in `api_server_key`, in
the settings file that `save_settings` writes readable only by the user.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from app.services.secrets import SERVICE
from app.store.settings import Settings

log = logging.getLogger(__name__)

ACCOUNT = "local-api"
"""The keyring account name of the local API's key."""


def store_api_key(settings: Settings, key: str) -> Settings:
    """Keep the local API's `key` ("" removes it); returns the settings to save."""
    key = key.strip()
    if not key:
        _call("delete_password")
        return dataclasses.replace(settings, api_server_key="")
    if _call("set_password", key) is not _FAILED:
        return dataclasses.replace(settings, api_server_key="")
    return dataclasses.replace(settings, api_server_key=key)


def api_key(settings: Settings) -> str:
    """The local API's key ("" for none: any key is accepted on 127.0.0.1)."""
    if settings.api_server_key:
        return settings.api_server_key
    value = _call("get_password")
    return value if isinstance(value, str) else ""


_FAILED = object()


def _call(operation: str, *values: str) -> Any:
    """keyring.<operation>(SERVICE, ACCOUNT, *values), or _FAILED without a usable keyring."""
    try:
        import keyring

        return getattr(keyring, operation)(SERVICE, ACCOUNT, *values)
    except Exception as exc:  # no backend, a locked keyring, nothing to delete...
        log.info("system keyring: %s failed (%s)", operation, exc)
        return _FAILED
