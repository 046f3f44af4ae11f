"""A model loads and answers in a process that imported numpy.random first.

On the lent H200 image every process that had imported `numpy.random` (or
gguf, which imports it) before its first llama.cpp load crashed inside the
load (docs/gpu.md). Users load models from Python environments that import
numpy (notebooks, the API server next to other tools), so this runs the
engine in a fresh process (the import order is per process) that imports
numpy.random, and gguf, before anything of llama.cpp. Under
PONDER_TEST_GPU_LAYERS=-1 it loads every layer onto the GPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gpu import expected_backend, gpu_layers

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import numpy.random
import gguf
assert "llama_cpp" not in sys.modules
from pathlib import Path
from app.core.types import (ChatMessage, Finished, GenerateOptions, GenerationControl,
                            LoadParams, Role, SamplingParams)
from app.engine.local import LocalBackend
numpy.random.default_rng(1).random(4)
backend = LocalBackend(LoadParams(model_path=Path(sys.argv[1]), n_ctx=512, n_threads=1,
                                  n_gpu_layers=int(sys.argv[2])))
options = GenerateOptions(sampling=SamplingParams(temperature=0.0, max_tokens=6))
events = list(backend.generate([ChatMessage(Role.USER, "Hi")], options, GenerationControl()))
assert isinstance(events[-1], Finished)
print("OK", backend.info.backend, events[-1].stats.completion_tokens)
backend.close()
"""


def test_engine_runs_after_numpy_random_was_imported(tiny_r1_gguf: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT, str(tiny_r1_gguf),
         str(gpu_layers())],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[:3] == ["OK", expected_backend(), "6"]
