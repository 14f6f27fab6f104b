"""The tray icon: its menu, the attention badge, pausing notifications, and closing to the tray
only when the setting says so (off by default). Screenshots of the menu in light and dark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QWidget
from ui_support import distinct_colours

from photon_desktop.ui.common import preferences
from photon_desktop.ui.notify import notify_prefs
from photon_desktop.ui.tray import OrderTray

SHOTS = Path("/tmp/shots-watch")


def window(widgets: list[QWidget]) -> QMainWindow:
    w = QMainWindow()
    w.resize(400, 300)
    w.show()
    widgets.append(w)
    return w


def shown_tray(w: QWidget, qtlog: Any) -> OrderTray:
    """A tray as on a desktop that has one. Offscreen has none, and Qt warns when the icon is
    shown anyway: that says nothing about the code under test, so it is not captured."""
    with qtlog.disabled():
        return OrderTray(w, available=True)


def texts(tray: OrderTray) -> list[str]:
    return [a.text() for a in tray.menu.actions() if not a.isSeparator()]


def test_menu_count_and_pause(widgets: list[QWidget], scheme: str, qtlog: Any) -> None:
    tray = shown_tray(window(widgets), qtlog)
    assert texts(tray) == [
        "Open Photon Desktop", "Nothing needs your attention", "Pause notifications", "Quit"
    ]  # fmt: skip
    assert not tray.attention_action.isEnabled()
    tray.set_attention(3, 0)
    assert tray.attention_action.text() == "3 orders need attention"
    assert tray.attention_action.isEnabled()
    assert tray.icon.toolTip() == "Photon Desktop — 3 orders need attention"
    tray.set_attention(1, 0)
    assert tray.attention_action.text() == "1 order needs attention"
    tray.set_attention(10, 22)  # expiring prescriptions are not orders
    assert tray.attention_action.text() == "10 orders and 22 prescriptions need attention"
    assert tray.attention_count == 32
    tray.set_attention(0, 1)
    assert tray.attention_action.text() == "1 prescription needs attention"
    tray.set_attention(1, 1)
    assert tray.attention_action.text() == "1 order and 1 prescription need attention"

    assert preferences.NOTIFICATIONS_PAUSED.get() is False
    tray.pause_action.trigger()
    assert preferences.NOTIFICATIONS_PAUSED.get() is True
    assert notify_prefs().paused

    tray.set_attention(3, 2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tray.menu.adjustSize()
    image = tray.menu.grab().toImage()
    assert image.save(str(SHOTS / f"tray-menu-{scheme}.png"))
    assert distinct_colours(image, step=1) > 10
    badge = tray.icon.icon().pixmap(64, 64).toImage()
    assert badge.save(str(SHOTS / f"tray-icon-{scheme}.png"))


def test_closing_quits_unless_close_to_tray_is_on(widgets: list[QWidget], qtlog: Any) -> None:
    w = window(widgets)
    tray = shown_tray(w, qtlog)
    assert not preferences.CLOSE_TO_TRAY.get()  # off by default
    assert w.close() and not w.isVisible()

    w.show()
    preferences.CLOSE_TO_TRAY.set(True)
    assert QSettings().value("tray/close_to_tray") in (True, "true")
    assert not w.close()  # refused: hidden to the tray instead
    assert not w.isVisible() and tray.keeps_running

    quits: list[bool] = []
    tray.quit_requested.connect(lambda: quits.append(True))
    w.show()
    tray.quit_action.trigger()
    assert quits == [True]
    assert w.close()  # quitting lets the close through


def test_without_a_system_tray_closing_always_quits(widgets: list[QWidget]) -> None:
    w = window(widgets)
    tray = OrderTray(w, available=False)
    preferences.CLOSE_TO_TRAY.set(True)
    assert not tray.icon.isVisible() and not tray.keeps_running
    assert w.close()
