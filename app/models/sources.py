"""Where downloads come from, as the user sets it: a source, a proxy, and memory.

A ``SourceSettings`` value names the source the user chose (Hugging Face,
hf-mirror for users in China, or a custom hub-compatible URL) and a proxy
(empty: the system's). ``mirrors()`` turns it into the ordered list the
``Downloader`` tries: the chosen source, then the one that worked last time,
then the others (the downloader says so when it falls back). After a
download, ``remember(result)`` records the source that worked; ``alternative()``
is the one-click "try the other source" for a failed download. The value
is saved as ``download-sources.json`` in the config folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core.errors import DownloadError
from app.models.download import Downloader
from app.models.download_types import DownloadResult, DownloadSettings, DownloadStatus
from app.models.mirrors import HF_ENDPOINT_ENV, KNOWN_MIRRORS, Mirror, unique_mirrors

SOURCES_FILE = "download-sources.json"


class SourceKind(str, enum.Enum):
    """The download source the user picked."""

    HUGGING_FACE = "huggingface"
    """huggingface.co itself."""
    HF_MIRROR = "hf-mirror"
    """hf-mirror.com, reachable from mainland China."""
    CUSTOM = "custom"
    """Any server with the hub's /<repo>/resolve/<revision>/<file> API."""


LABELS: dict[SourceKind, str] = {
    SourceKind.HUGGING_FACE: "Hugging Face",
    SourceKind.HF_MIRROR: "hf-mirror (China)",
    SourceKind.CUSTOM: "Custom URL",
}


def _check_url(url: str, what: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise DownloadError(
            f"The {what} {url!r} is not a valid address. Enter a full URL such as "
            f"{'https://example.org' if what != 'proxy' else 'http://127.0.0.1:7890'}."
        )
    return url


@dataclass(frozen=True)
class SourceSettings:
    """The user's download source and proxy.

    Attributes:
        kind: the chosen source.
        custom_url: the base URL when kind is CUSTOM.
        proxy: an http(s) proxy URL; "" uses the system's proxy settings.
        last_working: the endpoint that completed the last download ("" if none).
        fall_back: whether the other sources are tried when the chosen one fails.
    """

    kind: SourceKind = SourceKind.HUGGING_FACE
    custom_url: str = ""
    proxy: str = ""
    last_working: str = ""
    fall_back: bool = True

    @property
    def label(self) -> str:
        """The source's name for the window."""
        return LABELS[self.kind] if self.kind is not SourceKind.CUSTOM else self.custom_url

    def endpoint(self) -> str:
        """The chosen source's base URL.

        Raises:
            DownloadError: a custom source without a valid URL.
        """
        if self.kind is SourceKind.CUSTOM:
            return _check_url(self.custom_url, "download source")
        return KNOWN_MIRRORS[self.kind.value]

    def validate(self) -> None:
        """Raise DownloadError with a sentence when the URL or proxy is not usable."""
        self.endpoint()
        if self.proxy.strip():
            _check_url(self.proxy, "proxy")

    def mirrors(self) -> list[Mirror]:
        """The endpoints to try, in order, without repeats.

        The chosen source; then (when fall_back) the source that worked last,
        a HF_ENDPOINT from the environment, and the known sources.

        Raises:
            DownloadError: a custom source without a valid URL.
        """
        chosen = Mirror(self.kind.value, self.endpoint())
        ordered = [chosen]
        if self.fall_back:
            known = {url: name for name, url in KNOWN_MIRRORS.items()}
            extra = [self.last_working, os.environ.get(HF_ENDPOINT_ENV, "").strip().rstrip("/")]
            for url in extra:
                if url:
                    ordered.append(Mirror(known.get(url, "custom"), url))
            ordered.extend(Mirror(name, url) for name, url in KNOWN_MIRRORS.items())
        return unique_mirrors(ordered)

    def download_settings(self, base: DownloadSettings | None = None) -> DownloadSettings:
        """`base` (or the defaults) with this proxy; "" keeps the system's proxy."""
        base = base or DownloadSettings()
        proxy = _check_url(self.proxy, "proxy") if self.proxy.strip() else None
        return dataclasses.replace(base, proxy=proxy)

    def downloader(self, base: DownloadSettings | None = None) -> Downloader:
        """A Downloader over these sources and this proxy.

        Raises:
            DownloadError: the custom URL or the proxy is not valid.
        """
        return Downloader(self.mirrors(), self.download_settings(base))

    def remember(self, result: DownloadResult) -> SourceSettings:
        """These settings with the source that completed `result` remembered."""
        if result.status is not DownloadStatus.COMPLETED or not result.endpoint:
            return self
        return dataclasses.replace(self, last_working=result.endpoint)

    def alternative(self) -> SourceSettings | None:
        """The other well-known source, for "try the other source" after a failure."""
        if self.kind is SourceKind.HF_MIRROR:
            return dataclasses.replace(self, kind=SourceKind.HUGGING_FACE)
        return dataclasses.replace(self, kind=SourceKind.HF_MIRROR)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"version": 1, "kind": self.kind.value, "custom_url": self.custom_url,
                "proxy": self.proxy, "last_working": self.last_working,
                "fall_back": self.fall_back}

    @classmethod
    def from_dict(cls, data: Any) -> SourceSettings:
        """From JSON; unknown or wrong values fall back to the defaults (never raises)."""
        if not isinstance(data, dict):
            return cls()
        try:
            kind = SourceKind(data.get("kind"))
        except ValueError:
            kind = SourceKind.HUGGING_FACE

        def text(key: str) -> str:
            value = data.get(key)
            return value.strip() if isinstance(value, str) else ""

        fall_back = data.get("fall_back")
        return cls(kind=kind, custom_url=text("custom_url"), proxy=text("proxy"),
                   last_working=text("last_working"),
                   fall_back=fall_back if isinstance(fall_back, bool) else True)


def load_sources(config_dir: Path) -> SourceSettings:
    """The saved sources (defaults when missing or damaged)."""
    try:
        data = json.loads((config_dir / SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SourceSettings()
    return SourceSettings.from_dict(data)


def save_sources(config_dir: Path, sources: SourceSettings) -> None:
    """Write the sources atomically.

    Raises:
        DownloadError: the config folder cannot be written.
    """
    path = config_dir / SOURCES_FILE
    tmp = path.with_name(path.name + ".tmp")
    try:
        config_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(sources.to_dict(), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DownloadError(
            f"Ponder could not save the download source to {path} ({exc.strerror or exc}). "
            "Check that the folder is writable."
        ) from exc
