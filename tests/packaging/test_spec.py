"""packaging/ponder.spec, run as PyInstaller would on each OS, with recording stand-ins.

PyInstaller's build classes (Analysis, EXE, COLLECT, BUNDLE) are replaced by
objects that record their arguments, so the spec's decisions for Windows and
macOS can be checked here: the windowed executables, the macOS Info.plist,
the Qt trimming with Windows paths, and the VC++ runtime DLLs bundled next to
llama.cpp's backends (real PE files, built by pe_builder).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.packaging.pe_builder import write_dll

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "ponder.spec"


class _Recorder:
    def __init__(self, kind: str, /, *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs


class _Analysis(_Recorder):
    toc_binaries: ClassVar[list[tuple[str, str, str]]] = []
    toc_datas: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("Analysis", *args, **kwargs)
        self.binaries = list(self.toc_binaries)
        self.datas = list(self.toc_datas)
        self.pure: list[Any] = []
        self.scripts: list[Any] = []


def _run_spec(monkeypatch: pytest.MonkeyPatch, platform: str,
              llama_libs: list[tuple[str, str]],
              toc: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    made: dict[str, list[_Recorder]] = {}

    def recorder(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> _Recorder:
            obj = _Recorder(kind, *args, **kwargs)
            made.setdefault(kind, []).append(obj)
            return obj
        return make

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda *a, **k: []  # type: ignore[attr-defined]
    hooks.collect_dynamic_libs = lambda *a, **k: list(llama_libs)  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda *a, **k: ["app"]  # type: ignore[attr-defined]
    hooks.copy_metadata = lambda *a, **k: []  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    for name in ("llama_flavors", "qt_trim", "win_dlls"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "platform", platform)
    _Analysis.toc_binaries = [e for e in toc or [] if e[2] == "BINARY"]
    _Analysis.toc_datas = [e for e in toc or [] if e[2] == "DATA"]
    analyses: list[_Analysis] = []

    def analysis(*args: Any, **kwargs: Any) -> _Analysis:
        analyses.append(_Analysis(*args, **kwargs))
        return analyses[-1]

    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent), "Analysis": analysis, "PYZ": recorder("PYZ"),
        "EXE": recorder("EXE"), "COLLECT": recorder("COLLECT"), "BUNDLE": recorder("BUNDLE"),
        "__file__": str(SPEC),
    }
    exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    return {"analysis": analyses[0], **made}


def _fake_llama_linux(tmp_path: Path) -> list[tuple[str, str]]:
    lib = tmp_path / "libllama.so"
    lib.write_bytes(b"\x7fELF")
    return [(str(lib), "llama_cpp/lib")]


def test_windows_executables_and_bundled_vc_runtime(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    lib = tmp_path / "site" / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    ggml = write_dll(lib / "ggml-base.dll", ["KERNEL32.dll", "MSVCP140.dll", "VCRUNTIME140.dll"])
    cpu = write_dll(lib / "ggml-cpu-haswell.dll",
                    ["ggml-base.dll", "VCOMP140.DLL", "KERNEL32.dll", "VCRUNTIME140_1.dll"])
    system32 = tmp_path / "Windows" / "System32"
    system32.mkdir(parents=True)
    write_dll(system32 / "MSVCP140.dll", ["KERNEL32.dll", "VCRUNTIME140.dll",
                                          "VCRUNTIME140_1.dll", "api-ms-win-crt-heap-l1-1-0.dll"])
    for name in ("VCRUNTIME140.dll", "VCRUNTIME140_1.dll", "VCOMP140.DLL"):
        write_dll(system32 / name, ["KERNEL32.dll"])
    monkeypatch.setenv("SystemRoot", str(tmp_path / "Windows"))
    monkeypatch.delenv("CUDA_PATH", raising=False)
    toc = [
        ("PySide6\\plugins\\platforms\\qwindows.dll", "x", "BINARY"),
        ("PySide6\\plugins\\platforms\\qdirect2d.dll", "x", "BINARY"),
        ("PySide6\\plugins\\sqldrivers\\qsqlite.dll", "x", "BINARY"),
        ("PySide6\\plugins\\imageformats\\qsvg.dll", "x", "BINARY"),
        ("PySide6\\translations\\qtbase_zh_CN.qm", "x", "DATA"),
        ("PySide6\\translations\\qtbase_fr.qm", "x", "DATA"),
        ("PySide6\\translations\\qtdeclarative_zh_CN.qm", "x", "DATA"),
    ]
    made = _run_spec(monkeypatch, "win32", [(str(ggml), "llama_cpp/lib"),
                                            (str(cpu), "llama_cpp/lib")], toc)

    exes = {e.kwargs["name"]: e.kwargs for e in made["EXE"]}
    assert exes["ponder"]["console"] is False, "ponder.exe opens no console window"
    assert exes["ponder-cli"]["console"] is True
    assert "BUNDLE" not in made
    hook_dests = {Path(src).name.lower(): dest
                  for src, dest in made["analysis"].kwargs["binaries"]}
    for runtime in ("msvcp140.dll", "vcruntime140.dll", "vcruntime140_1.dll", "vcomp140.dll"):
        assert hook_dests.get(runtime) == "llama_cpp/lib", (runtime, hook_dests)
    assert not any(name.startswith("api-ms-win") for name in hook_dests)
    kept = {dest for dest, _, _ in made["analysis"].binaries + made["analysis"].datas}
    assert kept == {"PySide6\\plugins\\platforms\\qwindows.dll",
                    "PySide6\\plugins\\imageformats\\qsvg.dll",
                    "PySide6\\translations\\qtbase_zh_CN.qm"}


def test_windows_build_stops_when_the_vc_runtime_is_nowhere(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    cpu = write_dll(lib / "ggml-cpu-x64.dll", ["MSVCP140.dll"])
    monkeypatch.setenv("SystemRoot", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit, match=r"MSVCP140\.dll"):
        _run_spec(monkeypatch, "win32", [(str(cpu), "llama_cpp/lib")])


def test_macos_app_is_a_foreground_app_for_the_real_minimum(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    made = _run_spec(monkeypatch, "darwin", _fake_llama_linux(tmp_path))
    (exe,) = made["EXE"]
    assert exe.kwargs["console"] is False, "a console BUNDLE writes LSBackgroundOnly"
    (bundle,) = made["BUNDLE"]
    plist = bundle.kwargs["info_plist"]
    assert plist["LSBackgroundOnly"] is False
    assert plist["LSMinimumSystemVersion"] == "14.4"


def test_linux_keeps_its_console_build_and_qt_layout(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    toc = [("PySide6/Qt/plugins/platforms/libqxcb.so", "x", "BINARY"),
           ("PySide6/Qt/plugins/platforms/libqeglfs.so", "x", "BINARY"),
           ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "x", "BINARY"),
           ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "x", "BINARY"),
           ("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA")]
    made = _run_spec(monkeypatch, "linux", _fake_llama_linux(tmp_path), toc)
    (exe,) = made["EXE"]
    assert exe.kwargs["console"] is True
    assert [d for d, _, _ in made["analysis"].binaries + made["analysis"].datas] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so"]
