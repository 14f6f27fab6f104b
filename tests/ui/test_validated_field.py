"""The validated field's small API: value, check, marks shown three ways, edits clear the mark."""

from __future__ import annotations

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QToolButton, QWidget

from photon_desktop.ui.common.validated_field import ValidatedField


def test_check_marks_and_typing_clears(widgets: list[QWidget]) -> None:
    field = ValidatedField(
        "ZIP", QLineEdit(), max_length=10, check=lambda v: None if v.isdigit() else "Digits only."
    )
    widgets.append(field)
    field.show()
    field.set_value("  12a ")
    assert field.value() == "12a"
    assert field.validate() == "Digits only."
    assert field.error == "Digits only."
    assert field.message.isVisible() and field.message.text() == "Digits only."
    assert field.editor.accessibleDescription() == "Digits only."
    assert "border" in field.editor.styleSheet()
    edited: list[bool] = []
    field.changed.connect(lambda: edited.append(True))
    QTest.keyClicks(field.editor, "9" * 20)
    assert edited and field.error is None and not field.message.isVisible()
    assert len(field.editor.text()) == 10  # capped


def test_a_combo_reads_its_data(widgets: list[QWidget]) -> None:
    box = QComboBox()
    box.addItem("—", None)
    box.addItem("Massachusetts", "MA")
    field = ValidatedField("State", box, check=lambda v: None if v else "Choose the state.")
    widgets.append(field)
    assert field.value() == "" and field.validate() == "Choose the state."
    field.set_value("MA")
    assert field.value() == "MA" and field.validate() is None


def test_a_trailing_widget_sits_beside_the_input_and_the_problem_under_both(
    widgets: list[QWidget],
) -> None:
    field = ValidatedField("Secret", QLineEdit())
    widgets.append(field)
    button = QToolButton()
    button.setText("Show")
    field.add_trailing(button)
    field.resize(400, 80)
    field.show()
    field.set_error("Enter the secret.")
    QApplication.processEvents()
    assert button.parent() is field
    assert button.geometry().left() >= field.editor.geometry().right()
    assert abs(button.geometry().center().y() - field.editor.geometry().center().y()) <= 2
    assert field.message.geometry().top() > max(
        field.editor.geometry().bottom(), button.geometry().bottom()
    )
    assert field.editor.width() > button.width()  # the input takes the row, not the button
