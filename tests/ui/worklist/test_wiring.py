"""The window's order updates as the composition root wires them: the worklist is the first page
after sign-in when it has rows (a setting) and the user has not gone anywhere meanwhile, a click
on a notification opens its order, and the tray's count follows the worklist, orders and
prescriptions each named."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any

from notify_fakes import RecordingPort
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from test_records_sandbox import connected
from ui_support import next_emission, until
from watch_fakes import FakePhoton, FakeTime, order
from watch_support import fake_time_watch, round_done

from photon_desktop.domain import Order, OrderState
from photon_desktop.ui.common import preferences
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.worklist import wiring


def build(workspace: Any, fake: FakePhoton, widgets: list[QWidget], stack: AsyncExitStack) -> Any:
    time = FakeTime()
    window = MainWindow(workspace)
    window.resize(1100, 700)
    watch = fake_time_watch(workspace, time, fake)
    stack.callback(watch.stop)
    opened: list[str] = []
    port = RecordingPort()
    parts = wiring.install(
        window, watch, opened.append, lambda _rx: None, ports=[port], tray_available=False
    )
    window.show()
    widgets.append(window)
    return window, parts, time, port, opened


def test_worklist_comes_first_and_a_notice_opens_its_order(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget], qtlog: Any
) -> None:
    fake = FakePhoton([order(1, OrderState.ERROR), order(2)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            window, parts, time, port, opened = build(workspace, fake, widgets, stack)
            assert window.current_key == "patients"  # where the app lands; the user is idle
            await until(lambda: window.current_key == "worklist", within=20)
            assert parts.tray.attention_count == parts.worklist.count > 0
            # The tray names what the rows are: one order and the sandbox's expiring prescriptions.
            prescriptions = sum(1 for i in parts.worklist.items if i.prescription is not None)
            assert prescriptions > 1 and parts.worklist.count == prescriptions + 1
            assert parts.tray.attention_action.text() == (
                f"1 order and {prescriptions} prescriptions need attention"
            )

            fake.set(order(2, OrderState.COMPLETED))
            await round_done(parts.watch, time, 30)
            await until(lambda: len(port.shown) == 1)
            with qtlog.disabled():  # offscreen cannot raise a window; a desktop can
                port.clicks[0]()
            assert opened == ["ord_0002"]

    arun(scenario(), timeout=60)


def test_the_setting_keeps_the_landing_page(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    preferences.WORKLIST_FIRST.set(False)
    fake = FakePhoton([order(1, OrderState.ERROR)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            window, parts, *_ = build(workspace, fake, widgets, stack)
            await next_emission(parts.worklist.first_load_done, within=20)
            assert parts.worklist.count > 0 and not window.navigation.moved
            assert window.current_key == "patients"

    arun(scenario(), timeout=60)


class HeldPhoton(FakePhoton):
    """Orders answered only once ``release`` is set: the user acts before the worklist loads."""

    def __init__(self, orders: Sequence[Order]) -> None:
        super().__init__(orders)
        self.release = asyncio.Event()

    async def open_page(
        self, cursors: Mapping[OrderState, str | None], first: int
    ) -> Mapping[OrderState, Sequence[Order]]:
        await self.release.wait()
        return await super().open_page(cursors, first)


def test_a_patient_opened_before_the_worklist_loads_stays_open(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    fake = HeldPhoton([order(1, OrderState.ERROR)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            fake.release = asyncio.Event()  # on this test's loop
            window, parts, *_ = build(workspace, fake, widgets, stack)
            patients = window.patients
            await until(lambda: patients.list.proxy.rowCount() > 2, within=20)
            table = patients.list.table
            index = patients.list.proxy.index(2, 0)
            QTest.mouseClick(
                table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
            )  # the user clicks the third patient
            chosen = patients.list.current()
            assert chosen is not None and window.navigation.moved
            detail = patients.detail
            await until(lambda: detail.patient is not None and detail.patient.id == chosen.id)

            fake.release.set()
            await next_emission(parts.worklist.first_load_done, within=20)
            assert parts.worklist.count > 0  # it would have jumped
            await until(lambda: parts.tray.attention_count == parts.worklist.count)
            assert window.current_key == "patients"
            assert detail.patient is not None and detail.patient.id == chosen.id

    arun(scenario(), timeout=60)


def test_a_page_chosen_in_the_sidebar_before_the_worklist_loads_stays(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    fake = HeldPhoton([order(1, OrderState.ERROR)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            fake.release = asyncio.Event()
            window, parts, *_ = build(workspace, fake, widgets, stack)
            window.land_on("support")  # the app's own choice is not the user's
            assert not window.navigation.moved
            item = window.nav.item(0)  # Patients, by the keyboard in the sidebar
            window.nav.setFocus()
            QTest.keyClick(window.nav, Qt.Key.Key_Home)
            assert window.nav.currentItem() is item and window.navigation.moved

            fake.release.set()
            await next_emission(parts.worklist.first_load_done, within=20)
            assert parts.worklist.count > 0
            assert window.current_key == "patients"

    arun(scenario(), timeout=60)


def test_an_empty_worklist_keeps_the_landing_page(
    arun: Callable[..., Any], fresh_sandbox: Callable[..., Any], widgets: list[QWidget]
) -> None:
    empty = fresh_sandbox(patients=0)  # no prescriptions expiring either
    fake = FakePhoton([order(1, OrderState.COMPLETED)])

    async def scenario() -> None:
        async with connected(empty) as workspace, AsyncExitStack() as stack:
            window, parts, *_ = build(workspace, fake, widgets, stack)
            await next_emission(parts.worklist.first_load_done, within=20)
            assert parts.worklist.count == 0 and not window.navigation.moved
            assert window.current_key == "patients"
            assert "Nothing needs your attention" in parts.worklist.state.label.text()

    arun(scenario(), timeout=60)


def test_a_renewed_token_keeps_the_users_moves_and_a_new_sign_in_forgets_them(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with connected(sandbox) as workspace:
            window = MainWindow(workspace)
            widgets.append(window)
            window.land_on("support")
            assert not window.navigation.moved
            window.show_page("patients")  # the user
            assert window.navigation.moved
            session = workspace.session
            generation = session.generation
            await session.access_token()
            workspace.session_changed.emit()  # what a renewed token tells the views
            assert session.generation == generation and window.navigation.moved

            await session.use_m2m(sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=False)
            assert session.generation != generation
            assert not window.navigation.moved  # a new sign-in: the user has not moved yet

    arun(scenario(), timeout=30)


def test_the_screen_lock_is_watched_after_start_up_and_never_after_the_loop_ended(
    arun: Callable[..., Any], qapp: Any, monkeypatch: Any
) -> None:
    """The D-Bus subscription waits until after start-up; if its moment comes once the event
    loop has ended (the app closing, a test over), it is not attempted (it raised before)."""
    from photon_desktop.ui import order_watch as module
    from photon_desktop.ui.workspace import Workspace

    subscribed: list[bool] = []

    async def watch_screen_lock(_on_change: Any) -> None:
        subscribed.append(True)

    monkeypatch.setattr(module, "watch_screen_lock", watch_screen_lock)
    workspace = Workspace()

    async def during_the_loop() -> None:
        watch = module.OrderWatch(workspace)
        watch.follow_screen_lock(after_ms=50)
        assert subscribed == []  # not at once: start-up does not wait for D-Bus
        await until(lambda: subscribed == [True], within=5)

    arun(during_the_loop())
    late = module.OrderWatch(workspace)
    late.follow_screen_lock(after_ms=0)
    QTest.qWait(50)  # Qt runs the timer with no asyncio loop running: nothing is attempted
    assert subscribed == [True]
