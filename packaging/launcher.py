"""Entry script of the frozen app: the same as `python -m app`, on sound standard streams.

A windowed Windows program (``ponder.exe``, built with ``console=False``)
starts without standard handles: Python sets ``sys.stdout`` and
``sys.stderr`` to None and file descriptors 1 and 2 do not exist, so
``os.dup(1)`` raises ``OSError [Errno 9]``. llama-cpp-python does exactly
that to silence llama.cpp when a model is loaded with ``verbose=False``, so
every model load of the windowed app would fail. Before anything else runs,
the launcher points the missing descriptors at the null device (or at the
file named by ``PONDER_STDIO_LOG``, which the release workflow uses to read
the windowed self-test's report) and gives Python streams on top of them.

A console start, or a start from a terminal on Linux and macOS, has working
streams and is left untouched. Stdlib only: this runs before the app is
imported.
"""

from __future__ import annotations

import os
import sys

STDIO_LOG_ENV = "PONDER_STDIO_LOG"
_STREAMS = ((1, "stdout"), (2, "stderr"))


def _descriptor_works(fd: int) -> bool:
    """Whether `fd` can be duplicated (the very call llama-cpp-python makes)."""
    try:
        duplicate = os.dup(fd)
    except OSError:
        return False
    os.close(duplicate)
    return True


def _open_target(log_path: str) -> int:
    if log_path:
        try:
            return os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError:
            pass  # an unwritable log must not stop the app: fall back to the null device
    return os.open(os.devnull, os.O_WRONLY)


def repair_standard_streams(log_path: str = "") -> list[str]:
    """Give the process working stdout/stderr descriptors and Python streams.

    Args:
        log_path: a file that receives what the app prints; "" for the null
            device.

    Returns:
        The names of the streams that were repaired ("stdout", "stderr");
        empty when both already worked.
    """
    broken = [(fd, name) for fd, name in _STREAMS
              if getattr(sys, name) is None or not _descriptor_works(fd)]
    if not broken:
        return []
    target = _open_target(log_path)
    for fd, name in broken:
        if target != fd:
            os.dup2(target, fd)
        stream = open(fd, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                      buffering=1, closefd=False)
        setattr(sys, name, stream)
        if getattr(sys, f"__{name}__") is None:
            setattr(sys, f"__{name}__", stream)
    if target not in {fd for fd, _ in broken}:
        os.close(target)
    names = [name for _, name in broken]
    print(f"ponder: started without {' and '.join(names)} (windowed start); "
          f"now writing to {log_path or os.devnull}", file=sys.stderr, flush=True)
    return names


def main() -> int:
    """Repair the standard streams of a frozen build, then run the app."""
    if getattr(sys, "frozen", False):
        repair_standard_streams(os.environ.get(STDIO_LOG_ENV, "").strip())
    from app.cli import main as app_main

    return app_main()


if __name__ == "__main__":
    raise SystemExit(main())
