"""Monochrome SVG icons recoloured for the current palette (dark mode, disabled state).

The SVGs in ``resources/icons`` draw with ``currentColor``; ``icon(name)`` substitutes the
palette's text colour (and its disabled colour for the disabled mode) and renders crisp pixmaps for
1x and for each connected screen's pixel ratio (``scales``). Call ``clear_cache()`` when the
palette or the set of ratios changes and set icons again (``theme.Theme`` does both).
"""

from __future__ import annotations

import importlib.resources
import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

SIZES = (16, 20, 24, 32)


def scales() -> tuple[float, ...]:
    """The pixel ratios icons are drawn for: 1x and every connected screen's. Drawing 2x on a
    1x desktop as well doubled the icons' cost in the first window (~8 ms); a 2x screen that
    arrives later makes ``Theme`` clear the cache, and icons are drawn again with it."""
    ratios = {1.0}
    if QGuiApplication.instance() is not None:
        ratios.update(screen.devicePixelRatio() for screen in QGuiApplication.screens())
    return tuple(sorted(ratios))


@cache
def _source(name: str) -> str:
    """The SVG text of ``name`` (package data: ``resources/`` is installed as a package)."""
    ref = importlib.resources.files("photon_desktop.resources") / "icons" / f"{name}.svg"
    return ref.read_text(encoding="utf-8")


def _render(svg: str, colour: QColor, size: int, scale: float) -> QPixmap:
    data = QByteArray(svg.replace("currentColor", colour.name()).encode("utf-8"))
    renderer = QSvgRenderer(data)
    pixmap = QPixmap(int(size * scale), int(size * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


_cache: dict[tuple[str, str, str, tuple[float, ...]], QIcon] = {}


def icon(name: str, colour: QColor | None = None) -> QIcon:
    """The icon ``name`` in ``colour`` (default: the application palette's text colour)."""
    palette = QGuiApplication.palette()
    normal = colour or palette.color(QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    ratios = scales()
    key = (name, normal.name(), disabled.name(), ratios)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        svg = _source(name)
    except OSError:
        log.warning("Icon %s is missing", name)
        return QIcon()
    result = QIcon()
    for size in SIZES:
        for scale in ratios:
            result.addPixmap(_render(svg, normal, size, scale), QIcon.Mode.Normal)
            result.addPixmap(_render(svg, disabled, size, scale), QIcon.Mode.Disabled)
    _cache[key] = result
    return result


def clear_cache() -> None:
    """Forget rendered icons (the palette changed: light <-> dark)."""
    _cache.clear()


def available() -> list[str]:
    """Names of the icons shipped (for tests and the about box)."""
    folder = importlib.resources.files("photon_desktop.resources") / "icons"
    names = [p.name for p in folder.iterdir()]
    return sorted(n.removesuffix(".svg") for n in names if n.endswith(".svg"))


def default_size() -> QSize:
    return QSize(20, 20)
