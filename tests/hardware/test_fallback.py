"""The GPU load fallback policy: fewer layers, then the CPU; broken files are not retried."""

from __future__ import annotations

from app.core.errors import ModelFileError, ModelLoadError
from app.hardware.fallback import LoadAttempt, gpu_layer_attempts, should_retry_on_cpu


def test_all_layers_fall_back_to_half_then_cpu() -> None:
    attempts = gpu_layer_attempts(-1, 29)
    assert attempts == (LoadAttempt(-1, 29), LoadAttempt(14, 14), LoadAttempt(0, 0))
    assert attempts[-1].is_cpu_only and not attempts[0].is_cpu_only


def test_partial_offload_halves_its_own_count() -> None:
    assert [a.n_gpu_layers for a in gpu_layer_attempts(10, 29)] == [10, 5, 0]
    # More layers asked than the model has: capped to the model's count.
    assert [a.offloaded for a in gpu_layer_attempts(99, 29)] == [29, 14, 0]


def test_cpu_request_is_a_single_attempt() -> None:
    assert gpu_layer_attempts(0, 29) == (LoadAttempt(0, 0),)


def test_unknown_layer_count_goes_straight_to_cpu() -> None:
    assert gpu_layer_attempts(-1, None) == (LoadAttempt(-1, None), LoadAttempt(0, 0))


def test_one_layer_has_no_half_step() -> None:
    assert [a.n_gpu_layers for a in gpu_layer_attempts(1, 29)] == [1, 0]


def test_every_attempt_list_ends_on_the_cpu_and_never_grows() -> None:
    for requested in (-1, 0, 1, 2, 3, 7, 28, 29, 100):
        for total in (None, 1, 2, 29, 81):
            attempts = gpu_layer_attempts(requested, total)
            assert attempts[-1].n_gpu_layers == 0
            counts = [a.offloaded for a in attempts if a.offloaded is not None]
            assert counts == sorted(counts, reverse=True)
            assert len({a.n_gpu_layers for a in attempts}) == len(attempts)


def test_only_non_file_errors_are_retried() -> None:
    assert should_retry_on_cpu(ModelLoadError("out of VRAM"))
    assert should_retry_on_cpu(RuntimeError("CUDA driver version is insufficient"))
    assert not should_retry_on_cpu(ModelFileError("not a GGUF"))
