"""open_backend picks the local or the remote backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import BackendError, ModelFileError
from app.engine.factory import open_backend
from app.engine.local import LocalBackend
from app.engine.remote import RemoteBackend


def test_remote_url_gives_a_remote_backend() -> None:
    backend = open_backend("qwen", remote_url="http://127.0.0.1:9/v1", timeout_s=5)
    assert isinstance(backend, RemoteBackend)
    assert backend.info.backend == "remote"
    assert backend.info.model_name == "qwen"
    with pytest.raises(BackendError):
        open_backend("qwen", remote_url="not a url")


def test_file_gives_a_local_backend(tiny_r1_gguf: Path, tmp_path: Path) -> None:
    backend = open_backend(tiny_r1_gguf, n_ctx=256, n_threads=1, flash_attn=False)
    try:
        assert isinstance(backend, LocalBackend)
        assert backend.info.n_ctx == 256
        assert backend.count_tokens("<think>") == 1
    finally:
        backend.close()
    with pytest.raises(ModelFileError):
        open_backend(tmp_path / "none.gguf")
