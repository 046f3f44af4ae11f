"""The first-run wizard against a real downloader, a fake hub on 127.0.0.1 and real llama.cpp."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core import paths
from app.core.errors import ModelLoadError
from app.core.types import LoadParams
from app.engine.backend import Backend
from app.models.download import part_path
from app.models.installed import get_default_model
from app.models.mirrors import Mirror
from app.services.loading import local_builder
from app.store.settings import load_settings
from app.ui.setup.deps import SetupDeps
from app.ui.setup.wizard import SetupWizard, WizardStage
from app.ui.threads.model_tasks import TrialStage
from tests.support.fake_hub import FakeHub, Fault
from tests.support.model_setup import (
    REPO,
    fast_settings,
    fixed_probe,
    hub_mirror,
    machine,
    one_model_catalog,
)
from tests.ui.helpers import snap

SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def smol_bytes(smollm2_path: Path) -> bytes:
    return smollm2_path.read_bytes()


@pytest.fixture
def hub(smol_bytes: bytes) -> Iterator[FakeHub]:
    with FakeHub({(REPO, SMOL): smol_bytes}) as server:
        yield server


def smol_deps(hub: FakeHub, data: bytes, **overrides: object) -> SetupDeps:
    sha = hashlib.sha256(data).hexdigest()
    catalog = one_model_catalog([("Q4_1", SMOL, len(data), sha)])
    deps = SetupDeps(models_dir=paths.models_dir(), catalog=catalog,
                     mirrors=[hub_mirror(hub.endpoint)], download_settings=fast_settings(),
                     gpu_offload=lambda: False, speed_seconds=2.0)
    for key, value in overrides.items():
        setattr(deps, key, value)
    return deps


def open_wizard(qtbot: QtBot, deps: SetupDeps) -> SetupWizard:
    wizard = SetupWizard(deps)
    qtbot.addWidget(wizard)
    wizard.resize(720, 540)
    with qtbot.waitSignal(wizard.hardware_page.recommended, timeout=10000):
        wizard.show()
    return wizard


def to_model_page(wizard: SetupWizard) -> None:
    assert wizard.stage is WizardStage.HARDWARE
    wizard.next()
    assert wizard.currentPage() is wizard.model_page
    assert wizard.stage is WizardStage.GET_MODEL


def test_download_pause_resume_after_restart_then_first_answer(
        qtbot: QtBot, hub: FakeHub, smol_bytes: bytes, screenshot_dir: Path) -> None:
    # Every chunk is reported, so the bar passes 25% before the stall at ~30%
    # whatever the machine's speed (reports are otherwise 50 ms apart, and a fast
    # loopback transfer reaches the stall before the second one).
    deps = smol_deps(hub, smol_bytes, download_settings=fast_settings(progress_interval_s=0.0))
    wizard = open_wizard(qtbot, deps)
    hw = wizard.hardware_page
    assert "Processor:" in hw.hardware_label.text()
    assert "Recommended:" in hw.recommendation_label.text()
    assert "Q4_1" in hw.recommendation_label.text()
    snap(wizard, screenshot_dir / "wizard_1_hardware.png")

    to_model_page(wizard)
    page = wizard.model_page
    assert page.download_button.text() == "Download"
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    stall_at = 30 * 1024 * 1024
    # The stall outlasts a slow GUI thread on a loaded machine, so the click on
    # Pause always lands while the transfer is still in progress.
    hub.add_faults(Fault("stall", at=stall_at, seconds=8.0))
    qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.progress_bar.value() >= 250, timeout=20000)
    text = page.progress_label.text()
    assert " of 98.36 MB" in text and "/s" in text and "left" in text
    snap(wizard, screenshot_dir / "wizard_2_download_progress.png")
    assert page.pause_button.isEnabled(), "the download ended before Pause was pressed"
    with qtbot.waitSignal(page.task_ended, timeout=30000):
        qtbot.mouseClick(page.pause_button, Qt.MouseButton.LeftButton)
    # the 8-second stall was noticed and said, not hidden behind a frozen bar
    assert any("No data from the server" in m for m in page.message_log), page.message_log
    assert "No data from the server" not in page.message_label.text()
    target = deps.models_dir / SMOL
    part_size = part_path(target).stat().st_size
    assert 0 < part_size < len(smol_bytes) and not target.exists()
    assert page.download_button.text() == "Resume download"
    wizard.reject()

    # A new wizard (as after restarting Ponder) offers to resume the partial file.
    again = open_wizard(qtbot, deps)
    to_model_page(again)
    page = again.model_page
    assert page.download_button.text() == "Resume download"
    assert "downloaded earlier" in page.progress_label.text()
    snap(again, screenshot_dir / "wizard_2b_resume_offered.png")
    with qtbot.waitSignal(page.installed, timeout=30000):
        qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.button(QWizard.WizardButton.NextButton).isEnabled(),
                    timeout=5000)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == hub.sha256(REPO, SMOL)
    ranges = [r.range_start for r in hub.requests if r.method == "GET" and r.range_start]
    assert ranges and ranges[-1] == part_size
    assert get_default_model(deps.models_dir) == target
    snap(again, screenshot_dir / "wizard_2c_downloaded.png")

    trial = again.trial_page
    stages: list[TrialStage] = []
    trial.progress_seen.connect(stages.append)
    with qtbot.waitSignal(trial.trial_ended, timeout=90000):
        again.next()
    assert again.stage is WizardStage.FIRST_ANSWER
    # every step of the job was reported, in order
    assert [s for i, s in enumerate(stages) if s not in stages[:i]] == list(TrialStage)
    assert trial.result is not None, trial.error_label.text()
    assert trial.result.answer.strip()
    assert trial.answer_view.text.strip() == trial.result.answer
    assert trial.result.measured_tps > 1.0
    assert "tokens per second" in trial.speed_label.text()
    assert "measured" in trial.speed_label.text()  # the refined plan's reason
    snap(again, screenshot_dir / "wizard_3_first_answer.png")
    with qtbot.waitSignal(again.model_ready, timeout=5000) as ready:
        again.button(QWizard.WizardButton.FinishButton).click()
    assert ready.args == [str(target)]


def test_wrong_hash_is_shown_and_nothing_is_installed(
        qtbot: QtBot, tiny_r1_gguf: Path, screenshot_dir: Path) -> None:
    data = tiny_r1_gguf.read_bytes()
    name = "tiny-r1-Q8_0.gguf"
    with FakeHub({(REPO, name): data}) as hub:
        deps = smol_deps(hub, data)
        deps.catalog = one_model_catalog([("Q8_0", name, len(data), "ab" * 32)])
        wizard = open_wizard(qtbot, deps)
        to_model_page(wizard)
        page = wizard.model_page
        with qtbot.waitSignal(page.task_ended, timeout=20000):
            qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    assert "arrived damaged" in page.error_label.text()
    assert page.progress_bar.value() == 0 and page.message_label.text() == ""
    assert page.model_path is None
    assert not (deps.models_dir / name).exists()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    snap(wizard, screenshot_dir / "wizard_error_wrong_hash.png")


def test_disk_full_is_explained(qtbot: QtBot, hub: FakeHub, smol_bytes: bytes,
                                screenshot_dir: Path) -> None:
    deps = smol_deps(hub, smol_bytes, download_settings=fast_settings(disk_margin=10**16))
    wizard = open_wizard(qtbot, deps)
    to_model_page(wizard)
    page = wizard.model_page
    with qtbot.waitSignal(page.task_ended, timeout=20000):
        qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    assert "Free some space" in page.error_label.text()
    assert page.download_button.isEnabled()
    snap(wizard, screenshot_dir / "wizard_error_disk_full.png")


def test_mirror_fallback_is_announced(qtbot: QtBot, hub: FakeHub, smol_bytes: bytes) -> None:
    dead = Mirror("dead-mirror", "http://127.0.0.1:9")
    deps = smol_deps(hub, smol_bytes, mirrors=[dead, hub_mirror(hub.endpoint)],
                     download_settings=fast_settings(retries_per_mirror=1))
    wizard = open_wizard(qtbot, deps)
    to_model_page(wizard)
    page = wizard.model_page
    with qtbot.waitSignal(page.task_ended, timeout=30000):
        qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    assert any("dead-mirror failed" in m and "trying local-hub" in m for m in page.message_log)
    assert page.model_path == deps.models_dir / SMOL


def test_import_and_skip(qtbot: QtBot, hub: FakeHub, smol_bytes: bytes,
                         smollm2_path: Path) -> None:
    deps = smol_deps(hub, smol_bytes)
    wizard = open_wizard(qtbot, deps)
    to_model_page(wizard)
    page = wizard.model_page
    with qtbot.waitSignal(page.installed, timeout=30000) as got:
        page.import_file(smollm2_path)
    assert Path(got.args[0]) == deps.models_dir / SMOL
    assert "imported" in page.message_label.text()
    assert load_settings().setup_skipped is False
    with qtbot.waitSignal(wizard.skipped, timeout=2000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CustomButton1),
                         Qt.MouseButton.LeftButton)
    assert load_settings().setup_skipped is True
    assert not wizard.isVisible()


def test_broken_import_keeps_the_folder_clean(qtbot: QtBot, hub: FakeHub, smol_bytes: bytes,
                                              tmp_path: Path) -> None:
    fake = tmp_path / "page.gguf"
    fake.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    wizard = open_wizard(qtbot, smol_deps(hub, smol_bytes))
    to_model_page(wizard)
    page = wizard.model_page
    with qtbot.waitSignal(page.task_ended, timeout=10000):
        page.import_file(fake)
    assert "HTML" in page.error_label.text()
    assert not list(paths.models_dir().glob("*.gguf"))


def test_no_avx2_and_gpu_fallback_to_cpu_are_explained(
        qtbot: QtBot, hub: FakeHub, smol_bytes: bytes, smollm2_path: Path,
        screenshot_dir: Path) -> None:
    tried: list[int] = []

    def flaky_gpu(params: LoadParams) -> Backend:
        tried.append(params.n_gpu_layers)
        if params.n_gpu_layers != 0:
            raise ModelLoadError("CUDA error: out of memory")
        return local_builder(params)

    report = machine(avx2=False, gpu_gib=6)
    deps = smol_deps(hub, smol_bytes, probe=fixed_probe(report), gpu_offload=lambda: True,
                     build=flaky_gpu, speed_seconds=0.5)
    wizard = open_wizard(qtbot, deps)
    warnings = wizard.hardware_page.warnings_label.text()
    assert "AVX2" in warnings
    assert "RTX 3060" in wizard.hardware_page.hardware_label.text()
    snap(wizard, screenshot_dir / "wizard_1b_gpu_no_avx2.png")
    to_model_page(wizard)
    with qtbot.waitSignal(wizard.model_page.installed, timeout=30000):
        wizard.model_page.import_file(smollm2_path)
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(),
                    timeout=5000)
    trial = wizard.trial_page
    with qtbot.waitSignal(trial.trial_ended, timeout=60000):
        wizard.next()
    assert tried == [-1, 15, 0]
    text = trial.fallback_label.text()
    # services.loading's one-sentence reasons, one per retry
    assert "15 layers run on the GPU" in text and "runs on the CPU instead" in text
    assert "out of memory" in text
    assert trial.result is not None and trial.result.info.backend == "CPU"
    snap(wizard, screenshot_dir / "wizard_3b_gpu_fallback.png")


def test_wizard_in_chinese(qtbot: QtBot, hub: FakeHub, smol_bytes: bytes,
                           screenshot_dir: Path) -> None:
    from app.ui.common import i18n

    assert i18n.install("zh_CN") == "zh_CN"
    try:
        wizard = open_wizard(qtbot, smol_deps(hub, smol_bytes, probe=fixed_probe(machine())))
        assert wizard.hardware_page.title() == "你的电脑"
        assert wizard.hardware_page.recommendation_label.text().startswith("<b>推荐：</b>")
        assert wizard.button(QWizard.WizardButton.CustomButton1).text() == "暂时跳过"
        to_model_page(wizard)
        assert wizard.model_page.download_button.text() == "下载"
        snap(wizard, screenshot_dir / "wizard_2_chinese.png")
    finally:
        i18n.install("en")
