"""Servers shared by the engine tests: llama.cpp's own server and the stdlib stub.

Session-scoped, so the remote tests and the reply-contract tests start each
server (and load its model) once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.llama_server import R1_SERVER_ALIAS, serve_llama
from tests.support.openai_stub import serve_stub


@pytest.fixture(scope="session")
def llama_server(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama_cpp.server serving SmolLM2 as "smollm2" (context 2048); the /v1 URL."""
    log = tmp_path_factory.mktemp("server") / "smollm2.log"
    with serve_llama(smollm2_path, "smollm2", log) as url:
        yield url


@pytest.fixture(scope="session")
def llama_server_r1(tiny_r1_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama_cpp.server serving the tiny R1 as R1_SERVER_ALIAS (context 2048); the /v1 URL."""
    log = tmp_path_factory.mktemp("server") / "tiny-r1.log"
    with serve_llama(tiny_r1_gguf, R1_SERVER_ALIAS, log) as url:
        yield url


@pytest.fixture(scope="session")
def openai_stub() -> Iterator[str]:
    """The misbehaving stdlib server (tests.support.openai_stub); its root URL."""
    with serve_stub() as url:
        yield url
