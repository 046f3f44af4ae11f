"""Run in a subprocess: start like a windowed Windows executable, then load a model.

    python windowed_harness.py RESULT.json bare MODEL.gguf
    python windowed_harness.py RESULT.json repair MODEL.gguf
    python windowed_harness.py RESULT.json launcher [ARGS...]

A windowed (GUI subsystem) Windows program has no standard handles: Python
sets ``sys.stdout``/``sys.stderr`` (and ``sys.__stdout__``/``__stderr__``) to
None, and descriptors 1 and 2 do not exist, so ``os.dup(1)`` raises EBADF.
On Linux a closed descriptor 1 is silently reused by the next file opened,
so this harness reproduces the Windows state instead: the streams become
None and ``os.dup``/``os.dup2`` refuse descriptors 1 and 2 with EBADF until
something ``os.dup2``-s a real file onto them (what the launcher's repair
does, and what would make them exist on Windows too).

Modes:
    bare      load MODEL with ``verbose=False`` as LocalBackend does, no repair
    repair    the launcher's repair, then the same load and a few tokens
    launcher  run packaging/launcher.py as the frozen app's entry with ARGS

Every mode writes what it saw to RESULT.json (stdout is gone, by design).
"""

from __future__ import annotations

import errno
import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "packaging" / "launcher.py"

_missing_fds = {1, 2}
_real_dup = os.dup
_real_dup2 = os.dup2


def _dup(fd: int) -> int:
    if fd in _missing_fds:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return _real_dup(fd)


def _dup2(fd: int, fd2: int, inheritable: bool = True) -> int:
    if fd in _missing_fds:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    result = _real_dup2(fd, fd2, inheritable)
    _missing_fds.discard(fd2)
    return result


def _start_windowed() -> None:
    os.dup = _dup
    os.dup2 = _dup2
    sys.stdout = sys.stderr = None  # type: ignore[assignment]
    sys.__stdout__ = sys.__stderr__ = None  # type: ignore[misc]
    sys.frozen = True  # type: ignore[attr-defined]


def _state() -> dict[str, Any]:
    return {"stdout_is_none": sys.stdout is None, "stderr_is_none": sys.stderr is None,
            "missing_fds": sorted(_missing_fds)}


def _watch_loads(result: dict[str, Any]) -> None:
    """Record the stream state at the moment of every llama_cpp.Llama load."""
    import llama_cpp

    original = llama_cpp.Llama.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        result.setdefault("loads", []).append(
            {**_state(), "verbose": kwargs.get("verbose", True)})
        original(self, *args, **kwargs)

    llama_cpp.Llama.__init__ = init  # type: ignore[method-assign]


def _load(model: str, result: dict[str, Any]) -> None:
    import llama_cpp

    try:
        llm = llama_cpp.Llama(model_path=model, n_ctx=256, verbose=False)
    except OSError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["errno"] = exc.errno
        return
    out = llm.create_completion("The number seven is", max_tokens=4, temperature=0.0)
    result["text"] = out["choices"][0]["text"]
    result["tokens"] = out["usage"]["completion_tokens"]
    llm.close()


def main(argv: list[str]) -> int:
    result_path, mode, rest = Path(argv[0]), argv[1], argv[2:]
    result: dict[str, Any] = {}
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(LAUNCHER.parent))
    _watch_loads(result)
    _start_windowed()
    result["before"] = _state()
    try:
        if mode == "bare":
            _load(rest[0], result)
        elif mode == "repair":
            import launcher

            result["repaired"] = launcher.repair_standard_streams(
                os.environ.get(launcher.STDIO_LOG_ENV, ""))
            result["after"] = _state()
            result["dup_works"] = [_dup(fd) >= 0 for fd in (1, 2)]
            _load(rest[0], result)
        elif mode == "launcher":
            sys.argv = ["ponder", *rest]
            try:
                runpy.run_path(str(LAUNCHER), run_name="__main__")
                result["exit_code"] = 0
            except SystemExit as exc:
                result["exit_code"] = exc.code
            result["after"] = _state()
    finally:
        result_path.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
