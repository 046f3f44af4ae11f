"""Inference backends. The only package that imports `llama_cpp`; no Qt.

Before any module here loads llama.cpp, the system's C++ runtime is put in
the process's global symbol scope (Linux). A CUDA build of llama.cpp can
carry, and export, its own partial copy of libstdc++ in libggml-cuda.so
(2,531 symbols in the H200 image's build); in a process that had loaded
libstdc++ privately before (importing numpy first does), llama.cpp's own
calls into the C++ runtime then bind to that copy, whose locale data was
never set up, and the model load dies in `llama_model::print_info`
(docs/gpu.md). With the real libstdc++ global, every library binds to it.
The build-side fix is linking with `-Wl,--exclude-libs,ALL` (README).
"""

from __future__ import annotations

import sys


def _share_the_cxx_runtime() -> None:
    if sys.platform != "linux" or "llama_cpp" in sys.modules:
        return
    import contextlib
    import ctypes

    with contextlib.suppress(OSError):  # no system libstdc++ (a static build): nothing to share
        ctypes.CDLL("libstdc++.so.6", mode=ctypes.RTLD_GLOBAL)


_share_the_cxx_runtime()
