"""`ponder` entry point: no subcommand starts the GUI; subcommands run headless.

Each subcommand lives in app/commands/<name>.py and exposes
`add_parser(subparsers)` and `run(args) -> int`. Only the module of the
command being run is imported: `ponder --help` lists the commands from the
static COMMAND_HELP table, so the GUI start and `ponder chat` never pay for
(or pull in the dependencies of) commands they do not use.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

# subcommand name -> module under app.commands
COMMANDS: dict[str, str] = {
    "chat": "chat",
    "hardware": "hardware",
    "download": "download",
    "import": "import_model",
    "models": "models",
    "serve": "serve",
    "check": "check",
    "run-code": "run_code",
    "math-worker": "math_worker",
}

# subcommand name -> the one line `ponder --help` shows (the module's own help=)
COMMAND_HELP: dict[str, str] = {
    "chat": "ask a model one question in the terminal",
    "hardware": "show the hardware and the plan for the model",
    "download": "download a model (resumable, verified)",
    "import": "import a GGUF file you already have",
    "models": "list installed models",
    "serve": "serve the model through an OpenAI-compatible API on 127.0.0.1",
    "check": "check a math answer by voting over several samples (prints JSON)",
    "run-code": "run a Python file in the sandbox the window's Run button uses",
    "math-worker": "internal: the answer-equivalence worker process (JSON lines)",
}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ponder",
        description="Offline chat with a local reasoning model. "
        "Without a subcommand, the desktop app starts.",
        epilog="ponder FILE.gguf starts the window (or brings the open one to the front) "
        "and opens the import of that GGUF file.",
    )
    parser.add_argument("--self-test", action="store_true",
                        help="load a model, generate a few tokens, render one message "
                        "offscreen, print a one-line report and exit")
    parser.add_argument("--model", dest="self_test_model", default=None, metavar="FILE.gguf",
                        help="with --self-test: the GGUF to load (default: the bundled model)")
    return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `ponder` parser.

    Args:
        command: the subcommand to parse for real (its module is imported);
            None lists every subcommand by name and help line only, importing
            none of them.
    """
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if name == command:
            _command_module(name).add_parser(sub)
        else:
            # A stand-in: it lists the command, and passes its arguments through
            # unparsed so that the first pass can learn which command runs.
            sub.add_parser(name, help=COMMAND_HELP.get(name, ""), add_help=False)
    return parser


def _command_module(name: str) -> ModuleType:
    """The module of a subcommand (it has `add_parser` and `run`)."""
    module_name = f"app.commands.{COMMANDS[name]}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        sys.exit(f"ponder {name} is not part of this build of Ponder.")


def split_model_file(args_list: list[str]) -> tuple[str | None, list[str]]:
    """`ponder FILE.gguf`: the file to import in the window, and the other arguments.

    A first positional argument that names a command is left alone, and so is
    a word that is neither a .gguf name nor an existing file (argparse then says
    it is not a command).
    """
    skip_next = False
    for index, arg in enumerate(args_list):
        if skip_next:
            skip_next = False
            continue
        if arg == "--model":
            skip_next = True
            continue
        if arg == "--" or arg.startswith("-"):
            continue
        if arg in COMMANDS:
            return None, args_list
        from pathlib import Path

        if arg.lower().endswith(".gguf") or Path(arg).is_file():
            return arg, args_list[:index] + args_list[index + 1:]
        return None, args_list
    return None, args_list


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    model_file, args_list = split_model_file(args_list)
    # First pass: which command (if any), without importing any command module.
    first, _rest = build_parser().parse_known_args(args_list)
    if first.command:
        args = build_parser(first.command).parse_args(args_list)
        return int(_command_module(args.command).run(args))
    args = build_parser().parse_args(args_list)  # unknown options: argparse's usage error
    if args.self_test:
        from app.commands.self_test import run_self_test

        return run_self_test(args.self_test_model)
    from app.ui.main import run_gui

    if model_file is None:
        return run_gui(args_list)
    return run_gui(args_list, open_file=model_file)
