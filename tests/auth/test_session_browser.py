"""Browser sign-in end to end inside the process: real loopback socket, fake token endpoint."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from auth_fakes import (
    ENV,
    NATIVE_ID,
    BreaksLaterKeyring,
    Browser,
    Clock,
    FakeAuth0,
    HangingKeyring,
    MemoryKeyring,
    emits,
)

from photon_desktop import errors
from photon_desktop.auth.discovery import built_in
from photon_desktop.auth.pkce import challenge_s256
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session, TokenKind

Run = Callable[..., Any]
RT_KEY = ("photon-desktop:sandbox", f"refresh-token:{NATIVE_ID}")


def make(
    fake: FakeAuth0, backend: MemoryKeyring | None = None, clock: Any = time.time, **profile: Any
) -> tuple[Session, MemoryKeyring]:
    backend = backend or MemoryKeyring()
    session = Session(
        ENV,
        fake.client(),
        SecretStore(backend),
        profile=Profile(native_client_id=NATIVE_ID, **profile),
        clock=clock,
    )
    return session, backend


def test_prescriber_signs_in_and_the_refresh_token_goes_to_the_keyring(
    arun: Run, qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeAuth0()
    session, backend = make(fake)
    browser = Browser(fake)
    links: list[str] = []
    with emits(session):
        arun(session.sign_in_with_browser(browser.open, on_link=links.append))
    assert links == browser.urls
    url = urlsplit(browser.urls[0])
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == built_in(ENV).authorization_endpoint
    assert q["response_type"] == "code" and q["client_id"] == NATIVE_ID
    assert q["scope"] == "openid profile email offline_access"
    assert q["audience"] == ENV.audience and q["code_challenge_method"] == "S256"
    assert q["redirect_uri"].startswith("http://127.0.0.1:") and q["redirect_uri"].endswith(
        "/callback"
    )
    assert "organization" not in q
    (exchange,) = fake.token_requests("authorization_code")
    assert exchange["body"]["redirect_uri"] == q["redirect_uri"]
    assert challenge_s256(exchange["body"]["code_verifier"]) == q["code_challenge"]
    assert browser.statuses == [200]
    assert session.kind is TokenKind.USER
    assert session.identity == "Dr Maya Okafor <prescriber@example.test>"
    assert session.has("write:prescription") and session.why_not("write:prescription") == ""
    assert session.expires_at is not None
    assert list(backend.entries) == [RT_KEY]
    assert backend.entries[RT_KEY] in fake.valid_refresh
    # Everything logged, except the fake browser's own request to the loopback.
    logged = "\n".join(
        r.getMessage() for r in caplog.records if f"GET {q['redirect_uri']}" not in r.getMessage()
    )
    for secret in (exchange["body"]["code"], backend.entries[RT_KEY], q["state"]):
        assert secret not in logged
    port = int(urlsplit(q["redirect_uri"]).port or 0)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/callback")


def test_staff_user_lacks_write_prescription(arun: Run) -> None:
    fake = FakeAuth0(
        user_permissions=[p for p in FakeAuth0().user_permissions if p != "write:prescription"]
    )
    session, _ = make(fake)
    arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.has("write:order")
    assert not session.has("write:prescription")
    assert (
        session.why_not("write:prescription")
        == "Only a signed-in prescriber can write prescriptions."
    )


def test_replayed_callback_causes_no_second_token_request(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)
    browser = Browser(fake)
    browser.replay = True

    async def go() -> None:
        await session.sign_in_with_browser(browser.open)
        await asyncio.gather(*browser.tasks)

    arun(go())
    assert browser.statuses[0] == 200 and browser.statuses[1] in (410, 0)
    assert len(fake.token_requests("authorization_code")) == 1


def test_denied_in_the_browser(arun: Run) -> None:
    fake = FakeAuth0()
    session, backend = make(fake)
    with pytest.raises(errors.SignInError, match="cancelled or refused"):
        arun(session.sign_in_with_browser(Browser(fake, answer="access_denied").open))
    assert session.kind is TokenKind.NONE and backend.entries == {}
    assert fake.token_requests() == []


def test_browser_that_does_not_open_leaves_a_link_and_times_out(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)
    links: list[str] = []
    browser = Browser(fake, opens=False)
    with pytest.raises(errors.SignInError, match="No answer came back"):
        arun(session.sign_in_with_browser(browser.open, on_link=links.append, give_up_after=0.3))
    assert links and links == browser.urls
    port = urlsplit(parse_qs(urlsplit(links[0]).query)["redirect_uri"][0]).port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/callback")
    assert not session.signing_in


def test_copied_link_completes_the_sign_in(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)
    browser = Browser(fake, opens=False)

    def copied(url: str) -> None:
        asyncio.get_running_loop().call_later(
            0.05, lambda: browser.tasks.append(asyncio.ensure_future(browser.come_back(url)))
        )

    arun(session.sign_in_with_browser(browser.open, on_link=copied))
    assert session.kind is TokenKind.USER


def test_two_sign_ins_at_once_are_refused(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)

    async def go() -> None:
        first = asyncio.ensure_future(
            session.sign_in_with_browser(lambda url: True, give_up_after=5)
        )
        await asyncio.sleep(0.05)
        with pytest.raises(errors.SignInError, match="already waiting"):
            await session.sign_in_with_browser(lambda url: True)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first

    arun(go())
    assert not session.signing_in


def test_cancel_during_the_code_exchange_saves_nothing(arun: Run) -> None:
    fake = FakeAuth0()
    fake.hold = asyncio.Event()  # the token endpoint never answers
    session, backend = make(fake)
    browser = Browser(fake)

    async def go() -> None:
        task = asyncio.ensure_future(session.sign_in_with_browser(browser.open))
        while not fake.token_requests():  # noqa: ASYNC110 - polls a plain list the fake fills
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(go())
    assert session.kind is TokenKind.NONE and backend.entries == {}


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"aud": "someone-else"}, "another application"),
        ({"iss": "https://auth.photon.health/"}, "different provider or environment"),
        ({"nonce": "stale"}, "does not belong"),
    ],
    ids=["aud", "iss", "nonce"],
)
def test_id_token_mismatch_is_refused_and_nothing_saved(
    arun: Run, override: dict[str, Any], words: str
) -> None:
    fake = FakeAuth0(id_overrides=override)
    session, backend = make(fake)
    with pytest.raises(errors.SignInError, match=words):
        arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.kind is TokenKind.NONE and backend.entries == {}


def test_id_token_not_signed_by_the_issuer_is_refused(arun: Run) -> None:
    fake = FakeAuth0(forge_id_signature=True)
    session, backend = make(fake)
    with pytest.raises(errors.SignInError, match="not signed by the provider"):
        arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.kind is TokenKind.NONE and backend.entries == {}


def test_organization_is_sent_and_org_id_checked(arun: Run) -> None:
    fake = FakeAuth0(org_id="org_Other")
    session, backend = make(fake, organization_id="org_Mine")
    browser = Browser(fake)
    with pytest.raises(errors.SignInError, match="different organization"):
        arun(session.sign_in_with_browser(browser.open))
    assert parse_qs(urlsplit(browser.urls[0]).query)["organization"] == ["org_Mine"]
    assert backend.entries == {}

    fake.org_id = "org_Mine"
    arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.organization_id == "org_Mine"


@pytest.mark.parametrize(
    ("status", "error"), [(500, errors.ServerError), (403, errors.SignInError)]
)
def test_token_endpoint_failure_during_exchange(arun: Run, status: int, error: type) -> None:
    fake = FakeAuth0(code_status=status)
    session, backend = make(fake)
    with pytest.raises(error):
        arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.kind is TokenKind.NONE and backend.entries == {}


def test_token_endpoint_timeout_during_exchange_is_an_offline_error(arun: Run) -> None:
    fake = FakeAuth0()
    original = fake.handle

    async def slow(request: httpx.Request) -> httpx.Response:
        if b"authorization_code" in request.content:
            raise httpx.ReadTimeout("timed out")
        return await original(request)

    fake.handle = slow  # type: ignore[method-assign]
    session, backend = make(fake)
    with pytest.raises(errors.OfflineError, match="did not answer in time"):
        arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.kind is TokenKind.NONE and backend.entries == {}


def test_missing_native_client_id_is_a_configuration_error(arun: Run) -> None:
    fake = FakeAuth0()
    session = Session(ENV, fake.client(), SecretStore(MemoryKeyring()), profile=Profile())
    with pytest.raises(errors.ConfigurationError, match="desktop \\(native\\) client ID"):
        arun(session.sign_in_with_browser(lambda url: True))


def signed_in(
    arun: Run, fake: FakeAuth0, backend: MemoryKeyring | None = None
) -> tuple[Session, MemoryKeyring]:
    session, backend = make(fake, backend)
    arun(session.sign_in_with_browser(Browser(fake).open))
    return session, backend


def test_next_launch_signs_in_silently_and_rotation_is_persisted_first(arun: Run) -> None:
    fake = FakeAuth0()
    _, backend = signed_in(arun, fake)
    first_rt = backend.entries[RT_KEY]
    relaunched, _ = make(fake, backend)
    arun(relaunched.restore())
    assert relaunched.kind is TokenKind.USER
    assert relaunched.has("write:prescription")
    assert relaunched.identity == "Dr Maya Okafor <prescriber@example.test>"
    assert backend.entries[RT_KEY] != first_rt
    assert backend.entries[RT_KEY] in fake.valid_refresh
    assert first_rt not in fake.valid_refresh


def test_concurrent_refreshes_make_one_request_and_rotate_once(arun: Run) -> None:
    fake = FakeAuth0()
    session, backend = signed_in(arun, fake)

    async def go() -> set[str]:
        old = await session.access_token()
        fake.hold = asyncio.Event()
        calls = [asyncio.ensure_future(session.renew(old)) for _ in range(10)]
        await asyncio.sleep(0.05)
        fake.hold.set()
        return set(await asyncio.gather(*calls))

    assert len(arun(go())) == 1
    assert len(fake.token_requests("refresh_token")) == 1
    assert backend.entries[RT_KEY] in fake.valid_refresh


def test_refresh_with_different_permissions_updates_the_ui(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session, _ = signed_in(arun, fake)
    assert session.has("write:prescription")
    fake.user_permissions = ["read:patient", "read:order"]  # the role changed on the server

    async def go() -> None:
        await session.renew(await session.access_token())

    with emits(session):
        arun(go())
    assert session.kind is TokenKind.USER
    assert session.permissions == frozenset({"read:patient", "read:order"})
    assert not session.has("write:prescription")


def test_long_lived_tokens_do_not_break_the_expiry_timer(arun: Run) -> None:
    fake = FakeAuth0(expires_in=60 * 86400)
    session, _ = signed_in(arun, fake)
    assert session.kind is TokenKind.USER and session.expires_at is not None


def test_reused_refresh_token_means_sign_in_again(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session, backend = signed_in(arun, fake)
    fake.valid_refresh.clear()  # e.g. reuse detection revoked the family

    async def go() -> None:
        old = await session.access_token()
        with pytest.raises(errors.SignInRequired, match="Sign in again"):
            await session.renew(old)

    with emits(session):
        arun(go())
    assert session.kind is TokenKind.NONE
    assert backend.entries == {}
    relaunched, _ = make(fake, backend)
    arun(relaunched.restore())
    assert relaunched.kind is TokenKind.NONE


def test_restore_with_an_invalid_refresh_token_deletes_it(arun: Run) -> None:
    fake = FakeAuth0()
    backend = MemoryKeyring()
    backend.entries[RT_KEY] = "rt-revoked-elsewhere"
    session, _ = make(fake, backend)
    arun(session.restore())
    assert session.kind is TokenKind.NONE and backend.entries == {}
    assert session.notice and "sign in again" in session.notice.lower()


def test_sign_out_revokes_deletes_and_clears(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session, backend = signed_in(arun, fake)
    rt = backend.entries[RT_KEY]
    generation = session.generation
    with emits(session):
        arun(session.sign_out())
    assert fake.revoked == [rt]
    assert backend.entries == {}
    assert session.kind is TokenKind.NONE and session.permissions == frozenset()
    assert session.identity is None and session.generation > generation


def test_sign_out_offline_still_deletes_secrets(arun: Run) -> None:
    fake = FakeAuth0()
    session, backend = signed_in(arun, fake)
    fake.offline = True
    arun(session.sign_out())
    assert backend.entries == {} and session.kind is TokenKind.NONE


def test_in_flight_renewal_of_an_old_session_is_discarded(arun: Run) -> None:
    fake = FakeAuth0()
    session, backend = signed_in(arun, fake)

    async def go() -> None:
        old = await session.access_token()
        fake.hold = asyncio.Event()
        renewal = asyncio.ensure_future(session.renew(old))
        await asyncio.sleep(0.05)
        fake.hold.set()
        await session.sign_out()
        with pytest.raises(errors.SignInRequired):
            await renewal
        with pytest.raises(errors.SignInRequired):
            await session.access_token()

    arun(go())
    assert backend.entries == {}


def test_no_keyring_sign_in_works_for_the_session_with_a_notice(arun: Run) -> None:
    import keyring.backends.fail

    fake = FakeAuth0()
    store = SecretStore(keyring.backends.fail.Keyring())
    session = Session(ENV, fake.client(), store, profile=Profile(native_client_id=NATIVE_ID))
    arun(store.probe())
    arun(session.sign_in_with_browser(Browser(fake).open))
    assert session.kind is TokenKind.USER
    assert session.notice and "sign in again" in session.notice


def test_unknown_permissions_are_kept_and_missing_ones_explained(arun: Run) -> None:
    fake = FakeAuth0(user_permissions=["read:patient", "read:future-thing"])
    session, _ = signed_in(arun, fake)
    assert session.permissions == frozenset({"read:patient", "read:future-thing"})
    assert not session.has("read:order")
    assert "see orders" in session.why_not("read:order")


def test_keyring_breaking_at_run_time_keeps_the_sign_in(arun: Run) -> None:
    fake = FakeAuth0()
    backend = BreaksLaterKeyring()
    clock = Clock()
    session, _ = make(fake, backend, clock=clock)
    arun(session.sign_in_with_browser(Browser(fake).open))
    backend.broken = True  # e.g. the Secret Service went away

    async def go() -> str:
        return await session.renew(await session.access_token())  # rotation must be persisted

    assert arun(go())
    assert session.kind is TokenKind.USER and session.has("write:prescription")
    assert session.notice and "sign in again" in session.notice

    async def once_more() -> str:
        clock.now += fake.expires_in  # the renewed token ran out: renew ahead of a call
        return await session.access_token()

    assert arun(once_more())  # the rotated token lives on in memory for this session
    assert len(fake.token_requests("refresh_token")) == 2


def test_hanging_keyring_at_launch_is_silent_and_bounded(arun: Run) -> None:
    fake = FakeAuth0()
    backend = HangingKeyring()
    session = Session(
        ENV,
        fake.client(),
        SecretStore(backend, timeout=0.3),
        profile=Profile(native_client_id=NATIVE_ID, m2m_client_id="m2mClientId0123456789abcdef"),
    )
    try:
        arun(session.restore(), timeout=5)
    finally:
        backend.release.set()
    assert session.kind is TokenKind.NONE
    assert session.notice and "keyring" in session.notice.lower()
    assert fake.requests == []


class SlowWriteKeyring(MemoryKeyring):
    """Writes take a while once ``slow`` is set (a busy Secret Service)."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = False
        self.writing = threading.Event()
        self.written = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.slow:
            self.writing.set()
            time.sleep(0.3)
        super().set_password(service, username, password)
        if self.slow:
            self.written.set()


def test_sign_out_during_a_rotation_write_leaves_nothing_behind(arun: Run) -> None:
    fake = FakeAuth0()
    backend = SlowWriteKeyring()
    session, _ = make(fake, backend)
    arun(session.sign_in_with_browser(Browser(fake).open))
    backend.slow = True

    async def go() -> None:
        renewal = asyncio.ensure_future(session.renew(await session.access_token()))
        await asyncio.to_thread(backend.writing.wait, 5)  # the rotated token is being written
        await session.sign_out()
        with pytest.raises(errors.SignInRequired):
            await renewal

    arun(go())
    assert backend.written.wait(5)  # the write the sign-out raced with has landed
    assert backend.entries == {}
    assert session.kind is TokenKind.NONE
