"""Formulas in the real message widget at 100%, 150% and 200%, judged from pixels.

Each scale factor runs tests/support/math_screen.py in its own process (Qt
fixes the device pixel ratio at start). The baseline is measured from the
rendered glyphs: the lowest ink row of a formula whose glyphs all sit on the
baseline against that of the text's ``x`` in the same line. Screenshots go to
tests/artifacts/screenshots/math_*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"


def _measure(ratio: float, out: Path) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=f"{ratio:g}")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.math_screen", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads((out / "measure.json").read_text(encoding="utf-8"))
    return result


@pytest.mark.slow
@pytest.mark.parametrize("ratio", [1.0, 1.5, 2.0])
def test_formulas_sit_on_the_baseline_crisp_and_whole(ratio: float) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    result = _measure(ratio, SCREENSHOTS)
    assert result["ratio"] == ratio

    baselines = result["baselines"]
    assert isinstance(baselines, list) and len(baselines) == 4
    for offset in baselines:  # "x $2x = 6$, z", next to a tall fraction, det, a lone 3
        assert abs(offset) <= 1.0, baselines

    images = result["images"]
    assert isinstance(images, list) and len(images) >= 15
    for image in images:
        # Drawn from a bitmap of exactly its logical size x ratio: never rescaled.
        assert image["ratio"] == ratio
        assert image["device"] == [round(image["width"] * ratio), round(image["height"] * ratio)]

    left_ink = result["left_ink"]
    assert isinstance(left_ink, list) and len(left_ink) >= 5  # the display formulas
    assert min(left_ink) >= 1, "a display formula's first glyph touches its edge"

    scroll_max, viewport = result["wide_scroll"]  # type: ignore[misc]
    assert scroll_max > 0 and viewport <= 160, "a too-wide formula must scroll sideways"

    plain = "\n".join(str(text) for text in result["plain"])  # type: ignore[attr-defined]
    # The four bare environments and the rest are images: no raw TeX but the fallbacks.
    assert "\\begin" not in plain and "\\end" not in plain and "\\\\" not in plain
    assert "$\\frac{1}{$" in plain and "$\\foo{x}$" in plain
    assert "$$\\undefinedcommand{x} + 1$$" in plain
    assert (SCREENSHOTS / f"math_corpus_x{ratio:g}".replace(".", "_")).with_suffix(".png").exists()
