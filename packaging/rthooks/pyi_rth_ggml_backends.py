"""PyInstaller runtime hook: load llama.cpp's best CPU backend from the bundle.

The portable build compiles llama.cpp with GGML_BACKEND_DL and one CPU
backend per instruction-set level (ggml-cpu-x64, -sse42, -haswell, ...). At
start-up llama.cpp looks for those modules only next to the executable and in
the current directory, but PyInstaller puts them in ``llama_cpp/lib`` inside
the bundle. This hook loads libggml from there and asks it to load all
backends from that folder before anything else touches llama.cpp; llama.cpp
then sees registered backends and skips its own search.

It also records which CPU variant won in ``PONDER_CPU_VARIANT`` so that
``ponder --self-test`` can report it. Builds without variants (one CPU
backend linked in) are left alone. Uses only the stdlib: it runs before the
app is imported.
"""

from __future__ import annotations


def _load_ggml_backends() -> None:
    import ctypes
    import os
    import sys
    from pathlib import Path

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None:
        return
    lib_dir = Path(bundle) / "llama_cpp" / "lib"
    if sys.platform == "win32":
        variants = sorted(lib_dir.glob("ggml-cpu-*.dll"))
        ggml_names = ["ggml.dll", "libggml.dll"]
    else:
        variants = sorted(lib_dir.glob("libggml-cpu-*.so"))
        ggml_names = ["libggml.so", "libggml.dylib"]
    if not variants:
        return
    if sys.platform == "win32":
        os.add_dll_directory(str(lib_dir))
    ggml_path = next((lib_dir / n for n in ggml_names if (lib_dir / n).exists()), None)
    if ggml_path is None:
        return

    best_name, best_score = "", 0
    for variant in variants:
        try:
            module = ctypes.CDLL(str(variant))
            score_fn = module.ggml_backend_score
        except (OSError, AttributeError):
            continue
        score_fn.restype = ctypes.c_int
        score = int(score_fn())
        if score > best_score:
            stem = variant.stem.removeprefix("lib")
            best_name, best_score = stem.removeprefix("ggml-cpu-"), score

    mode = getattr(ctypes, "RTLD_GLOBAL", 0)
    ggml = ctypes.CDLL(str(ggml_path), mode=mode)
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path.restype = None
    ggml.ggml_backend_load_all_from_path(os.fsencode(lib_dir))
    if best_name:
        os.environ["PONDER_CPU_VARIANT"] = best_name


try:
    _load_ggml_backends()
except Exception as exc:  # never block start-up: llama.cpp reports its own errors
    import sys as _sys

    print(f"ponder: could not preload llama.cpp CPU backends: {exc}", file=_sys.stderr)
