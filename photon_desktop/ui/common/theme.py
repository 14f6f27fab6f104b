"""Light and dark appearance following the system, on the Fusion style for the same look everywhere.

``Theme`` reads ``QStyleHints.colorScheme()`` and follows ``colorSchemeChanged``; tests (and a
user preference) can force a scheme with ``Theme.force("dark")``. Each scheme has its own palette
so text, selection and disabled controls keep their contrast. ``changed`` tells windows to re-set
their icons (icons are recoloured per palette). On a dark palette Fusion outlines check boxes and
radio buttons a shade darker than the window, so an unticked box vanishes into the field behind
it (and is faint on a light one); ``IndicatorStyle`` draws that outline in a readable colour.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

from photon_desktop.ui.common import icons

#: The production banner: unmistakable in both schemes (white on a deep red, AA contrast).
PRODUCTION_BACKGROUND = "#B3261E"
PRODUCTION_TEXT = "#FFFFFF"
#: Field marks for invalid input (red border + message), readable on light and dark bases.
ERROR_LIGHT = "#B3261E"
ERROR_DARK = "#FF8A80"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def light_palette() -> QPalette:
    p = QPalette()
    colours = {
        _Role.Window: "#F5F6F8",
        _Role.WindowText: "#1D2330",
        _Role.Base: "#FFFFFF",
        _Role.AlternateBase: "#F0F2F5",
        _Role.ToolTipBase: "#FFFFFF",
        _Role.ToolTipText: "#1D2330",
        _Role.PlaceholderText: "#6B7280",
        _Role.Text: "#1D2330",
        _Role.Button: "#FFFFFF",
        _Role.ButtonText: "#1D2330",
        _Role.BrightText: "#B3261E",
        _Role.Light: "#FFFFFF",
        _Role.Midlight: "#E5E7EB",
        _Role.Mid: "#C7CBD1",
        _Role.Dark: "#9CA3AF",
        _Role.Shadow: "#6B7280",
        _Role.Highlight: "#2563EB",
        _Role.HighlightedText: "#FFFFFF",
        _Role.Link: "#1D4ED8",
        _Role.LinkVisited: "#6D28D9",
        _Role.Accent: "#2563EB",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        p.setColor(_Group.Disabled, role, QColor("#9AA0A8"))
    p.setColor(_Group.Disabled, _Role.Highlight, QColor("#C7CBD1"))
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        _Role.Window: "#1F2329",
        _Role.WindowText: "#E6E8EB",
        _Role.Base: "#16191D",
        _Role.AlternateBase: "#1C2025",
        _Role.ToolTipBase: "#2A2F36",
        _Role.ToolTipText: "#E6E8EB",
        _Role.PlaceholderText: "#8B929B",
        _Role.Text: "#E6E8EB",
        _Role.Button: "#2A2F36",
        _Role.ButtonText: "#E6E8EB",
        _Role.BrightText: "#FF8A80",
        _Role.Light: "#3A4048",
        _Role.Midlight: "#323840",
        _Role.Mid: "#4A515B",
        _Role.Dark: "#121417",
        _Role.Shadow: "#000000",
        _Role.Highlight: "#3B82F6",
        _Role.HighlightedText: "#FFFFFF",
        _Role.Link: "#93C5FD",
        _Role.LinkVisited: "#C4B5FD",
        _Role.Accent: "#3B82F6",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        p.setColor(_Group.Disabled, role, QColor("#6B7280"))
    p.setColor(_Group.Disabled, _Role.Highlight, QColor("#4A515B"))
    return p


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether a palette (default: the application's) is dark: its window is darker than text."""
    p = palette or QGuiApplication.palette()
    return p.color(_Role.Window).lightness() < p.color(_Role.WindowText).lightness()


def error_colour() -> str:
    return ERROR_DARK if is_dark() else ERROR_LIGHT


#: The dynamic property holding a widget's error style sheet (``show_error``), ``{error}`` in it
#: standing for the error colour: ``Theme.apply`` renders it again when the scheme changes.
ERROR_CSS = "errorCss"


def show_error(widget: QWidget, css: str | None = "color: {error};") -> None:
    """Style ``widget`` with ``css``, its ``{error}`` the current scheme's error colour (readable
    on light and dark), and again after every change of scheme; ``None`` takes the style away.

    A colour written into a style sheet stays as written: a problem shown in light red would
    keep it on a dark window once the system turns dark (2.4:1 contrast).
    """
    widget.setProperty(ERROR_CSS, css or "")
    widget.setStyleSheet(_rendered(css) if css else "")


def _rendered(css: str) -> str:
    return css.replace("{error}", error_colour())


def _restyle() -> None:
    """After the palette changed: a widget with a style sheet keeps the palette it was polished
    with (fields of the old scheme on a window of the new one) until its sheet is set again."""
    for widget in QApplication.allWidgets():
        css = widget.property(ERROR_CSS)
        if isinstance(css, str) and css:
            widget.setStyleSheet(_rendered(css))
        elif sheet := widget.styleSheet():
            widget.setStyleSheet(sheet)


_Primitive = QStyle.PrimitiveElement
_BOXES = frozenset({_Primitive.PE_IndicatorCheckBox, _Primitive.PE_IndicatorItemViewItemCheck})


class IndicatorStyle(QProxyStyle):
    """Fusion, with check boxes (also in lists) and radio buttons outlined in the palette's
    placeholder colour, so an unticked one shows on a dark palette too."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        radio = element == _Primitive.PE_IndicatorRadioButton
        if not (radio or element in _BOXES):
            return
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -1.5, -1.5)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.color(_Role.PlaceholderText), 1.0))  # type: ignore[attr-defined]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if radio:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 2.0, 2.0)
        painter.restore()


def use_plain_style(view: QWidget) -> None:
    """Draw ``view`` (a record list, whose cells hold no check box or radio button) with Fusion
    itself rather than the application's ``IndicatorStyle``.

    ``IndicatorStyle`` is a Python override, so Qt calls into Python for every primitive it draws
    with it: a 60-row table's repaint took ~2.8 ms through it and ~1.9 ms with Fusion alone. Only
    the view itself changes style (its scroll bars and other children keep the application's).
    Each view owns its own instance (a child of the view, ~3 µs to make): a single shared one was
    found deleted once the test suite's windows had come and gone.
    """
    style = QStyleFactory.create("Fusion")
    style.setParent(view)
    view.setStyle(style)


class Theme(QObject):
    """Applies Fusion + the palette for the system's colour scheme (or a forced one)."""

    changed = Signal(bool)  # dark?

    def __init__(self, app: QApplication, forced: str | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._forced = forced
        self._style = IndicatorStyle("Fusion")  # the app takes it; kept alive from Python too
        app.setStyle(self._style)
        app.styleHints().colorSchemeChanged.connect(self._on_system_changed)
        self._scales = icons.scales()
        app.screenAdded.connect(self._on_screens)
        app.screenRemoved.connect(self._on_screens)
        self.apply()

    @property
    def dark(self) -> bool:
        if self._forced is not None:
            return self._forced == "dark"
        return self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark

    @property
    def forced(self) -> str | None:
        return self._forced

    def force(self, scheme: str | None) -> None:
        """Force ``"light"`` or ``"dark"``; ``None`` follows the system again."""
        if scheme not in (None, "light", "dark"):
            raise ValueError(f"unknown colour scheme {scheme!r}")
        self._forced = scheme
        self.apply()

    def apply(self) -> None:
        dark = self.dark
        self._app.setPalette(dark_palette() if dark else light_palette())
        _restyle()
        icons.clear_cache()
        self.changed.emit(dark)

    def _on_screens(self, _screen: object = None) -> None:
        """A screen with another pixel ratio came (or the last one went): icons are drawn for
        the ratios now connected, and windows set them again."""
        scales = icons.scales()
        if scales != self._scales:
            self._scales = scales
            icons.clear_cache()
            self.changed.emit(self.dark)

    def _on_system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._forced is None:
            self.apply()
