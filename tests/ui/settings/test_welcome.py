"""The first-launch page offers exactly the two ways in, by mouse and by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot
from ui_support import save_screenshot

from photon_desktop.ui.welcome import WelcomePage


def test_each_choice_emits_its_signal(qtbot: QtBot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.try_sandbox, timeout=1000):
        qtbot.mouseClick(page.sandbox_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.connect_photon, timeout=1000):
        qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)


def test_keyboard_reaches_both_choices(qtbot: QtBot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.sandbox_button.setFocus()
    with qtbot.waitSignal(page.try_sandbox, timeout=1000):
        qtbot.keyClick(page.sandbox_button, Qt.Key.Key_Space)
    assert page.sandbox_button.nextInFocusChain() is page.connect_button  # Tab goes there
    buttons = page.findChildren(QAbstractButton)
    assert {b.accessibleName() for b in buttons} == {"Try the local sandbox", "Connect to Photon"}


def test_screenshot(qtbot: QtBot, scheme: str) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    page.resize(900, 520)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)
    save_screenshot(page, f"welcome-{scheme}")
    # The cards' explanations are fully visible (not clipped to one line).
    text = page.findChildren(type(page.sandbox_button.parent()))[0].text
    assert text.height() >= text.heightForWidth(text.width())
