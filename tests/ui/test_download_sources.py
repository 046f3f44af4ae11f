"""Download sources in the window: the wizard's download step and Settings.

A real downloader against the hub-like server (tests/support/fake_hub.py) on
127.0.0.1. The well-known sources are pointed at that server for these tests
(no network), so "try hf-mirror instead" really downloads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.core import paths
from app.models import mirrors
from app.models.catalog import parse_catalog
from app.models.sources import SOURCES_FILE, SourceKind, SourceSettings, load_sources
from app.ui.setup.deps import SetupDeps
from app.ui.setup.get_model_page import GetModelPage
from app.ui.setup.sources_box import SourcesBox
from tests.support.fake_hub import FakeHub
from tests.support.model_setup import (
    REPO,
    fast_settings,
    fixed_probe,
    machine,
    one_model_catalog,
)
from tests.ui.helpers import snap

NAME = "tiny.gguf"
DATA = b"GGUF" + bytes(range(256)) * 4000
DEAD = "http://127.0.0.1:9"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub({(REPO, NAME): DATA, ("pinned/elsewhere", NAME): DATA}) as server:
        yield server


@pytest.fixture
def mirror_is_hub(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    monkeypatch.setitem(mirrors.KNOWN_MIRRORS, "hf-mirror", hub.endpoint)
    monkeypatch.setitem(mirrors.KNOWN_MIRRORS, "huggingface", DEAD)
    return hub


def _page(qtbot: QtBot, catalog: Any, sources: SourceSettings) -> GetModelPage:
    deps = SetupDeps(models_dir=paths.models_dir(), catalog=catalog, mirrors=[],
                     download_settings=fast_settings(retries_per_mirror=1),
                     sources=sources, config_dir=paths.config_dir(), demo_models=list)
    page = GetModelPage(deps)
    qtbot.addWidget(page)
    page.resize(640, 520)
    page.show()
    from app.services.setup import recommend

    page.set_recommendation(recommend(paths.models_dir(), catalog,
                                      probe=fixed_probe(machine()), gpu_offload=lambda: False))
    return page


def _run(qtbot: QtBot, page: GetModelPage, start: Any) -> None:
    with qtbot.waitSignal(page.task_ended, timeout=30000):
        start()


def _pinned_catalog() -> Any:
    return one_model_catalog([("Q4_1", NAME, len(DATA), hashlib.sha256(DATA).hexdigest())])


def test_a_failed_download_offers_the_other_source_in_one_click(
        qtbot: QtBot, mirror_is_hub: FakeHub, screenshot_dir: Path) -> None:
    sources = SourceSettings(kind=SourceKind.CUSTOM, custom_url=DEAD, fall_back=False)
    page = _page(qtbot, _pinned_catalog(), sources)
    assert page.sources_box is not None and page.sources_box.custom_url.isVisible()
    _run(qtbot, page, page.start_download)
    assert page.error_label.text()
    assert page.other_source_button.isVisible()
    assert page.other_source_button.text() == "Try hf-mirror (China) instead"
    snap(page, screenshot_dir / "download_other_source.png")
    _run(qtbot, page, page.other_source_button.click)
    assert (paths.models_dir() / NAME).read_bytes() == DATA
    assert page.message_label.text() == "Downloaded and verified."
    assert not page.other_source_button.isVisible()
    saved = load_sources(paths.config_dir())
    assert saved.kind is SourceKind.HF_MIRROR
    assert saved.last_working == mirror_is_hub.endpoint  # the source that worked is remembered
    snap(page, screenshot_dir / "download_sources_done.png")


def test_each_file_comes_from_its_own_pinned_repository(
        qtbot: QtBot, hub: FakeHub) -> None:
    raw: dict[str, Any] = {
        "default_model": "smol",
        "models": [{
            "id": "smol", "name": "SmolLM2 135M", "repo_id": "someone/else",
            "license": "apache-2.0", "architecture": "llama", "parameters": 135_000_000,
            "n_layers": 30, "kv_bytes_per_token": 11520, "context_length": 8192,
            "default_context": 2048,
            "files": [{"quant": "Q4_1", "file": NAME, "size_bytes": len(DATA),
                       "size_exact": True, "sha256": hashlib.sha256(DATA).hexdigest(),
                       "memory_bytes": len(DATA) * 2, "repo_id": "pinned/elsewhere"}],
        }],
    }
    sources = SourceSettings(kind=SourceKind.CUSTOM, custom_url=hub.endpoint, fall_back=False)
    page = _page(qtbot, parse_catalog(raw), sources)
    _run(qtbot, page, page.start_download)
    assert (paths.models_dir() / NAME).exists(), page.error_label.text()
    paths_asked = [r.path for r in hub.requests]
    assert any("/pinned/elsewhere/resolve/" in p for p in paths_asked), paths_asked
    assert not any("/someone/else/" in p for p in paths_asked)


def test_a_file_outside_the_pinned_catalog_says_it_is_not_verified(
        qtbot: QtBot, hub: FakeHub) -> None:
    # The catalog never offers an unpinned file; a model given to the page by hand can.
    sources = SourceSettings(kind=SourceKind.CUSTOM, custom_url=hub.endpoint, fall_back=False)
    page = _page(qtbot, _pinned_catalog(), sources)
    rec = page.recommendation
    assert rec is not None
    unpinned = [dataclasses.replace(f, sha256=None) for f in rec.model.files]
    model = dataclasses.replace(rec.model, files=type(rec.model.files)(unpinned))
    page.set_recommendation(dataclasses.replace(rec, model=model))
    _run(qtbot, page, page.start_download)
    assert "not verified against Ponder's catalog" in page.message_label.text(), \
        page.error_label.text()


def test_a_bad_custom_url_is_refused_with_a_sentence(qtbot: QtBot, hub: FakeHub) -> None:
    page = _page(qtbot, _pinned_catalog(), SourceSettings())
    box = page.sources_box
    assert box is not None
    box.source.setCurrentIndex(box.source.findData(SourceKind.CUSTOM.value))
    box.custom_url.setText("not a url")
    page.start_download()
    assert not page.is_busy
    assert "not a valid address" in box.error_label.text()
    assert not (paths.config_dir() / SOURCES_FILE).exists()


def test_settings_dialog_saves_source_and_proxy(qtbot: QtBot, screenshot_dir: Path) -> None:
    from app.store.settings import Settings
    from app.ui.shell.download_page import save_download_sources
    from app.ui.shell.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    box = dialog.sources_box
    assert isinstance(box, SourcesBox)
    assert box.source.currentData() == SourceKind.HUGGING_FACE.value
    assert box.proxy.text() == "" and "System proxy" in box.proxy.placeholderText()
    box.source.setCurrentIndex(box.source.findData(SourceKind.HF_MIRROR.value))
    box.proxy.setText("http://127.0.0.1:7890")
    dialog.show()
    dialog.show_tab(box)
    assert box.isVisible()
    snap(dialog, screenshot_dir / "settings_download_sources.png")
    assert save_download_sources(dialog)
    saved = json.loads((paths.config_dir() / SOURCES_FILE).read_text())
    assert saved["kind"] == "hf-mirror" and saved["proxy"] == "http://127.0.0.1:7890"
    box.proxy.setText("socks://nope")
    assert not save_download_sources(dialog)
    assert "not a valid address" in box.error_label.text()
