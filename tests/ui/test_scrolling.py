"""The scrolling pages that hold rows tables (record details, the organization): their content's
width never depends on its height, the condition under which Qt's scroll area resized a detail
for ever until the stack ran out (``ui/common/scrolling.py``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.rows_table import RowsModel, rows_table
from photon_desktop.ui.common.scrolling import scroll_page

COLUMNS = (Column("Treatment", lambda r: str(r[0])), Column("Comment", lambda r: str(r[1])))
ROW = ("Atorvastatin Calcium 40 mg Oral Tablet", "Take one tablet daily, with water " * 3)


def _content_width(rows: int) -> int:
    body = QWidget()
    layout = QVBoxLayout(body)
    model: RowsModel[tuple[str, str]] = RowsModel(COLUMNS)
    layout.addWidget(QLabel("Allergies"))
    layout.addWidget(rows_table(model, "Allergies", body))
    scroll = scroll_page(body)
    scroll.resize(420, 400)
    scroll.show()
    model.set_rows([ROW] * rows)
    for _ in range(3):
        QCoreApplication.processEvents()
    width = body.width()
    scroll.close()
    scroll.deleteLater()
    return width


def test_the_content_is_as_wide_whether_it_fits_or_scrolls(qapp: QApplication) -> None:
    assert _content_width(1) == _content_width(40)
