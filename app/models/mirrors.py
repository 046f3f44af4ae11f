"""Where models are downloaded from: Hugging Face, hf-mirror.com or a custom endpoint."""

from __future__ import annotations

import os
from dataclasses import dataclass

from app.core.errors import DownloadError

HF_ENDPOINT_ENV = "HF_ENDPOINT"
HF_OFFLINE_ENV = "HF_HUB_OFFLINE"

KNOWN_MIRRORS: dict[str, str] = {
    "huggingface": "https://huggingface.co",
    "hf-mirror": "https://hf-mirror.com",
}


@dataclass(frozen=True)
class Mirror:
    """One endpoint that serves the hub's ``/<repo>/resolve/<rev>/<file>`` API.

    Attributes:
        name: shown to the user ("huggingface", "hf-mirror", "custom").
        endpoint: base URL without a trailing slash.
    """

    name: str
    endpoint: str


def is_offline() -> bool:
    """Whether HF_HUB_OFFLINE asks for no network access."""
    return os.environ.get(HF_OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _custom(url: str) -> Mirror:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise DownloadError(
            f"The mirror {url!r} is neither a known name ({', '.join(KNOWN_MIRRORS)}) nor an "
            "http(s) URL. Use one of those names or a full URL such as https://example.org."
        )
    return Mirror("custom", url)


def resolve_mirrors(choice: str | None = None) -> list[Mirror]:
    """The mirrors to try, in order.

    The chosen one (a name from KNOWN_MIRRORS or a URL) comes first, then a
    custom HF_ENDPOINT if set, then the remaining known mirrors as fallbacks.

    Args:
        choice: a mirror name, an http(s) URL, or None for the default order.

    Raises:
        DownloadError: `choice` is neither a known name nor a URL.
    """
    ordered: list[Mirror] = []
    if choice:
        key = choice.strip().lower()
        ordered.append(Mirror(key, KNOWN_MIRRORS[key]) if key in KNOWN_MIRRORS else _custom(choice))
    env = os.environ.get(HF_ENDPOINT_ENV, "").strip()
    if env:
        known = {v: k for k, v in KNOWN_MIRRORS.items()}
        url = env.rstrip("/")
        ordered.append(Mirror(known[url], url) if url in known else _custom(url))
    ordered.extend(Mirror(name, url) for name, url in KNOWN_MIRRORS.items())
    return unique_mirrors(ordered)


def unique_mirrors(ordered: list[Mirror]) -> list[Mirror]:
    """`ordered` without later mirrors of an endpoint already listed."""
    seen: set[str] = set()
    unique: list[Mirror] = []
    for m in ordered:
        if m.endpoint not in seen:
            seen.add(m.endpoint)
            unique.append(m)
    return unique
