"""`ponder run-code FILE.py`: run a Python file in the sandbox the window's Run button uses.

The file is copied into a fresh temporary folder and run there under the
limits below (see docs/sandbox.md for what they do and do not stop on each
OS). Output streams to stdout; a one-line summary goes to stderr. The exit
status is the code's own, or 1 when the sandbox ended it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.sandbox.limits import SandboxLimits

DEFAULTS = SandboxLimits()


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    p = subparsers.add_parser("run-code", help="run a Python file in the sandbox the window's "
                              "Run button uses")
    p.add_argument("file", metavar="FILE.py", help="the Python file to run")
    p.add_argument("--wall", type=float, default=DEFAULTS.wall_s, metavar="S",
                   help=f"wall-time limit in seconds (default {DEFAULTS.wall_s:g})")
    p.add_argument("--cpu", type=float, default=DEFAULTS.cpu_s, metavar="S",
                   help=f"CPU-time limit per process in seconds (default {DEFAULTS.cpu_s:g})")
    p.add_argument("--memory-mb", type=int, default=DEFAULTS.memory_mb, metavar="N",
                   help=f"memory limit per process in MB (default {DEFAULTS.memory_mb})")
    p.add_argument("--processes", type=int, default=DEFAULTS.processes, metavar="N",
                   help=f"processes the code may have at once (default {DEFAULTS.processes})")
    p.add_argument("--output-bytes", type=int, default=DEFAULTS.output_bytes, metavar="N",
                   help=f"output cap in bytes (default {DEFAULTS.output_bytes})")
    # Internal: the window's runner passes its own folder and reads a status file;
    # the frozen build runs the code itself with --exec (it has no python).
    p.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--status-file", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--exec", dest="exec_only", action="store_true", help=argparse.SUPPRESS)


def run_file_here(file: Path) -> int:
    """Run a Python file in this process as `__main__` (the frozen build's child)."""
    import runpy
    import traceback

    path = str(file.resolve())
    sys.argv = [path]
    sys.path.insert(0, str(file.resolve().parent))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb or exc.__traceback__)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    file = Path(args.file)
    if args.exec_only:
        return run_file_here(file)
    if not file.is_file():
        print(f"ponder run-code: {file} is not a file.", file=sys.stderr)
        return 2
    limits = SandboxLimits(wall_s=args.wall, cpu_s=args.cpu, memory_mb=args.memory_mb,
                           output_bytes=args.output_bytes, processes=args.processes)
    from app.sandbox.supervisor import supervise

    sys.stdout.flush()
    result = supervise(file, limits, folder=args.folder, status_file=args.status_file)
    if args.status_file is None:
        print(result.summary(), file=sys.stderr)
    if result.reason in ("finished", "error") and result.exit_code is not None:
        return result.exit_code if result.exit_code >= 0 else 1
    return 1
