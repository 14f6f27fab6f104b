"""The matrix's reads through the main window: the real patients page (its list and a patient's
record beside it), offscreen, against the sandbox over HTTP, under every fault of the matrix.

Each cell opens the window signed in as the prescriber with the first page of patients shown,
starts the fault (standing: every request gets it; "once": only the next), and does what a user
does — **list**: presses F5; **detail**: picks another patient in the list — then checks what the
user gets: no exception escapes (``escaped``), the event loop keeps turning while the request is
out (a zero-interval ``QTimer`` keeps ticking), the list keeps showing its rows meanwhile, and the
page never stays on "Loading…": it ends showing the fresh answer, or says what happened (the
words the services' matrix expects) with the rows loaded before kept under a banner, or in an
error state with Retry, or asking to sign in again. Read retries wait as ``Retry-After`` says
(recorded, not slept). Then the fault clears (the user signs in again where it ended the
sign-in) and F5 or Retry shows the fresh answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cells import OwnSandbox
from fault_matrix import FAULTS, READS, page_expected
from PySide6.QtWidgets import QWidget
from screens import PROCESS, SIGNS_OUT, Heartbeat, Screen, applied, ui_cell
from ui_support import until

from photon_desktop.ui.common.states import State
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.patients.list import PatientList, PatientsPage

Run = Callable[..., Any]


def ids(patients: PatientList) -> list[str]:
    model = patients.model
    return [p.id for p in model.items()] if model is not None else []


def list_says(patients: PatientList) -> tuple[str, str]:
    """What the list shows instead of (or over) its rows: ("banner" or the state's kind, text)."""
    if patients.banner.isVisibleTo(patients):
        return "banner", patients.banner.text()
    if patients.stack.currentWidget() is patients.state:
        return patients.state.state.value, patients.state.label.text()
    return "rows", ""


def detail_says(page: PatientsPage) -> tuple[str, str]:
    detail = page.detail
    if detail.stack.currentWidget() is detail.state:
        return detail.state.state.value, detail.state.label.text()
    if detail.notice.isVisibleTo(detail):
        return "notice", detail.notice.text()
    return "record", ""


async def open_window(screen: Screen, widgets: list[QWidget], operation: str) -> MainWindow:
    """The main window with the first page of patients shown (for "detail", the first patient
    open beside it; for "list", none, so F5 reloads the list alone)."""
    window = MainWindow(screen.conn.workspace)
    widgets.append(window)
    window.resize(1280, 800)
    window.show()
    patients = window.patients.list
    await until(lambda: ids(patients) and not patients.loading)
    assert len(ids(patients)) >= 2, "too few patients to pick another"
    if operation == "detail":
        pick(window.patients, 0)
        await until(lambda: window.patients.detail.record is not None)
    return window


def pick(page: PatientsPage, row: int) -> None:
    """Click a row of the list, as a user does."""
    table = page.list.table
    table.setCurrentIndex(table.model().index(row, 0))


async def act_under(
    screen: Screen, fault: str, operation: str, window: MainWindow, beat: Heartbeat, own: Any
) -> Callable[[], bool]:
    """Start ``fault`` and do the operation; what says the page has settled."""
    page = window.patients
    sandbox = screen.conn.sandbox
    source = FAULTS[fault].source
    if fault == "restarted":
        own.restart()  # new keys and data: the session's tokens mean nothing there
    elif source == "keyring":
        # The keyring fails, then the access token is refused: the renewal rotates the refresh
        # token, and the new one cannot be stored.
        screen.keyring_fails(fault)
        sandbox.fail_next({"kind": "expired_token"})
    else:  # "killed": held unexecuted until the process is killed under it
        sandbox.set_faults(**FAULTS[fault].settings)
    if operation == "list":
        rows = ids(page.list)
        window.refresh_action.trigger()  # F5
        assert page.list.loading, "F5 did not start a request (or waited for its answer)"
        assert ids(page.list) == rows and list_says(page.list)[0] == "rows", "F5 hid the rows"
        await beat.keeps_ticking()
        busy = lambda: page.list.loading  # noqa: E731
    else:
        pick(page, 1)
        assert page.detail.loading, "picking a patient did not start a request"
        assert detail_says(page) == ("loading", "Loading patient…"), detail_says(page)
        # The patient shown before is no longer "the patient shown" (Ctrl+Shift+P, Ctrl+Shift+O).
        assert page.detail.patient is None, "the record shown before still stands"
        await beat.keeps_ticking()
        busy = lambda: page.detail.loading  # noqa: E731
    if fault == "killed":
        await until(lambda: sandbox.stats()["faults_applied"].get("graphql:stall"), 10)
        await beat.keeps_ticking()  # the request is held: the window still answers
        own.kill()
    return lambda: not busy()


async def run_page_cell(
    screen: Screen, fault: str, operation: str, widgets: list[QWidget], own: OwnSandbox | None
) -> str:
    """One cell (``own``: the sandbox process to kill or restart); its outcome for the table."""
    want = page_expected(fault, operation)
    window = await open_window(screen, widgets, operation)
    page, patients, detail = window.patients, window.patients.list, window.patients.detail
    before_rows = ids(patients)
    picked = before_rows[1]
    sandbox = screen.conn.sandbox
    before, waits = applied(sandbox), len(screen.waits.delays)
    beat = Heartbeat()
    try:
        settled = await act_under(screen, fault, operation, window, beat, own)
        await until(settled, 30)
    finally:
        screen.keyring_works()
        if own is None:
            sandbox.reset_faults()
    if own is None:
        assert applied(sandbox) > before, "the fault never reached the request"
    elif fault == "killed":
        own.restart()  # the fault clears: a new process on the same port
    await beat.keeps_ticking()  # what the answer set off has run (a sign-out's reloads)
    kind, text = list_says(patients) if operation == "list" else detail_says(page)
    assert kind != State.LOADING.value, f"stuck on {text!r}"
    if want.retry_waits:
        assert screen.waits.delays[waits:] == list(want.retry_waits), screen.waits.delays
    if FAULTS[fault].source == "keyring":
        notice = window.status.notice
        assert notice.isVisibleTo(window.status) and "keyring" in notice.text().lower()
        assert screen.conn.session.signed_in, "a failing keyring ended the sign-in"

    if want.error is None:
        if operation == "list":
            assert kind == "rows" and ids(patients) == before_rows, (kind, text)
        else:
            assert kind == "record" and detail.record is not None, (kind, text)
            assert detail.record.id == picked
        beat.stop()
        return "PASS shows the answer"
    assert any(w in text.lower() for w in want.words), f"says not what happened: {text!r}"
    if operation == "list" and kind == "banner":  # the rows loaded before stay
        assert ids(patients) == before_rows and patients.stack.currentWidget() is patients.table
        shows = "rows kept"
    elif operation == "list":
        assert kind in ("error", "message") and not ids(patients), (kind, text)
        shows = "says why, no rows"
    else:  # another patient's record is never left under this one's name
        assert kind in ("error", "message") and detail.record is None, (kind, text)
        shows = "error state" if kind == "error" else "says why"
        if kind == "error":
            assert detail.state.button.text() == "Retry" and detail.state.button.isVisibleTo(detail)

    # The fault has cleared; the user signs in again if asked to, and presses F5 or Retry.
    if fault in SIGNS_OUT:
        await screen.sign_in_again()
        await beat.keeps_ticking()
    if operation == "list":
        window.refresh_action.trigger()
        await until(lambda: not patients.loading, 30)
        assert list_says(patients) == ("rows", ""), list_says(patients)
        assert ids(patients)[:2] == before_rows[:2]  # the same demo data, again
        again = "F5"
    else:
        if detail.loading:  # a new sign-in loads the record chosen by itself
            await until(lambda: not detail.loading, 30)
        if detail.record is None:
            retry = detail.state.button
            again = "Retry" if retry.isVisibleTo(detail) else "F5"
            retry.click() if again == "Retry" else window.refresh_action.trigger()
            await until(lambda: not detail.loading, 30)
        else:
            again = "sign-in"
        assert detail_says(page) == ("record", ""), detail_says(page)
        assert detail.record is not None and detail.record.id == picked
    beat.stop()
    return f"PASS {shows}: {said(text)}; {again} recovers"


def said(text: str) -> str:
    """What the page said, in a few words, for the table."""
    return text.split(": ", 1)[-1][:28]


@pytest.mark.parametrize("fault", [f for f in FAULTS if f not in PROCESS])
@pytest.mark.parametrize("operation", READS)
def test_page_cell(
    arun: Run, sandbox: Any, widgets: list[QWidget], escaped: list[str], fault: str, operation: str
) -> None:
    arun(ui_cell(run_page_cell, sandbox, fault, operation, widgets, escaped), timeout=60)


@pytest.mark.parametrize("fault", PROCESS)
@pytest.mark.parametrize("operation", READS)
def test_page_cell_own_process(
    arun: Run,
    own_sandbox: OwnSandbox,
    widgets: list[QWidget],
    escaped: list[str],
    fault: str,
    operation: str,
) -> None:
    arun(ui_cell(run_page_cell, own_sandbox, fault, operation, widgets, escaped), timeout=60)
