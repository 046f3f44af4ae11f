"""Windows bundle: llama.cpp's DLL dependencies and the backend preload hook.

The PE import reader is checked against real Windows executables (pip's
vendored distlib launchers) and against PE files built by pe_builder; the
runtime hook is run in a subprocess on a stand-in bundle whose CPU backend
cannot load, the state of a PC without the VC++ redistributable.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.pe_builder import write_dll

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "packaging" / "rthooks" / "pyi_rth_ggml_backends.py"


@pytest.fixture
def win_dlls(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "packaging"))
    monkeypatch.delitem(sys.modules, "win_dlls", raising=False)
    import win_dlls as module

    return module


def _distlib_launchers() -> list[Path]:
    spec = importlib.util.find_spec("pip")
    assert spec is not None and spec.origin is not None
    return sorted((Path(spec.origin).parent / "_vendor" / "distlib").glob("*.exe"))


def test_reads_the_imports_of_real_windows_executables(win_dlls: ModuleType) -> None:
    launchers = {p.name: p for p in _distlib_launchers()}
    assert {"t64.exe", "w64.exe"} <= set(launchers), sorted(launchers)
    for name in ("t64.exe", "w64.exe"):  # PE32+ console and GUI launchers
        imports = [n.upper() for n in win_dlls.dll_imports(launchers[name])]
        assert "KERNEL32.DLL" in imports, (name, imports)
        assert all(win_dlls.is_system(n) for n in imports), imports
    if "w32.exe" in launchers:  # a 32-bit (PE32) one too, where pip ships it
        assert "USER32.dll" in win_dlls.dll_imports(launchers["w32.exe"])


def test_refuses_what_is_not_a_pe_file(win_dlls: ModuleType, tmp_path: Path) -> None:
    elf = tmp_path / "libggml.so"
    elf.write_bytes(b"\x7fELF" + b"\0" * 100)
    with pytest.raises(win_dlls.PEError):
        win_dlls.dll_imports(elf)


def test_a_lib_folder_without_the_vc_runtime_is_reported(win_dlls: ModuleType,
                                                          tmp_path: Path) -> None:
    write_dll(tmp_path / "ggml-base.dll", ["KERNEL32.dll", "MSVCP140.dll", "VCRUNTIME140.dll"])
    write_dll(tmp_path / "ggml-cpu-haswell.dll", ["ggml-base.dll", "VCOMP140.DLL"])
    write_dll(tmp_path / "ggml-cuda.dll", ["cudart64_12.dll", "cublas64_12.dll", "nvcuda.dll"])
    assert win_dlls.missing_imports(tmp_path) == {
        "ggml-base.dll": ["MSVCP140.dll", "VCRUNTIME140.dll"],
        "ggml-cpu-haswell.dll": ["VCOMP140.DLL"],
        "ggml-cuda.dll": ["cudart64_12.dll", "cublas64_12.dll"],
    }
    for name in ("msvcp140.dll", "vcruntime140.dll", "vcomp140.dll", "cudart64_12.dll",
                 "cublas64_12.dll"):
        write_dll(tmp_path / name, ["KERNEL32.dll"])
    assert win_dlls.missing_imports(tmp_path) == {}


def test_an_unknown_non_system_import_is_reported(win_dlls: ModuleType, tmp_path: Path) -> None:
    write_dll(tmp_path / "llama.dll", ["KERNEL32.dll", "libgomp-1.dll"])
    assert win_dlls.missing_imports(tmp_path) == {"llama.dll": ["libgomp-1.dll"]}


def test_runtime_to_ship_follows_imports_transitively(win_dlls: ModuleType,
                                                      tmp_path: Path) -> None:
    lib, cuda_bin = tmp_path / "lib", tmp_path / "cuda" / "bin"
    lib.mkdir()
    cuda_bin.mkdir(parents=True)
    cuda = write_dll(lib / "ggml-cuda.dll", ["cublas64_12.dll", "nvcuda.dll", "KERNEL32.dll"])
    write_dll(cuda_bin / "cublas64_12.dll", ["cublasLt64_12.dll", "cudart64_12.dll"])
    write_dll(cuda_bin / "cublasLt64_12.dll", ["KERNEL32.dll"])
    write_dll(cuda_bin / "cudart64_12.dll", ["KERNEL32.dll"])
    shipped = win_dlls.runtime_to_ship([cuda], [lib, tmp_path / "absent", cuda_bin])
    assert [p.name for p in shipped] == ["cublas64_12.dll", "cublasLt64_12.dll",
                                         "cudart64_12.dll"]
    assert all(p.parent == cuda_bin for p in shipped)


def _run_hook(tmp_path: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    code = ("import runpy, sys; sys._MEIPASS = sys.argv[1]; sys.path.insert(0, sys.argv[2]); "
            "runpy.run_path(sys.argv[3]); import os; "
            "print('ENV', os.environ.get('PONDER_BACKEND_PRELOAD_ERROR', ''))")
    env = {**os.environ, "PONDER_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-c", code, str(bundle), str(ROOT), str(HOOK)],
                          capture_output=True, text=True, timeout=60, env=env)


def test_a_backend_that_cannot_load_is_written_to_the_log(tmp_path: Path) -> None:
    bundle = tmp_path / "_internal"
    lib = bundle / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    # What a PC without the VC++ runtime sees: the module exists, loading it fails.
    (lib / "libggml-cpu-haswell.so").write_bytes(b"\x7fELF broken")
    (lib / "libggml.so").write_bytes(b"\x7fELF broken")
    result = _run_hook(tmp_path, bundle)
    assert result.returncode == 0, result.stderr  # start-up goes on
    log = (tmp_path / "home" / "logs" / "ponder.log").read_text(encoding="utf-8")
    assert "WARNING ponder.rthook: no llama.cpp CPU backend could be loaded" in log
    assert "libggml-cpu-haswell.so" in log
    assert "ponder: no llama.cpp CPU backend could be loaded" in result.stderr
    assert "ENV " in result.stdout and "could not preload" in result.stdout


def test_a_bundle_without_variants_is_left_alone(tmp_path: Path) -> None:
    bundle = tmp_path / "_internal"
    (bundle / "llama_cpp" / "lib").mkdir(parents=True)
    result = _run_hook(tmp_path, bundle)
    assert result.returncode == 0 and result.stdout.strip() == "ENV"
    assert not (tmp_path / "home" / "logs").exists()
