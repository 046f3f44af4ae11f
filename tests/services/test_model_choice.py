"""The window's model choice: settings → source, the remembered model, the server's key."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.chat.profile import GENERIC_PROFILE, R1_PROFILE
from app.core.errors import BackendError
from app.engine.fake import FakeBackend
from app.services.loading import LoadedModel, ModelSource
from app.services.model_choice import (
    choice_key,
    family_sampling,
    remember_loaded,
    source_from_settings,
)
from app.services.remote import list_server_models
from app.services.secrets import remote_key, store_remote_key
from app.store.settings import Settings, load_settings, save_settings
from tests.support.llama_server import free_port

URL = "http://127.0.0.1:8080/v1"


class MemoryKeyring(KeyringBackend):
    """A working system keyring, in memory (only where a test sets it)."""

    @properties.classproperty
    def priority(cls) -> float:
        # Not viable for keyring's own choice, so no other test gets it by default.
        raise RuntimeError("set explicitly by a test")

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No usable system keyring (a headless Linux, as on the test machine)."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_the_key_goes_to_the_system_keyring_when_there_is_one(
        memory_keyring: MemoryKeyring) -> None:
    kept = store_remote_key(Settings(remote_url=URL), URL, "sk-secret")
    assert kept.remote_api_key == ""  # not in the settings file
    assert list(memory_keyring.kept.values()) == ["sk-secret"]
    assert remote_key(kept) == "sk-secret"
    source = source_from_settings(Settings(backend="remote", remote_url=URL,
                                           remote_model="m"))
    assert source is not None and source.api_key == "sk-secret"
    assert store_remote_key(kept, URL, "").remote_api_key == ""
    assert memory_keyring.kept == {}


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_key_is_kept_in_a_file_only_the_user_reads(
        settings_file: Path) -> None:
    kept = store_remote_key(Settings(remote_url=URL), URL, "sk-secret")
    assert kept.remote_api_key == "sk-secret"
    save_settings(kept, settings_file)
    assert stat.S_IMODE(os.stat(settings_file).st_mode) == 0o600
    assert remote_key(load_settings(settings_file)) == "sk-secret"


def test_settings_choose_the_server_or_the_last_file(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    assert source_from_settings(Settings()) is None
    assert source_from_settings(Settings(last_model=str(tmp_path / "gone.gguf"))) is None
    assert source_from_settings(Settings(last_model=str(model))) == ModelSource(path=model)
    remote = source_from_settings(Settings(backend="remote", remote_url=URL, remote_model="m",
                                           remote_api_key="k", last_model=str(model)))
    assert remote == ModelSource(remote_url=URL, remote_model="m", api_key="k")
    assert choice_key(Settings(backend="remote", remote_url=URL, remote_model="m")) != \
        choice_key(Settings(last_model=str(model)))


def test_what_loaded_is_remembered(tmp_path: Path, settings_file: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    save_settings(Settings(n_threads=3, plan_n_ctx=2048), settings_file)
    remember_loaded(ModelSource(path=model), settings_file)
    saved = load_settings(settings_file)
    assert (saved.backend, saved.last_model, saved.n_threads, saved.plan_n_ctx) == \
        ("local", str(model.resolve()), 3, 2048)
    remember_loaded(ModelSource(remote_url=URL, remote_model="m"), settings_file)
    saved = load_settings(settings_file)
    assert (saved.backend, saved.remote_url, saved.remote_model, saved.last_model) == \
        ("remote", URL, "m", str(model.resolve()))


def test_the_family_profile_gives_the_sampling_defaults() -> None:
    r1 = FakeBackend()
    r1.profile = R1_PROFILE  # type: ignore[attr-defined]
    assert family_sampling(LoadedModel(r1, ModelSource())) == R1_PROFILE.default_sampling
    assert family_sampling(LoadedModel(FakeBackend(), ModelSource())) == \
        GENERIC_PROFILE.default_sampling
    assert family_sampling(None) == GENERIC_PROFILE.default_sampling


def test_an_unreachable_server_is_one_clear_sentence() -> None:
    with pytest.raises(BackendError) as caught:
        list_server_models(f"http://127.0.0.1:{free_port()}/v1", timeout_s=2)
    assert "127.0.0.1" in str(caught.value)
    with pytest.raises(BackendError, match="is not a server address"):
        list_server_models("ftp://nowhere")


def test_loading_through_the_host_as_ponder_serve_does_leaves_the_choice_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.host import ModelHost
    from app.services.loading import ModelLoader
    from tests.services.recording import RecordingBuilder

    monkeypatch.setenv("PONDER_HOME", str(tmp_path / "home"))
    chosen, served = tmp_path / "chosen.gguf", tmp_path / "served.gguf"
    for path in (chosen, served):
        path.write_bytes(b"GGUF")
    save_settings(Settings(last_model=str(chosen)))
    host = ModelHost(ModelLoader(build=RecordingBuilder()))
    host.load(ModelSource(path=served), load_settings())
    assert host.loaded is not None and host.loaded.source.path == served
    # only the window remembers what it loaded (app.ui.shell.model_loads)
    assert load_settings().last_model == str(chosen)
