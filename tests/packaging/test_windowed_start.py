"""Defect: the windowed Windows app could not load any model.

ponder.exe is windowed, so it starts without stdout/stderr, and
llama-cpp-python's quiet load (``verbose=False``) calls ``os.dup(1)``, which
fails with EBADF there. ``windowed_harness.py`` reproduces that start on
Linux in a subprocess (streams None, ``os.dup`` of 1 and 2 failing with
EBADF) and loads the real SmolLM2 GGUF through llama_cpp.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _harness(tmp_path: Path, *args: str, **env: str) -> dict[str, Any]:
    result_file = tmp_path / "result.json"
    environ = {**os.environ, "PONDER_HOME": str(tmp_path / "home"), **env}
    environ.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run([sys.executable, str(HERE / "windowed_harness.py"), str(result_file),
                           *args], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=300)
    assert result_file.exists(), proc.stdout + proc.stderr[-3000:]
    data: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    data["_proc"] = {"rc": proc.returncode, "stderr": proc.stderr[-3000:]}
    return data


def test_the_emulated_windowed_start_breaks_a_quiet_load(tmp_path: Path,
                                                          smollm2_path: Path) -> None:
    """Without the repair the load fails exactly as on Windows (the defect is real here)."""
    data = _harness(tmp_path, "bare", str(smollm2_path))
    assert data["before"] == {"stdout_is_none": True, "stderr_is_none": True,
                              "missing_fds": [1, 2]}
    assert data["loads"] and data["loads"][0]["verbose"] is False
    assert data.get("errno") == errno.EBADF, data
    assert "text" not in data


def test_launcher_repairs_both_streams_then_a_quiet_load_works(tmp_path: Path,
                                                               smollm2_path: Path) -> None:
    data = _harness(tmp_path, "repair", str(smollm2_path))
    assert data["repaired"] == ["stdout", "stderr"]
    assert data["after"] == {"stdout_is_none": False, "stderr_is_none": False,
                             "missing_fds": []}
    assert data["dup_works"] == [True, True]
    # The load saw repaired streams and succeeded with verbose=False.
    assert data["loads"] == [{"stdout_is_none": False, "stderr_is_none": False,
                              "missing_fds": [], "verbose": False}]
    assert "error" not in data, data
    assert data["tokens"] >= 1 and isinstance(data["text"], str)


@pytest.mark.slow
def test_windowed_self_test_through_the_launcher(tmp_path: Path, smollm2_path: Path) -> None:
    """The frozen entry point end to end: repair first, then the app's own model load.

    The same check the release workflow runs with the real windowed ponder.exe
    on Windows: the report reaches PONDER_STDIO_LOG and the exit code is 0.
    """
    log = tmp_path / "stdio.log"
    data = _harness(tmp_path, "launcher", "--self-test", "--model", str(smollm2_path),
                    PONDER_STDIO_LOG=str(log))
    assert data["exit_code"] == 0, (data, log.read_text() if log.exists() else "")
    assert data["loads"], "the self-test loaded no model"
    for load in data["loads"]:
        assert load["missing_fds"] == [] and not load["stdout_is_none"], load
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("ponder: started without stdout and stderr (windowed start)")
    assert any(" self-test ok: " in line for line in lines), text


def test_a_console_start_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "packaging"))
    import launcher

    stdout, stderr = sys.stdout, sys.stderr
    assert launcher.repair_standard_streams() == []
    assert sys.stdout is stdout and sys.stderr is stderr
