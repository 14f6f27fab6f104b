"""One environment's sign-in: M2M or user tokens, their renewal, and the permissions the UI reads.

Two ways in:

* ``use_m2m(client_id, secret, remember=...)``: the organization's client-credentials pair.
* ``sign_in_with_browser(open_url, on_link=..., timeout=...)``: authorization code + PKCE in the
  system browser with a loopback redirect. The login window runs it with ``ui.tasks.spawn`` and
  cancels that task for Cancel/Esc; ``on_link`` receives the authorize URL (after the receiver
  listens, before the browser opens) for "Copy sign-in link".

Access tokens are kept in memory only and renewed about 60 s before expiry, one request at a time
however many callers ask. The refresh token and the M2M secret go to the keyring (``SecretStore``;
session-only when there is none). ``generation`` changes on every sign-in and sign-out: a renewal
that finishes after the session changed is discarded, so an old session's token is never reused.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import httpx
from PySide6.QtCore import QObject, Signal

from photon_desktop import errors, redact
from photon_desktop.auth import claims as jwt_claims
from photon_desktop.auth.environments import Environment
from photon_desktop.auth.loopback import LoopbackReceiver
from photon_desktop.auth.m2m import exchange_client_credentials
from photon_desktop.auth.pkce import Attempt
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore, m2m_secret_user, refresh_token_user
from photon_desktop.auth.token_endpoint import TokenResponse, request_token, revoke_refresh_token

log = logging.getLogger(__name__)

RENEW_EARLY = 60.0  # seconds before expiry; also absorbs about that much clock skew
SIGN_IN_TIMEOUT = 300.0
USER_SCOPE = "openid profile email offline_access"
M2M_IDENTITY = "M2M (backend)"
MAX_TIMER_S = 24 * 86400.0

_WHAT = {
    "read:patient": "see patients",
    "write:patient": "create or edit patients",
    "read:prescription": "see prescriptions",
    "write:prescription": "write prescriptions",
    "read:order": "see orders",
    "write:order": "send, cancel or reroute orders",
}


class TokenKind(Enum):
    NONE = "none"
    M2M = "m2m"
    USER = "user"


def authorize_url(
    env: Environment,
    *,
    client_id: str,
    redirect_uri: str,
    attempt: Attempt,
    organization: str | None = None,
    login_hint: str | None = None,
) -> str:
    """The ``/authorize`` URL of one attempt (code + PKCE S256, state, nonce, audience)."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": USER_SCOPE,
        "audience": env.audience,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    if organization:
        params["organization"] = organization
    if login_hint:
        params["login_hint"] = login_hint
    return env.authorize_url + "?" + urlencode(params)


class Session(QObject):
    """The sign-in of one environment; implements ``auth.token_source.TokenSource``."""

    changed = Signal()

    def __init__(
        self,
        environment: Environment,
        client: httpx.AsyncClient,
        store: SecretStore,
        *,
        profile: Profile | None = None,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.environment = environment
        self.profile = profile or Profile()
        self._client = client
        self._store = store
        self._clock = clock
        self.kind = TokenKind.NONE
        self.permissions: frozenset[str] = frozenset()
        self.identity: str | None = None
        self.organization_id: str | None = None
        self.expires_at: datetime | None = None
        self._generation = 0
        self._notice: str | None = None
        self._access: str | None = None
        self._expires = 0.0
        self._refresh: str | None = None
        self._m2m: tuple[str, str] | None = None
        self._renewal: asyncio.Task[str] | None = None
        self._signing_in = False
        # An asyncio timer, not a QTimer: Python may collect a Session on any thread, and a
        # QTimer child cannot be stopped from another thread.
        self._expiry: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ what the UI reads

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def notice(self) -> str | None:
        """A sentence to show (no keyring; previous sign-in ended), or None."""
        return self._notice or self._store.notice

    @property
    def signed_in(self) -> bool:
        return self.kind is not TokenKind.NONE

    @property
    def signing_in(self) -> bool:
        return self._signing_in

    def has(self, permission: str) -> bool:
        return self.kind is not TokenKind.NONE and permission in self.permissions

    def why_not(self, permission: str) -> str:
        """Why ``permission`` is unavailable ("" when it is available)."""
        if self.has(permission):
            return ""
        what = _WHAT.get(permission, f"use “{permission}”")
        if permission == "write:prescription":
            if self.kind is TokenKind.M2M:
                return (
                    "Only a signed-in prescriber can write prescriptions; machine (M2M) "
                    "credentials cannot. Sign in with Photon as a prescriber."
                )
            return "Only a signed-in prescriber can write prescriptions."
        if self.kind is TokenKind.NONE:
            return f"Sign in to {what}."
        return f"Your sign-in does not allow you to {what}. Ask your Photon administrator."

    # ------------------------------------------------------------------ TokenSource

    def _fresh(self) -> bool:
        return self._access is not None and self._clock() < self._expires - RENEW_EARLY

    async def access_token(self) -> str:
        if self.kind is TokenKind.NONE:
            raise errors.SignInRequired("Sign in to Photon to continue.")
        if self._fresh():
            assert self._access is not None
            return self._access
        return await self._renew_shared()

    async def renew(self, rejected: str) -> str:
        if self.kind is TokenKind.NONE:
            raise errors.SignInRequired("Sign in to Photon to continue.")
        if self._fresh() and self._access != rejected:
            assert self._access is not None
            return self._access
        if self._access == rejected:
            self._expires = 0.0  # the server refused it: never hand it out again
        generation = self._generation
        try:
            return await self._renew_shared()
        except errors.CredentialsRejected as error:
            if generation == self._generation:
                await self._end()
            raise errors.SignInRequired(str(error)) from None

    async def _renew_shared(self) -> str:
        """Single flight: every concurrent caller awaits the same renewal."""
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.get_running_loop().create_task(
                self._renew_once(self._generation), name="photon-token-renewal"
            )
        renewal = self._renewal
        try:
            return await asyncio.shield(renewal)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if renewal.cancelled() and (current is None or not current.cancelling()):
                # Signed out (or in again) meanwhile: the old session's token is gone.
                raise errors.SignInRequired("The session ended. Sign in to continue.") from None
            raise

    async def _renew_once(self, generation: int) -> str:
        if self.kind is TokenKind.M2M and self._m2m is not None:
            client_id, secret = self._m2m
            response = await exchange_client_credentials(
                self._client, self.environment, client_id, secret
            )
            self._check_generation(generation)
            self._adopt(response, TokenKind.M2M)
        elif self.kind is TokenKind.USER and self._refresh is not None:
            old = self._refresh
            try:
                response = await self._refresh_grant(old)
            except errors.SignInRequired:
                if generation == self._generation:
                    await self._store.delete(self.environment.key, self._refresh_user())
                    await self._end(notice="Your sign-in has ended. Sign in again to continue.")
                raise
            self._check_generation(generation)
            if response.refresh_token and response.refresh_token != old:
                # Rotation: keep the new refresh token before the new access token is used.
                await self._store.set(
                    self.environment.key, self._refresh_user(), response.refresh_token
                )
                self._check_generation(generation)
                self._refresh = response.refresh_token
            self._adopt(response, TokenKind.USER)
        else:
            raise errors.SignInRequired("Sign in to Photon to continue.")
        assert self._access is not None
        return self._access

    def _check_generation(self, generation: int) -> None:
        if generation != self._generation:
            raise errors.SignInRequired("The session changed while a token was being renewed.")

    # ------------------------------------------------------------------ signing in

    async def use_m2m(self, client_id: str, client_secret: str, *, remember: bool) -> None:
        """Exchange now (raises ``errors.*``); on success this is the session's sign-in."""
        redact.add_secret(client_secret)
        response = await exchange_client_credentials(
            self._client, self.environment, client_id, client_secret
        )
        if remember:
            await self._store.set(self.environment.key, m2m_secret_user(client_id), client_secret)
        self._begin()
        self._m2m = (client_id, client_secret)
        self.identity = M2M_IDENTITY
        self._adopt(response, TokenKind.M2M, force_signal=True)

    async def sign_in_with_browser(
        self,
        open_url: Callable[[str], bool],
        *,
        on_link: Callable[[str], None] | None = None,
        give_up_after: float = SIGN_IN_TIMEOUT,
        login_hint: str | None = None,
    ) -> None:
        """The authorization-code + PKCE flow; returns signed in or raises ``errors.*``.

        ``open_url`` returning False is not an error: the link stays valid (``on_link``) until
        the timeout. Cancelling the awaiting task closes the receiver and saves nothing.
        """
        native = self.profile.native_client_id.strip()
        if not native:
            raise errors.ConfigurationError(
                "Browser sign-in needs this environment's native application client ID. "
                "Enter it in Settings."
            )
        if self._signing_in:
            raise errors.SignInError("A sign-in is already waiting for the browser.")
        self._signing_in = True
        attempt = Attempt()
        organization = self.profile.organization_id.strip() or None
        receiver = LoopbackReceiver(attempt.state, ports=self.profile.fixed_ports)
        try:
            await receiver.start()
            url = authorize_url(
                self.environment,
                client_id=native,
                redirect_uri=receiver.redirect_uri,
                attempt=attempt,
                organization=organization,
                login_hint=login_hint,
            )
            if on_link is not None:
                on_link(url)
            if not open_url(url):
                log.info("The system browser could not be opened; waiting for the copied link")
            callback = await receiver.wait(give_up_after)
            if callback.error is not None:
                if callback.error in ("access_denied", "login_required", "consent_required"):
                    raise errors.SignInError("Sign-in was cancelled or refused in the browser.")
                raise errors.SignInError(
                    f"Photon could not sign you in ({callback.error}). Try again."
                )
            assert callback.code is not None
            response = await request_token(
                self._client,
                self.environment,
                {
                    "grant_type": "authorization_code",
                    "client_id": native,
                    "code": callback.code,
                    "code_verifier": attempt.verifier,
                    "redirect_uri": receiver.redirect_uri,
                },
            )
        finally:
            self._signing_in = False
            await receiver.close()
        if response.id_token is None:
            raise errors.SignInError("The sign-in answer carried no identity token.")
        id_claims = jwt_claims.check_id_token(
            response.id_token,
            issuer=self.environment.issuer,
            client_id=native,
            nonce=attempt.nonce,
            organization=organization,
            now=self._clock(),
            jwks=await jwt_claims.fetch_jwks(self._client, self.environment),
        )
        if response.refresh_token:
            await self._store.set(
                self.environment.key, refresh_token_user(native), response.refresh_token
            )
        self._begin()
        self._refresh = response.refresh_token
        self.identity = jwt_claims.identity_from(id_claims)
        self._adopt(response, TokenKind.USER, id_claims=id_claims, force_signal=True)

    async def restore(self) -> None:
        """On launch, silently: the refresh token from the keyring, else the stored M2M secret.

        Never raises for an expected failure; ``notice`` says what happened.
        """
        key = self.environment.key
        native = self.profile.native_client_id.strip()
        if native:
            token = await self._store.get(key, refresh_token_user(native))
            if token:
                try:
                    response = await self._refresh_grant(token)
                except errors.SignInRequired:
                    await self._store.delete(key, refresh_token_user(native))
                    self._notice = "Your previous sign-in has ended. Sign in again."
                except errors.PhotonError as error:
                    self._notice = f"Could not restore your sign-in: {error}"
                else:
                    if response.refresh_token and response.refresh_token != token:
                        await self._store.set(
                            key, refresh_token_user(native), response.refresh_token
                        )
                        token = response.refresh_token
                    self._begin()
                    self._refresh = token
                    id_claims = self._refreshed_id_claims(response, native)
                    self.identity = jwt_claims.identity_from(id_claims) if id_claims else None
                    self._adopt(response, TokenKind.USER, id_claims=id_claims, force_signal=True)
                    return
        m2m_id = self.profile.m2m_client_id.strip()
        if m2m_id:
            secret = await self._store.get(key, m2m_secret_user(m2m_id))
            if secret:
                try:
                    await self.use_m2m(m2m_id, secret, remember=False)
                except errors.PhotonError as error:
                    self._notice = f"Could not connect with the saved credentials: {error}"

    async def sign_out(self) -> None:
        """Forget everything now (memory, keyring), then revoke; works offline."""
        refresh = self._refresh
        m2m = self._m2m
        native = self.profile.native_client_id.strip()
        await self._end()
        key = self.environment.key
        if native:
            await self._store.delete(key, refresh_token_user(native))
        m2m_id = m2m[0] if m2m else self.profile.m2m_client_id.strip()
        if m2m_id:
            await self._store.delete(key, m2m_secret_user(m2m_id))
        if refresh and native:
            await revoke_refresh_token(self._client, self.environment, native, refresh)

    # ------------------------------------------------------------------ internals

    def _refresh_user(self) -> str:
        return refresh_token_user(self.profile.native_client_id.strip())

    async def _refresh_grant(self, refresh_token: str) -> TokenResponse:
        return await request_token(
            self._client,
            self.environment,
            {
                "grant_type": "refresh_token",
                "client_id": self.profile.native_client_id.strip(),
                "refresh_token": refresh_token,
            },
        )

    def _refreshed_id_claims(self, response: TokenResponse, native: str) -> dict[str, Any]:
        if response.id_token is None:
            return {}
        found = jwt_claims.unverified_claims(response.id_token)
        aud = found.get("aud")
        ok_aud = native in (aud if isinstance(aud, list) else [aud])
        return found if found.get("iss") == self.environment.issuer and ok_aud else {}

    def _begin(self) -> None:
        """A new sign-in replaces whatever was there: bump the generation, drop old tokens."""
        self._generation += 1
        if self._renewal is not None and not self._renewal.done():
            self._renewal.cancel()
        self._renewal = None
        self._access = None
        self._refresh = None
        self._m2m = None
        self._notice = None

    def _adopt(
        self,
        response: TokenResponse,
        kind: TokenKind,
        *,
        id_claims: dict[str, Any] | None = None,
        force_signal: bool = False,
    ) -> None:
        for secret in (response.access_token, response.refresh_token, response.id_token):
            redact.add_secret(secret)  # masked wherever a log line might carry it bare
        before = (self.kind, self.permissions, self.identity, self.organization_id)
        access_claims = jwt_claims.unverified_claims(response.access_token)
        self.kind = kind
        self._access = response.access_token
        self._expires = self._clock() + response.expires_in
        self.expires_at = datetime.fromtimestamp(self._expires, UTC)
        self.permissions = jwt_claims.permissions_from(response.access_token, response.scope)
        org = (id_claims or {}).get("org_id") or access_claims.get("org_id")
        self.organization_id = (
            org if isinstance(org, str) and org else self.profile.organization_id.strip() or None
        )
        if kind is TokenKind.M2M:
            self.identity = M2M_IDENTITY
        elif not self.identity:
            email = access_claims.get("email")
            self.identity = email if isinstance(email, str) and email else "Signed-in user"
        self._schedule_expiry(response.expires_in)
        after = (self.kind, self.permissions, self.identity, self.organization_id)
        if force_signal or before != after:
            self.changed.emit()

    def _schedule_expiry(self, seconds: float | None) -> None:
        """Emit ``changed`` when the token expires, so the status bar and gates re-evaluate."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if seconds is None:
            return
        this = weakref.ref(self)  # a pending timer must not keep a discarded session alive

        def fire() -> None:
            session = this()
            if session is None:
                return
            session._expiry = None
            left = session._expires - session._clock()
            if session.kind is not TokenKind.NONE and left > 1.0:
                session._schedule_expiry(left)  # the wait was capped: keep waiting
            else:
                session.changed.emit()

        # qasync runs timers on a QTimer (int milliseconds): wait at most ~24 days per step.
        delay = min(max(0.0, seconds), MAX_TIMER_S)
        self._expiry = asyncio.get_running_loop().call_later(delay, fire)

    async def _end(self, notice: str | None = None) -> None:
        """Back to signed out: new generation, nothing in memory, signal."""
        self._generation += 1
        renewal, self._renewal = self._renewal, None
        if renewal is not None and not renewal.done() and renewal is not asyncio.current_task():
            renewal.cancel()
        self._access = None
        self._expires = 0.0
        self._refresh = None
        self._m2m = None
        self.kind = TokenKind.NONE
        self.permissions = frozenset()
        self.identity = None
        self.organization_id = None
        self.expires_at = None
        self._notice = notice
        self._schedule_expiry(None)
        self.changed.emit()
