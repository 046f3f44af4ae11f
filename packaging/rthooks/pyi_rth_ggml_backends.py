"""PyInstaller runtime hook: load llama.cpp's best CPU backend from the bundle.

The portable build compiles llama.cpp with GGML_BACKEND_DL and one CPU
backend per instruction-set level (ggml-cpu-x64, -sse42, -haswell, ...). At
start-up llama.cpp looks for those modules only next to the executable and in
the current directory, but PyInstaller puts them in ``llama_cpp/lib`` inside
the bundle. This hook loads libggml from there and asks it to load all
backends from that folder before anything else touches llama.cpp; llama.cpp
then sees registered backends and skips its own search.

On Windows both ``llama_cpp/lib`` (where the spec puts the VC++ runtime and
the CUDA DLLs next to the backends) and the bundle folder are added to the
DLL search path. A variant that cannot be loaded, or no variant at all, is
not silent: the reasons go to the app's log file (``ponder.log``), to stderr,
and to ``PONDER_BACKEND_PRELOAD_ERROR`` for the app to show.

It also records which CPU variant won in ``PONDER_CPU_VARIANT`` so that
``ponder --self-test`` can report it. Builds without variants (one CPU
backend linked in) are left alone. Uses only the stdlib (and the app's own
path helper when it imports): it runs before the app is imported.
"""

from __future__ import annotations

ERROR_ENV = "PONDER_BACKEND_PRELOAD_ERROR"


def _report(message: str) -> None:
    """Write a preload problem where a user (or support) will find it."""
    import os
    import sys
    import time

    os.environ[ERROR_ENV] = message
    line = f"{time.strftime('%Y-%m-%d %H:%M:%S')},000 WARNING ponder.rthook: {message}\n"
    try:
        from app.core import paths

        folder = paths.ensure_dir(paths.logs_dir())
        with open(folder / "ponder.log", "a", encoding="utf-8") as log:
            log.write(line)
    except Exception:  # a log that cannot be written must not stop start-up
        pass
    if sys.stderr is not None:
        print(f"ponder: {message}", file=sys.stderr)


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
        os.add_dll_directory(str(bundle))
    ggml_path = next((lib_dir / n for n in ggml_names if (lib_dir / n).exists()), None)
    if ggml_path is None:
        _report(f"llama.cpp's {ggml_names[0]} is missing from {lib_dir}; reinstall Ponder.")
        return

    best_name, best_score = "", 0
    failures: list[str] = []
    for variant in variants:
        try:
            module = ctypes.CDLL(str(variant))
            score_fn = module.ggml_backend_score
        except (OSError, AttributeError) as exc:
            failures.append(f"{variant.name}: {exc}")
            continue
        score_fn.restype = ctypes.c_int
        score = int(score_fn())
        if score > best_score:
            stem = variant.stem.removeprefix("lib")
            best_name, best_score = stem.removeprefix("ggml-cpu-"), score
    if not best_name:
        _report("no llama.cpp CPU backend could be loaded, so no model will load. "
                + "; ".join(failures or ["no variant supports this CPU"]))

    mode = getattr(ctypes, "RTLD_GLOBAL", 0)
    ggml = ctypes.CDLL(str(ggml_path), mode=mode)
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path.restype = None
    ggml.ggml_backend_load_all_from_path(os.fsencode(lib_dir))
    if best_name:
        os.environ["PONDER_CPU_VARIANT"] = best_name


try:
    _load_ggml_backends()
except Exception as exc:  # never block start-up: the log says what went wrong
    _report(f"could not preload llama.cpp's CPU backends: {type(exc).__name__}: {exc}")
