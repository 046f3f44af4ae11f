"""ModelLoader picks the local or the remote backend (the engine's factory is gone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import BackendError, ModelFileError
from app.engine.local import LocalBackend
from app.engine.remote import RemoteBackend
from app.services.loading import ModelLoader, ModelSource
from app.store.settings import Settings


def test_a_server_address_gives_a_remote_backend() -> None:
    loaded = ModelLoader().load(ModelSource(remote_url="http://127.0.0.1:9/v1",
                                            remote_model="qwen", timeout_s=5), Settings())
    assert isinstance(loaded.backend, RemoteBackend)
    assert loaded.backend.info.backend == "remote"
    assert loaded.backend.info.model_name == "qwen"
    assert loaded.params is None
    with pytest.raises(BackendError):
        ModelLoader().load(ModelSource(remote_url="not a url", remote_model="qwen"), Settings())


@pytest.mark.slow
def test_a_file_gives_a_local_backend(tiny_r1_gguf: Path, tmp_path: Path) -> None:
    settings = Settings(n_ctx=256, n_threads=1, n_gpu_layers=0)
    loaded = ModelLoader().load(ModelSource(path=tiny_r1_gguf), settings)
    try:
        assert isinstance(loaded.backend, LocalBackend)
        assert loaded.backend.info.n_ctx == 256
        assert loaded.backend.count_tokens("<think>") == 1
    finally:
        loaded.backend.close()
    with pytest.raises(ModelFileError):
        ModelLoader().load(ModelSource(path=tmp_path / "none.gguf"), settings)
