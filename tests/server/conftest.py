"""Real servers for the API tests: uvicorn on 127.0.0.1, real GGUF models."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.server.config import ServerConfig
from app.server.runner import ApiServer
from app.services.host import ModelHost
from app.services.loading import ModelSource
from app.store.settings import Settings
from tests.support.gpu import gpu_layers

R1_CATALOG_ID = "deepseek-r1-distill-qwen-1.5b"


def load_host(path: Path, n_ctx: int = 2048) -> ModelHost:
    """A model host with `path` loaded (2 threads, the test GPU layers)."""
    host = ModelHost()
    host.load(ModelSource(path=path),
              Settings(n_ctx=n_ctx, n_threads=2, n_gpu_layers=gpu_layers()))
    return host


def start(host: ModelHost, **config: Any) -> ApiServer:
    """An ApiServer on a free port of 127.0.0.1, started."""
    server = ApiServer(host, ServerConfig(port=0, **config))
    server.start()
    return server


def http_json(port: int, method: str, path: str, body: Any = None,
              headers: dict[str, str] | None = None, raw: bytes | None = None,
              timeout: float = 120.0) -> tuple[int, Any]:
    """One raw HTTP request; (status, decoded JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        text = response.read()
        return response.status, json.loads(text) if text else None
    finally:
        conn.close()


@pytest.fixture(scope="package")
def smol_host(smollm2_path: Path) -> Iterator[ModelHost]:
    host = load_host(smollm2_path)
    yield host
    host.unload()


@pytest.fixture(scope="package")
def smol_server(smol_host: ModelHost) -> Iterator[ApiServer]:
    server = start(smol_host)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def r1_host(tiny_r1_gguf: Path) -> Iterator[ModelHost]:
    host = load_host(tiny_r1_gguf)
    yield host
    host.unload()


@pytest.fixture(scope="package")
def r1_server(r1_host: ModelHost, tiny_r1_gguf: Path) -> Iterator[ApiServer]:
    server = start(r1_host, catalog_ids={tiny_r1_gguf.name: R1_CATALOG_ID})
    yield server
    server.stop()
