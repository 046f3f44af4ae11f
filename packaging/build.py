"""Build Ponder as a one-folder app for this OS, and optionally its installers.

    python packaging/build.py                      # dist/ponder (dist/Ponder.app on macOS)
    python packaging/build.py --installer deb,tar  # + dist/ponder_<ver>_amd64.deb, .tar.gz
    python packaging/build.py --flavor cuda        # NVIDIA build (needs the CUDA toolkit)
    python packaging/build.py --offline-model R1-1.5B-Q4_K_M.gguf --expect-sha256 HEX

Steps: a clean virtual environment in build/venv-py3XX made with Python 3.12+
(--python, $PONDER_BUILD_PYTHON, `py -3.12` on Windows, python3.12/3.13 on
PATH); llama-cpp-python compiled for the flavor without -march=native and
cached in build/wheels (or, with --llama-from PY, copied from another
environment: fast, but only as portable as that environment's build); then
Ponder itself and PyInstaller; then PyInstaller with packaging/ponder.spec.
Every step reuses what an earlier run left in build/. Stdlib only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
sys.path.insert(0, str(PACKAGING))
sys.path.insert(0, str(ROOT / "installer"))

from llama_flavors import (  # noqa: E402
    FLAVORS,
    LLAMA_REQUIREMENT,
    MACOS_MIN_VERSION,
    default_flavor,
    flavor_for,
)
from llama_wheel import WheelBuildError, ensure_wheel, fetch_sdist  # noqa: E402
from offline_model import OfflineModelError, verify_offline_model  # noqa: E402

MIN_PYTHON = (3, 12)
PYINSTALLER_REQUIREMENT = "pyinstaller>=6.10,<7"
LLAMA_RUNTIME_DEPS = ("numpy>=1.20", "typing-extensions>=4.5", "diskcache>=5.6.1", "jinja2>=3.1")
INSTALLERS = ("deb", "tar", "dmg", "inno")
ICON_SVG = ROOT / "installer" / "assets" / "ponder.svg"


class BuildError(RuntimeError):
    """A build step failed; the message says which and what to do."""


def _run(cmd: list[str | Path], env: dict[str, str] | None = None,
         cwd: Path = ROOT) -> None:
    text = [str(c) for c in cmd]
    print("+", " ".join(text), flush=True)
    rc = subprocess.call(text, env=env, cwd=cwd)
    if rc != 0:
        raise BuildError(f"{Path(text[0]).name} {' '.join(text[1:3])} ... failed (exit {rc})")


def _python_version(python: str | Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = out.split()
    return int(major), int(minor)


def _resolve_py_launcher(version: str) -> str | None:
    try:
        out = subprocess.run(["py", f"-{version}", "-c", "import sys; print(sys.executable)"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


def find_build_python(explicit: str | None) -> Path:
    """The Python 3.12+ that builds the app.

    Args:
        explicit: a path from --python, or None to search.

    Raises:
        BuildError: none found, or the given one is too old.
    """
    candidates: list[str] = []
    if explicit:
        candidates.append(explicit)
    elif os.environ.get("PONDER_BUILD_PYTHON"):
        candidates.append(os.environ["PONDER_BUILD_PYTHON"])
    else:
        if sys.version_info[:2] >= MIN_PYTHON:
            candidates.append(sys.executable)
        for version in ("3.12", "3.13"):
            if os.name == "nt":
                found = _resolve_py_launcher(version)
            else:
                found = shutil.which(f"python{version}")
            if found:
                candidates.append(found)
        pyenv = Path.home() / ".pyenv" / "versions"
        candidates += sorted(str(p) for p in pyenv.glob("3.1[23].*/bin/python3"))
    for candidate in candidates:
        version = _python_version(candidate)
        if version and version >= MIN_PYTHON:
            return Path(candidate)
        if explicit:
            found = "does not run" if version is None else f"is Python {version[0]}.{version[1]}"
            raise BuildError(f"{candidate} {found}; the build needs Python 3.12 or newer.")
    raise BuildError("No Python 3.12 or newer found. Install one, or pass --python PATH "
                     "(or set PONDER_BUILD_PYTHON).")


def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside a virtual environment."""
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def ensure_venv(python: Path, venv_dir: Path) -> Path:
    """Create the build environment once; return its python."""
    py = venv_python(venv_dir)
    if not py.exists():
        _run([python, "-m", "venv", venv_dir])
        _run([py, "-m", "pip", "install", "--upgrade", "pip"])
    return py


def site_packages(py: Path) -> Path:
    """The purelib folder of the interpreter `py`."""
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True).stdout
    return Path(out.strip())


def copy_llama_from(source_python: Path, target_py: Path) -> None:
    """Copy llama_cpp (a ctypes package, not tied to a Python version) between environments.

    Used where compiling the portable flavor costs too much time (the CI test
    of the .deb): the result is only as portable as the source's build.
    """
    code = "import llama_cpp, os; print(os.path.dirname(llama_cpp.__file__))"
    out = subprocess.run([str(source_python), "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise BuildError(f"{source_python} cannot import llama_cpp: {out.stderr.strip()[-300:]}")
    package = Path(out.stdout.strip())
    dist_infos = sorted(package.parent.glob("llama_cpp_python-*.dist-info"))
    if not dist_infos:
        raise BuildError(f"no llama_cpp_python dist-info next to {package}")
    target = site_packages(target_py)
    for item in (package, dist_infos[-1]):
        dest = target / item.name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(item, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for stale in target.glob("llama_cpp_python-*.dist-info"):
        if stale.name != dist_infos[-1].name:
            shutil.rmtree(stale)
    print(f"llama-cpp-python: copied from {package}", flush=True)


def install_llama(py: Path, args: argparse.Namespace) -> None:
    """Put llama-cpp-python of the chosen flavor into the build environment."""
    if args.llama_from:
        copy_llama_from(Path(args.llama_from), py)
    else:
        flavor = flavor_for(args.flavor)
        sdist = Path(args.llama_sdist) if args.llama_sdist else fetch_sdist(py, BUILD / "sdist")
        try:
            wheel = ensure_wheel(py, flavor, sdist, BUILD, nice=args.nice, jobs=args.jobs)
        except WheelBuildError as exc:
            raise BuildError(str(exc)) from exc
        _run([py, "-m", "pip", "install", "--force-reinstall", "--no-deps", wheel])
    _run([py, "-m", "pip", "install", *LLAMA_RUNTIME_DEPS])


def install_app(py: Path) -> None:
    """Install Ponder (not editable) and PyInstaller into the build environment."""
    extra = ["pillow>=10"] if sys.platform in {"win32", "darwin"} else []
    # llama-cpp-python is already there: pip must not fetch or compile another.
    _run([py, "-m", "pip", "install", "--upgrade-strategy", "only-if-needed",
          str(ROOT), PYINSTALLER_REQUIREMENT, *extra])
    check = subprocess.run([str(py), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise BuildError("llama_cpp does not import in the build environment: "
                         + check.stderr.strip()[-300:])


def make_icon(py: Path) -> Path | None:
    """Render the SVG icon to a PNG PyInstaller can use (converted to .ico/.icns)."""
    if sys.platform not in {"win32", "darwin"} or not ICON_SVG.exists():
        return None
    png = BUILD / "icons" / "ponder-512.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([py, PACKAGING / "render_icon.py", ICON_SVG, png, "512"])
    return png


def run_pyinstaller(py: Path, offline_model: Path | None, icon: Path | None) -> Path:
    """Freeze the app; return dist/ponder (or dist/Ponder.app on macOS)."""
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env["PONDER_OFFLINE_MODEL"] = str(offline_model) if offline_model else ""
    env["PONDER_ICON"] = str(icon) if icon else ""
    env["PYTHONNOUSERSITE"] = "1"
    _run([py, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
          "--distpath", DIST, "--workpath", BUILD / "pyinstaller", PACKAGING / "ponder.spec"],
         env=env)
    app = DIST / ("Ponder.app" if sys.platform == "darwin" else "ponder")
    if not app.exists():
        raise BuildError(f"PyInstaller finished but {app} is missing")
    return app


def folder_size(path: Path) -> int:
    """Bytes of all files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def app_version() -> str:
    """Ponder's version from app/__init__.py."""
    for line in (ROOT / "app" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BuildError("app/__init__.py has no __version__")


def build_installers(kinds: list[str], app: Path, flavor: str, offline: bool) -> list[Path]:
    """Make the requested installers from the frozen app."""
    version = app_version()
    suffix = "" if flavor in {"cpu", "metal"} else f"-{flavor}"
    suffix += "-offline" if offline else ""
    made: list[Path] = []
    for kind in kinds:
        if kind == "deb":
            from linux.make_deb import build_deb

            made.append(build_deb(app, version, DIST, suffix=suffix, fast=offline))
        elif kind == "tar":
            from linux.make_tarball import build_tarball

            made.append(build_tarball(app, version, DIST, suffix=suffix))
        elif kind == "dmg":
            # Sign the app (every Mach-O, inside out) before the image copies
            # it, then sign, notarize and staple the image itself; both steps
            # say "skipped" and do nothing without the signing secrets.
            dmg = DIST / f"Ponder-{version}-macos-{platform.machine()}{suffix}.dmg"
            macos = ROOT / "installer" / "macos"
            _run(["bash", macos / "sign_and_notarize.sh", "app", app])
            _run(["bash", macos / "make_dmg.sh", app, dmg])
            _run(["bash", macos / "sign_and_notarize.sh", "dmg", dmg])
            made.append(dmg)
        elif kind == "inno":
            iscc = shutil.which("iscc") or r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
            _run([iscc, f"/DAppVersion={version}", f"/DSourceDir={app}",
                  f"/DOutputDir={DIST}", f"/DOutputSuffix={suffix}",
                  ROOT / "installer" / "windows" / "ponder.iss"])
            made.extend(sorted(DIST.glob(f"Ponder-{version}-windows-setup{suffix}.exe")))
    return made


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", help="Python 3.12+ for the build environment")
    parser.add_argument("--flavor", choices=FLAVORS, default=default_flavor(),
                        help="llama.cpp build: cpu (default), cuda, metal (macOS default)")
    parser.add_argument("--llama-sdist", metavar="FILE",
                        help="llama-cpp-python source package "
                        f"(default: download {LLAMA_REQUIREMENT})")
    parser.add_argument("--llama-from", metavar="PYTHON",
                        help="copy llama-cpp-python from this interpreter's environment "
                        "instead of compiling (fast; as portable as that build)")
    parser.add_argument("--offline-model", metavar="FILE.gguf",
                        help="carry this model in resources/models (needs --expect-sha256)")
    parser.add_argument("--expect-sha256", metavar="HEX", help="SHA-256 of --offline-model")
    parser.add_argument("--installer", default="",
                        help=f"comma-separated installers to make: {', '.join(INSTALLERS)}")
    parser.add_argument("--venv", help="build environment folder (default: build/venv-pyXY)")
    parser.add_argument("--jobs", type=int, help="parallel compile jobs for llama.cpp")
    parser.add_argument("--nice", action="store_true", help="compile llama.cpp at low priority")
    args = parser.parse_args(argv)
    if bool(args.offline_model) != bool(args.expect_sha256):
        parser.error("--offline-model and --expect-sha256 go together")
    kinds = [k for k in args.installer.split(",") if k]
    unknown = [k for k in kinds if k not in INSTALLERS]
    if unknown:
        parser.error(f"unknown installer(s): {', '.join(unknown)}")
    args.installer_kinds = kinds
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    if sys.platform == "darwin":
        # Every compiler and linker run below (llama.cpp, PyInstaller's
        # bootloader checks) targets the oldest macOS the app supports.
        os.environ.setdefault("MACOSX_DEPLOYMENT_TARGET", MACOS_MIN_VERSION)
    try:
        offline: Path | None = None
        if args.offline_model:
            offline = Path(args.offline_model).resolve()
            digest = verify_offline_model(offline, args.expect_sha256)
            print(f"offline model verified: {offline.name} sha256={digest}", flush=True)
        python = find_build_python(args.python)
        major, minor = _python_version(python) or MIN_PYTHON
        venv_dir = Path(args.venv) if args.venv else BUILD / f"venv-py{major}{minor}"
        py = ensure_venv(python, venv_dir)
        install_llama(py, args)
        install_app(py)
        app = run_pyinstaller(py, offline, make_icon(py))
        print(f"app: {app} ({folder_size(app) / 1e6:.0f} MB)", flush=True)
        for made in build_installers(args.installer_kinds, app, args.flavor, offline is not None):
            print(f"installer: {made} ({made.stat().st_size / 1e6:.1f} MB)", flush=True)
    except (BuildError, OfflineModelError, ValueError) as exc:
        print(f"build failed: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"build finished in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
