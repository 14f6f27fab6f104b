"""What every cell driven through the app's widgets shares: a signed-in workspace whose keyring
can fail and whose retry waits are recorded (never slept), a heartbeat that shows the event loop
turning, the loop's unhandled exceptions caught, and signing in again after a fault ended the
session.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from cells import KEYRING_TIMEOUT_S, PRESCRIBER, FailingKeyring
from fault_matrix import FAULTS, UI_RESULTS
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget
from test_sandbox_services import Sleeps
from ui_support import Connection, FormBrowser, until

from photon_desktop.api.retry import RetryPolicy
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.ui.workspace import Workspace

#: The faults that come from the keyring under the session (``FAULTS[...].source``).
KEYRING_STATE = {"keyring locked": "locked", "keyring hangs": "hangs"}
#: The faults of the sandbox's own process: the cells need a process of their own.
PROCESS = [f for f, fault in FAULTS.items() if fault.source == "process"]
#: The faults that end the sign-in: the user signs in again before trying again.
SIGNS_OUT = ("401", "killed", "restarted")


def applied(sandbox: Any) -> int:
    """How many faults the sandbox has applied so far (latency included)."""
    return sum(sandbox.stats()["faults_applied"].values())


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
    """Exceptions the event loop had nobody to hand to go to ``caught`` (``escaped``)."""

    def handler(_loop: Any, context: dict[str, Any]) -> None:
        caught.append(f"loop: {context.get('message')} {context.get('exception')!r}")

    asyncio.get_running_loop().set_exception_handler(handler)


class Screen:
    """A workspace signed in as the prescriber, as the cells' widgets use it."""

    def __init__(self, conn: Connection, keyring: FailingKeyring, waits: Sleeps) -> None:
        self.conn = conn
        self.keyring = keyring
        self.waits = waits  # the reads' retry waits, recorded

    def keyring_fails(self, fault: str) -> None:
        """The keyring locks or stops answering under the signed-in session."""
        self.keyring.state = KEYRING_STATE[fault]

    def keyring_works(self) -> None:
        self.keyring.release.set()
        self.keyring.state = "open"

    async def sign_in_again(self) -> None:
        """The user signs in again through the sandbox's /authorize page."""
        await self.conn.session.sign_in_with_browser(FormBrowser(PRESCRIBER).open, give_up_after=20)


@asynccontextmanager
async def signed_in(sandbox: Any) -> AsyncIterator[Screen]:
    """The prescriber signed in through /authorize; secrets in a keyring that can be made to
    fail; read retries waiting as told, recorded rather than slept."""
    keyring, waits = FailingKeyring(), Sleeps()
    store = SecretStore(keyring, timeout=KEYRING_TIMEOUT_S)
    conn = Connection(sandbox, Workspace(), store, retry=RetryPolicy(sleep=waits))
    try:
        await conn.as_user("prescriber")
        yield Screen(conn, keyring, waits)
    finally:
        keyring.release.set()
        await conn.aclose()


Runner = Callable[[Screen, str, str, list[QWidget], Any], Awaitable[str]]


async def ui_cell(
    run: Runner, info: Any, fault: str, operation: str, widgets: list[QWidget], escaped: list[str]
) -> None:
    """``run(screen, fault, operation, widgets, own)`` signed in on the sandbox ``info`` (a
    process of the cells' own for the process faults); its outcome noted for the UI table."""
    loop_catches(escaped)
    own = info if FAULTS[fault].source == "process" else None
    async with signed_in(own.info if own is not None else info) as screen:
        try:
            outcome = await run(screen, fault, operation, widgets, own)
        except AssertionError as failure:
            UI_RESULTS[(fault, operation)] = "FAIL"
            raise AssertionError(f"[{fault} x {operation}] {failure}") from None
        UI_RESULTS[(fault, operation)] = outcome
