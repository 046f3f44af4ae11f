"""`ponder` entry point: no subcommand starts the GUI; subcommands run headless.

Each subcommand lives in app/commands/<name>.py and exposes
`add_parser(subparsers)` and `run(args) -> int`. Modules are imported lazily so
that `ponder chat` never loads Qt and the GUI never waits for argparse setup
of commands it does not use.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand name -> module under app.commands
COMMANDS: dict[str, str] = {
    "chat": "chat",
    "hardware": "hardware",
    "download": "download",
    "import": "import_model",
    "models": "models",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ponder",
        description="Offline chat with a local reasoning model. "
        "Without a subcommand, the desktop app starts.",
    )
    parser.add_argument("--self-test", action="store_true",
                        help="load a model, generate a few tokens, render one message "
                        "offscreen, print a one-line report and exit")
    parser.add_argument("--model", dest="self_test_model", default=None, metavar="FILE.gguf",
                        help="with --self-test: the GGUF to load (default: the bundled model)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS.values():
        try:
            module = importlib.import_module(f"app.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.commands.{module_name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command:
        module = importlib.import_module(f"app.commands.{COMMANDS[args.command]}")
        return int(module.run(args))
    if args.self_test:
        from app.commands.self_test import run_self_test

        return run_self_test(args.self_test_model)
    from app.ui.main import run_gui

    return run_gui(args_list)
