"""Download sources: the chosen source first, fallbacks, proxy, remembering what worked;
through real HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from app.core.errors import DownloadError
from app.models.download import DownloadSettings, DownloadStatus, RemoteFile
from app.models.mirrors import KNOWN_MIRRORS
from app.models.sources import (
    SOURCES_FILE,
    SourceKind,
    SourceSettings,
    load_sources,
    save_sources,
)
from tests.support.fake_hub import FakeHub, Fault

REPO = "someone/model-GGUF"
NAME = "model-Q4_K_M.gguf"
FAST = DownloadSettings(timeout_s=0.5, retries_per_mirror=2, backoff_s=0.01,
                        backoff_max_s=0.02, chunk_size=32 * 1024, disk_margin=0)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                "all_proxy", "HF_HUB_OFFLINE", "HF_ENDPOINT", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)


def test_order_chosen_then_last_working_then_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    s = SourceSettings(kind=SourceKind.HF_MIRROR)
    assert [m.endpoint for m in s.mirrors()] == [KNOWN_MIRRORS["hf-mirror"],
                                                 KNOWN_MIRRORS["huggingface"]]
    custom = SourceSettings(kind=SourceKind.CUSTOM, custom_url=" https://hub.example.org/ ",
                            last_working="https://other.example.net")
    monkeypatch.setenv("HF_ENDPOINT", "https://env.example.com")
    assert [m.endpoint for m in custom.mirrors()] == [
        "https://hub.example.org", "https://other.example.net", "https://env.example.com",
        KNOWN_MIRRORS["huggingface"], KNOWN_MIRRORS["hf-mirror"]]
    only = SourceSettings(kind=SourceKind.CUSTOM, custom_url="http://10.0.0.2:8080",
                          fall_back=False)
    assert [m.endpoint for m in only.mirrors()] == ["http://10.0.0.2:8080"]
    assert SourceSettings().alternative() == SourceSettings(kind=SourceKind.HF_MIRROR)
    assert SourceSettings(kind=SourceKind.HF_MIRROR).alternative() == SourceSettings()
    assert SourceSettings(kind=SourceKind.HF_MIRROR).label == "hf-mirror (China)"


@pytest.mark.parametrize(("settings", "pattern"), [
    (SourceSettings(kind=SourceKind.CUSTOM, custom_url="hub.example.org"), "download source"),
    (SourceSettings(kind=SourceKind.CUSTOM), "download source"),
    (SourceSettings(proxy="socks5://127.0.0.1:1080"), "proxy"),
])
def test_bad_addresses_are_sentences(settings: SourceSettings, pattern: str) -> None:
    with pytest.raises(DownloadError, match=pattern) as info:
        settings.validate()
    assert "full URL" in str(info.value)


def test_saved_and_loaded_and_damage_gives_defaults(tmp_path: Path) -> None:
    s = SourceSettings(kind=SourceKind.CUSTOM, custom_url="https://h.example", proxy=
                       "http://127.0.0.1:3128", last_working="https://h.example", fall_back=False)
    save_sources(tmp_path, s)
    assert load_sources(tmp_path) == s
    (tmp_path / SOURCES_FILE).write_text("{broken")
    assert load_sources(tmp_path) == SourceSettings()
    assert SourceSettings.from_dict({"kind": "nope", "proxy": 5, "fall_back": "yes"}) == \
        SourceSettings()


def test_fallback_to_a_working_source_is_remembered(tmp_path: Path) -> None:
    data = random.Random(9).randbytes(300_000)
    pinned = RemoteFile(REPO, NAME, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    with FakeHub({(REPO, NAME): data}) as down, FakeHub({(REPO, NAME): data}) as up:
        down.add_faults(*[Fault("status", on="any", status=503)] * 20)
        s = SourceSettings(kind=SourceKind.CUSTOM, custom_url=down.endpoint,
                           last_working=up.endpoint)
        notices: list[str] = []
        result = s.downloader(FAST).download(pinned, tmp_path / NAME,
                                             lambda p: notices.append(p.message))
        assert result.status is DownloadStatus.COMPLETED and result.endpoint == up.endpoint
        assert any("trying" in n and up.endpoint in n for n in notices)
        remembered = s.remember(result)
        assert remembered.last_working == up.endpoint
        assert s.remember(result.__class__(DownloadStatus.PAUSED, None, 0, None, None)) == s


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy for plain http: logs the absolute URL, then fetches it."""

    seen: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._forward(head=True)

    def do_GET(self) -> None:
        self._forward(head=False)

    def _forward(self, head: bool) -> None:
        import urllib.error
        import urllib.request

        self.seen.append(self.path)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a: Any, **k: Any) -> None:
                return None

        req = urllib.request.Request(self.path, method=self.command,
                                     headers={k: v for k, v in self.headers.items()
                                              if k.lower() in ("range",)})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
        try:
            resp = opener.open(req, timeout=5)
        except urllib.error.HTTPError as exc:
            resp = exc
        with resp:
            body = b"" if head else resp.read()
            self.send_response(resp.status if hasattr(resp, "status") else resp.code)
            for k, v in resp.headers.items():
                if k.lower() not in ("transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def proxy() -> Iterator[str]:
    _Proxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_proxy_carries_the_download(proxy: str, tmp_path: Path) -> None:
    data = random.Random(10).randbytes(100_000)
    pinned = RemoteFile(REPO, NAME, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    with FakeHub({(REPO, NAME): data}) as hub:
        s = SourceSettings(kind=SourceKind.CUSTOM, custom_url=hub.endpoint, proxy=proxy,
                           fall_back=False)
        result = s.downloader(FAST).download(pinned, tmp_path / NAME)
    assert result.status is DownloadStatus.COMPLETED
    assert (tmp_path / NAME).read_bytes() == data
    assert _Proxy.seen and all(u.startswith(hub.endpoint) for u in _Proxy.seen)
    assert json.dumps(s.to_dict())  # what save_sources writes
