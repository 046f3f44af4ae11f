"""`ponder --self-test` from source: the same code the frozen builds run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = re.compile(
    r"^ponder (?P<version>\S+) self-test ok: backend=(?P<backend>\S+) (?:cpu=\S+ )?"
    r"model=(?P<model>\S+) load_s=[\d.]+ tokens=(?P<tokens>\d+) tok/s=(?P<tps>[\d.]+) "
    r"render_ms=(?P<render>[\d.]+) render=(?P<via>\S+)$")


def _self_test(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PONDER_HOME": str(tmp_path / "home"), **env}
    environ.pop("QT_QPA_PLATFORM", None)  # the self-test must pick offscreen by itself
    return subprocess.run([sys.executable, "-m", "app", "--self-test", *args], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_self_test_generates_and_renders(tmp_path: Path, smollm2_path: Path) -> None:
    result = _self_test(tmp_path, "--model", str(smollm2_path), DISPLAY="")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, f"one line expected, got {lines}"
    match = REPORT.match(lines[0])
    assert match, lines[0]
    from app import __version__

    assert match["version"] == __version__
    assert match["backend"] == "CPU"
    assert match["model"] == smollm2_path.name
    assert 1 <= int(match["tokens"]) <= 16
    assert float(match["tps"]) > 0
    assert float(match["render"]) > 0


@pytest.mark.slow
def test_self_test_uses_the_bundled_model(tmp_path: Path, smollm2_path: Path) -> None:
    resources = tmp_path / "resources"
    (resources / "models").mkdir(parents=True)
    (resources / "models" / smollm2_path.name).symlink_to(smollm2_path)
    result = _self_test(tmp_path, PONDER_RESOURCES=str(resources))
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert f"model={smollm2_path.name}" in result.stdout


def test_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    result = _self_test(tmp_path, "--model", str(tmp_path / "nope.gguf"))
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        f"ponder self-test failed: The model file {tmp_path / 'nope.gguf'} does not exist. "
        "Check the path given to --model."]


def test_no_model_and_none_bundled(tmp_path: Path) -> None:
    result = _self_test(tmp_path, PONDER_RESOURCES=str(tmp_path / "empty"))
    assert result.returncode == 1
    out = result.stdout.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("ponder self-test failed: This build carries no")
    assert "--model FILE.gguf" in out[0]


def test_an_html_page_saved_as_gguf_fails_cleanly(tmp_path: Path) -> None:
    page = tmp_path / "model.gguf"
    page.write_text("<!DOCTYPE html><html><body>Sign in to continue</body></html>" * 50)
    result = _self_test(tmp_path, "--model", str(page))
    assert result.returncode == 1
    out = result.stdout.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("ponder self-test failed: ")
    assert "Traceback" not in result.stdout + result.stderr
