"""The Models page says what is known about each file's bytes, and flags impostors.

Real files in the models folder, the real hash cache, hashing on a worker thread.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from app.core import paths
from app.models.hashing import HashCache
from app.models.trust import Ledger
from app.ui.setup.models_page import ModelsPage
from tests.support.model_setup import one_model_catalog
from tests.support.tiny_gguf import write_tiny_gguf
from tests.ui.helpers import snap

CATALOG_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _row(page: ModelsPage, file_name: str) -> int:
    return next(i for i, m in enumerate(page.models) if m.file_name == file_name)


def test_each_model_shows_its_trust_and_an_impostor_is_flagged(
        qtbot: QtBot, smollm2_path: Path, tmp_path: Path, screenshot_dir: Path) -> None:
    folder = paths.ensure_dir(paths.models_dir())
    # The folder's ledger exists before the files come (files there when it is first
    # made are the old catalog's downloads, trusted as legacy).
    Ledger.open(folder)
    good = folder / "renamed-but-genuine.gguf"
    good.write_bytes(smollm2_path.read_bytes())
    impostor = write_tiny_gguf(folder / CATALOG_NAME)  # the catalog's name, other bytes
    other = write_tiny_gguf(folder / "my-own-model.gguf", seed=3)
    sha = hashlib.sha256(smollm2_path.read_bytes()).hexdigest()
    catalog = one_model_catalog([("Q4_1", CATALOG_NAME, smollm2_path.stat().st_size, sha)])
    page = ModelsPage(folder, catalog)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page._hash_task is None, timeout=60000)
    trust = page.COLUMNS - 1
    assert page.table.horizontalHeaderItem(trust).text() == "Trust"
    cells = {m.file_name: page.table.item(_row(page, m.file_name), trust).text()
             for m in page.models}
    # Recognised by its bytes whatever its name; flagged when the name lies.
    assert cells[good.name] == "Verified (catalog)"
    assert cells[impostor.name] == "⚠ Not the catalog's bytes"
    assert cells[other.name] == "Not verified against Ponder's catalog"
    status = page.table.item(_row(page, impostor.name), 5).text()
    assert "flagged" in status
    assert "other bytes" in page.table.item(_row(page, impostor.name), trust).toolTip()
    # Hashed once: the digests are cached by size and modification time.
    cache = HashCache.in_folder(paths.data_dir())
    assert cache.lookup(good) == sha
    snap(page, screenshot_dir / "models_trust.png")


def test_hashing_stops_when_the_page_closes(qtbot: QtBot, smollm2_path: Path) -> None:
    folder = paths.ensure_dir(paths.models_dir())
    for n in range(3):
        (folder / f"copy-{n}.gguf").write_bytes(smollm2_path.read_bytes())
    page = ModelsPage(folder, None)
    qtbot.addWidget(page)
    page.show()
    page.close()  # must not leave a running thread behind (Qt would abort)
    assert page._hash_task is None or page._hash_task.isFinished()


def test_no_new_hash_starts_after_the_page_closes(qtbot: QtBot, smollm2_path: Path) -> None:
    folder = paths.ensure_dir(paths.models_dir())
    for n in range(3):
        (folder / f"copy-{n}.gguf").write_bytes(smollm2_path.read_bytes())
    page = ModelsPage(folder, None)
    qtbot.addWidget(page)
    page.show()
    assert page._hash_task is not None  # hashing began
    page.close()
    qtbot.wait(300)  # the ended task's queued `finished` arrives meanwhile
    # Stopped for good: no new hash, and no thread of the page still running.
    assert page._hash_task is None
    threads = page.findChildren(QThread)
    assert threads and not any(t.isRunning() for t in threads)
    # Shown again, hashing goes on (and is stopped again on close).
    page.show()
    qtbot.waitUntil(lambda: page._hash_task is None, timeout=60000)
    page.close()
    assert not any(t.isRunning() for t in page.findChildren(QThread))
