"""The write forms under the representative faults: the real Qt widgets, offscreen, against the
sandbox over HTTP, each fault aimed at the form's own write (the reads around it see Photon well).

Each cell: open the form signed in as the prescriber and type into it, start the fault, press
the form's button, and check what the user gets — no exception escapes (``escaped``), the event
loop keeps running while the request is out (a zero-interval ``QTimer`` keeps ticking: counted,
not timed), the form shows a message that says what happened, what was typed is still there,
and the sandbox holds one write (after a lost answer) or none (after a definite refusal). Then
the fault clears and the user presses the button again: the write goes through once, never twice.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cells import PRESCRIBER, OwnSandbox
from fault_matrix import FORM_FAULTS, FORM_RESULTS
from forms import FORMS, Form
from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QWidget
from ui_support import Connection, FormBrowser, until
from write_support import new_writes, signed_in, windows_may_close, writes

Run = Callable[..., Any]
__all__ = ["windows_may_close"]  # a fixture, found by name
CLAIMS_FAILURE = ("not saved", "not sent", "not canceled", "was not")


@pytest.fixture
def escaped(qapp: Any, caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Fails the test if anything escaped: an uncaught exception (``sys.excepthook``), a Qt
    critical message, an exception the event loop had nobody to hand to, or a background task
    that ended in an exception (the app logs those as errors)."""
    caught: list[str] = []
    hook = sys.excepthook
    sys.excepthook = lambda kind, value, tb: caught.append(f"uncaught {value!r}")

    def on_qt(mode: QtMsgType, _context: Any, message: str) -> None:
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            caught.append(f"Qt: {message}")

    previous = qInstallMessageHandler(on_qt)
    try:
        yield caught
    finally:
        sys.excepthook = hook
        qInstallMessageHandler(previous)
    caught += [
        f"logged: {r.getMessage()}"
        for r in caplog.get_records("call")
        if r.levelname in ("ERROR", "CRITICAL") and r.name.startswith("photon_desktop")
    ]
    assert not caught, caught


class Heartbeat:
    """Counts the event loop's turns with a zero-interval timer: it ticks only while the loop
    runs, so a frozen UI shows as a count that stops."""

    def __init__(self) -> None:
        self.ticks = 0
        self._timer = QTimer()
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        self.ticks += 1

    async def keeps_ticking(self, beats: int = 3) -> None:
        start = self.ticks
        await until(lambda: self.ticks >= start + beats, 5)

    def stop(self) -> None:
        self._timer.stop()


def loop_catches(caught: list[str]) -> None:
    def handler(_loop: Any, context: dict[str, Any]) -> None:
        caught.append(f"loop: {context.get('message')} {context.get('exception')!r}")

    asyncio.get_running_loop().set_exception_handler(handler)


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


async def run_form_cell(
    conn: Connection, fault: str, name: str, widgets: list[QWidget], own: OwnSandbox | None
) -> str:
    """One cell (``own``: the sandbox process to kill, for "killed"); its outcome for the table."""
    sandbox = conn.sandbox
    want = FORM_FAULTS[fault]
    form = FORMS[name]()
    await form.open(conn, widgets, seeded=own is not None)
    typed = form.typed()
    form.before = writes(sandbox)
    beat = Heartbeat()
    sandbox.set_faults(**want.settings(form.operation))
    try:
        if own is not None:
            form.submit()
            await until(lambda: sandbox.stats()["faults_applied"].get("graphql:stall"), 10)
            assert form.busy()
            await beat.keeps_ticking()  # the request is held: the window still answers
            own.kill()
            await until(lambda: not form.busy(), 30)
        else:
            await press_and_wait(form, beat)
    finally:
        if own is None:
            sandbox.reset_faults()
    shown = form.shown()
    if own is not None:
        sandbox = own.restart()  # the fault clears: a new process, with the demo data only
        form.before = {}
    made, records = count(sandbox, form)
    if want.saved:
        assert form.done(), f"a saved write is not shown as saved: {shown!r}"
        assert made == 1 and records in (None, 1), (made, records)
        # Nothing to retry: a dialog closed on saving; a window that stays cannot send again.
        if form.widget.isVisible():
            form.submit()
            await beat.keeps_ticking()
            assert not form.busy() and count(sandbox, form) == (made, records)
        return "PASS shown as saved, sent once"
    assert not form.done(), "a refused write is shown as done"
    assert shown.strip(), "the form shows nothing"
    assert any(w in shown.lower() for w in want.words), f"says not what happened: {shown!r}"
    if own is not None:  # the outcome was not known when the form spoke
        assert not any(c in shown.lower() for c in CLAIMS_FAILURE), f"claims failure: {shown!r}"
    assert form.typed() == typed, "what was typed is gone"
    assert made == 0 and records in (None, 0), (made, records)

    # The fault has cleared; the user signs in again if asked to, and presses the button again.
    if fault in ("401", "killed"):
        await conn.session.sign_in_with_browser(FormBrowser(PRESCRIBER).open, give_up_after=20)
        await beat.keeps_ticking()  # the session's change has reached the form
        assert form.widget.isVisible(), "signing in again closed the form"
    await press_and_wait(form, beat)
    assert form.done(), f"the retry failed: {form.shown()!r}"
    made, records = count(sandbox, form)
    assert made == 1 and records in (None, 1), (made, records)
    beat.stop()
    return f"PASS {said(shown)}; retry saves once"


def said(shown: str) -> str:
    """What the form said, in a few words, for the table."""
    if "could not check whether" in shown:
        return "may be saved: check first"
    return shown.split(":")[0][:32]


@pytest.mark.parametrize("fault", [f for f in FORM_FAULTS if f != "killed"])
@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.usefixtures("windows_may_close")  # a form that saved closes itself
def test_form_cell(
    arun: Run, sandbox: Any, widgets: list[QWidget], escaped: list[str], fault: str, name: str
) -> None:
    async def scenario() -> None:
        loop_catches(escaped)
        async with signed_in(sandbox, "prescriber") as conn:
            try:
                outcome = await run_form_cell(conn, fault, name, widgets, None)
            except AssertionError as failure:
                FORM_RESULTS[(fault, name)] = "FAIL"
                raise AssertionError(f"[{fault} x {name}] {failure}") from None
            FORM_RESULTS[(fault, name)] = outcome

    arun(scenario(), timeout=60)


@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.usefixtures("windows_may_close")
def test_form_cell_sandbox_killed(
    arun: Run, own_sandbox: OwnSandbox, widgets: list[QWidget], escaped: list[str], name: str
) -> None:
    async def scenario() -> None:
        loop_catches(escaped)
        async with signed_in(own_sandbox.info, "prescriber") as conn:
            try:
                outcome = await run_form_cell(conn, "killed", name, widgets, own_sandbox)
            except AssertionError as failure:
                FORM_RESULTS[("killed", name)] = "FAIL"
                raise AssertionError(f"[killed x {name}] {failure}") from None
            FORM_RESULTS[("killed", name)] = outcome

    arun(scenario(), timeout=60)
