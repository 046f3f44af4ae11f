"""A pytest plugin that loads one model onto the GPU before anything imports gguf.

    python -m pytest -p bench.gpu_preload ...   (PONDER_GPU_PRELOAD=path/to/model.gguf)

On the lent H200 the first llama.cpp model load crashed (SIGSEGV) in any
process that had imported `numpy.random` before it, and the engine test
fixtures write their tiny GGUFs with the gguf package, which imports it. A
load made before that import kept later loads working (docs/gpu.md), so this
plugin makes that first load at plugin-import time, with every layer
offloaded, and keeps the model open for the whole session.
"""

from __future__ import annotations

import os
import sys
from typing import Any

_KEEP: list[Any] = []


def _preload() -> None:
    path = os.environ.get("PONDER_GPU_PRELOAD", "").strip()
    if not path:
        raise RuntimeError("set PONDER_GPU_PRELOAD to a GGUF file for bench.gpu_preload")
    before = "numpy.random" in sys.modules
    import llama_cpp

    _KEEP.append(llama_cpp.Llama(model_path=path, n_gpu_layers=-1, n_ctx=256, verbose=False))
    print(f"[gpu_preload] loaded {path} (numpy.random imported before: {before})",
          file=sys.stderr, flush=True)


_preload()
