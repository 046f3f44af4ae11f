"""Every load goes through ModelLoader: settings first, then the saved plan, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ModelFileError
from app.core.types import ChatMessage, Finished, GenerateOptions, GenerationControl, Role
from app.services.loading import ModelLoader, ModelSource, load_params
from app.store.settings import Settings
from tests.services.recording import RecordingBuilder


def _no_gpu() -> bool:
    return False


def _gpu() -> bool:
    return True


def test_auto_settings_use_the_saved_plan(tmp_path: Path) -> None:
    settings = Settings(plan_n_ctx=16384, plan_n_gpu_layers=12)
    params = load_params(tmp_path / "m.gguf", settings, gpu_offload=_gpu)
    assert (params.n_ctx, params.n_gpu_layers, params.n_threads) == (16384, 12, None)
    assert params.flash_attn is True


def test_an_explicit_choice_beats_the_plan(tmp_path: Path) -> None:
    settings = Settings(n_ctx=2048, n_gpu_layers=0, n_threads=3,
                        plan_n_ctx=16384, plan_n_gpu_layers=12)
    params = load_params(tmp_path / "m.gguf", settings, gpu_offload=_gpu)
    assert (params.n_ctx, params.n_gpu_layers, params.n_threads) == (2048, 0, 3)


def test_without_plan_or_choice_the_build_decides(tmp_path: Path) -> None:
    assert load_params(tmp_path / "m.gguf", Settings(), gpu_offload=_gpu).n_gpu_layers == -1
    assert load_params(tmp_path / "m.gguf", Settings(), gpu_offload=_no_gpu).n_gpu_layers == 0
    assert load_params(tmp_path / "m.gguf", Settings(), gpu_offload=_gpu).n_ctx == 4096


def test_gpu_failure_falls_back_with_a_reason(tmp_path: Path) -> None:
    builder = RecordingBuilder(fail_gpu=True)
    reasons: list[str] = []
    loaded = ModelLoader(builder).load(ModelSource(path=tmp_path / "m.gguf"),
                                       Settings(n_gpu_layers=20), reasons.append,
                                       gpu_offload=_gpu)
    assert [c.n_gpu_layers for c in builder.calls] == [20, 10, 0]
    assert loaded.params is not None and loaded.params.n_gpu_layers == 0
    assert loaded.fallback_reason is not None and "CPU" in loaded.fallback_reason
    assert len(reasons) == 2


def test_no_file_is_a_clear_error() -> None:
    with pytest.raises(ModelFileError, match="No model file"):
        ModelLoader(RecordingBuilder()).load(ModelSource(), Settings())


@pytest.mark.slow
def test_smollm2_loads_for_real_with_the_settings(smollm2_path: Path) -> None:
    settings = Settings(n_ctx=1024, n_threads=1, n_gpu_layers=0)
    loaded = ModelLoader().load(ModelSource(path=smollm2_path), settings)
    try:
        assert loaded.backend.info.n_ctx == 1024
        assert loaded.params is not None and loaded.params.n_threads == 1
        events = list(loaded.backend.generate([ChatMessage(Role.USER, "Hi")],
                                              GenerateOptions(), GenerationControl()))
        assert isinstance(events[-1], Finished)
    finally:
        loaded.backend.close()
