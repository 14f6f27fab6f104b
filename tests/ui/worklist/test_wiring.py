"""The window's order updates as the composition root wires them: the worklist is the first page
after sign-in when it has rows (a setting), a click on a notification opens its order, and the
tray's count follows the worklist."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from notify_fakes import RecordingPort
from PySide6.QtWidgets import QWidget
from test_records_sandbox import connected
from ui_support import until
from watch_fakes import FakePhoton, FakeTime, order
from watch_support import fake_time_watch, round_done

from photon_desktop.domain import OrderState
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
            window.show_page("patients")
            await until(lambda: window.current_key == "worklist", within=20)
            assert parts.tray.attention_count == parts.worklist.count > 0

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
            window.show_page("patients")
            await until(lambda: parts.worklist._announced, within=20)
            assert parts.worklist.count > 0
            assert window.current_key == "patients"

    arun(scenario(), timeout=60)
