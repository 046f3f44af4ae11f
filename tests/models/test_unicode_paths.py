"""A user folder and a model path with Chinese characters and spaces work end to end:
import, listing, the chat database, and loading through real llama.cpp."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import paths
from app.core.native_path import native_model_path
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Role,
    SamplingParams,
)
from app.engine.local import LocalBackend
from app.models.importer import import_gguf
from app.models.installed import list_installed
from app.store.chat_store import ChatStore

NAME = "SmolLM2 小模型 测试.gguf"


def test_chinese_and_spaces_in_every_path(smollm2_path: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "用户 张三" / "Ponder 数据"
    monkeypatch.setenv("PONDER_HOME", str(home))
    source = tmp_path / "下载 文件夹" / NAME
    source.parent.mkdir(parents=True)
    source.write_bytes(smollm2_path.read_bytes())

    model = import_gguf(source, paths.models_dir())
    assert model.path == home / "models" / NAME and model.is_usable
    assert [m.file_name for m in list_installed(paths.models_dir(),
                                                bundled_dir=tmp_path / "none")] == [NAME]

    with ChatStore(paths.db_path()) as store:
        conv = store.create_conversation("路径 测试")
        store.add_user_message(conv.id, "你好")
    with ChatStore(paths.db_path()) as store:
        assert [c.title for c in store.list_conversations()] == ["路径 测试"]

    handed = native_model_path(model.path)
    assert handed == model.path  # Linux opens UTF-8 paths as they are
    backend = LocalBackend(LoadParams(model_path=handed, n_ctx=512, n_threads=1,
                                      n_gpu_layers=0))
    try:
        events = list(backend.generate(
            [ChatMessage(Role.USER, "Say hi.")],
            GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=4, seed=1)),
            GenerationControl()))
    finally:
        backend.close()
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.stats.completion_tokens >= 1
