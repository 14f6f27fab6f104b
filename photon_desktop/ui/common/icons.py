"""Monochrome SVG icons recoloured for the current palette (dark mode, disabled state).

The SVGs in ``resources/icons`` draw with ``currentColor``; ``icon(name)`` substitutes the
palette's text colour (and its disabled colour for the disabled mode). Each icon is drawn when a
widget first asks for it, at the size and pixel ratio asked (a 2x screen, a toolbar's 18 px), and
kept: drawing every icon up front at four sizes, two modes and each screen's ratio cost ~10 ms of
start-up for pixmaps mostly never shown. Call ``clear_cache()`` when the palette changes and set
icons again (``theme.Theme`` does both).
"""

from __future__ import annotations

import importlib.resources
import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)


@cache
def _source(name: str) -> str:
    """The SVG text of ``name`` (package data: ``resources/`` is installed as a package)."""
    ref = importlib.resources.files("photon_desktop.resources") / "icons" / f"{name}.svg"
    return ref.read_text(encoding="utf-8")


def _render(svg: str, colour: QColor, size: int, scale: float) -> QPixmap:
    data = QByteArray(svg.replace("currentColor", colour.name()).encode("utf-8"))
    renderer = QSvgRenderer(data)
    pixmap = QPixmap(round(size * scale), round(size * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


class _SvgEngine(QIconEngine):
    """One icon: drawn at each (size, pixel ratio, enabled or disabled) the first time it is
    asked for, and kept; the active and selected modes look like the normal one."""

    def __init__(self, svg: str, normal: QColor, disabled: QColor) -> None:
        super().__init__()
        self._svg = svg
        self._colours = (QColor(normal), QColor(disabled))
        self._drawn: dict[tuple[int, float, bool], QPixmap] = {}

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = max(1, min(size.width(), size.height()))  # the icons are square
        disabled = mode == QIcon.Mode.Disabled
        key = (side, scale, disabled)
        pixmap = self._drawn.get(key)
        if pixmap is None:
            pixmap = self._drawn[key] = _render(self._svg, self._colours[disabled], side, scale)
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def clone(self) -> QIconEngine:
        twin = _SvgEngine(self._svg, *self._colours)
        twin._drawn = self._drawn  # what one drew, the other need not draw again
        return twin

    def key(self) -> str:
        return "photon-svg"


_cache: dict[tuple[str, str, str], QIcon] = {}


def icon(name: str, colour: QColor | None = None) -> QIcon:
    """The icon ``name`` in ``colour`` (default: the application palette's text colour)."""
    palette = QGuiApplication.palette()
    normal = colour or palette.color(QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    key = (name, normal.name(), disabled.name())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        svg = _source(name)
    except OSError:
        log.warning("Icon %s is missing", name)
        return QIcon()
    result = _cache[key] = QIcon(_SvgEngine(svg, normal, disabled))
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
