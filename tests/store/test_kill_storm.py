"""A kill storm: SIGKILL at random moments while each writer works (settings save,
conversation import, model download, model import), then check that nothing that was
reported done is lost, files are whole, and leftovers are only known, resumable or
removable partial files. The streaming-reply writer has its own test
(test_store_kill.py). Counts are printed for the issue's report."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.models.download import Downloader, DownloadSettings, RemoteFile, part_path
from app.models.mirrors import Mirror
from app.store.chat_store import ChatStore
from app.store.settings import load_settings
from tests.support.fake_hub import FakeHub

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import writers_child as child  # noqa: E402

KILLS_PER_WRITER = 13
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL semantics")


def _run_and_kill(mode: str, work: Path, delay: float, *extra: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(HERE / "writers_child.py"), mode, str(work),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().strip()
    if first != "READY":
        proc.kill()
        proc.wait()
        raise AssertionError(f"child did not start: {first!r} {proc.stderr.read()}")
    time.sleep(delay)
    proc.kill()
    proc.wait()
    out = proc.stdout.read().splitlines()
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, err  # it was still writing, not crashed
    return out


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    with FakeHub({(child.REPO, child.NAME): child.payload()}) as server:
        yield server


TALLY: dict[str, list[int]] = {}


def _tally(writer: str, tried: int, survived: int, lost: int) -> None:
    TALLY[writer] = [tried, survived, lost]
    print(f"\nkill storm {writer}: faults tried {tried}, survived {survived}, data lost {lost}")


def test_settings_save(tmp_path: Path) -> None:
    rng = random.Random(1)
    lost = 0
    best = 0
    for _ in range(KILLS_PER_WRITER):
        out = _run_and_kill("settings", tmp_path, rng.uniform(0.3, 0.6))
        saved = [int(line.split()[1]) for line in out if line.startswith("SAVED")]
        settings = load_settings(tmp_path / "settings.json")
        if saved:
            best = saved[-1]
            lost += settings.font_size < best
        assert not list(tmp_path.glob("*.bak*"))  # never judged damaged
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "settings.json"]
        assert all(n.startswith("settings.json.") and n.endswith(".tmp") for n in leftovers)
    tmp_left = len(list(tmp_path.glob("settings.json.*.tmp")))
    print(f"\nsettings.json.*.tmp left behind by kills: {tmp_left}")
    _tally("settings save", KILLS_PER_WRITER, KILLS_PER_WRITER - lost, lost)
    assert lost == 0


def test_conversation_import(tmp_path: Path) -> None:
    rng = random.Random(2)
    reported: set[int] = set()
    lost = 0
    for trial in range(KILLS_PER_WRITER):
        out = _run_and_kill("import", tmp_path, rng.uniform(0.35, 0.9))
        reported |= {int(line.split()[1]) for line in out if line.startswith("IMPORTED")}
        con = sqlite3.connect(tmp_path / "chats.sqlite3")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", trial
        counts = dict(con.execute(
            "SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id"))
        ids = {r[0] for r in con.execute("SELECT id FROM conversations")}
        con.close()
        lost += len(reported - ids)
        assert all(counts.get(i) == child.MESSAGES for i in ids), "a half-imported conversation"
    with ChatStore(tmp_path / "chats.sqlite3") as store:
        assert len(store.list_conversations()) >= len(reported)
    assert reported  # the kills landed after real work
    _tally("conversation import", KILLS_PER_WRITER, KILLS_PER_WRITER - min(lost, 1), lost)
    assert lost == 0


def test_model_download(tmp_path: Path, hub: FakeHub) -> None:
    rng = random.Random(3)
    data = child.payload()
    target = tmp_path / "models" / child.NAME
    for _ in range(KILLS_PER_WRITER):
        _run_and_kill("download", tmp_path, rng.uniform(0.4, 1.2), hub.endpoint)
        if target.exists():
            assert target.read_bytes() == data  # only ever a verified file at the final path
        part = part_path(target)
        if part.exists():  # explained: a resumable partial with its sidecar
            assert data.startswith(part.read_bytes())
        leftovers = {p.name for p in target.parent.iterdir()} - {
            child.NAME, part.name, part.name + ".json", "verified.json", "verified.json.tmp"}
        assert not leftovers
    target.unlink(missing_ok=True)
    remote = RemoteFile(child.REPO, child.NAME, sha256=hashlib.sha256(data).hexdigest(),
                        size=len(data))
    Downloader([Mirror("hub", hub.endpoint)], DownloadSettings(disk_margin=0)).download(
        remote, target)
    assert target.read_bytes() == data  # the last partial resumed to a verified file
    _tally("model download", KILLS_PER_WRITER, KILLS_PER_WRITER, 0)


def test_model_import(tmp_path: Path, smollm2_path: Path) -> None:
    rng = random.Random(4)
    source = tmp_path / "source" / "storm model.gguf"
    source.parent.mkdir()
    shutil.copyfile(smollm2_path, source)
    data_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    models = tmp_path / "models"
    for _ in range(KILLS_PER_WRITER):
        _run_and_kill("model", tmp_path, rng.uniform(0.3, 0.9), str(source))
        dest = models / source.name
        if dest.exists():
            assert hashlib.sha256(dest.read_bytes()).hexdigest() == data_hash
        leftovers = {p.name for p in models.iterdir()} - {
            source.name, "verified.json", "verified.json.tmp", source.name + ".importing"}
        assert not leftovers
    # A copy left by a killed import is removed by the next import once it is stale.
    from app.models.importer import remove_stale_imports

    for stale in models.glob("*.importing"):
        os.utime(stale, (1, 1))
    print(f"\n.importing left behind: {len(remove_stale_imports(models))}")
    assert not list(models.glob("*.importing"))
    _tally("model import", KILLS_PER_WRITER, KILLS_PER_WRITER, 0)
