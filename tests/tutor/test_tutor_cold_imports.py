"""math_verify and sympy load only in the math worker, never in the app's own process.

A fresh interpreter imports every module of app/ (the window's, the
services', the tutor's, the commands') one by one and names the first that
pulls either library in; then it judges an answer and checks again, since
the judging happens in the worker process. The window's first paint is
checked with these libraries too in tests/ui/test_cold_imports.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("math_verify", "sympy", "latex2sympy2_extended", "antlr4")

# The worker's own module imports math_verify at its top: that is its job.
WORKER_MODULES = ("app.tutor.equiv_worker",)

PROBE = r"""
import importlib, json, pkgutil, sys
import app

heavy = tuple(sys.argv[1].split(","))
skip = set(sys.argv[2].split(",")) | {"app.__main__"}  # __main__ would start the app


def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in heavy)


report = {"culprits": {}, "failed": {}, "imported": 0}
for info in pkgutil.walk_packages(app.__path__, "app."):
    if info.name in skip:
        continue
    before = set(loaded())
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # reported below: the check must see every module
        report["failed"][info.name] = f"{type(exc).__name__}: {exc}"
        continue
    report["imported"] += 1
    new = sorted(set(loaded()) - before)
    if new:
        report["culprits"][info.name] = new[:3]

from app.tutor.equivalence import MathJudge

with MathJudge() as judge:
    report["verdict"] = str(judge.compare(r"\frac{1}{2}", "0.5"))
report["after_judging"] = loaded()
print(json.dumps(report))
"""


def _probe() -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), ",".join(WORKER_MODULES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_no_app_module_imports_math_verify_or_sympy_and_judging_keeps_them_out() -> None:
    report = _probe()
    assert report["failed"] == {}
    assert report["culprits"] == {}
    imported = report["imported"]
    assert isinstance(imported, int) and imported > 100  # the walk really saw app/
    assert report["verdict"] == "equivalent"  # the worker judged...
    assert report["after_judging"] == []  # ...and this process still has neither library
