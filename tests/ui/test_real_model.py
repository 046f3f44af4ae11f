"""The window on the real path: SmolLM2-135M through llama.cpp in the worker thread.

The model is opened the way File → Open GGUF opens it (ModelLoads → the
worker's ModelHost → services.loading → llama.cpp), with the context the
settings ask for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.types import GenerateOptions, SamplingParams
from app.store.records import MessageStatus
from app.store.settings import Settings, load_settings, save_settings
from app.ui.shell.model_loads import ModelLoads
from tests.ui.helpers import Rig, make_rig, snap

pytestmark = pytest.mark.slow


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path, smollm2_path: Path, screenshot_dir: Path
        ) -> Iterator[Rig]:
    save_settings(Settings(n_ctx=1024, n_threads=2))
    r = make_rig(tmp_path / "real.sqlite3")
    qtbot.addWidget(r.window)
    r.controller._options = lambda: GenerateOptions(
        sampling=SamplingParams(max_tokens=40, temperature=0.7, seed=7))
    with qtbot.waitSignal(r.controller.model_changed, timeout=60000) as blocker:
        assert ModelLoads(r.controller, r.window).open_file(smollm2_path)
    info = blocker.args[0]
    assert info.backend in ("CPU", "CUDA", "Metal") and info.n_ctx == 1024
    loaded = r.client.loaded
    assert loaded is not None and loaded.params is not None
    assert (loaded.params.n_ctx, loaded.params.n_threads, loaded.params.flash_attn) == \
        (1024, 2, True)
    assert r.window.status.backend_label.text() == f"on this computer ({info.backend})"
    assert load_settings().last_model == str(smollm2_path.resolve())
    snap(r.window.status, screenshot_dir / "status_bar_local.png")
    assert "smollm" in info.model_name.lower() or info.model_name
    yield r
    r.close()


def test_real_send_stream_regenerate(qtbot: QtBot, rig: Rig) -> None:
    updates: list[int] = []
    rig.controller.reply_updated.connect(updates.append)
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=120000) as blocker:
        rig.controller.send("Name three colours.")
    first = rig.store.get_message(int(blocker.args[0]))
    assert first.status is MessageStatus.COMPLETE
    assert first.content.strip() and updates
    assert rig.window.chat_view.message_widgets[-1].body.text == first.content
    assert rig.window.status.model_label.text() == rig.controller.backend_info.model_name
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=120000) as blocker:
        rig.controller.regenerate(first.id)
    second = int(blocker.args[0])
    widget = rig.window.chat_view.message_widgets[-1]
    assert widget.message_id == second and widget.branch_label.text() == "2/2"
    rig.controller.switch_branch(second, -1)
    assert rig.window.chat_view.message_widgets[-1].data.content == first.content


def test_real_stop(qtbot: QtBot, rig: Rig) -> None:
    rig.controller._options = lambda: GenerateOptions(
        sampling=SamplingParams(max_tokens=2000, temperature=0.9, seed=3))
    with qtbot.waitSignal(rig.controller.reply_updated, timeout=120000):
        rig.controller.send("Write a very long story about a dragon.")
    with qtbot.waitSignal(rig.controller.reply_finished, timeout=30000) as blocker:
        rig.controller.stop()
    stopped = rig.store.get_message(int(blocker.args[0]))
    assert stopped.status is MessageStatus.CANCELLED
    assert stopped.content and stopped.stats.get("completion_tokens", 0) < 2000
    with qtbot.assertNotEmitted(rig.controller.reply_updated, wait=200):
        pass
