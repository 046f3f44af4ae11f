"""app.engine puts the system libstdc++ in the global symbol scope before llama.cpp loads.

The numpy-first crash on the H200 (docs/gpu.md): libggml-cuda.so exported its
own copy of libstdc++ symbols, and llama.cpp's calls bound to it when
libstdc++ had been loaded privately first. A fresh interpreter shows whether
`std::ostream::_M_insert<long>` is found in the global scope (dlsym of the
process handle), before and after importing app.engine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import ctypes, sys
def global_has():
    return hasattr(ctypes.CDLL(None), "_ZNSo9_M_insertIlEERSoT_")
before = global_has()
import app.engine
print(before, global_has(), "llama_cpp" in sys.modules)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the guard is for Linux's dynamic loader")
def test_the_cxx_runtime_is_global_after_importing_the_engine_package() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    before, after, llama_loaded = done.stdout.split()
    assert before == "False"  # a bare interpreter has no libstdc++ in its global scope
    assert after == "True"
    assert llama_loaded == "False"  # the package itself does not load llama.cpp
