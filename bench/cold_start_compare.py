"""Cold start of this tree against another commit: process start to first paint.

Run from the repository root (offscreen; no display needed):

    python bench/cold_start_compare.py [--base 1f56f3e] [--runs 9] [--model FILE.gguf]

The base commit is checked out with `git worktree add` into a temporary
folder (removed at the end). Both trees run with this interpreter and its
virtual environment; PYTHONPATH picks the tree. Each run is a fresh process
that starts Ponder the way `ponder` does (app.cli.main with no command) and
reports the first paint of any widget of the main window; the wall time from
spawning the process to that paint is measured here. Runs alternate between
the trees (new, old, old, new, ...) after one unmeasured warm-up each (it
compiles the .pyc files). Each tree has its own PONDER_HOME (the database
schema may differ); with --model that GGUF is linked into both homes, so the
start-up loads it instead of opening the first-run wizard.

Prints the median and spread of each tree and the ratio new/old of medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "1f56f3e"  # main before the issue 8 redesign

CHILD = r"""
import os, sys
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
    Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
app = QApplication(["ponder"])  # app.ui.main.make_app adopts it
app.setApplicationName("Ponder")
app.setOrganizationName("Ponder")


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and isinstance(obj.window(), QMainWindow)):
            import app as package
            print("PAINT", package.__file__, flush=True)
            os._exit(0)
        return False


probe = FirstPaint()
app.installEventFilter(probe)
from app.cli import main

main([])
"""


def _one_run(tree: Path, home: Path) -> float:
    """Seconds from spawning the process to the main window's first paint."""
    env = dict(os.environ, PONDER_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(tree))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=tree, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    painted: float | None = None
    where = ""
    for line in proc.stdout:
        if line.startswith("PAINT"):
            painted = time.perf_counter() - start
            where = line.split(maxsplit=1)[1].strip()
            break
    proc.wait(timeout=120)
    if painted is None:
        raise SystemExit(f"the app in {tree} never painted its window (exit {proc.returncode})")
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the run for {tree} imported app from {where}: check PYTHONPATH")
    return painted


def _home(parent: Path, name: str, model: Path | None) -> Path:
    home = parent / name
    home.mkdir()
    if model is not None:
        (home / "models").mkdir()
        target = home / "models" / model.name
        try:
            os.link(model, target)
        except OSError:
            shutil.copyfile(model, target)
    return home


def _summary(name: str, times: list[float]) -> str:
    return (f"{name}: median {statistics.median(times):.3f} s, min {min(times):.3f}, "
            f"max {max(times):.3f} over {len(times)} runs")


def compare(base: str, runs: int, model: Path | None) -> float:
    """Run the comparison, print it, and return the ratio new/old of the medians."""
    with tempfile.TemporaryDirectory(prefix="ponder-cold-") as tmp:
        scratch = Path(tmp)
        old_tree = scratch / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old_tree), base],
                       cwd=ROOT, check=True)
        try:
            trees = {"new": ROOT, "old": old_tree}
            homes = {name: _home(scratch, f"home-{name}", model) for name in trees}
            times: dict[str, list[float]] = {name: [] for name in trees}
            for name in trees:  # warm-up: .pyc files, disk cache, a first database
                _one_run(trees[name], homes[name])
            for i in range(runs):
                order = ["new", "old"] if i % 2 == 0 else ["old", "new"]
                for name in order:
                    times[name].append(_one_run(trees[name], homes[name]))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)],
                           cwd=ROOT, check=False)
    label = f"with {model.name}" if model else "first run (wizard)"
    print(f"cold start to first paint, {label}, offscreen")
    print(_summary(f"new ({_head()})", times["new"]))
    print(_summary(f"old ({base})", times["old"]))
    ratio = statistics.median(times["new"]) / statistics.median(times["old"])
    print(f"ratio new/old of medians: {ratio:.3f}")
    return ratio


def _head() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "app"],
                           cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return result.stdout.strip() + (" + uncommitted changes" if dirty.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=DEFAULT_BASE, help="the commit to compare against")
    parser.add_argument("--runs", type=int, default=9, help="measured runs per tree")
    parser.add_argument("--model", type=Path, default=None,
                        help="a GGUF to install in both homes (start-up loads it)")
    args = parser.parse_args()
    compare(args.base, args.runs, args.model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
