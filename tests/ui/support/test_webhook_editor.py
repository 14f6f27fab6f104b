"""The webhook dialog on its own: a problem is shown under the field it is about, in the error
colour of the scheme shown, and a problem of no field (or a failed save) above the buttons."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from photon_desktop.ui.common.theme import Theme, error_colour
from photon_desktop.ui.support.webhook_editor import WebhookEditor

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def below(line: QWidget, field: QWidget, editor: WebhookEditor) -> bool:
    """``line`` is drawn right under ``field``, starting at its left edge."""
    top = line.mapTo(editor, line.rect().topLeft())
    bottom = field.mapTo(editor, field.rect().bottomLeft())
    return top.x() == bottom.x() and 0 <= top.y() - bottom.y() <= 12


def test_an_address_problem_is_shown_under_the_address_in_the_error_colour(
    theme: Theme, widgets: list[QWidget]
) -> None:
    parent = QWidget()
    widgets.append(parent)
    editor = WebhookEditor(parent)
    editor.resize(520, 560)
    editor.show()
    editor.url.setText("http://ehr.example.org/hooks")
    editor.name.setText("Desk")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()

    line = editor.errors["url"]
    assert editor.isVisible() and line.isVisible()
    assert "https://" in line.text()
    assert below(line, editor.url, editor)
    assert error_colour() in line.styleSheet()
    assert editor.url.accessibleDescription() == line.text()
    assert not editor.errors["name"].isVisible() and not editor.message.isVisible()

    # Photon's refusal of the name goes under Name; one naming no field, above the buttons.
    editor.show_problems({"name": "name is too long", "": "Photon refused the subscription"})
    assert not line.isVisible()
    assert editor.errors["name"].text() == "name is too long"
    assert below(editor.errors["name"], editor.name, editor)
    assert editor.message.text() == "Photon refused the subscription"
    assert error_colour() in editor.message.styleSheet()
    assert editor.message.geometry().bottom() < editor.buttons.geometry().top()
    editor.reject()
