"""Installer recipes: the .deb layout (built by the real dpkg-deb), the portable
tarball, the Inno Setup script, the macOS signing script and the workflow."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_app(tmp_path: Path) -> Path:
    """A stand-in for dist/ponder: an executable, a library and a data file."""
    app = tmp_path / "dist" / "ponder"
    (app / "_internal" / "resources").mkdir(parents=True)
    exe = app / "ponder"
    exe.write_text("#!/bin/sh\necho ponder-fake \"$@\"\n")
    exe.chmod(0o700)
    (app / "_internal" / "libfake.so").write_bytes(b"\x7fELF" + b"\x00" * 4000)
    (app / "_internal" / "resources" / "models.json").write_text("{}")
    return app


def test_control_file_fields(build_scripts: dict[str, ModuleType]) -> None:
    deb = build_scripts["linux.make_deb"]
    text = deb.control_text("0.1.0", "amd64", 123456, suffix="-offline")
    fields = dict(line.split(": ", 1) for line in text.splitlines() if not line.startswith(" "))
    assert fields["Package"] == "ponder" and fields["Version"] == "0.1.0"
    assert fields["Architecture"] == "amd64" and fields["Installed-Size"] == "123456"
    assert "libxcb-cursor0" in fields["Depends"] and "libegl1" in fields["Depends"]
    assert "(offline build)" in fields["Description"]
    assert text.endswith("\n")
    assert deb.deb_architecture("x86_64") == "amd64"
    assert deb.deb_architecture("aarch64") == "arm64"


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs Debian's dpkg-deb")
def test_deb_contents_and_compression(build_scripts: dict[str, ModuleType], fake_app: Path,
                                      tmp_path: Path) -> None:
    make_deb = build_scripts["linux.make_deb"]
    deb = make_deb.build_deb(fake_app, "0.1.0", tmp_path / "out", work_dir=tmp_path / "work")
    assert deb.name == f"ponder_0.1.0_{make_deb.deb_architecture()}.deb"
    members = subprocess.run(["ar", "t", str(deb)], capture_output=True, text=True,
                             check=True).stdout.split()
    assert members == ["debian-binary", "control.tar.xz", "data.tar.xz"]
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, check=True).stdout
    rows = {line.split()[-1].lstrip("."): line.split()[0] for line in listing.splitlines()}
    assert rows["/opt/ponder/ponder"] == "-rwxr-xr-x"
    assert rows["/usr/bin/ponder"] == "-rwxr-xr-x"
    assert rows["/opt/ponder/_internal/resources/models.json"] == "-rw-r--r--"
    assert "/usr/share/applications/ponder.desktop" in rows
    assert "/usr/share/icons/hicolor/scalable/apps/ponder.svg" in rows
    assert all(" root/root " in line for line in listing.splitlines())
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Package", "Installed-Size"],
                          capture_output=True, text=True, check=True).stdout
    assert "Package: ponder" in info
    assert not (tmp_path / "work" / "root").exists(), "the staging tree is cleaned up"


def test_desktop_entry_and_wrapper(build_scripts: dict[str, ModuleType], fake_app: Path,
                                   tmp_path: Path) -> None:
    make_deb = build_scripts["linux.make_deb"]
    root = make_deb.stage(fake_app, tmp_path / "root", "0.1.0", "amd64")
    entry = (root / "usr/share/applications/ponder.desktop").read_text(encoding="utf-8")
    keys = dict(line.split("=", 1) for line in entry.splitlines()[1:] if "=" in line)
    assert entry.startswith("[Desktop Entry]\n")
    assert keys["Exec"].split()[0] == "ponder" and keys["Icon"] == "ponder"
    assert keys["Type"] == "Application" and keys["Terminal"] == "false"
    wrapper = root / "usr/bin/ponder"
    result = subprocess.run(["sh", "-n", str(wrapper)], capture_output=True)
    assert result.returncode == 0
    assert "exec /opt/ponder/ponder \"$@\"" in wrapper.read_text()


def test_portable_tarball(build_scripts: dict[str, ModuleType], fake_app: Path,
                          tmp_path: Path) -> None:
    tarball = build_scripts["linux.make_tarball"].build_tarball(fake_app, "0.1.0", tmp_path)
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        exe = tar.getmember("ponder-0.1.0/ponder")
        desktop = tar.extractfile("ponder-0.1.0/ponder.desktop")
        assert desktop is not None
        assert "Exec=./ponder %F" in desktop.read().decode()
    assert exe.mode & 0o100, "the launcher stays executable"
    assert "ponder-0.1.0/_internal/resources/models.json" in names
    assert "ponder-0.1.0/ponder.svg" in names


def test_inno_setup_script_is_per_user_and_asks_about_data() -> None:
    script = (ROOT / "installer" / "windows" / "ponder.iss").read_text()
    setup = script.split("[Setup]", 1)[1].split("\n[", 1)[0]
    assert "PrivilegesRequired=lowest" in setup.splitlines()
    assert "DefaultDirName={autopf}\\Ponder" in setup
    code = script.split("[Code]", 1)[1]
    assert "procedure CurUninstallStepChanged" in code
    assert "MsgBox(" in code and "MB_YESNO" in code
    # Data is deleted only on "No", never on "Yes" or in silent mode.
    delete_at = code.index("DelTree(")
    assert code.rfind("if Answer = IDNO then", 0, delete_at) != -1
    assert code.index("UninstallSilent()") < delete_at
    assert "{group}\\Ponder" in script, "a Start menu entry"


def test_signing_script_needs_a_mode_and_both_scripts_parse(tmp_path: Path) -> None:
    """Skipping without secrets and the signing order: test_macos_scripts.py."""
    script = ROOT / "installer" / "macos" / "sign_and_notarize.sh"
    result = subprocess.run(["bash", str(script), str(tmp_path / "Ponder.app")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage:" in result.stderr
    for sh in (script, ROOT / "installer" / "macos" / "make_dmg.sh"):
        assert subprocess.run(["bash", "-n", str(sh)]).returncode == 0


def test_make_dmg_refuses_a_missing_app(tmp_path: Path) -> None:
    script = ROOT / "installer" / "macos" / "make_dmg.sh"
    result = subprocess.run(["bash", str(script), str(tmp_path / "Nope.app"),
                             str(tmp_path / "x.dmg")], capture_output=True, text=True)
    assert result.returncode == 1 and "is not a folder" in result.stderr


def _iss_sections() -> dict[str, list[str]]:
    """The Inno Setup script's sections: name -> its non-comment, non-empty lines."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in (ROOT / "installer" / "windows" / "ponder.iss").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
        elif current:
            sections[current].append(line)
    return sections


def test_inno_upgrade_replaces_the_whole_bundle_folder() -> None:
    """An upgrade must not leave the previous version's DLLs for llama.cpp to load."""
    sections = _iss_sections()
    assert 'Type: filesandordirs; Name: "{app}\\_internal"' in sections["InstallDelete"]
    files = sections["Files"][0]
    assert 'DestDir: "{app}"' in files and "recursesubdirs" in files


def test_inno_installs_per_user_only() -> None:
    """An all-users install would read {localappdata} of the elevating administrator."""
    setup = sections = _iss_sections()["Setup"]
    assert "PrivilegesRequired=lowest" in sections
    assert not any(line.startswith("PrivilegesRequiredOverridesAllowed") for line in setup)
    assert "{localappdata}\\Ponder" in "\n".join(_iss_sections()["Code"])
