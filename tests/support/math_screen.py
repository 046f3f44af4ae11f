"""Formulas drawn by the real message widget, measured from its pixels.

Run as ``python -m tests.support.math_screen OUT_DIR`` with ``QT_SCALE_FACTOR``
set (the device pixel ratio is fixed when Qt starts, so each ratio needs its
own process). It shows messages in a MarkdownView, lets the math thread draw
the formulas, grabs the widget and writes ``OUT_DIR/measure.json``:

- ``baselines``: for each probe line, each formula's glyph baseline (the
  lowest row of dark ink in its first glyph) minus the text's (the lowest
  ink row of the ``x`` before it), in logical pixels;
- ``images``: each math image's logical size and its bitmap's device size
  and pixel ratio (crisp means device size = logical size x ratio);
- ``left_ink``: blank device columns before the first ink of display formulas;
- ``plain``: the text each browser shows (no raw TeX may be in it).

Screenshots of the whole view go next to it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser, QVBoxLayout, QWidget

BASELINE_PROBES = (
    "x $2x = 6$, z",
    "x $2x = 6$ and a tall $\\frac{1}{2}$ with a deep $y_k$; z",
    "x $\\det A = -2$.",
    "x $3$ beside $\\dfrac{a}{b}$",
)
"""Lines whose first formula has only glyphs that sit on the baseline."""
CORPUS = r"""Solve the system:
\begin{aligned}
x + y &= 5 \\
x - y &= 1
\end{aligned}
and the piecewise function
f(x) = \begin{cases}
x^2 & x \ge 0 \\
-x & x < 0
\end{cases}
with the matrix
\begin{pmatrix}
1 & 2 \\
3 & 4
\end{pmatrix}
and a table
\begin{array}{c|c}
a & b \\
c & d
\end{array}

Here $\det A = -2$ and $(-1)^n$, while $a - b$ stays a subtraction.

$$\frac{n(n+1)}{2}$$

A broken one: $\frac{1}{$ and an unknown command $\foo{x}$ show their TeX.

$$\undefinedcommand{x} + 1$$
"""

WIDE = "Sum:\n\n$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2} = \\frac{100 \\cdot 101}{2} = 5050$$"
"""A display formula wider than a narrow window: it must scroll, not be cut."""


def _ink_bottom(image: QImage, x0: int, x1: int, background: int) -> int:
    """Lowest row with dark ink in columns [x0, x1) of `image`, or -1."""
    for y in range(image.height() - 1, -1, -1):
        for x in range(max(0, x0), min(image.width(), x1)):
            if background - (image.pixel(x, y) & 0xFF) > 110:
                return y
    return -1


def _settle(app: QApplication, browsers: list[QWidget]) -> None:
    from app.ui.chat.math_queue import math_queue

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        app.processEvents()
        math_queue().wait_idle(0.05)
        app.processEvents()
        if not any(view.has_pending_math for view in browsers):  # type: ignore[attr-defined]
            break
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _measure_line(browser: QTextBrowser, shot: QImage, ratio: float) -> float:
    """The first formula's ink bottom minus the text's (logical px) in the first line."""
    doc = browser.document()
    block = doc.begin()
    layout = block.layout()
    line = layout.lineAt(0)
    origin = layout.position()
    background = shot.pixel(1, 1) & 0xFF

    def device_x(pos: int) -> int:
        return int((origin.x() + line.cursorToX(pos)[0]) * ratio)

    text_bottom = _ink_bottom(shot, device_x(0) + 1, device_x(1) - 1, background)
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.charFormat().isImageFormat():
            start = device_x(fragment.position() - block.position())
            width = fragment.charFormat().toImageFormat().width()
            bottom = _ink_bottom(shot, start, start + int(width * ratio), background)
            return (bottom - text_bottom) / ratio
        it += 1
    raise AssertionError("no formula in the first line")


def main(out: Path) -> None:
    app = QApplication(sys.argv[:1])
    from app.ui.chat import render_bridge  # noqa: F401  (the renderer ready, as after warm-up)
    from app.ui.chat.markdown_view import MarkdownView, RichBrowser
    from app.ui.chat.math_queue import warm_up_renderer
    from app.ui.common import theme

    theme.apply(app, theme.Scheme.LIGHT)
    warm_up_renderer()
    ratio = app.primaryScreen().devicePixelRatio()
    window = QWidget()
    window.setAutoFillBackground(True)
    column = QVBoxLayout(window)
    views: list[MarkdownView] = []
    for text in (*BASELINE_PROBES, CORPUS):
        view = MarkdownView(window)
        view.set_markdown(text)
        column.addWidget(view)
        views.append(view)
    window.resize(720, 900)
    window.show()
    narrow = MarkdownView()
    narrow.set_markdown(WIDE)
    narrow.resize(160, 200)
    narrow.show()
    _settle(app, [*views, narrow])  # type: ignore[list-item]
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"x{ratio:g}".replace(".", "_")
    window.grab().save(str(out / f"math_corpus_{suffix}.png"))

    result: dict[str, object] = {"ratio": ratio, "baselines": [], "images": [], "left_ink": []}
    for view in views[: len(BASELINE_PROBES)]:
        (browser,) = view.findChildren(RichBrowser)
        shot = browser.grab().toImage()
        result["baselines"].append(_measure_line(browser, shot, ratio))  # type: ignore[union-attr]
        browser.grab().save(str(out / f"math_baseline_{len(result['baselines'])}_{suffix}.png"))  # type: ignore[arg-type]
    plain: list[str] = []
    for view in views:
        for browser in view.findChildren(RichBrowser):
            plain.append(browser.toPlainText())
            doc = browser.document()
            block = doc.begin()
            while block.isValid():
                it = block.begin()
                while not it.atEnd():
                    fmt = it.fragment().charFormat()
                    if fmt.isImageFormat():
                        name = fmt.toImageFormat().name()
                        resource = doc.resource(QTextDocument.ResourceType.ImageResource,
                                                QUrl(name))
                        image = resource if isinstance(resource, QImage) else QImage()
                        result["images"].append({  # type: ignore[union-attr]
                            "name": name,
                            "width": fmt.toImageFormat().width(),
                            "height": fmt.toImageFormat().height(),
                            "device": [image.width(), image.height()],
                            "ratio": image.devicePixelRatio(),
                            "centered": block.blockFormat().alignment().name,
                        })
                        if block.blockFormat().alignment().name == "AlignHCenter":
                            blank = 0
                            while blank < image.width() and not any(
                                (image.pixel(blank, y) >> 24) > 40 for y in range(image.height())
                            ):
                                blank += 1
                            result["left_ink"].append(blank)  # type: ignore[union-attr]
                    it += 1
                block = block.next()
    result["plain"] = plain
    (wide,) = narrow.findChildren(RichBrowser)
    result["wide_scroll"] = [wide.horizontalScrollBar().maximum(), wide.viewport().width()]
    narrow.grab().save(str(out / f"math_wide_narrow_{suffix}.png"))
    (out / "measure.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
