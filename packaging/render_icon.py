"""Render Ponder's SVG icon to a square PNG (run with the build environment's Python).

    python packaging/render_icon.py installer/assets/ponder.svg build/icons/ponder-512.png 512
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    svg, png, size = argv[0], argv[1], int(argv[2])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication([])
    renderer = QSvgRenderer(svg)
    if not renderer.isValid():
        print(f"not a valid SVG: {svg}", file=sys.stderr)
        return 1
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    ok = image.save(png, "PNG")
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
