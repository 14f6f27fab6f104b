"""Problems are drawn in the scheme's error colour, readable on light and dark, and follow a
change of scheme while they are shown (a style sheet keeps the colour it was written with)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_fakes import ENV, NATIVE_ID, FakeAuth0, MemoryKeyring
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.common import icons
from photon_desktop.ui.common.theme import (
    ERROR_DARK,
    ERROR_LIGHT,
    Theme,
    dark_palette,
    light_palette,
    show_error,
)
from photon_desktop.ui.common.validated_field import ValidatedField
from photon_desktop.ui.signin.window import SignInWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def switchable(qapp: QApplication) -> Iterator[Theme]:
    """The app's Theme, starting light; the test switches it."""
    style, palette = qapp.style().name(), qapp.palette()
    theme = Theme(qapp, forced="light")
    yield theme
    theme.setParent(None)
    qapp.setPalette(palette)
    qapp.setStyle(style)
    icons.clear_cache()


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("palette", "colour"), [(light_palette, ERROR_LIGHT), (dark_palette, ERROR_DARK)]
)
def test_the_error_colour_is_readable_on_its_scheme(palette: Any, colour: str) -> None:
    p = palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast(QColor(colour), p.color(role)) >= 4.5  # WCAG AA for text


def test_shown_problems_follow_a_change_of_scheme(
    switchable: Theme, widgets: list[QWidget]
) -> None:
    field = ValidatedField("ZIP", QLineEdit(), check=lambda v: None if v else "Enter the ZIP.")
    widgets.append(field)
    field.show()
    assert field.validate() == "Enter the ZIP."
    assert ERROR_LIGHT in field.message.styleSheet() and ERROR_LIGHT in field.editor.styleSheet()

    switchable.force("dark")
    assert ERROR_DARK in field.message.styleSheet() and ERROR_DARK in field.editor.styleSheet()
    assert "border: 2px solid" in field.editor.styleSheet()

    QTest.keyClicks(field.editor, "02115")  # fixed: the marks go, and stay gone through a change
    assert field.message.styleSheet() == "" and field.editor.styleSheet() == ""
    switchable.force("light")
    assert field.message.styleSheet() == "" and field.editor.styleSheet() == ""

    note = QWidget()
    widgets.append(note)
    show_error(note, "color: {error}; font-weight: bold;")
    switchable.force("dark")
    assert note.styleSheet() == f"color: {ERROR_DARK}; font-weight: bold;"


def test_the_sign_in_error_is_readable_in_dark(
    switchable: Theme, widgets: list[QWidget], qtbot: Any
) -> None:
    session = Session(
        ENV,
        FakeAuth0().client(),
        SecretStore(MemoryKeyring()),
        profile=Profile(native_client_id=NATIVE_ID),
    )
    window = SignInWindow(SignInService(session), open_url=lambda url: True)
    qtbot.addWidget(window)
    switchable.force("dark")
    window.error.setText("The provider could not sign you in (server_error).")
    window.show()
    image = window.error.grab().toImage()
    background = QApplication.palette().color(QPalette.ColorRole.Window)
    inks = {
        image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
    }
    best = max(contrast(QColor(ink), background) for ink in inks)
    assert best >= 4.5, f"the text's strongest ink is {best:.2f}:1 on the window"
    assert ERROR_DARK.lower() in inks


def test_a_page_with_its_own_style_sheet_follows_a_change_of_scheme(
    switchable: Theme, widgets: list[QWidget]
) -> None:
    """Qt keeps the palette a styled widget was polished with: Settings' fields stayed white on
    a dark window (or dark on a light one) after View ▸ Appearance or the system switched."""
    page = QWidget()
    page.setStyleSheet("QLabel#note { font-weight: bold; }")  # any sheet at all
    field = QLineEdit(page)
    widgets.append(page)
    page.show()
    assert field.palette().color(QPalette.ColorRole.Base) == light_palette().color(
        QPalette.ColorRole.Base
    )
    switchable.force("dark")
    dark = dark_palette()
    assert field.palette().color(QPalette.ColorRole.Base) == dark.color(QPalette.ColorRole.Base)
    assert field.palette().color(QPalette.ColorRole.Text) == dark.color(QPalette.ColorRole.Text)
