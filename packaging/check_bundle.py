"""Check a finished one-folder app for the defects a build can silently ship.

    python packaging/check_bundle.py dist/ponder --os windows [--flavor cuda]
    python packaging/check_bundle.py dist/Ponder.app --os macos
    python packaging/check_bundle.py dist/ponder --os linux --flavor cuda

The release workflow runs it on every runner right after the build:
- every OS: no Qt plugin or translation that the spec's trimming drops;
- Windows: every import of every DLL in ``llama_cpp/lib`` is either in that
  folder or part of Windows (the VC++ runtime never counts as part of it);
- CUDA builds: the CUDA runtime and cuBLAS travel inside the bundle;
- macOS: Info.plist names a foreground app (no ``LSBackgroundOnly``) and the
  minimum macOS the project supports, and no Mach-O file inside needs a
  newer macOS than that.

Prints one line per check and exits 1 when any fails. Stdlib only.
"""

from __future__ import annotations

import argparse
import fnmatch
import plistlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from llama_flavors import MACOS_MIN_VERSION
from macho import format_version, is_macho, min_macos, parse_version
from qt_trim import shipped_languages, unwanted_files
from win_dlls import missing_imports

ROOT = Path(__file__).resolve().parent.parent
CUDA_LIBS = {
    "windows": ("cudart64_*.dll", "cublas64_*.dll", "cublaslt64_*.dll"),
    "linux": ("libcudart.so*", "libcublas.so*", "libcublaslt.so*"),
}


def _files(bundle: Path) -> list[Path]:
    return [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]


def check_qt_trim(bundle: Path) -> list[str]:
    """Qt files the spec should have left out."""
    extra = unwanted_files(bundle, shipped_languages(ROOT / "resources" / "i18n"))
    return [f"Qt file the trimming should drop: {rel}" for rel in extra[:20]]


def check_windows_dlls(bundle: Path) -> list[str]:
    """DLLs llama.cpp imports that neither the bundle nor Windows provides."""
    libs = sorted({p.parent for p in bundle.rglob("ggml*.dll")})
    if not libs:
        return ["no ggml*.dll in the bundle: llama.cpp's libraries are missing"]
    problems = []
    for lib in libs:
        for dll, lacking in missing_imports(lib).items():
            problems.append(f"{lib.name}/{dll} imports {', '.join(lacking)}, which the bundle "
                            "lacks and Windows does not provide")
    return problems


def check_cuda_libs(bundle: Path, system: str) -> list[str]:
    """The CUDA runtime and cuBLAS must be inside the bundle."""
    names = [p.name.lower() for p in _files(bundle)]
    return [f"no {pattern} in the bundle (CUDA build)" for pattern in CUDA_LIBS[system]
            if not any(fnmatch.fnmatchcase(n, pattern) for n in names)]


def check_macos_app(app: Path, minimum: str) -> list[str]:
    """Info.plist and the minimum macOS of every Mach-O file."""
    plist_path = app / "Contents" / "Info.plist"
    if not plist_path.is_file():
        return [f"{plist_path} is missing"]
    plist = plistlib.loads(plist_path.read_bytes())
    problems = []
    if plist.get("LSBackgroundOnly") in (True, "1", "YES", "True", "true"):
        problems.append("Info.plist sets LSBackgroundOnly: the app would have no Dock icon "
                        "and no menu bar")
    declared = str(plist.get("LSMinimumSystemVersion", ""))
    if declared != minimum:
        problems.append(f"Info.plist LSMinimumSystemVersion is {declared or 'missing'}, "
                        f"expected {minimum}")
    limit = parse_version(minimum)
    newest: tuple[tuple[int, int, int], str] | None = None
    for path in _files(app):
        if not is_macho(path):
            continue
        version = min_macos(path)
        if version is None:
            continue
        if newest is None or version > newest[0]:
            newest = (version, str(path.relative_to(app)))
        if version > limit:
            problems.append(f"{path.relative_to(app)} needs macOS {format_version(version)}, "
                            f"newer than the declared {minimum}")
    if newest is None:
        problems.append("no Mach-O file with a minimum macOS version found")
    else:
        print(f"newest minimum macOS inside: {format_version(newest[0])} ({newest[1]})")
    return problems[:40]


def run_checks(bundle: Path, system: str, flavor: str, macos_min: str) -> list[str]:
    """All checks for one OS; returns the problems found."""
    problems = check_qt_trim(bundle)
    if system == "windows":
        problems += check_windows_dlls(bundle)
    if system == "macos":
        problems += check_macos_app(bundle, macos_min)
    if flavor == "cuda":
        problems += check_cuda_libs(bundle, system)
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="check_bundle.py", description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--os", dest="system", required=True, choices=("windows", "macos",
                                                                          "linux"))
    parser.add_argument("--flavor", default="cpu", choices=("cpu", "cuda", "metal"))
    parser.add_argument("--macos-min", default=MACOS_MIN_VERSION)
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"bundle check failed: {args.bundle} is not a folder")
        return 1
    problems = run_checks(args.bundle, args.system, args.flavor, args.macos_min)
    for problem in problems:
        print(f"bundle check failed: {problem}")
    if not problems:
        print(f"bundle check ok: {args.bundle} ({args.system}, {args.flavor})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
