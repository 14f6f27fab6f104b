"""A record detail's values at a narrow width: a long id wraps across lines instead of running
past the edge, and what a user selects and copies is the id as it is (no hidden characters)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QTextCursor, QTextDocument, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from photon_desktop.ui.common.field_grid import FieldGrid
from photon_desktop.ui.common.scrolling import scroll_page

PATIENT_ID = "pat_01K9P79E4H8JY4BZFMJQ5XW2RT"
#: What a clinic's own system may use as an external id: longer than a line.
EXTERNAL_ID = "emr-2026-000042-" + "0123456789ABCDEF" * 3


def detail(widgets: list[QWidget], width: int) -> tuple[QScrollArea, FieldGrid]:
    body = QWidget()
    grid = FieldGrid()
    for label in ("Name", "Photon ID", "External ID"):
        grid.add(body, label)
    layout = QVBoxLayout(body)
    layout.addLayout(grid)
    layout.addStretch(1)
    page = scroll_page(body)
    widgets.append(page)
    page.resize(width, 300)
    page.show()
    grid.set("Name", "Nancy Abdi")
    grid.set("Photon ID", PATIENT_ID)
    grid.set("External ID", EXTERNAL_ID)
    QApplication.processEvents()
    return page, grid


def whole_on_screen(grid: FieldGrid, label: str) -> bool:
    """Every line of the value's text lies inside the widget (none cut at its right or bottom)."""
    value = grid.values[label]
    layout = value.document().documentLayout()
    size = layout.documentSize()
    return size.width() <= value.viewport().width() and size.height() <= value.height()


def test_a_long_id_wraps_inside_a_narrow_detail(qapp: QApplication, widgets: list[QWidget]) -> None:
    page, grid = detail(widgets, 360)
    value = grid.values["Photon ID"]
    line = value.fontMetrics().height()
    assert value.width() < value.fontMetrics().horizontalAdvance(PATIENT_ID)
    assert value.height() >= 2 * line  # on two lines or more…
    assert whole_on_screen(grid, "Photon ID")  # …and none of it past the edge
    assert grid.values["Name"].height() < 2 * line  # a short value keeps one line
    assert grid.text("Photon ID") == PATIENT_ID

    page.resize(900, 300)  # wider: the height follows the width at once
    QApplication.processEvents()
    assert value.height() < 2 * line
    assert whole_on_screen(grid, "Photon ID")


def test_copying_a_selected_id_gives_the_id_as_it_is(
    qapp: QApplication, widgets: list[QWidget]
) -> None:
    _page, grid = detail(widgets, 360)
    value = grid.values["External ID"]
    clipboard = QApplication.clipboard()
    clipboard.clear()

    # Select it all with the mouse, from its first character to past its last, and press Ctrl+C.
    target = value.childAt(QPoint(1, 2)) or value  # where the text is drawn
    end = QPoint(target.width() - 1, target.height() - 1)
    QTest.mousePress(target, Qt.MouseButton.LeftButton, pos=QPoint(0, 2))
    QTest.mouseMove(target, end)
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, pos=end)
    value.setFocus()
    QTest.keySequence(value, QKeySequence.StandardKey.Copy)
    assert clipboard.text() == EXTERNAL_ID
    assert value.textCursor().selectedText() == EXTERNAL_ID

    # The context menu's Copy does the same (its action is the one Ctrl+C triggers).
    clipboard.clear()
    cursor = value.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    value.setTextCursor(cursor)
    menu = value.createStandardContextMenu()
    copy = next(a for a in menu.actions() if a.text().replace("&", "").startswith("Copy"))
    copy.trigger()
    assert clipboard.text() == EXTERNAL_ID
    menu.deleteLater()


def test_screen_readers_get_the_value_as_it_reads(
    qapp: QApplication, widgets: list[QWidget]
) -> None:
    _page, grid = detail(widgets, 360)
    value = grid.values["Photon ID"]
    assert value.accessibleName() == "Photon ID"
    assert value.accessibleDescription() == PATIENT_ID
    assert value.focusPolicy() == Qt.FocusPolicy.ClickFocus  # not a Tab stop, like a label


def test_a_value_passes_the_wheel_on_to_its_page(
    qapp: QApplication, widgets: list[QWidget]
) -> None:
    """The wheel over a value scrolls the detail, not the value: the value leaves the event
    unaccepted, so Qt hands it to the page (a synthesized event does not travel up, so this is
    what can be checked offscreen)."""
    page, grid = detail(widgets, 360)
    page.resize(360, 40)  # shorter than its values: the page scrolls
    QApplication.processEvents()
    value = grid.values["External ID"]
    viewport = value.viewport()
    where = QPointF(5, 5)
    wheel = QWheelEvent(
        where,
        QPointF(viewport.mapToGlobal(where.toPoint())),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    assert not wheel.isAccepted()
    assert value.verticalScrollBar().value() == 0


def test_ctrl_wheel_over_a_value_leaves_its_text_as_the_others(
    qapp: QApplication, widgets: list[QWidget]
) -> None:
    """Ctrl+wheel (zoom in most apps) over one value must not enlarge that value alone."""
    _page, grid = detail(widgets, 360)
    value = grid.values["Name"]
    size = value.font().pointSizeF()
    viewport = value.viewport()
    where = QPointF(5, 5)
    wheel = QWheelEvent(
        where,
        QPointF(viewport.mapToGlobal(where.toPoint())),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    assert not wheel.isAccepted()  # the page has it
    assert value.font().pointSizeF() == size == grid.values["Photon ID"].font().pointSizeF()


def test_a_values_size_hint_follows_its_text_not_its_present_width(
    qapp: QApplication, widgets: list[QWidget]
) -> None:
    page, grid = detail(widgets, 900)
    value = grid.values["Photon ID"]
    wide = value.sizeHint()
    page.resize(240, 300)  # the value is now narrower than its text
    QApplication.processEvents()
    assert value.width() < wide.width()
    assert value.sizeHint() == wide
    asked = len(value.findChildren(QTextDocument))
    for _ in range(50):  # layouts ask often: no document is made for each asking
        value.sizeHint()
    assert len(value.findChildren(QTextDocument)) == asked
