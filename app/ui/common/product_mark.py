"""The product mark (resources/icons/ponder.svg, the installers' icon) as a crisp pixmap."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap

from app.core.resources import resources_dir

MARK_FILE = "ponder.svg"


def mark_pixmap(size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The mark at `size` logical pixels, drawn for the screen's pixel ratio.

    Returns an empty pixmap when the file is missing (the UI then shows none).
    """
    from PySide6.QtSvg import QSvgRenderer

    path = resources_dir() / "icons" / MARK_FILE
    try:
        data = path.read_bytes()
    except OSError:
        return QPixmap()
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        return QPixmap()
    side = max(1, round(size * device_pixel_ratio))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    image.setDevicePixelRatio(device_pixel_ratio)
    return QPixmap.fromImage(image)


def mark_icon() -> QIcon:
    """The mark as a window icon (several sizes)."""
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        pixmap = mark_pixmap(size)
        if not pixmap.isNull():
            icon.addPixmap(pixmap)
    return icon
