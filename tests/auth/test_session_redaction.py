"""What a session learns (client secret, access token) is masked in every later log line,
even where the line carries it bare, with no key name next to it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from auth_fakes import ENV, M2M_ID, M2M_SECRET, FakeAuth0, MemoryKeyring

from photon_desktop import redact
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session

Run = Callable[..., Any]


def test_secrets_a_session_holds_are_masked_in_logs(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session = Session(
        ENV, fake.client(), SecretStore(MemoryKeyring()), profile=Profile(m2m_client_id=M2M_ID)
    )

    async def scenario() -> str:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        return await session.access_token()

    token = arun(scenario())
    handler = logging.StreamHandler()
    redactor = redact.install([handler])
    args = (M2M_SECRET, token)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "seen %s then %s", args, None)
    assert redactor.filter(record)
    shown = record.getMessage()
    assert M2M_SECRET not in shown and token not in shown
    assert shown.startswith("seen ")
