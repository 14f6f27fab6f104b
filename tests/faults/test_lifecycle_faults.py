"""The faults from outside Photon's answers, x every operation: the keyring under a signed-in
session, and the sandbox's own process (killed mid-request, restarted on its port).

These cells use the real ``Session`` (a browser sign-in through the sandbox's ``/authorize``,
refresh-token rotation, the ``SecretStore``) and real processes, and make the same checks as
every other cell (``cells.check``), plus what each fault adds: a keyring that fails keeps the
sign-in working from memory and says so; a sandbox that went away is never answered from a stale
token, the user is asked to sign in, and nothing is saved twice on the new one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from auth_fakes import MemoryKeyring
from cells import (
    KEYRING_TIMEOUT_S,
    KIND,
    PRESCRIBER,
    Cell,
    FailingKeyring,
    Outcome,
    OwnSandbox,
    judge,
    perform,
    records,
    recover,
    setup,
    took_effect,
)
from fault_matrix import FAULTS, OPERATIONS, expected
from qasync_helpers import run_on_qasync
from test_sandbox_services import Sleeps
from ui_support import FormBrowser, sandbox_environment

from photon_desktop.api.client import create_http_client
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.errors import NotFound, SignInRequired
from photon_desktop.services import Services
from photon_desktop.ui.status import StatusBar
from photon_desktop.ui.workspace import Workspace


class Counted:
    """The session as the API layer sees it, counting the renewals a fault causes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.renewals = 0

    @property
    def generation(self) -> int:
        return self.session.generation

    async def access_token(self) -> str:
        return await self.session.access_token()

    async def renew(self, rejected: str) -> str:
        self.renewals += 1
        return await self.session.renew(rejected)


async def sign_in(session: Session) -> None:
    """The prescriber signs in through the sandbox's /authorize page."""
    await session.sign_in_with_browser(FormBrowser(PRESCRIBER).open, give_up_after=20)


def new_session(
    info: Any, http: Any, store: SecretStore, clock: Callable[[], float] = time.time
) -> Session:
    profile = Profile(native_client_id=info.native_client_id)
    return Session(sandbox_environment(info), http, store, profile=profile, clock=clock)


async def stalled(info: Any) -> None:
    """Until the sandbox holds the operation's request (its ``stall`` fault has begun)."""
    while not info.stats()["faults_applied"].get("graphql:stall"):  # noqa: ASYNC110
        await asyncio.sleep(0.005)


async def attempt(operation: str, cell: Cell) -> tuple[BaseException | None, Any]:
    try:
        return None, await perform(operation, cell)
    except Exception as exc:  # anything: the cell checks it is a PhotonError
        return exc, None


# ------------------------------------------------------------------ the keyring


def keyring_cell(qapp: Any, sandbox: Any, fault: str, operation: str) -> Outcome:
    waits = Sleeps()
    kind = KIND.get(operation, "patients")

    async def main() -> Outcome:
        async with create_http_client() as http:
            backend = FailingKeyring()
            later = [0.0]  # the session's clock runs this far ahead
            session = new_session(
                sandbox,
                http,
                SecretStore(backend, timeout=KEYRING_TIMEOUT_S),
                clock=lambda: time.time() + later[0],
            )
            await sign_in(session)
            stored = dict(backend.entries)
            assert list(stored) and session.notice is None  # the refresh token is in the keyring
            tokens = Counted(session)
            s = Services(http, sandbox.graphql_url, tokens, retry=RetryPolicy(sleep=waits))
            cell = Cell(s)
            await setup(operation, cell)
            # The keyring fails, then the access token is refused: the renewal rotates the
            # refresh token, and the new one cannot be saved.
            backend.state = "locked" if fault == "keyring locked" else "hangs"
            sandbox.fail_next({"kind": "expired_token"})
            try:
                error, result = await attempt(operation, cell)
            finally:
                backend.release.set()
                backend.state = "open"
                sandbox.reset_faults()
            assert backend.failed >= 1, "the keyring was never asked"
            assert backend.entries == stored, "a refused write changed the keyring"
            assert session.signed_in and session.has_refresh_token
            notice = (session.notice or "").lower()
            assert "keyring" in notice and "this session" in notice, session.notice
            assert ("locked" if fault == "keyring locked" else "did not answer") in notice, notice
            tried, renewals = list(waits.delays), tokens.renewals
            effect = await took_effect(operation, cell)
            counted = records(sandbox, cell.external_id, kind)
            # A day later the access token is due: it is renewed from the refresh token kept in
            # memory, and the operation works again.
            token = session.current_access_token()
            later[0] = 86400.0
            recovered = await recover(operation, cell)
            assert session.signed_in and session.current_access_token() != token
            after = records(sandbox, cell.external_id, kind)
            return Outcome(error, result, effect, counted, recovered, after, tried, renewals)

    return run_on_qasync(qapp, main(), timeout=60)


# ------------------------------------------------------------------ the sandbox's process


def process_cell(qapp: Any, own: OwnSandbox, fault: str, operation: str) -> Outcome:
    waits = Sleeps()
    kind = KIND.get(operation, "patients")

    async def main() -> Outcome:
        async with create_http_client() as http:
            session = new_session(own.info, http, SecretStore(MemoryKeyring()))
            await sign_in(session)
            tokens = Counted(session)
            s = Services(http, own.info.graphql_url, tokens, retry=RetryPolicy(sleep=waits))
            cell = Cell(s)
            await setup(operation, cell)
            if fault == "killed":
                own.info.fail_next(*FAULTS[fault].settings["fail_next"])
                running = asyncio.ensure_future(attempt(operation, cell))
                await stalled(own.info)
                own.kill()
                error, result = await running
                own.restart()
                # The user tries again on the restarted sandbox: its old token is refused and
                # cannot be renewed there, so the app asks to sign in (never a crash or a
                # report about the write).
                again, _ = await attempt(operation, cell)
                assert isinstance(again, SignInRequired), repr(again)
            else:
                own.restart()
                error, result = await attempt(operation, cell)
            assert not session.signed_in, "a session survived its provider's restart"
            assert session.notice and "sign in again" in session.notice.lower(), session.notice
            tried, renewals = list(waits.delays), tokens.renewals
            if fault == "killed":
                renewals -= 1  # the renewal of the try after the restart, checked above
            await sign_in(session)
            counted = records(own.info, cell.external_id, kind)
            try:
                effect = await took_effect(operation, cell)
            except NotFound:  # the records it changed went with the old process
                effect = False
            # The form still holds its submission: made again where needed, it is sent once.
            cell.ids.clear()
            await setup(operation, cell, cell.external_id)
            recovered = await recover(operation, cell)
            after = records(own.info, cell.external_id, kind)
            return Outcome(error, result, effect, counted, recovered, after, tried, renewals)

    return run_on_qasync(qapp, main(), timeout=60)


# ------------------------------------------------------------------ the cells

KEYRING_CELLS = [(f, o) for f in ("keyring locked", "keyring hangs") for o in OPERATIONS]
PROCESS_CELLS = [(f, o) for f in ("killed", "restarted") for o in OPERATIONS]


@pytest.mark.parametrize(("fault", "operation"), KEYRING_CELLS)
def test_keyring_cell(qapp: Any, sandbox: Any, fault: str, operation: str) -> None:
    got = keyring_cell(qapp, sandbox, fault, operation)
    judge(fault, operation, expected(fault, operation), got)


@pytest.mark.parametrize(("fault", "operation"), PROCESS_CELLS)
def test_process_cell(qapp: Any, own_sandbox: OwnSandbox, fault: str, operation: str) -> None:
    got = process_cell(qapp, own_sandbox, fault, operation)
    judge(fault, operation, expected(fault, operation), got)


def test_an_m2m_session_on_a_restarted_sandbox_asks_for_its_new_secret(
    qapp: Any, own_sandbox: OwnSandbox
) -> None:
    """The restarted sandbox issued a new M2M secret, so renewing with the old one is refused:
    the session ends and says which credentials to enter again; nothing is read from the old
    token, and the new secret works at once."""

    async def main() -> None:
        async with create_http_client() as http:
            old = own_sandbox.info
            session = new_session(old, http, SecretStore(MemoryKeyring()))
            await session.use_m2m(old.m2m_client_id, old.m2m_client_secret, remember=False)
            s = Services(http, old.graphql_url, session, retry=RetryPolicy(sleep=Sleeps()))
            assert (await s.patients.search(first=1)).items
            new = own_sandbox.restart()
            with pytest.raises(SignInRequired) as ended:
                await s.patients.search(first=1)
            assert "client secret" in str(ended.value) and not session.signed_in
            await session.use_m2m(new.m2m_client_id, new.m2m_client_secret, remember=False)
            assert (await s.patients.search(first=1)).items

    run_on_qasync(qapp, main(), timeout=60)


def test_the_status_bar_says_the_keyring_stopped_and_the_user_stays_signed_in(
    qapp: Any, sandbox: Any
) -> None:
    """The keyring cells' notice, where a signed-in user reads it: the status bar."""

    async def main() -> None:
        async with create_http_client() as http:
            backend = FailingKeyring()
            session = new_session(sandbox, http, SecretStore(backend, timeout=KEYRING_TIMEOUT_S))
            await sign_in(session)
            services = Services(http, sandbox.graphql_url, session)
            workspace = Workspace()
            workspace.set(sandbox_environment(sandbox), session, services)
            bar = StatusBar(workspace)
            assert not bar.notice.isVisibleTo(bar)
            backend.state = "locked"
            sandbox.fail_next({"kind": "expired_token"})
            try:
                assert (await services.patients.search(first=1)).items
            finally:
                backend.state = "open"
            assert session.signed_in and bar.identity.text() == session.identity
            assert bar.notice.isVisibleTo(bar)
            assert bar.notice.text() == (
                "⚠ The keyring stopped working during this session (it is locked)."
            )
            assert "You stay signed in" in bar.notice.toolTip()
            bar.deleteLater()

    run_on_qasync(qapp, main(), timeout=30)
