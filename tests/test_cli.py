"""`ponder` imports only the command it runs; `--help` still lists every command."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from app import cli

ROOT = Path(__file__).resolve().parent.parent

# Prints, after the snippet ran, which command modules and heavy modules are loaded.
_REPORT = """
import json as _json, sys as _sys
_heavy = ("huggingface_hub", "llama_cpp", "PySide6")
print("MODULES=" + _json.dumps({
    "commands": sorted(m for m in _sys.modules if m.startswith("app.commands.")),
    "heavy": [m for m in _heavy if m in _sys.modules],
}))
"""


def _run_python(code: str, home: Path) -> tuple[int, str, dict[str, Any]]:
    env = dict(os.environ, PONDER_HOME=str(home), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + _REPORT],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, check=False,
    )
    marker = [line for line in result.stdout.splitlines() if line.startswith("MODULES=")]
    assert marker, result.stdout + result.stderr
    return result.returncode, result.stdout, json.loads(marker[-1].removeprefix("MODULES="))


def test_running_one_command_imports_only_that_command(tmp_path: Path) -> None:
    rc, out, loaded = _run_python(
        """
        from app.cli import main
        rc = main(["models", "--json"])
        print("RC=", rc)
        """,
        tmp_path / "home",
    )
    assert rc == 0 and "RC= 0" in out
    listing = json.loads(out.split("RC=")[0])
    assert listing["models"] == []  # a fresh home has none
    assert listing["models_dir"] == str(tmp_path / "home" / "models")
    assert loaded["commands"] == ["app.commands.models"]
    assert loaded["heavy"] == []


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_command_help_imports_only_that_command(tmp_path: Path, command: str) -> None:
    _rc, out, loaded = _run_python(
        f"""
        from app.cli import main
        try:
            main([{command!r}, "--help"])
        except SystemExit as exc:
            print("EXIT=", exc.code)
        """,
        tmp_path / "home",
    )
    assert "EXIT= 0" in out
    assert f"usage: ponder {command}" in out
    assert loaded["commands"] == [f"app.commands.{cli.COMMANDS[command]}"]
    if command != "download":  # the downloader is the one command that needs the hub
        assert "huggingface_hub" not in loaded["heavy"]


def test_gui_start_imports_no_command_module(tmp_path: Path) -> None:
    _rc, out, loaded = _run_python(
        """
        import sys, types
        stub = types.ModuleType("app.ui.main")
        stub.run_gui = lambda args: print("GUI", args) or 0
        sys.modules["app.ui.main"] = stub
        from app.cli import main
        print("RC=", main([]))
        """,
        tmp_path / "home",
    )
    assert "GUI []" in out and "RC= 0" in out
    assert loaded["commands"] == []
    assert loaded["heavy"] == []


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps long help lines
    for name, line in cli.COMMAND_HELP.items():
        assert f"{name} {line}" in out


def test_static_help_matches_each_command_and_covers_all() -> None:
    assert set(cli.COMMAND_HELP) == set(cli.COMMANDS)
    for name, module_name in cli.COMMANDS.items():
        module = importlib.import_module(f"app.commands.{module_name}")
        parser = cli._top_parser()
        sub = parser.add_subparsers(dest="command")
        module.add_parser(sub)
        [action] = sub._choices_actions
        assert (action.dest, action.help) == (name, cli.COMMAND_HELP[name])


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_command_arguments_are_parsed_by_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["models", "--no-such-flag"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --no-such-flag" in err
