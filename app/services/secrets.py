"""The server's API key: in the system keyring when there is one, else in the settings file.

`keyring` is imported only when a key is read or written, so the window's
start-up does not pay for it. Without a usable keyring (a headless Linux, a
locked-down machine) the key goes into the settings file, which
`save_settings` writes readable only by the user.
"""

from __future__ import annotations

import dataclasses
import logging

from app.store.settings import Settings

log = logging.getLogger(__name__)

SERVICE = "Ponder"
"""The keyring service name Ponder's secrets are kept under."""


def _account(url: str) -> str:
    return f"server:{url.strip().rstrip('/')}"


def store_remote_key(settings: Settings, url: str, key: str) -> Settings:
    """Keep `key` for the server at `url`; returns the settings to save.

    The key goes to the system keyring when one works (the settings then hold
    no key); otherwise into `remote_api_key`. An empty key removes a kept one.
    """
    if not key:
        _delete(url)
        return dataclasses.replace(settings, remote_api_key="")
    if _set(url, key):
        return dataclasses.replace(settings, remote_api_key="")
    return dataclasses.replace(settings, remote_api_key=key)


def remote_key(settings: Settings, url: str | None = None) -> str | None:
    """The key for the server at `url` (default: the settings' server), or None."""
    if settings.remote_api_key:
        return settings.remote_api_key
    return _get(url if url is not None else settings.remote_url)


def _set(url: str, key: str) -> bool:
    try:
        import keyring

        keyring.set_password(SERVICE, _account(url), key)
    except Exception as exc:  # no backend, a locked keyring, a D-Bus error...
        log.info("no system keyring for the API key (%s); it goes to the settings file", exc)
        return False
    return True


def _get(url: str) -> str | None:
    if not url:
        return None
    try:
        import keyring

        value = keyring.get_password(SERVICE, _account(url))
    except Exception as exc:
        log.info("the system keyring could not be read (%s)", exc)
        return None
    return value or None


def _delete(url: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, _account(url))
    except Exception:  # nothing kept, or no keyring: nothing to remove
        return
