"""Every fault the sandbox injects x every operation, through the real services over HTTP.

Each cell: set the fault (it stands until cleared), run the operation as the app does, then
check what a user would notice — only a ``PhotonError`` escapes, its message says what happened
(and for a write that took effect never that it failed), how many records carry the
submission's externalId (never two) — then clear the fault and run the same operation again: it
succeeds, without a second record. The table of outcomes is printed at the end of the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from cells import (
    KIND,
    PRESCRIBER,
    Cell,
    Outcome,
    judge,
    perform,
    records,
    recover,
    setup,
    took_effect,
)
from fault_matrix import FAULTS, OPERATIONS, RESULTS, expected, impossible
from qasync_helpers import run_on_qasync
from test_sandbox_services import Sleeps

from photon_desktop.api.client import create_http_client
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.errors import SignInRequired
from photon_desktop.services import Services


class SignedIn:
    """The prescriber's session: renewal signs in again (as a refresh would), off the loop.

    Every cell starts from the run's first sign-in (``signed_in``, one per sandbox): a fault
    only refuses tokens, so the first stays valid, and signing in 144 times costs seconds."""

    signed_in: ClassVar[dict[int, str]] = {}

    def __init__(self, sandbox: Any) -> None:
        self._sandbox = sandbox
        self._token: str | None = self.signed_in.get(id(sandbox))
        self.generation = 1
        self.renewals = 0

    async def access_token(self) -> str:
        if self._token is None:
            self._token = await asyncio.to_thread(self._sandbox.user_token, PRESCRIBER)
            self.signed_in[id(self._sandbox)] = self._token
        return self._token

    async def renew(self, rejected: str) -> str:
        if self._token == rejected:
            self.renewals += 1
            answer = await asyncio.to_thread(self._sandbox.sign_in, PRESCRIBER)
            if answer["access_token"] == rejected:
                raise SignInRequired("Your sign-in has ended. Please sign in again.")
            self._token = answer["access_token"]
        return await self.access_token()


@pytest.fixture
def run_cell(sandbox: Any, qapp: Any) -> Callable[[str, str], Outcome]:
    def runner(fault: str, operation: str) -> Outcome:
        waits = Sleeps()  # retry waits recorded, not slept
        kind = KIND.get(operation, "patients")

        async def main() -> Outcome:
            async with create_http_client() as http:
                session = SignedIn(sandbox)
                s = Services(http, sandbox.graphql_url, session, retry=RetryPolicy(sleep=waits))
                cell = Cell(s)
                await setup(operation, cell)
                sandbox.set_faults(**FAULTS[fault].settings)
                error: BaseException | None = None
                result = None
                try:
                    result = await perform(operation, cell)
                except Exception as exc:  # anything: the cell checks it is a PhotonError
                    error = exc
                finally:
                    sandbox.reset_faults()
                tried, renewals = list(waits.delays), session.renewals
                effect = await took_effect(operation, cell)
                counted = records(sandbox, cell.external_id, kind)
                recovered = await recover(operation, cell)
                after = records(sandbox, cell.external_id, kind)
                return Outcome(error, result, effect, counted, recovered, after, tried, renewals)

        return run_on_qasync(qapp, main(), timeout=60)

    return runner


#: Cells that cannot exist (a read commits nothing) are not tests: the table names them instead.
CELLS = [
    (f, o)
    for f, fault in FAULTS.items()
    if fault.source == "sandbox"
    for o in OPERATIONS
    if not impossible(f, o)
]
RESULTS.update({(f, o): why for f in FAULTS for o in OPERATIONS if (why := impossible(f, o))})


@pytest.mark.parametrize(("fault", "operation"), CELLS)
def test_cell(sandbox: Any, run_cell: Any, fault: str, operation: str) -> None:
    judge(fault, operation, expected(fault, operation), run_cell(fault, operation))
