"""How a narrow table shares its width (``_share``): what fits keeps its width, dates keep theirs,
the key column (the patient's name, the treatment) reads whole before other wide columns, and no
column is ever narrower than its header."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.rows_table import RowsModel, _share, rows_table, squeezed

# The patient list at a 1024 px window: Name, Date of birth, Sex, Phone, Email.
WANTED = [137, 122, 70, 108, 235]
FLOORS = [55, 96, 42, 57, 53]
WHOLE = [False, True, False, True, False]


def test_columns_that_fit_keep_their_width_and_the_last_takes_the_slack() -> None:
    assert _share([50, 60, 70], [20, 20, 20], 200, key=0) == [50, 60, 90]


def test_without_a_key_wide_columns_share_one_cap() -> None:
    assert _share(WANTED, FLOORS, 477, WHOLE) == [88, 122, 70, 108, 88]


def test_the_key_column_reads_whole_before_other_wide_columns() -> None:
    widths = _share(WANTED, FLOORS, 477, WHOLE, key=0)
    assert widths == [124, 122, 70, 108, 53]
    assert sum(widths) == 477


def test_the_key_takes_only_what_it_needs() -> None:
    widths = _share(WANTED, FLOORS, 560, WHOLE, key=0)
    assert widths[0] == 137  # whole; the email gets the rest
    assert widths[4] == 560 - 137 - 122 - 70 - 108


def test_dates_and_compact_columns_stay_ahead_of_the_key() -> None:
    widths = _share(WANTED, FLOORS, 420, WHOLE, key=0)
    assert widths[1:4] == [122, 70, 108]
    assert widths[4] == 53  # its header, never less
    assert widths[0] == 420 - 122 - 70 - 108 - 53  # the key elides in what is left


def test_a_long_key_never_takes_more_than_half_the_table() -> None:
    # A 400 px treatment beside a patient's name, at a wide window.
    widths = _share([400, 130, 300], [80, 60, 70], 600, key=0)
    assert widths[0] == 300
    assert sum(widths) == 600 and widths[1] == 130


def test_what_the_others_do_not_need_goes_to_a_long_key() -> None:
    assert _share([700, 100], [60, 50], 600, key=0) == [500, 100]


def test_when_even_dates_cannot_fit_the_key_comes_first_and_headers_stay_whole() -> None:
    # The order list: Patient, State, Fulfillment, Pharmacy, Type, Created.
    wanted = [141, 79, 83, 198, 74, 142]
    floors = [62, 52, 83, 80, 48, 67]
    whole = [False, False, False, False, False, True]
    widths = _share(wanted, floors, 470, whole, key=0)
    assert widths[0] == 140
    assert all(w >= f for w, f in zip(widths, floors, strict=True))
    assert sum(widths) == 470


def test_a_list_too_narrow_for_its_dates_scrolls_rather_than_cut_them() -> None:
    # The prescription list at a 1024 px window: Treatment, Patient, State, Quantity, Fills
    # left, Written, Expires; the compact columns alone and the others' headers need 562 px.
    wanted = [262, 131, 80, 95, 79, 84, 84]
    floors = [80, 60, 50, 70, 70, 66, 66]
    whole = [False, False, False, False, False, True, True]
    widths = _share(wanted, floors, 470, whole, key=0, scrolls=True)
    assert widths[2:] == wanted[2:]  # states, quantities, counts and dates whole
    assert (
        widths[0] == 150 and widths[1] == 60
    )  # the treatment a fair start, the patient its header
    assert sum(widths) > 470  # the list scrolls sideways
    # A table that cannot scroll (a detail's) shares the width instead, within its edge.
    assert sum(_share(wanted, floors, 470, whole, key=0)) == 470


def test_a_key_too_wide_for_any_room_keeps_its_header() -> None:
    assert _share([300, 100], [60, 50], 100, key=0) == [60, 50]


def test_columns_that_cannot_fit_even_at_their_headers_are_squeezed_not_cut() -> None:
    assert squeezed([90, 60, 100, 80, 110], 500) == [90, 60, 100, 80, 110]  # they fit: as they are
    narrow = squeezed([90, 60, 100, 80, 110], 300)
    assert sum(narrow) <= 300 and min(narrow) >= 36
    assert narrow[1] == 60 and narrow[4] < 110  # the widest give up the most


def test_a_squeezed_date_keeps_its_longest_word_so_it_wraps_rather_than_elides() -> None:
    # The order detail's Fills at a 1024 px window: Treatment, State, Requested, Filled,
    # Prescription; the two dates keep "12/1/2026" (82 px) and wrap their time below it.
    widths = [230, 60, 140, 140, 210]
    keep = [0, 0, 82, 82, 0]
    narrow = squeezed(widths, 330, keep)
    assert narrow[2] >= 82 and narrow[3] >= 82 and sum(narrow) <= 330
    # No room for even those: every column is squeezed alike, still within the edge.
    tight = squeezed(widths, 200, keep)
    assert sum(tight) <= 200 and min(tight) >= 36


def test_a_detail_table_too_narrow_for_its_headers_ends_at_its_edge(qapp: QApplication) -> None:
    """The order detail's Fills table at a 1024 px window: its last column was cut at the edge,
    header and all (a detail's tables do not scroll sideways)."""
    columns = tuple(
        Column(title, lambda r, i=i: r[i])
        for i, title in enumerate(("Treatment", "State", "Requested", "Filled", "Prescription"))
    )
    model: RowsModel[tuple[str, ...]] = RowsModel(columns)
    host = QWidget()
    layout = QVBoxLayout(host)
    table = rows_table(model, "Fills", host)
    layout.addWidget(table)
    model.set_rows([("Amoxicillin 500 mg", "Sent", "12/1/2026 5:46 AM", "—", "rx_01JMQH0")])
    host.resize(300, 200)
    host.show()
    QCoreApplication.processEvents()
    header = table.horizontalHeader()
    right = max(header.sectionPosition(c) + header.sectionSize(c) for c in range(5))
    assert right <= table.viewport().width()
    assert model.headerData(4, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "Prescription"
    )
    host.close()
