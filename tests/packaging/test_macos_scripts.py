"""installer/macos: signing order, the notary verdict, and the .dmg retry.

codesign, security, xcrun and hdiutil exist only on macOS; here they are
replaced by small recording scripts on PATH, so the shell scripts themselves
(the real ones the release runs) are exercised on Linux: which files get
signed and in what order, what happens on an "Invalid" verdict, and how a
"Resource busy" from hdiutil is retried.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MACOS = ROOT / "installer" / "macos"

SHIM = """#!/usr/bin/env bash
printf '%s' "$(basename "$0")" >> "$SHIM_LOG"
for a in "$@"; do printf '\\t%s' "$a" >> "$SHIM_LOG"; done
printf '\\n' >> "$SHIM_LOG"
"""
XCRUN = SHIM + """
if [ "$1 $2" = "notarytool submit" ]; then
  printf '{"id": "sub-42", "status": "%s", "message": "Processing complete"}\\n' "$FAKE_VERDICT"
elif [ "$1 $2" = "notarytool log" ]; then
  echo "NOTARY-LOG: The binary is not signed with a valid Developer ID certificate."
fi
"""
HDIUTIL = SHIM + """
count_file="$SHIM_LOG.hdiutil"
n=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$count_file"
if [ "$n" -le "${FAKE_HDIUTIL_FAILURES:-0}" ]; then
  echo "hdiutil: create failed - Resource busy" >&2
  exit 1
fi
touch "${@: -1}"
"""


@pytest.fixture
def shims(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in {"codesign": SHIM, "security": SHIM, "xcrun": XCRUN,
                       "hdiutil": HDIUTIL, "uuidgen": SHIM + "echo pw-1234\n"}.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "SHIM_LOG": str(tmp_path / "calls.log"), "RUNNER_TEMP": str(tmp_path),
            "MACOS_CERT_P12_BASE64": "Y2VydA==", "MACOS_SIGN_IDENTITY": "Developer ID Test",
            "APPLE_ID": "a@example.org", "APPLE_TEAM_ID": "TEAM", "APPLE_APP_PASSWORD": "pw",
            "PONDER_DMG_RETRY_DELAY": "0"}


def _calls(env: dict[str, str], tool: str) -> list[list[str]]:
    log = Path(env["SHIM_LOG"])
    lines = log.read_text().splitlines() if log.exists() else []
    return [line.split("\t")[1:] for line in lines if line.split("\t")[0] == tool]


def _macho(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<I", 0xFEEDFACF) + b"\0" * 60)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A Ponder.app laid out like PyInstaller's: Qt frameworks, libpython, .so, data."""
    app = tmp_path / "Ponder.app"
    contents = app / "Contents"
    _macho(contents / "MacOS" / "ponder")
    qtcore = contents / "Frameworks" / "PySide6" / "Qt" / "lib" / "QtCore.framework"
    _macho(qtcore / "Versions" / "A" / "QtCore")
    (qtcore / "Versions" / "A" / "Resources").mkdir(parents=True)
    (qtcore / "Versions" / "A" / "Resources" / "Info.plist").write_text("<plist/>")
    _macho(contents / "Frameworks" / "Python")  # the Python library: no extension
    _macho(contents / "Frameworks" / "llama_cpp" / "lib" / "libggml-metal.dylib")
    _macho(contents / "Frameworks" / "PySide6" / "QtWidgets.abi3.so")
    (contents / "Resources").mkdir(parents=True)
    (contents / "Resources" / "models.json").write_text("{}")
    (contents / "Info.plist").write_text("<plist/>")
    return app


def test_app_is_signed_inside_out_every_mach_o_included(app: Path,
                                                        shims: dict[str, str]) -> None:
    result = subprocess.run(["bash", str(MACOS / "sign_and_notarize.sh"), "app", str(app)],
                            env=shims, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    signs = [c for c in _calls(shims, "codesign") if "--sign" in c]
    signed = [c[-1] for c in signs]
    rel = [str(Path(p).relative_to(app.parent)) for p in signed]
    frameworks = "Ponder.app/Contents/Frameworks"
    qtcore = f"{frameworks}/PySide6/Qt/lib/QtCore.framework"
    assert set(rel) == {f"{qtcore}/Versions/A/QtCore", qtcore, f"{frameworks}/Python",
                        f"{frameworks}/llama_cpp/lib/libggml-metal.dylib",
                        f"{frameworks}/PySide6/QtWidgets.abi3.so",
                        "Ponder.app/Contents/MacOS/ponder", "Ponder.app"}
    assert rel.index(f"{qtcore}/Versions/A/QtCore") < rel.index(qtcore)
    assert rel[-1] == "Ponder.app" and rel[-2] == "Ponder.app/Contents/MacOS/ponder"
    for call in signs:
        assert "--options" in call and "runtime" in call and "--timestamp" in call
    assert "--entitlements" in signs[-1] and "--entitlements" not in signs[0]
    verify = [c for c in _calls(shims, "codesign") if "--verify" in c]
    assert verify and verify[0][-1] == str(app)
    assert "5 Mach-O files, inside out" in result.stdout


def _sign_dmg(tmp_path: Path, env: dict[str, str],
              verdict: str) -> subprocess.CompletedProcess[str]:
    dmg = tmp_path / "Ponder-0.1.0-macos-arm64.dmg"
    dmg.write_bytes(b"koly")
    return subprocess.run(["bash", str(MACOS / "sign_and_notarize.sh"), "dmg", str(dmg)],
                          env={**env, "FAKE_VERDICT": verdict}, capture_output=True,
                          text=True, timeout=60)


def test_an_accepted_dmg_is_stapled(tmp_path: Path, shims: dict[str, str]) -> None:
    result = _sign_dmg(tmp_path, shims, "Accepted")
    assert result.returncode == 0, result.stdout + result.stderr
    xcrun = _calls(shims, "xcrun")
    assert xcrun[0][:2] == ["notarytool", "submit"]
    assert "--wait" in xcrun[0] and xcrun[0][-2:] == ["--output-format", "json"]
    assert [c[:2] for c in xcrun[1:]] == [["stapler", "staple"], ["stapler", "validate"]]
    dmg_signs = [c for c in _calls(shims, "codesign") if "--sign" in c]
    assert dmg_signs and dmg_signs[0][-1].endswith(".dmg")


def test_an_invalid_verdict_fails_and_prints_the_notary_log(tmp_path: Path,
                                                            shims: dict[str, str]) -> None:
    result = _sign_dmg(tmp_path, shims, "Invalid")
    assert result.returncode == 1
    assert "notarization failed: Apple's verdict is 'Invalid'" in result.stderr
    assert "NOTARY-LOG: The binary is not signed" in result.stderr
    assert [c[:2] for c in _calls(shims, "xcrun")] == [["notarytool", "submit"],
                                                       ["notarytool", "log"]]


def test_without_secrets_nothing_is_signed(tmp_path: Path, app: Path,
                                           shims: dict[str, str]) -> None:
    env = {k: v for k, v in shims.items() if not k.startswith(("MACOS_", "APPLE_"))}
    for mode, target in (("app", app), ("dmg", tmp_path / "x.dmg")):
        result = subprocess.run(["bash", str(MACOS / "sign_and_notarize.sh"), mode,
                                 str(target)], env=env, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0 and "signing skipped" in result.stdout
    assert _calls(shims, "codesign") == [] and _calls(shims, "security") == []


def test_a_busy_hdiutil_is_retried(tmp_path: Path, app: Path, shims: dict[str, str]) -> None:
    dmg = tmp_path / "out.dmg"
    env = {**shims, "FAKE_HDIUTIL_FAILURES": "2"}
    result = subprocess.run(["bash", str(MACOS / "make_dmg.sh"), str(app), str(dmg)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(_calls(shims, "hdiutil")) == 3 and dmg.exists()
    assert "attempt 2 of 5" in result.stderr and "Resource busy" in result.stderr


def test_a_dmg_that_never_succeeds_fails(tmp_path: Path, app: Path,
                                         shims: dict[str, str]) -> None:
    env = {**shims, "FAKE_HDIUTIL_FAILURES": "99", "PONDER_DMG_ATTEMPTS": "3"}
    result = subprocess.run(["bash", str(MACOS / "make_dmg.sh"), str(app),
                             str(tmp_path / "out.dmg")], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert len(_calls(shims, "hdiutil")) == 3
    assert "could not create" in result.stderr
