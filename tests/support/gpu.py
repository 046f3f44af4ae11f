"""Run the real-model engine tests with GPU offload, switched by environment.

`PONDER_TEST_GPU_LAYERS` (default 0: CPU only) is the `n_gpu_layers` the
engine test fixtures load their models with; `-1` offloads every layer.
`PONDER_TEST_GPU_BACKEND` (default "CUDA") is the backend name the engine must
then report. bench/gpu_run.sh sets both on a CUDA machine.
"""

from __future__ import annotations

import os


def gpu_layers() -> int:
    """The `n_gpu_layers` for test models (0 unless PONDER_TEST_GPU_LAYERS says otherwise)."""
    raw = os.environ.get("PONDER_TEST_GPU_LAYERS", "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise ValueError(
            f"PONDER_TEST_GPU_LAYERS must be an integer (-1 for all layers), not {raw!r}"
        ) from None


def expected_backend() -> str:
    """The backend name `LocalBackend.info.backend` must show under `gpu_layers()`."""
    if gpu_layers() == 0:
        return "CPU"
    return os.environ.get("PONDER_TEST_GPU_BACKEND", "CUDA")
