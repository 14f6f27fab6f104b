"""The write forms under every fault of the matrix: the real Qt widgets, offscreen, against the
sandbox over HTTP, each fault aimed at the form's own write (the reads around it see Photon well).

Each cell: open the form signed in as the prescriber and type into it, start the fault, press
the form's button, and check what the user gets — no exception escapes (``escaped``), the event
loop keeps running while the request is out (a zero-interval ``QTimer`` keeps ticking: counted,
not timed), and then either the form shows the write saved and the sandbox holds it once (the
fault refused nothing, or lost the answer of a write that committed), or the form shows a
message that says what happened, what was typed is still there, and the sandbox holds nothing;
then the fault clears (the user signs in again where it ended the sign-in) and pressing the
button again writes exactly once. A keyring that fails mid-session also shows in the status bar.
The faults from outside Photon's answers: the keyring locks or hangs as the access token is
refused (the renewal's new refresh token cannot be stored), and the cells' own sandbox process
is killed while it holds the write, or restarted on its port between typing and pressing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cells import OwnSandbox
from fault_matrix import FAULTS, aimed, form_expected
from forms import FORMS, Form
from PySide6.QtWidgets import QWidget
from screens import PROCESS, SIGNS_OUT, Heartbeat, Screen, applied, ui_cell
from ui_support import until
from write_support import new_writes, windows_may_close, writes

from photon_desktop.ui.status import StatusBar

Run = Callable[..., Any]
__all__ = ["windows_may_close"]  # a fixture, found by name
CLAIMS_FAILURE = ("not saved", "not sent", "not canceled", "was not")


def count(sandbox: Any, form: Form) -> tuple[int, int | None]:
    """The write's count since ``form.before``, and the records with its submission id."""
    made = new_writes(sandbox, form.before).get(form.write, 0)
    if form.external_id is None:
        return made, None
    answer = sandbox.admin("GET", f"records?externalId={form.external_id}")
    answer.raise_for_status()
    body = answer.json()
    return made, sum(int(body[k]) for k in ("patients", "prescriptions", "orders"))


async def press_and_wait(form: Form, beat: Heartbeat) -> None:
    """Press the button as a user does: the click returns at once with the request out, and
    the loop keeps turning until the form has its answer."""
    form.submit()
    assert form.busy(), "the click did not start a request (or waited for its answer)"
    await beat.keeps_ticking()
    await until(lambda: not form.busy(), 30)


async def submit_under(
    screen: Screen, fault: str, form: Form, beat: Heartbeat, own: OwnSandbox | None
) -> Any:
    """Press the form's button under ``fault``; the sandbox that holds the outcome."""
    sandbox = screen.conn.sandbox
    source = FAULTS[fault].source
    if fault == "killed":
        assert own is not None
        sandbox.set_faults(**aimed(fault, form.operation))
        form.submit()
        await until(lambda: sandbox.stats()["faults_applied"].get("graphql:stall"), 10)
        assert form.busy()
        await beat.keeps_ticking()  # the request is held: the window still answers
        own.kill()
        await until(lambda: not form.busy(), 30)
        form.before = {}
        return own.restart()  # the fault clears: a new process, with the demo data only
    if fault == "restarted":
        assert own is not None
        sandbox = own.restart()  # new keys and data: the session's tokens mean nothing there
        form.before = {}
        await press_and_wait(form, beat)
        return sandbox
    before = applied(sandbox)
    try:
        if source == "keyring":
            # The keyring fails, then the access token is refused: the renewal rotates the
            # refresh token, and the new one cannot be stored.
            screen.keyring_fails(fault)
            sandbox.fail_next({"kind": "expired_token", "operation": form.operation})
        else:
            sandbox.set_faults(**aimed(fault, form.operation))
        await press_and_wait(form, beat)
    finally:
        screen.keyring_works()
        sandbox.reset_faults()
    assert applied(sandbox) > before, "the fault never reached the write"
    return sandbox


async def run_form_cell(
    screen: Screen, fault: str, name: str, widgets: list[QWidget], own: OwnSandbox | None
) -> str:
    """One cell (``own``: the sandbox process to kill or restart); its outcome for the table."""
    conn = screen.conn
    want = form_expected(fault)
    form = FORMS[name]()
    await form.open(conn, widgets, seeded=own is not None)
    typed = form.typed()
    form.before = writes(conn.sandbox)
    status = StatusBar(conn.workspace)
    widgets.append(status)
    beat = Heartbeat()
    sandbox = await submit_under(screen, fault, form, beat, own)
    shown = form.shown()
    made, records = count(sandbox, form)
    if FAULTS[fault].source == "keyring":
        notice = status.notice.text().lower()
        assert status.notice.isVisibleTo(status) and "keyring" in notice, notice
        assert conn.session.signed_in, "a failing keyring ended the sign-in"
    if want.saved:
        assert form.done(), f"a saved write is not shown as saved: {shown!r}"
        assert made == 1 and records in (None, 1), (made, records)
        # Nothing to retry: a dialog closed on saving; a window that stays cannot send again.
        if form.widget.isVisible():
            form.submit()
            await beat.keeps_ticking()
            assert not form.busy() and count(sandbox, form) == (made, records)
        beat.stop()
        return "PASS shown as saved, made once"
    assert not form.done(), "a refused write is shown as done"
    assert shown.strip(), "the form shows nothing"
    assert any(w in shown.lower() for w in want.words), f"says not what happened: {shown!r}"
    if fault == "killed":  # the outcome was not known when the form spoke
        assert not any(c in shown.lower() for c in CLAIMS_FAILURE), f"claims failure: {shown!r}"
    assert form.typed() == typed, "what was typed is gone"
    assert made == 0 and records in (None, 0), (made, records)

    # The fault has cleared; the user signs in again if asked to, and presses the button again.
    if fault in SIGNS_OUT:
        await screen.sign_in_again()
        await beat.keeps_ticking()  # the session's change has reached the form
        assert form.widget.isVisible(), "signing in again closed the form"
    await press_and_wait(form, beat)
    assert form.done(), f"the retry failed: {form.shown()!r}"
    made, records = count(sandbox, form)
    assert made == 1 and records in (None, 1), (made, records)
    beat.stop()
    return f"PASS {said(shown)}; again: made once"


def said(shown: str) -> str:
    """What the form said, in a few words, for the table."""
    if "could not check whether" in shown:
        return "may be saved: check first"
    return shown.split(":")[0][:32]


@pytest.mark.parametrize("fault", [f for f in FAULTS if f not in PROCESS])
@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.usefixtures("windows_may_close")  # a form that saved closes itself
def test_form_cell(
    arun: Run, sandbox: Any, widgets: list[QWidget], escaped: list[str], fault: str, name: str
) -> None:
    arun(ui_cell(run_form_cell, sandbox, fault, name, widgets, escaped), timeout=60)


@pytest.mark.parametrize("fault", PROCESS)
@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.usefixtures("windows_may_close")
def test_form_cell_own_process(
    arun: Run,
    own_sandbox: OwnSandbox,
    widgets: list[QWidget],
    escaped: list[str],
    fault: str,
    name: str,
) -> None:
    arun(ui_cell(run_form_cell, own_sandbox, fault, name, widgets, escaped), timeout=60)
