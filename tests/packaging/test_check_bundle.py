"""packaging/check_bundle.py, the release workflow's post-build check, on stand-in bundles."""

from __future__ import annotations

import plistlib
import struct
import subprocess
import sys
from pathlib import Path

from tests.packaging.pe_builder import write_dll

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "packaging" / "check_bundle.py"


def _macho(path: Path, minos: tuple[int, int], *, fat: bool = False,
           old_style: bool = False) -> Path:
    packed = (minos[0] << 16) | (minos[1] << 8)
    if old_style:  # LC_VERSION_MIN_MACOSX
        command = struct.pack("<IIII", 0x24, 16, packed, packed)
    else:  # LC_BUILD_VERSION, platform macOS
        command = struct.pack("<IIIIII", 0x32, 24, 1, packed, packed, 0)
    thin = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 6, 1, len(command), 0, 0)
    thin += command
    if fat:
        header = struct.pack(">II", 0xCAFEBABE, 1) + struct.pack(
            ">iiIII", 0x0100000C, 0, 64, len(thin), 0)
        thin = header + b"\0" * (64 - len(header)) + thin
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(thin)
    return path


def _check(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), str(bundle), *args],
                          capture_output=True, text=True, timeout=60)


def _mac_app(tmp_path: Path, plist: dict[str, object]) -> Path:
    app = tmp_path / "Ponder.app"
    contents = app / "Contents"
    contents.mkdir(parents=True)
    (contents / "Info.plist").write_bytes(plistlib.dumps(plist))
    _macho(contents / "MacOS" / "ponder", (11, 0))
    _macho(contents / "Frameworks" / "QtCore.framework" / "Versions" / "A" / "QtCore", (13, 0),
           fat=True)
    _macho(contents / "Frameworks" / "libpython3.12.dylib", (10, 13), old_style=True)
    (contents / "Resources").mkdir()
    (contents / "Resources" / "notes.class").write_bytes(b"\xca\xfe\xba\xbe\x00\x00\x00\x37")
    return app


def test_a_sound_macos_app_passes(tmp_path: Path) -> None:
    app = _mac_app(tmp_path, {"LSMinimumSystemVersion": "14.4", "LSBackgroundOnly": False})
    _macho(app / "Contents" / "Frameworks" / "llama_cpp" / "lib" / "libggml-metal.dylib",
           (14, 4))
    result = _check(app, "--os", "macos")
    assert result.returncode == 0, result.stdout
    assert "newest minimum macOS inside: 14.4 (Contents/Frameworks/llama_cpp" in result.stdout


def test_macos_llama_built_for_the_runner_and_a_background_app_fail(tmp_path: Path) -> None:
    """The defects: llama.cpp compiled for the runner's macOS 15, LSBackgroundOnly, 12.0."""
    app = _mac_app(tmp_path, {"LSMinimumSystemVersion": "12.0", "LSBackgroundOnly": True})
    _macho(app / "Contents" / "Frameworks" / "llama_cpp" / "lib" / "libllama.dylib", (15, 0))
    result = _check(app, "--os", "macos")
    assert result.returncode == 1
    out = result.stdout
    assert "LSBackgroundOnly" in out
    assert "LSMinimumSystemVersion is 12.0, expected 14.4" in out
    assert "libllama.dylib needs macOS 15.0, newer than the declared 14.4" in out
    assert "QtCore needs" not in out and "notes.class" not in out


def _win_bundle(tmp_path: Path, with_runtime: bool, cuda: bool = False) -> Path:
    bundle = tmp_path / "ponder"
    lib = bundle / "_internal" / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    write_dll(lib / "ggml-base.dll", ["KERNEL32.dll", "MSVCP140.dll", "VCRUNTIME140.dll"])
    write_dll(lib / "ggml-cpu-haswell.dll", ["ggml-base.dll", "VCOMP140.DLL"])
    if cuda:
        write_dll(lib / "ggml-cuda.dll", ["cudart64_12.dll", "cublas64_12.dll", "nvcuda.dll"])
    if with_runtime:
        for name in ("msvcp140.dll", "vcruntime140.dll", "vcomp140.dll"):
            write_dll(lib / name, ["KERNEL32.dll"])
    plugins = bundle / "_internal" / "PySide6" / "plugins"
    (plugins / "platforms").mkdir(parents=True)
    (plugins / "platforms" / "qwindows.dll").write_bytes(b"MZ")
    return bundle


def test_windows_bundle_without_the_vc_runtime_fails(tmp_path: Path) -> None:
    bundle = _win_bundle(tmp_path, with_runtime=False)
    translations = bundle / "_internal" / "PySide6" / "translations"
    translations.mkdir()
    (translations / "qtbase_fr.qm").write_bytes(b"")
    result = _check(bundle, "--os", "windows")
    assert result.returncode == 1
    assert "ggml-base.dll imports MSVCP140.dll, VCRUNTIME140.dll" in result.stdout
    assert "ggml-cpu-haswell.dll imports VCOMP140.DLL" in result.stdout
    assert "Qt file the trimming should drop: _internal/PySide6/translations/qtbase_fr.qm" \
        in result.stdout


def test_windows_bundle_with_the_runtime_passes(tmp_path: Path) -> None:
    result = _check(_win_bundle(tmp_path, with_runtime=True), "--os", "windows")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("bundle check ok")


def test_cuda_bundles_must_carry_cudart_and_cublas(tmp_path: Path) -> None:
    bundle = _win_bundle(tmp_path, with_runtime=True, cuda=True)
    result = _check(bundle, "--os", "windows", "--flavor", "cuda")
    assert result.returncode == 1
    for pattern in ("cudart64_*.dll", "cublas64_*.dll", "cublaslt64_*.dll"):
        assert f"no {pattern} in the bundle" in result.stdout
    lib = bundle / "_internal" / "llama_cpp" / "lib"
    for name in ("cudart64_12.dll", "cublas64_12.dll", "cublasLt64_12.dll"):
        write_dll(lib / name, ["KERNEL32.dll"])
    assert _check(bundle, "--os", "windows", "--flavor", "cuda").returncode == 0

    linux = tmp_path / "linux" / "ponder" / "_internal"
    linux.mkdir(parents=True)
    (linux / "libcudart.so.12").write_bytes(b"\x7fELF")
    result = _check(linux.parent, "--os", "linux", "--flavor", "cuda")
    assert result.returncode == 1 and "no libcublas.so*" in result.stdout
    assert "no libcudart.so*" not in result.stdout
