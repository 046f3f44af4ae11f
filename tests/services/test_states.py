"""services.states on the real SmolLM2 and a real chats database: budget, deleted, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.core import paths
from app.core.types import (
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
)
from app.engine.backend import Backend
from app.engine.kv_files import SavedState, key_of, state_files, state_name, write_state
from app.services.loading import ModelLoader, ModelSource
from app.services.states import (
    clear_states,
    forget_deleted,
    space_used,
    state_cost_text,
    states_folder,
)
from app.store import ChatStore
from app.store.settings import Settings

pytestmark = pytest.mark.slow

SHORT = SamplingParams(temperature=0.0, max_tokens=4, seed=1)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    return tmp_path


def _ask(backend: Backend, key: str, text: str) -> None:
    generate = backend.generate
    options = GenerateOptions(sampling=SHORT, conversation=key)
    list(generate([ChatMessage(Role.USER, text)], options, GenerationControl()))


def test_budget_setting_limits_the_states_folder(home: Path, smollm2_path: Path) -> None:
    settings = Settings(n_ctx=1024, n_threads=2, n_gpu_layers=0, state_budget_mb=1)
    loaded = ModelLoader().load(ModelSource(path=smollm2_path), settings)
    try:
        _ask(loaded.backend, "1", "Hi")
        loaded.backend.memory.flush()  # type: ignore[attr-defined]
        first = space_used()
        assert 0 < first <= 1_000_000
        _ask(loaded.backend, "2", "Hello")
        loaded.backend.memory.flush()  # type: ignore[attr-defined]
    finally:
        loaded.backend.close()
    # Two states do not fit in 1 MB: the least recently used one went.
    assert [key_of(p) for p in state_files(states_folder())] == ["2"]
    assert clear_states() > 0 and space_used() == 0

    off = Settings(n_ctx=1024, n_threads=2, n_gpu_layers=0, state_budget_mb=0)
    loaded = ModelLoader().load(ModelSource(path=smollm2_path), off)
    try:
        _ask(loaded.backend, "3", "Hi")
    finally:
        loaded.backend.close()
    assert space_used() == 0  # kept in memory only


def test_states_of_deleted_conversations_are_removed(home: Path) -> None:
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    store = ChatStore(paths.db_path())
    try:
        kept = store.create_conversation("kept").id
        gone = store.create_conversation("gone").id
        folder = states_folder()
        folder.mkdir(parents=True)
        identity = bytes(32)
        for key in (kept, gone, 999):
            write_state(folder / state_name(str(key), identity),
                        identity, SavedState((1, 2, 3), b"x" * 100))
        store.delete_conversation(gone)
        assert forget_deleted(store) > 0
        assert [key_of(p) for p in state_files(folder)] == [str(kept)]
    finally:
        store.close()


def test_ponder_chat_continues_a_stored_conversation_with_its_state(
        home: Path, smollm2_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    store = ChatStore(paths.db_path())
    conversation = store.create_conversation("rome").id
    store.close()
    base = ["chat", "--model", str(smollm2_path), "--ctx", "1024", "--threads", "2",
            "--gpu-layers", "0", "--max-tokens", "6", "--temperature", "0", "--json",
            "--conversation", str(conversation)]
    assert main([*base, "Tell me about the history of Rome in a few words."]) == 0
    first = json.loads(capsys.readouterr().out)["stats"]
    assert first["evaluated_tokens"] == first["prompt_tokens"]
    assert [key_of(p) for p in state_files(states_folder())] == [str(conversation)]

    assert main([*base, "And Greece?"]) == 0  # a new process would read the same file
    second = json.loads(capsys.readouterr().out)["stats"]
    assert second["prompt_tokens"] > first["prompt_tokens"]
    assert second["evaluated_tokens"] < second["prompt_tokens"] - first["prompt_tokens"] + 8

    store = ChatStore(paths.db_path())
    try:
        roles = [m.role for m in store.active_path(conversation)]
    finally:
        store.close()
    assert roles == ["user", "assistant", "user", "assistant"]

    assert main([*base[:-1], "99", "hello"]) == 1
    assert "no longer exists" in capsys.readouterr().err


def test_the_cost_sentence_names_the_size_per_thousand_tokens() -> None:
    assert "about 29 MB per 1,000 tokens" in state_cost_text()
