"""While the app connects at start-up, the window already looks connected-to-be: the patient list
says "Connecting to …" over skeleton rows (not "Not connected"), then fills with rows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from auth_fakes import MemoryKeyring
from ui_support import until

from photon_desktop.desktop import Desktop, build_window
from photon_desktop.ui.common.states import State

Run = Callable[..., Any]


def test_the_patient_list_shows_skeleton_rows_while_the_demo_connects(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop(demo_patients=10)
        desktop.start("local")  # the sandbox child starts now, in parallel with the window
        window = build_window(desktop)
        state = window.patients.list.state
        try:
            window.show_page("patients")
            window.show()
            assert state.state is State.MESSAGE and "Not connected" in state.label.text()
            connecting = asyncio.ensure_future(desktop.connect_demo())
            await until(lambda: desktop.workspace.connecting != "", within=5)
            assert state.label.text() == "Connecting to Local sandbox…"
            assert state.state is State.LOADING
            assert state.skeleton.isVisible() and not state.progress.isVisible()
            await connecting
            assert desktop.workspace.connecting == ""
            await until(lambda: window.patients.list.proxy.rowCount() > 0, within=30)
            assert not state.skeleton.isVisible()
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario(), timeout=90)
