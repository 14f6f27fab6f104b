"""Sign-in against any standards-conformant OpenID provider, and never lying about its state.

One layer at a time over ``httpx.MockTransport``: the fake token endpoint (``FakeAuth0``) accepts
form bodies only, as RFC 6749 §4 and RFC 7009 §2.1 require, and can answer with discovery, other
endpoint paths, hostile lifetimes, other token types and refresh failures.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from auth_fakes import (
    ENV,
    M2M_ID,
    M2M_SECRET,
    NATIVE_ID,
    Browser,
    Clock,
    FakeAuth0,
    MemoryKeyring,
    sign_id_token,
)

from photon_desktop import errors
from photon_desktop.auth import token_endpoint
from photon_desktop.auth.discovery import Provider, built_in, discover
from photon_desktop.auth.environments import EnvironmentKind
from photon_desktop.auth.grants import Grants
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore, refresh_token_user, service_name
from photon_desktop.auth.session import Session, TokenKind
from photon_desktop.auth.token_endpoint import ClientAuth, request_token

Run = Callable[..., Any]
CUSTOM_ENV = replace(
    ENV, kind=EnvironmentKind.CUSTOM, name="Custom", issuer="https://auth.example.test"
)
STATED_ISSUER = "https://auth.example.test/"  # how the provider spells itself (trailing "/")


def discovery(**overrides: Any) -> dict[str, Any]:
    """A discovery document whose endpoints are not Auth0's paths."""
    base = STATED_ISSUER
    doc: dict[str, Any] = {
        "issuer": base,
        "authorization_endpoint": base + "auth",
        "token_endpoint": base + "token",
        "revocation_endpoint": base + "revoke",
        "end_session_endpoint": base + "session/end",
        "jwks_uri": base + "keys",
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": True,
    }
    doc.update(overrides)
    return {k: v for k, v in doc.items() if v is not None}


def session_for(
    fake: FakeAuth0, env: Any = ENV, *, clock: Any = time.time, **profile: Any
) -> Session:
    return Session(
        env,
        fake.client(),
        SecretStore(MemoryKeyring()),
        profile=Profile(native_client_id=NATIVE_ID, m2m_client_id=M2M_ID, **profile),
        clock=clock,
    )


def signed_in_user(arun: Run, fake: FakeAuth0, **kwargs: Any) -> tuple[Session, Browser]:
    session = session_for(fake, **kwargs)
    browser = Browser(fake)
    if kwargs.get("env") is CUSTOM_ENV:
        browser.iss = STATED_ISSUER
    arun(session.sign_in_with_browser(browser.open, give_up_after=10))
    return session, browser


# ------------------------------------------------------------------ 1. form-encoded token requests


def test_every_grant_is_form_encoded(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = signed_in_user(arun, fake, clock=(clock := Clock()))
    clock.now += fake.expires_in
    arun(session.access_token())  # refresh
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    grants = [r["body"].get("grant_type") for r in fake.token_requests()]
    assert grants == ["authorization_code", "refresh_token", "client_credentials"]
    assert all(r["form"] for r in fake.requests if r["path"] != "/.well-known/jwks.json")


def test_client_secret_goes_by_basic_when_the_provider_lists_it(arun: Run) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            provider = replace(built_in(ENV), token_auth_methods=("client_secret_basic",))
            await Grants(http, ENV, provider).client_credentials("backend m2m", "p@ss:word")

    arun(go())
    (request,) = seen
    scheme, _, value = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode() == "backend+m2m:p%40ss%3Aword"  # RFC 6749 §2.3.1
    body = parse_qs(request.content.decode())
    assert "client_secret" not in body and body["grant_type"] == ["client_credentials"]


# ------------------------------------------------------------------ 2. revocation


def test_sign_out_revokes_form_encoded_with_the_hint(arun: Run) -> None:
    fake = FakeAuth0()
    session, _ = signed_in_user(arun, fake)
    refresh = session._refresh
    said = arun(session.sign_out())
    (revoke,) = [r for r in fake.requests if r["path"] == "/oauth/revoke"]
    assert revoke["form"]
    assert revoke["body"] == {
        "token": refresh,
        "token_type_hint": "refresh_token",
        "client_id": NATIVE_ID,
    }
    assert "provider confirmed" in said


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda f: setattr(f, "revoke_status", 503), "refused (HTTP 503)"),
        (lambda f: setattr(f, "offline", True), "could not be reached"),
    ],
    ids=["refused", "offline"],
)
def test_a_failed_revocation_is_said_with_until_when(
    arun: Run, setup: Callable[[FakeAuth0], None], reason: str
) -> None:
    fake = FakeAuth0()
    session, _ = signed_in_user(arun, fake)
    setup(fake)
    said = arun(session.sign_out())
    assert reason in said and "may stay valid at the provider until it expires" in said
    assert "stays valid until" in said
    assert not session.signed_in


def test_an_access_token_valid_past_today_is_given_its_date(arun: Run) -> None:
    """Photon's access tokens last a day: "valid until 03:50" read as a time already past."""
    fake = FakeAuth0()
    tomorrow = time.time() + 86_400
    session, _ = signed_in_user(arun, fake, clock=lambda: tomorrow)
    said = arun(session.sign_out())
    assert re.search(r"stays valid until [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d ", said), said


def test_no_revocation_endpoint_is_said_too(arun: Run) -> None:
    fake = FakeAuth0(discovery=discovery(revocation_endpoint=None))
    session, _ = signed_in_user(arun, fake, env=CUSTOM_ENV)
    said = arun(session.sign_out())
    assert "offers no way to revoke" in said and "may stay valid" in said
    assert not [r for r in fake.requests if "revoke" in r["path"]]


# ------------------------------------------------------------------ 3-5. discovery, issuer, iss


def test_custom_environment_uses_discovered_endpoints_and_issuer(arun: Run) -> None:
    fake = FakeAuth0(discovery=discovery())
    session, browser = signed_in_user(arun, fake, env=CUSTOM_ENV)
    assert session.signed_in and session.kind is TokenKind.USER
    url = urlsplit(browser.urls[0])
    assert f"{url.scheme}://{url.netloc}{url.path}" == STATED_ISSUER + "auth"
    paths = [r["path"] for r in fake.requests]
    assert "/token" in paths and "/keys" in paths and "/oauth/token" not in paths


@pytest.mark.parametrize("typed", ["https://auth.example.test", "https://auth.example.test/"])
def test_a_trailing_slash_typed_or_not_finds_the_provider(arun: Run, typed: str) -> None:
    fake = FakeAuth0(discovery=discovery())

    async def go() -> Provider:
        async with fake.client() as http:
            return await discover(http, typed)

    assert arun(go()).issuer == STATED_ISSUER


@pytest.mark.parametrize(
    "stated", ["https://evil.example.test/", "https://auth.example.test/other", None]
)
def test_a_different_discovered_issuer_is_refused(arun: Run, stated: str | None) -> None:
    fake = FakeAuth0(discovery=discovery(issuer=stated))

    async def go() -> Provider:
        async with fake.client() as http:
            return await discover(http, "https://auth.example.test")

    with pytest.raises(errors.ConfigurationError, match="issuer"):
        arun(go())


@pytest.mark.parametrize(
    "endpoint", ["token_endpoint", "authorization_endpoint", "jwks_uri", "revocation_endpoint"]
)
def test_an_unencrypted_endpoint_on_another_computer_is_refused_before_any_secret_goes(
    arun: Run, endpoint: str
) -> None:
    """A provider behind a TLS proxy listing its own http:// addresses: the M2M secret, codes
    and tokens would cross the network in clear, so the app stops at discovery and says why."""
    insecure = {endpoint: f"http://auth.example.test/{endpoint}"}
    fake = FakeAuth0(discovery=discovery(**insecure))
    session = session_for(fake, CUSTOM_ENV)
    with pytest.raises(errors.ConfigurationError, match="unencrypted address") as refused:
        arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    assert endpoint in str(refused.value) and "https" in str(refused.value)
    assert [r["path"] for r in fake.requests] == ["/.well-known/openid-configuration"]


def test_plain_http_to_this_computer_is_a_local_provider(arun: Run) -> None:
    local = "http://127.0.0.1:8400/"
    fake = FakeAuth0(discovery=discovery(token_endpoint=local + "token", jwks_uri=local + "keys"))

    async def go() -> Provider:
        async with fake.client() as http:
            return await discover(http, "https://auth.example.test")

    provider = arun(go())
    assert provider.token_endpoint == local + "token" and provider.jwks_uri == local + "keys"


def test_a_provider_without_s256_is_refused(arun: Run) -> None:
    fake = FakeAuth0(discovery=discovery(code_challenge_methods_supported=["plain"]))
    session = session_for(fake, CUSTOM_ENV)
    with pytest.raises(errors.ConfigurationError, match="S256"):
        arun(session.sign_in_with_browser(Browser(fake).open, give_up_after=5))


@pytest.mark.parametrize(
    ("supported", "iss", "ok"),
    [
        (True, STATED_ISSUER, True),
        (True, None, False),  # the provider says it sends iss: a missing one is a mix-up
        (True, "https://evil.example.test/", False),
        (False, None, True),
        (False, "https://evil.example.test/", False),  # present: always checked
        (False, "https://auth.example.test", False),  # exact comparison
    ],
)
def test_the_callback_iss_is_checked(arun: Run, supported: bool, iss: str | None, ok: bool) -> None:
    fake = FakeAuth0(discovery=discovery(authorization_response_iss_parameter_supported=supported))
    session = session_for(fake, CUSTOM_ENV)
    browser = Browser(fake)
    browser.iss = iss
    if ok:
        arun(session.sign_in_with_browser(browser.open, give_up_after=10))
        assert session.signed_in
        return

    async def go() -> None:
        try:
            await session.sign_in_with_browser(browser.open, give_up_after=10)
        finally:
            await asyncio.gather(*browser.tasks)  # the browser tab got its answer

    with pytest.raises(errors.SignInError, match="did not come from this environment"):
        arun(go())
    assert not session.signed_in and not fake.token_requests()
    assert "did not come from this environment" in browser.pages[0]
    assert "Signed in" not in browser.pages[0]


# ------------------------------------------------------------------ 6. token_type


@pytest.mark.parametrize(
    ("token_type", "ok"),
    [("Bearer", True), ("bearer", True), ("BEARER", True), ("DPoP", False), (None, False)],
)
def test_only_bearer_tokens_are_used(arun: Run, token_type: str | None, ok: bool) -> None:
    fake = FakeAuth0(token_type=token_type)
    session = session_for(fake)
    if ok:
        arun(session.sign_in_with_browser(Browser(fake).open, give_up_after=10))
        assert session.signed_in
        return
    with pytest.raises(errors.ConfigurationError, match="Bearer"):
        arun(session.sign_in_with_browser(Browser(fake).open, give_up_after=10))
    assert not session.signed_in


# ------------------------------------------------------------------ 7. refresh failures


REFRESH_FAILURES: list[tuple[str, int, Any, type[errors.PhotonError], bool]] = [
    ("invalid_grant", 400, {"error": "invalid_grant"}, errors.SignInRequired, True),
    ("invalid_grant 403", 403, {"error": "invalid_grant"}, errors.SignInRequired, True),
    ("invalid_request", 400, {"error": "invalid_request"}, errors.SignInError, False),
    ("invalid_client 401", 401, {"error": "invalid_client"}, errors.ConfigurationError, False),
    (
        "unauthorized_client",
        400,
        {"error": "unauthorized_client"},
        errors.ConfigurationError,
        False,
    ),
    ("403 HTML", 403, b"<html>Forbidden by WAF</html>", errors.ServerError, False),
    ("500", 500, {"error": "server_error"}, errors.ServerError, False),
    ("502 HTML", 502, b"<html>Bad gateway</html>", errors.ServerError, False),
    ("429", 429, {"error": "too_many"}, errors.RateLimited, False),
]


@pytest.mark.parametrize(
    ("status", "answer", "raised", "ends"),
    [f[1:] for f in REFRESH_FAILURES],
    ids=[f[0] for f in REFRESH_FAILURES],
)
def test_only_invalid_grant_ends_the_sign_in(
    arun: Run, status: int, answer: Any, raised: type[errors.PhotonError], ends: bool
) -> None:
    clock = Clock()
    fake = FakeAuth0()
    session, _ = signed_in_user(arun, fake, clock=clock)
    store_key = (service_name(ENV.key), refresh_token_user(NATIVE_ID))
    keyring = session._store.backend
    assert isinstance(keyring, MemoryKeyring) and store_key in keyring.entries
    fake.refresh_answer = (status, answer)
    clock.now += fake.expires_in
    with pytest.raises(raised) as caught:
        arun(session.access_token())
    assert "wrong client secret" not in str(caught.value).lower()
    assert session.signed_in is not ends
    assert (store_key in keyring.entries) is not ends
    if ends:
        assert session.notice and "Sign in again" in session.notice
    else:  # kept, and the user is told why it is stale; the next success clears that
        assert session.notice and session.notice.startswith("Could not renew your sign-in")
        fake.refresh_answer = None
        assert arun(session.access_token())
        assert session.notice is None


def test_a_403_html_page_on_m2m_is_not_called_a_wrong_secret(arun: Run) -> None:
    fake = FakeAuth0(m2m_status=403)

    async def go() -> None:
        def answer(_: httpx.Request) -> httpx.Response:
            return httpx.Response(403, content=b"<html>Access denied</html>")

        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            await Grants(http, ENV, built_in(ENV)).client_credentials(M2M_ID, M2M_SECRET)

    with pytest.raises(errors.PhotonError) as caught:
        arun(go())
    assert not isinstance(caught.value, errors.CredentialsRejected)
    assert "HTTP 403" in str(caught.value) and "secret" not in str(caught.value)
    del fake


# ------------------------------------------------------------------ 8. lifetimes


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (1e12, token_endpoint.MAX_LIFETIME),
        (-5, token_endpoint.DEFAULT_LIFETIME),
        ("3600", 3600.0),
        ("soon", token_endpoint.DEFAULT_LIFETIME),
        (None, token_endpoint.DEFAULT_LIFETIME),
        (0.2, token_endpoint.MIN_LIFETIME),
    ],
)
def test_hostile_lifetimes_are_clamped_and_the_session_stays_whole(
    arun: Run, expires_in: Any, lifetime: float
) -> None:
    fake = FakeAuth0(expires_in=expires_in)
    session = session_for(fake)
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    assert session.kind is TokenKind.M2M and session.expires_at is not None
    assert session._tokens is not None and session._tokens.lifetime == lifetime
    assert arun(session.access_token())


def test_a_failed_exchange_leaves_the_previous_sign_in_untouched(arun: Run) -> None:
    fake = FakeAuth0()
    session = session_for(fake)
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    before = (session.kind, session.permissions, session.expires_at, session.generation)
    fake.token_type = None  # noqa: the next answer is unusable
    fake.m2m_body = {"access_token": "x", "token_type": "DPoP"}
    fake.m2m_status = 200
    with pytest.raises(errors.PhotonError):
        arun(session.use_m2m(M2M_ID, "wrong", remember=False))
    assert (session.kind, session.permissions, session.expires_at, session.generation) == before


# ------------------------------------------------------------------ 9. deadline


def test_a_trickling_answer_ends_at_the_deadline(
    arun: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"access_token": "at", '
        await asyncio.sleep(3600)  # a byte now and then, forever
        yield b"}"

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            await request_token(
                http, "https://auth.example.test/token", {"grant_type": "x"},
                ClientAuth("c"), deadline=0.2,
            )  # fmt: skip

    with pytest.raises(errors.OfflineError, match="did not finish answering"):
        arun(go(), timeout=10)


# ------------------------------------------------------------------ 10. the ID token


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "nonce"])
def test_an_id_token_without_a_required_claim_is_refused(arun: Run, missing: str) -> None:
    fake = FakeAuth0()
    original = fake.user_tokens

    def without(nonce: str | None, *, with_refresh: bool = True) -> dict[str, Any]:
        body = original(nonce, with_refresh=with_refresh)
        claims = {
            "iss": ENV.issuer, "aud": NATIVE_ID, "sub": "auth0|x", "exp": int(time.time()) + 600,
            "iat": int(time.time()), "nonce": nonce,
        }  # fmt: skip
        del claims[missing]
        body["id_token"] = sign_id_token(claims)
        return body

    fake.user_tokens = without  # type: ignore[method-assign]
    session = session_for(fake)
    with pytest.raises(errors.SignInError):
        arun(session.sign_in_with_browser(Browser(fake).open, give_up_after=10))
    assert not session.signed_in


# ------------------------------------------------------------------ 11. offline_access, consent


def test_a_refresh_token_is_asked_for_with_consent(arun: Run) -> None:
    fake = FakeAuth0()
    _, browser = signed_in_user(arun, fake)
    q = {k: v[0] for k, v in parse_qs(urlsplit(browser.urls[0]).query).items()}
    assert "offline_access" in q["scope"].split() and q["prompt"] == "consent"


def test_without_a_refresh_token_the_sign_in_ends_at_expiry(arun: Run) -> None:
    clock = Clock()
    fake = FakeAuth0()
    original = fake.user_tokens
    fake.user_tokens = lambda nonce, with_refresh=True: original(nonce, with_refresh=False)  # type: ignore[method-assign]
    session, _ = signed_in_user(arun, fake, clock=clock)
    assert session.signed_in
    clock.now += fake.expires_in + 1
    with pytest.raises(errors.SignInRequired):
        arun(session.access_token())
    assert not session.signed_in and session.kind is TokenKind.NONE
    assert session.notice and "no way to renew" in session.notice
    assert not fake.token_requests("refresh_token")


# ------------------------------------------------------------------ 12. API, permissions


def test_scopes_audience_and_resource_are_sent_as_configured(arun: Run) -> None:
    env = replace(
        ENV, api_scopes=("read:patient", "write:order"), resource="https://api.example.test/"
    )
    fake = FakeAuth0()
    session = session_for(fake, env)
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))
    (m2m,) = fake.token_requests("client_credentials")
    assert m2m["body"]["scope"] == "read:patient write:order"
    assert m2m["body"]["audience"] == ENV.audience
    assert m2m["body"]["resource"] == "https://api.example.test/"
    browser = Browser(fake)
    arun(session.sign_in_with_browser(browser.open, give_up_after=10))
    q = {k: v[0] for k, v in parse_qs(urlsplit(browser.urls[0]).query).items()}
    assert q["scope"].split()[-2:] == ["read:patient", "write:order"]
    assert q["resource"] == "https://api.example.test/" and q["audience"] == ENV.audience


@pytest.mark.parametrize(
    ("claims", "response_scope", "expected"),
    [
        ({"permissions": ["read:patient"], "scope": "read:order"}, "write:order", {"read:patient"}),
        ({"scope": "openid read:order"}, "write:order", {"read:order"}),
        ({}, "openid email write:order", {"write:order"}),
        ({}, None, None),
    ],
    ids=["permissions claim", "scope claim", "response scope", "nothing"],
)
def test_permissions_come_from_the_first_source_that_says(
    arun: Run, claims: dict[str, Any], response_scope: str | None, expected: set[str] | None
) -> None:
    from auth_fakes import make_jwt

    body: dict[str, Any] = {
        "access_token": make_jwt(claims or {"sub": "x"}),
        "token_type": "Bearer",
    }
    if response_scope is not None:
        body["scope"] = response_scope

    async def go() -> Any:
        transport = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
        async with httpx.AsyncClient(transport=transport) as http:
            return await Grants(http, ENV, built_in(ENV)).client_credentials(M2M_ID, M2M_SECRET)

    tokens = arun(go())
    if expected is None:
        assert not tokens.permissions_known and tokens.permissions == frozenset()
    else:
        assert tokens.permissions_known and tokens.permissions == frozenset(expected)


def test_unreadable_permissions_let_the_api_decide(arun: Run) -> None:
    fake = FakeAuth0()
    fake.user_permissions = []
    session = session_for(fake)
    fake.user_claims = {"permissions": None, "scope": None}
    original = fake.user_tokens

    def no_scope(nonce: str | None, *, with_refresh: bool = True) -> dict[str, Any]:
        body = original(nonce, with_refresh=with_refresh)
        del body["scope"]
        return body

    fake.user_tokens = no_scope  # type: ignore[method-assign]
    arun(session.sign_in_with_browser(Browser(fake).open, give_up_after=10))
    assert session.signed_in and not session.permissions_known
    assert session.has("write:prescription") and session.why_not("read:order") == ""


# ------------------------------------------------------------------ 15. short lifetimes


@pytest.mark.parametrize("lifetime", [60, 30, 5])
def test_a_short_lifetime_does_not_refresh_on_every_call(arun: Run, lifetime: int) -> None:
    fake = FakeAuth0(expires_in=lifetime)
    session = session_for(fake, clock=Clock())
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))

    async def ten_reads() -> None:
        for _ in range(10):
            await session.access_token()

    arun(ten_reads())
    assert len(fake.token_requests("client_credentials")) == 1


# ------------------------------------------------------------------ 16. a persistent 401


def test_the_api_refusing_a_renewed_token_ends_the_sign_in(arun: Run) -> None:
    fake = FakeAuth0()
    session = session_for(fake)
    arun(session.use_m2m(M2M_ID, M2M_SECRET, remember=False))

    async def refused_twice() -> None:
        first = await session.access_token()
        renewed = await session.renew(first)  # the API said 401 to the first token
        assert renewed != first and session.signed_in
        session.api_refused()  # ... and 401 again to the renewed one

    arun(refused_twice())
    assert not session.signed_in and session.kind is TokenKind.NONE
    assert session.notice and "Sign in again" in session.notice
    with pytest.raises(errors.SignInRequired):
        arun(session.access_token())


def test_a_client_registered_for_the_other_secret_method_still_connects(arun: Run) -> None:
    """Discovery lists both methods; this client was registered for Basic only."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        basic = request.headers.get("authorization", "").startswith("Basic ")
        seen.append("basic" if basic else "post")
        if not basic:
            return httpx.Response(401, json={"error": "invalid_client"})
        return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})

    provider = replace(
        built_in(ENV), token_auth_methods=("client_secret_post", "client_secret_basic")
    )

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            grants = Grants(http, ENV, provider)
            await grants.client_credentials(M2M_ID, M2M_SECRET)
            await grants.client_credentials(M2M_ID, M2M_SECRET)  # renewal: what worked first

    arun(go())
    assert seen == ["post", "basic", "basic"]
