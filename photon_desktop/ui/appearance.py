"""The View menu's colour schemes (System, Light, Dark): remembered as a preference, applied
through the app's ``Theme``. Qt-only, like the window frame that shows it."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from photon_desktop.ui.common import window_preferences as preferences
from photon_desktop.ui.common.theme import Theme


def app_theme() -> Theme | None:
    app = QApplication.instance()
    return app.findChild(Theme) if app is not None else None


def scheme_actions(menu: QMenu, owner: QWidget) -> dict[str, QAction]:
    """Add the three checkable schemes to ``menu``; the saved one is checked and, if the app's
    theme does not force it yet, applied now (before the window is first shown)."""
    actions: dict[str, QAction] = {}
    group = QActionGroup(owner)
    group.setExclusive(True)
    chosen = preferences.THEME.get()
    for key, text in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
        action = QAction(text, owner)
        action.setCheckable(True)
        action.setChecked(key == chosen)
        action.triggered.connect(lambda _on=False, key=key: set_scheme(actions, key))
        group.addAction(action)
        menu.addAction(action)
        actions[key] = action
    theme = app_theme()
    if theme is not None and chosen != "system" and theme.forced != chosen:
        theme.force(chosen)
    return actions


def set_scheme(actions: dict[str, QAction], key: str) -> None:
    """Light, dark, or follow the system ("system"); remembered for the next start."""
    if key not in preferences.THEMES:
        raise ValueError(f"unknown colour scheme {key!r}")
    preferences.THEME.set(key)
    actions[key].setChecked(True)
    theme = app_theme()
    if theme is not None:
        theme.force(None if key == "system" else key)
