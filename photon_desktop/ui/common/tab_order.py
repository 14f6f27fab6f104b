"""Tab order for a window or page built in parts: each part's controls, part after part.

Qt keeps one focus chain per window, a ring in creation order. A widget moved into another
window (a page built on its first visit, then put in the main window's stack; a pharmacy picker
built once the patient has loaded) takes its whole chain to the end of that window's ring, in
the order it had. ``QWidget.setTabOrder(a, b)`` moves ``b`` (with its children up to its focus
proxy) right after ``a``, does nothing when ``b`` already comes next round the ring, and never
moves the window itself. So inside a page that is still its own window, "filters before the
list" is already true round the ring and nothing moves; once the page is in the main window its
list still comes first. ``tab_through`` therefore orders every control of the parts, with the
first left where it is and the rest after it: run it once the parts are in their final window.

A widget with a focus proxy but no focus of its own is a Tab stop to Qt (Tab lands on it and
passes to the proxy) that ``setTabOrder`` refuses to move: left behind, it takes Tab away from
whatever precedes the parts (the navigation list). Parts must not contain such a widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def tab_stops(root: QWidget) -> list[QWidget]:
    """The widgets in ``root`` that Tab can reach, in the focus chain's present order (hidden and
    disabled ones too: they take their place when they show). The walk follows the chain from
    ``root`` only while it stays in ``root`` (a page moved into a window is one stretch of it):
    walking a whole main window's chain from Python made other pages misbehave (a table never
    announced its first paint; once a crash) under PySide6 6.11. Only each widget's own policy is
    read, for the same reason (``focusProxy()`` on Qt's inner widgets)."""
    out: list[QWidget] = []
    current = root.nextInFocusChain()
    while current is not None and current is not root and root.isAncestorOf(current):
        if current.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus:
            out.append(current)
        current = current.nextInFocusChain()
    return out


def tab_through(root: QWidget, parts: Sequence[QWidget]) -> None:
    """Tab visits each part's controls (the part and its descendants, in their present order)
    part after part; a control in two parts counts in the first. ``root`` holds them all."""
    stops = tab_stops(root)
    ordered: list[QWidget] = []
    for part in parts:
        ordered += [w for w in stops if (w is part or part.isAncestorOf(w)) and w not in ordered]
    for first, second in pairwise(ordered):
        QWidget.setTabOrder(first, second)
