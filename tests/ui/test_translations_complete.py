"""Every user-visible string in app/ui has a finished Simplified Chinese translation.

pyside6-lupdate scans the code into a copy of the committed .ts file; any
string it finds without a finished translation (new in the code, or marked
unfinished) fails the test, so a new string cannot ship untranslated.
Update with: pyside6-lupdate <app/ui files> -ts resources/i18n/ponder_zh_CN.ts,
translate, then pyside6-lrelease.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "ponder_zh_CN.ts"


def _lupdate() -> str:
    here = Path(sys.executable).parent
    for name in ("pyside6-lupdate", "pyside6-lupdate.exe"):
        if (here / name).exists():
            return str(here / name)
    found = shutil.which("pyside6-lupdate")
    assert found, "pyside6-lupdate (from PySide6) is needed to check the translations"
    return found


def test_every_ui_string_has_a_finished_translation(tmp_path: Path) -> None:
    sources = sorted(str(p) for p in (ROOT / "app" / "ui").rglob("*.py"))
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    done = subprocess.run([_lupdate(), *sources, "-ts", str(copy)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    missing = []
    for context in ET.parse(copy).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None:
                missing.append(f"{name}: {message.findtext('source')}")
                continue
            kind = translation.get("type")
            if kind in ("vanished", "obsolete"):
                continue
            texts = [f.text or "" for f in translation.iter("numerusform")] or [
                translation.text or ""]
            if kind == "unfinished" or not all(text.strip() for text in texts):
                missing.append(f"{name}: {message.findtext('source')}")
    assert missing == [], f"{len(missing)} untranslated strings:\n" + "\n".join(missing)
