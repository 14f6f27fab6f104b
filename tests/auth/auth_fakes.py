"""An Auth0-like token endpoint behind ``httpx.MockTransport``, a scripted browser, keyrings."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import keyring
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from photon_desktop.auth.environments import Environment, EnvironmentKind
from photon_desktop.auth.pkce import challenge_s256

ENV = Environment(
    kind=EnvironmentKind.SANDBOX,
    name="Photon Sandbox",
    issuer="https://auth.example.test/",
    audience="https://api.example.test",
    graphql_url="https://api.example.test/graphql",
)
M2M_ID = "m2mClientId0123456789abcdef"
M2M_SECRET = "m2m-client-secret-value-0001"
NATIVE_ID = "nativeClientId0123456789abcd"
ALL = (
    "read:patient write:patient read:prescription write:prescription read:order write:order"
).split()


_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_FORGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "fake-auth0-key-1"


def make_jwt(claims: dict[str, Any]) -> str:
    """An access token: the app reads its claims but (rightly) leaves checking it to the API."""
    return jwt.encode(claims, "not-checked-by-the-app-0123456789abcdef", algorithm="HS256")


def sign_id_token(claims: dict[str, Any], *, forged: bool = False) -> str:
    key = _FORGER_KEY if forged else _SIGNING_KEY
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def jwks() -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(_SIGNING_KEY.public_key(), as_dict=True)
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


class Clock:
    """A session clock the test moves by hand (``clock.now += 3600``)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeAuth0:
    """Records every request; behaviour switches are plain attributes."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    m2m_status: int = 200
    m2m_body: dict[str, Any] | None = None
    retry_after: str | None = None
    expires_in: int = 86400
    user_permissions: list[str] = field(default_factory=lambda: list(ALL))
    user_email: str = "prescriber@example.test"
    user_name: str = "Dr Maya Okafor"
    id_overrides: dict[str, Any] = field(default_factory=dict)
    org_id: str | None = None
    forge_id_signature: bool = False
    rotate: bool = True
    code_status: int = 200
    offline: bool = False
    hold: Any = None  # an asyncio.Event the handler awaits before answering
    issued_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    valid_refresh: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    counter: int = 0
    discovery: dict[str, Any] | None = None  # served at /.well-known/openid-configuration
    refresh_answer: tuple[int, Any] | None = None  # (status, JSON body or bytes) for refreshes
    revoke_status: int = 200
    token_type: str | None = "Bearer"
    user_claims: dict[str, Any] = field(default_factory=dict)  # extra access-token claims

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    def token_requests(self, grant: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requests
            if r["path"] in ("/oauth/token", "/token")
            and (grant is None or r["body"].get("grant_type") == grant)
        ]

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter:04d}-{time.time_ns()}"

    def user_tokens(self, nonce: str | None, *, with_refresh: bool = True) -> dict[str, Any]:
        now = int(time.time())
        access = make_jwt(
            {
                "iss": ENV.issuer,
                "aud": [ENV.audience],
                "sub": "auth0|prescriber",
                "scope": "openid profile email offline_access " + " ".join(self.user_permissions),
                "permissions": self.user_permissions,
                "exp": now + self.expires_in,
                "jti": self._next("at"),
                **self.user_claims,
                **({"org_id": self.org_id} if self.org_id else {}),
            }
        )
        id_claims: dict[str, Any] = {
            "iss": ENV.issuer,
            "aud": NATIVE_ID,
            "sub": "auth0|prescriber",
            "email": self.user_email,
            "name": self.user_name,
            "exp": now + 3600,
            "iat": now,
            **({"nonce": nonce} if nonce else {}),
            **({"org_id": self.org_id} if self.org_id else {}),
        }
        id_claims.update(self.id_overrides)
        body: dict[str, Any] = {
            "access_token": access,
            "id_token": sign_id_token(id_claims, forged=self.forge_id_signature),
            "scope": "openid profile email offline_access " + " ".join(self.user_permissions),
            "expires_in": self.expires_in,
            **({"token_type": self.token_type} if self.token_type else {}),
        }
        if with_refresh:
            refresh = self._next("rt")
            self.valid_refresh.add(refresh)
            body["refresh_token"] = refresh
        return body

    async def handle(self, request: httpx.Request) -> httpx.Response:
        form = request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        body = {k: v[0] for k, v in parse_qs(request.content.decode()).items()} if form else {}
        self.requests.append({"path": request.url.path, "body": body, "form": form})
        if request.method == "POST" and not form:  # RFC 6749 §4 / RFC 7009 §2.1: form only
            return httpx.Response(
                400, json={"error": "invalid_request", "error_description": "form body expected"}
            )
        if self.offline:
            raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
        if self.hold is not None:
            await self.hold.wait()
        if request.url.path in ("/.well-known/jwks.json", "/keys"):
            return httpx.Response(200, json=jwks())
        if request.url.path.endswith("/.well-known/openid-configuration"):
            if self.discovery is None:
                return httpx.Response(404, text="Not Found")
            return httpx.Response(200, json=self.discovery)
        if request.url.path in ("/oauth/revoke", "/revoke"):
            if self.revoke_status != 200:
                return httpx.Response(self.revoke_status, text="unavailable")
            self.revoked.append(body.get("token"))
            self.valid_refresh.discard(body.get("token"))
            return httpx.Response(200, json={})
        grant = body.get("grant_type")
        if grant == "client_credentials":
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            if self.m2m_status != 200:
                return httpx.Response(self.m2m_status, json=self.m2m_body or {}, headers=headers)
            if body.get("client_secret") != M2M_SECRET:
                return httpx.Response(
                    401, json={"error": "access_denied", "error_description": "Unauthorized"}
                )
            if body.get("audience") != ENV.audience:
                return httpx.Response(
                    403,
                    json={
                        "error": "access_denied",
                        "error_description": "Service not enabled within domain: "
                        + str(body.get("audience")),
                    },
                )
            scopes = [p for p in ALL if p != "write:prescription"]
            return httpx.Response(
                200,
                json={
                    "access_token": make_jwt(
                        {"iss": ENV.issuer, "scope": " ".join(scopes), "jti": self._next("m2m")}
                    ),
                    "scope": " ".join(scopes),
                    "expires_in": self.expires_in,
                    "token_type": "Bearer",
                },
            )
        if grant == "authorization_code":
            if self.code_status != 200:
                return httpx.Response(self.code_status, json={"error": "server_error"})
            issued = self.issued_codes.pop(body.get("code"), None)
            if issued is None or issued["redirect_uri"] != body.get("redirect_uri"):
                return httpx.Response(403, json={"error": "invalid_grant"})
            if issued["verifier_check"](body.get("code_verifier", "")) is False:
                return httpx.Response(403, json={"error": "invalid_grant"})
            return httpx.Response(200, json=self.user_tokens(issued["nonce"]))
        if grant == "refresh_token" and self.refresh_answer is not None:
            status, answer = self.refresh_answer
            if isinstance(answer, bytes):
                return httpx.Response(status, content=answer, headers={"content-type": "text/html"})
            return httpx.Response(status, json=answer)
        if grant == "refresh_token":
            token = body.get("refresh_token")
            if token not in self.valid_refresh:
                return httpx.Response(
                    403,
                    json={
                        "error": "invalid_grant",
                        "error_description": "Unknown or invalid refresh token.",
                    },
                )
            if self.rotate:
                self.valid_refresh.discard(token)
            answer = self.user_tokens(None, with_refresh=self.rotate)
            return httpx.Response(200, json=answer)
        return httpx.Response(400, json={"error": "unsupported_grant_type"})


class MemoryKeyring(KeyringBackend):
    """A secure-looking in-memory backend (keyring.set_keyring or SecretStore(backend=...))."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@contextmanager
def installed_memory_keyring() -> Iterator[MemoryKeyring]:
    """A fresh ``MemoryKeyring`` as the process-wide keyring for the block; the old one after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class LockedKeyring(MemoryKeyring):
    """Every call fails the way a locked Secret Service does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(MemoryKeyring):
    """Blocks until ``release`` is set (a prompt nobody answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)


class BreaksLaterKeyring(MemoryKeyring):
    """Works for the probe, then fails every write (the keyring went away at run time)."""

    broken = False

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.broken:
            raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")
        super().set_password(service, username, password)


class Browser:
    """Plays the user's browser: takes the authorize URL and comes back to the loopback."""

    def __init__(self, fake: FakeAuth0, *, answer: str = "code", opens: bool = True) -> None:
        self.fake = fake
        self.answer = answer
        self.opens = opens
        self.urls: list[str] = []
        self.statuses: list[int] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.replay = False
        self.iss: str | None = None  # RFC 9207: the issuer the answer says it came from
        self.pages: list[str] = []

    def open(self, url: str) -> bool:
        self.urls.append(url)
        if self.opens:
            self.tasks.append(asyncio.ensure_future(self.come_back(url)))
        return self.opens

    async def come_back(self, url: str) -> None:
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if self.answer == "code":
            code = secrets.token_urlsafe(16)
            challenge = q["code_challenge"]
            self.fake.issued_codes[code] = {
                "redirect_uri": q["redirect_uri"],
                "nonce": q["nonce"],
                "verifier_check": lambda v, c=challenge: challenge_s256(v) == c,
            }
            back = {"code": code, "state": q["state"]}
        else:
            back = {
                "error": self.answer,
                "error_description": "<script>x</script>",
                "state": q["state"],
            }
        if self.iss is not None:
            back["iss"] = self.iss
        target = q["redirect_uri"] + "?" + urlencode(back)
        async with httpx.AsyncClient() as client:
            page = await client.get(target)
            self.statuses.append(page.status_code)
            self.pages.append(page.text)
            if self.replay:
                try:
                    self.statuses.append((await client.get(target)).status_code)
                except httpx.ConnectError:
                    self.statuses.append(0)  # already closed: just as safe


@contextmanager
def emits(session: Any) -> Iterator[list[int]]:
    """Assert the block makes ``session.changed`` notify its observers at least once."""
    calls: list[int] = []

    def seen() -> None:
        calls.append(1)

    session.changed.connect(seen)
    try:
        yield calls
    finally:
        session.changed.disconnect(seen)
    assert calls, "session.changed was not emitted"


async def m2m_test(client: httpx.AsyncClient, env: Environment, client_id: str, secret: str) -> Any:
    """Settings' "Test connection": the credentials service on ``client``, touching no session."""
    from photon_desktop.auth.secret_store import SecretStore
    from photon_desktop.auth.settings_store import MemorySettings
    from photon_desktop.services.credentials import CredentialsService

    service = CredentialsService(SecretStore(MemoryKeyring()), client, MemorySettings())
    return await service.test(env, client_id, secret)
