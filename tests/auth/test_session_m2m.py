"""M2M sign-in: the documented exchange, caching, single flight, renewal and error messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from auth_fakes import ENV, M2M_ID, M2M_SECRET, Clock, FakeAuth0, MemoryKeyring, emits, m2m_test
from ui_support import until

from photon_desktop import errors
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session, TokenKind

Run = Callable[..., Any]


def make(fake: FakeAuth0, backend: MemoryKeyring | None = None, clock: Clock | None = None):
    store = SecretStore(backend or MemoryKeyring())
    session = Session(
        ENV,
        fake.client(),
        store,
        profile=Profile(m2m_client_id=M2M_ID),
        clock=clock or Clock(1_800_000_000.0),
    )
    return session, store


def test_exchange_is_exactly_as_photon_documents(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)
    with emits(session):
        arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    (request,) = fake.token_requests()
    assert request["body"] == {
        "client_id": M2M_ID,
        "client_secret": M2M_SECRET,
        "audience": ENV.audience,
        "grant_type": "client_credentials",
    }
    assert session.kind is TokenKind.M2M
    assert session.identity == "M2M (backend)"
    assert session.has("write:order") and not session.has("write:prescription")
    assert "prescriber" in session.why_not("write:prescription")
    assert session.why_not("write:order") == ""


def test_fifty_concurrent_callers_cause_one_token_request(arun: Run) -> None:
    fake = FakeAuth0()
    clock = Clock(1_800_000_000.0)
    session, _ = make(fake, clock=clock)

    async def go() -> set[str]:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        clock.now += 86400  # expired
        fake.hold = asyncio.Event()
        callers = [asyncio.ensure_future(session.access_token()) for _ in range(50)]
        await asyncio.sleep(0.05)
        fake.hold.set()
        return set(await asyncio.gather(*callers))

    tokens = arun(go())
    assert len(tokens) == 1
    assert len(fake.token_requests()) == 2  # the sign-in and one renewal


def test_fifty_calls_in_a_row_reuse_the_cached_token(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)

    async def go() -> set[str]:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        return {await session.access_token() for _ in range(50)}

    assert len(arun(go())) == 1
    assert len(fake.token_requests()) == 1


def test_renews_about_a_minute_before_expiry(arun: Run) -> None:
    fake = FakeAuth0()
    clock = Clock(1_800_000_000.0)
    session, _ = make(fake, clock=clock)

    async def go() -> tuple[str, str, str]:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        first = await session.access_token()
        clock.now += 86400 - 120
        second = await session.access_token()
        clock.now += 70  # 50 s left
        third = await session.access_token()
        return first, second, third

    first, second, third = arun(go())
    assert first == second != third
    assert len(fake.token_requests()) == 2


def test_renew_after_401_gets_a_new_token_once(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)

    async def go() -> tuple[str, str, str]:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        old = await session.access_token()
        a, b = await asyncio.gather(session.renew(old), session.renew(old))
        assert a == b
        return old, a, await session.renew(old)  # already replaced: no request

    old, new, again = arun(go())
    assert new != old and again == new
    assert len(fake.token_requests()) == 2


def test_remember_puts_only_the_secret_in_the_keyring(arun: Run) -> None:
    fake = FakeAuth0()
    backend = MemoryKeyring()
    session, _ = make(fake, backend)
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=True))
    assert backend.entries == {
        ("photon-desktop:sandbox", f"m2m-client-secret:{M2M_ID}"): M2M_SECRET
    }

    restored, _ = make(fake, backend)
    arun(restored.restore())
    assert restored.kind is TokenKind.M2M

    arun(restored.sign_out())
    assert backend.entries == {}
    assert restored.kind is TokenKind.NONE
    with pytest.raises(errors.SignInRequired):
        arun(restored.access_token())


def test_a_secret_kept_with_a_line_break_still_connects(arun: Run) -> None:
    """Settings saved a pasted secret as typed before it learnt to trim it: one stored with
    its line break is sent without it (it was refused on every start)."""
    fake = FakeAuth0()
    backend = MemoryKeyring()
    backend.entries[("photon-desktop:sandbox", f"m2m-client-secret:{M2M_ID}")] = M2M_SECRET + "\n"
    restored, _ = make(fake, backend)
    arun(restored.restore())
    assert restored.kind is TokenKind.M2M
    (request,) = fake.token_requests()
    assert request["body"]["client_secret"] == M2M_SECRET


@pytest.mark.parametrize(
    ("setup", "error", "words"),
    [
        (lambda f: None, errors.CredentialsRejected, "client secret"),
        (
            lambda f: setattr(f, "offline", True),
            errors.OfflineError,
            "internet connection",
        ),
        (
            lambda f: (setattr(f, "m2m_status", 429), setattr(f, "retry_after", "30")),
            errors.RateLimited,
            "30 seconds",
        ),
        (
            lambda f: (setattr(f, "m2m_status", 503), setattr(f, "m2m_body", {})),
            errors.ServerError,
            "Try again",
        ),
    ],
    ids=["bad-secret", "offline", "429", "5xx"],
)
def test_errors_say_what_to_do(arun: Run, setup: Any, error: type, words: str) -> None:
    fake = FakeAuth0()
    setup(fake)
    session, _ = make(fake)
    secret = "wrong-secret" if error is errors.CredentialsRejected else M2M_SECRET
    with pytest.raises(error, match=words):
        arun(session.use_m2m(M2M_ID, secret, remember=True))
    assert session.kind is TokenKind.NONE
    if error is errors.RateLimited:
        assert len(fake.token_requests()) == 1


def test_unknown_audience_is_a_configuration_error(arun: Run) -> None:
    fake = FakeAuth0()
    from dataclasses import replace

    env = replace(ENV, audience="https://api.wrong.test")
    with pytest.raises(errors.ConfigurationError, match="audience"):
        arun(m2m_test(fake.client(), env, M2M_ID, M2M_SECRET))


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ProxyError("407 Proxy Authentication Required"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ],
)
def test_transport_failures_are_offline_errors(arun: Run, exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(errors.OfflineError) as caught:
        arun(m2m_test(client, ENV, M2M_ID, M2M_SECRET))
    text = str(caught.value)
    assert "auth.example.test" in text
    assert M2M_SECRET not in text
    if isinstance(exc, httpx.ProxyError):
        assert "proxy" in text.lower()


def test_connection_test_reports_scopes_and_expiry_without_a_session(arun: Run) -> None:
    fake = FakeAuth0()
    info = arun(m2m_test(fake.client(), ENV, M2M_ID, M2M_SECRET))
    assert "write:order" in info.scopes and "write:prescription" not in info.scopes
    assert info.expires_in == 86400


def test_rotated_secret_ends_the_session_on_renewal(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    session, _ = make(fake)

    async def go() -> None:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        old = await session.access_token()
        fake.m2m_status = 401
        with pytest.raises(errors.SignInRequired):
            await session.renew(old)

    arun(go())
    assert session.kind is TokenKind.NONE and session.permissions == frozenset()


def test_no_session_means_sign_in_required(arun: Run) -> None:
    session, _ = make(FakeAuth0())
    with pytest.raises(errors.SignInRequired):
        arun(session.access_token())
    assert session.why_not("read:patient") == "Sign in to see patients."


def test_closing_the_app_cancels_a_renewal_on_its_way_and_keeps_the_sign_in(arun: Run) -> None:
    fake = FakeAuth0()
    clock = Clock(1_800_000_000.0)
    session, _ = make(fake, clock=clock)

    async def go() -> None:
        await session.use_m2m(M2M_ID, M2M_SECRET, remember=False)
        assert session.halt() is None  # nothing on its way
        clock.now += 86400  # expired: the next caller renews
        fake.hold = asyncio.Event()
        caller = asyncio.ensure_future(session.access_token())
        await until(lambda: len(fake.token_requests()) == 2)  # the renewal reached the provider
        renewal = session.halt()
        assert renewal is not None
        await asyncio.wait([renewal], timeout=5)
        assert renewal.cancelled()
        with pytest.raises(errors.SignInRequired):
            await caller
        assert session.halt() is None

    arun(go())
    assert session.kind is TokenKind.M2M  # closing is not signing out
