"""One environment's sign-in: it holds the current checked ``TokenSet`` and renews it.

Ways in: ``use_m2m`` (the organization's client-credentials pair), ``sign_in_with_browser``
(``auth.browser_flow``) and ``restore`` (the keyring's refresh token or M2M secret at launch).
A signed-in user who belongs to several organizations moves between them with
``switch_organization``: silently with that organization's own refresh token when one is kept
(``auth.refresh_tokens``: one per organization), else through the browser.
Every grant produces a ``TokenSet`` computed and checked in full before the session adopts it,
so a bad answer never leaves the session half-changed.

Access tokens are kept in memory only and renewed ahead of expiry (60 s, or half the lifetime of
a short-lived token), one request at a time however many callers ask. The refresh token and the
M2M secret go to the keyring (``SecretStore``; session-only when there is none). ``generation``
changes on every sign-in and sign-out: a renewal that finishes after the session changed is
discarded. Plain Python: ``changed`` is an ``Observers`` the UI bridges to a Qt signal.

Longer than 500 lines because every way in and out (M2M, browser, restore, organization
switch, renewal, sign-out) changes the same token state and generation together, and splitting
them would hand that state to several owners.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import httpx

from photon_desktop import errors, redact
from photon_desktop.auth import browser_flow
from photon_desktop.auth.discovery import Provider, provider_for
from photon_desktop.auth.environments import Environment
from photon_desktop.auth.grants import Grants
from photon_desktop.auth.observers import Observers
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.refresh_tokens import RefreshTokens
from photon_desktop.auth.secret_store import SecretStore, m2m_secret_user
from photon_desktop.auth.token_endpoint import Revocation
from photon_desktop.auth.tokens import M2M_IDENTITY, TokenKind, TokenSet

log = logging.getLogger(__name__)

RENEW_EARLY = 60.0  # seconds before expiry; also absorbs about that much clock skew
SIGN_IN_TIMEOUT = browser_flow.SIGN_IN_TIMEOUT
MAX_TIMER_S = 24 * 86400.0
ENDED = "Your sign-in has ended. Sign in again to continue."
EXPIRED_NO_REFRESH = (
    "Your sign-in expired and the provider gave no way to renew it. Sign in again to continue."
)
OTHER_ORGANIZATION = (
    "Photon signed you in to a different organization than the one you chose, so the "
    "organization was not switched. Try again, or ask your Photon administrator."
)
REFUSED = (
    "Photon refused your sign-in even after it was renewed (your access may have been "
    "withdrawn). Sign in again, or ask your Photon administrator."
)

_WHAT = {
    "read:patient": "see patients",
    "write:patient": "create or edit patients",
    "read:prescription": "see prescriptions",
    "write:prescription": "write prescriptions",
    "read:order": "see orders",
    "write:order": "send, cancel or reroute orders",
}

__all__ = ["M2M_IDENTITY", "Session", "TokenKind"]


class Session:
    """The sign-in of one environment; implements ``auth.token_source.TokenSource``."""

    def __init__(
        self,
        environment: Environment,
        client: httpx.AsyncClient,
        store: SecretStore,
        *,
        profile: Profile | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.environment = environment
        self.profile = profile or Profile()
        self.changed = Observers()
        self._client = client
        self._store = store
        self._clock = clock
        self._grants: Grants | None = None
        self._tokens: TokenSet | None = None
        self._generation = 0
        self._notice: str | None = None
        self._refresh: str | None = None
        self._refresh_since: float | None = None  # when the current refresh token arrived
        self._m2m: tuple[str, str] | None = None
        self._renewal: asyncio.Task[str] | None = None
        self._on_probation: str | None = None  # a token renewed because the API refused one
        self._signing_in = False
        self._expiry: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ what the UI reads

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def kind(self) -> TokenKind:
        return self._tokens.kind if self._tokens is not None else TokenKind.NONE

    @property
    def permissions(self) -> frozenset[str]:
        return self._tokens.permissions if self._tokens is not None else frozenset()

    @permissions.setter
    def permissions(self, value: frozenset[str]) -> None:
        """Narrow what the UI offers (e.g. the API denied a permission the token claimed)."""
        if self._tokens is not None:
            self._tokens = replace(self._tokens, permissions=frozenset(value))

    @property
    def permissions_known(self) -> bool:
        """False when neither the token nor the answer said what it allows: the API decides."""
        return self._tokens is not None and self._tokens.permissions_known

    @property
    def identity(self) -> str | None:
        if self._tokens is None:
            return None
        return self._tokens.identity.label or None

    @property
    def name(self) -> str:
        return self._tokens.identity.name if self._tokens is not None else ""

    @property
    def email(self) -> str:
        return self._tokens.identity.email if self._tokens is not None else ""

    @property
    def organization_id(self) -> str | None:
        return self._tokens.organization_id if self._tokens is not None else None

    @property
    def expires_at(self) -> datetime | None:
        if self._tokens is None:
            return None
        return datetime.fromtimestamp(self._tokens.expires_at, UTC)

    @property
    def has_refresh_token(self) -> bool:
        """Whether a refresh token is held (its value never leaves the session)."""
        return self._refresh is not None

    @property
    def refresh_received_at(self) -> datetime | None:
        """When the current refresh token arrived (sign-in, or its last rotation)."""
        if self._refresh_since is None:
            return None
        return datetime.fromtimestamp(self._refresh_since, UTC)

    @property
    def keyring_backend(self) -> str:
        return self._store.backend_name

    def current_access_token(self) -> str | None:
        """The access token held now, not renewed (for inspection; API calls use
        ``access_token()``)."""
        return self._tokens.access_token if self._tokens is not None else None

    async def provider(self) -> Provider:
        """The provider's endpoints this session signs in with (discovered once)."""
        return (await self._ensure_grants()).provider

    @property
    def notice(self) -> str | None:
        """A sentence to show (no keyring; previous sign-in ended), or None."""
        return self._notice or self._store.notice

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    @property
    def signing_in(self) -> bool:
        return self._signing_in

    def has(self, permission: str) -> bool:
        if self._tokens is None:
            return False
        return not self._tokens.permissions_known or permission in self._tokens.permissions

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
        tokens = self._tokens
        if tokens is None:
            return False
        margin = min(RENEW_EARLY, tokens.lifetime / 2)  # a 60 s token is used for 30 s
        return self._clock() < tokens.expires_at - margin

    async def access_token(self) -> str:
        if self._tokens is None:
            raise errors.SignInRequired(self._notice or "Sign in to Photon to continue.")
        if self._fresh():
            return self._tokens.access_token
        return await self._renew_shared()

    async def renew(self, rejected: str) -> str:
        if self._tokens is None:
            raise errors.SignInRequired(self._notice or "Sign in to Photon to continue.")
        if rejected == self._on_probation and rejected == self._tokens.access_token:
            self._clear(REFUSED)  # the API refuses even a token renewed for it
            raise errors.SignInRequired(REFUSED)
        if self._fresh() and self._tokens.access_token != rejected:
            return self._tokens.access_token
        generation = self._generation
        try:
            token = await self._renew_shared(force=True)
        except errors.CredentialsRejected as error:
            if generation == self._generation:
                self._clear(str(error))
            raise errors.SignInRequired(str(error)) from None
        self._on_probation = token
        return token

    def api_refused(self) -> None:
        """The API answered 401 to a token renewed after a 401: the sign-in is over."""
        if self._tokens is not None and self._on_probation == self._tokens.access_token:
            self._clear(REFUSED)

    async def _renew_shared(self, *, force: bool = False) -> str:
        """Single flight: every concurrent caller awaits the same renewal."""
        if self._renewal is None or self._renewal.done():
            if not force and self._fresh():
                assert self._tokens is not None
                return self._tokens.access_token
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
        previous = self._tokens
        if previous is not None and previous.kind is TokenKind.M2M and self._m2m is not None:
            grants = await self._ensure_grants()
            tokens = await grants.client_credentials(*self._m2m)
        elif previous is not None and previous.kind is TokenKind.USER and self._refresh:
            old = self._refresh
            kept = self._refresh_tokens()
            grants = await self._ensure_grants()
            try:
                tokens = await grants.refresh(
                    self.profile.native_client_id.strip(), old, identity=previous.identity
                )
            except errors.SignInRequired:  # invalid_grant: this refresh token is dead
                if generation == self._generation:
                    await kept.drop(previous.organization_id)
                    self._clear(ENDED)
                raise
            except errors.PhotonError as error:  # the sign-in is kept: say why it is stale
                if generation == self._generation:
                    self._notice = f"Could not renew your sign-in: {error}"
                    self.changed.emit()
                raise
            self._check_generation(generation)
            if tokens.refresh_token and tokens.refresh_token != old:
                # Rotation: keep the new refresh token before the new access token is used.
                await kept.put(previous.organization_id, tokens.refresh_token)
        else:
            self._clear(EXPIRED_NO_REFRESH if previous is not None else None)
            raise errors.SignInRequired(self._notice or "Sign in to Photon to continue.")
        self._check_generation(generation)
        self._adopt(tokens)
        return tokens.access_token

    def _check_generation(self, generation: int) -> None:
        if generation != self._generation:
            raise errors.SignInRequired("The session changed while a token was being renewed.")

    async def _ensure_grants(self) -> Grants:
        """The provider's endpoints (discovered once per session for custom/local)."""
        if self._grants is None or self._grants.env != self.environment:
            provider = await provider_for(self._client, self.environment)
            self._grants = Grants(self._client, self.environment, provider, clock=self._clock)
        return self._grants

    # ------------------------------------------------------------------ signing in

    async def use_m2m(self, client_id: str, client_secret: str, *, remember: bool) -> None:
        """Exchange now (raises ``errors.*``); on success this is the session's sign-in."""
        redact.add_secret(client_secret)
        grants = await self._ensure_grants()
        tokens = await grants.client_credentials(client_id, client_secret)
        if remember:
            await self._store.set(self.environment.key, m2m_secret_user(client_id), client_secret)
        self._begin()
        self._m2m = (client_id, client_secret)
        self._adopt(tokens)

    async def sign_in_with_browser(
        self,
        open_url: Callable[[str], bool],
        *,
        on_link: Callable[[str], None] | None = None,
        give_up_after: float = SIGN_IN_TIMEOUT,
        login_hint: str | None = None,
    ) -> None:
        """The authorization-code + PKCE flow; returns signed in or raises ``errors.*``."""
        organization = self.profile.organization_id.strip() or None
        tokens = await self._browser_tokens(
            open_url, on_link, give_up_after, login_hint, organization
        )
        if tokens.refresh_token:
            await self._refresh_tokens().put(tokens.organization_id, tokens.refresh_token)
        self._begin()
        self._adopt(tokens)

    async def _browser_tokens(
        self,
        open_url: Callable[[str], bool],
        on_link: Callable[[str], None] | None,
        give_up_after: float,
        login_hint: str | None,
        organization: str | None,
    ) -> TokenSet:
        native = self.profile.native_client_id.strip()
        if not native:
            raise errors.ConfigurationError(
                "Browser sign-in needs this environment's desktop (native) client ID. "
                "Enter it in Settings."
            )
        if self._signing_in:
            raise errors.SignInError("A sign-in is already waiting for the browser.")
        self._signing_in = True
        try:
            grants = await self._ensure_grants()
            return await browser_flow.sign_in_with_browser(
                grants,
                client_id=native,
                open_url=open_url,
                on_link=on_link,
                ports=self.profile.fixed_ports,
                organization=organization,
                login_hint=login_hint,
                give_up_after=give_up_after,
            )
        finally:
            self._signing_in = False

    async def switch_organization(
        self,
        organization: str,
        open_url: Callable[[str], bool],
        *,
        on_link: Callable[[str], None] | None = None,
        give_up_after: float = SIGN_IN_TIMEOUT,
    ) -> bool:
        """Sign in again for ``organization``, the same user; raises ``errors.*`` and then the
        organization in effect stays as it was.

        Silent with that organization's kept refresh token; else the browser, asked for this
        organization and this user. Returns True when the browser was needed. The new token
        must name ``organization`` (``org_id``) and the same person, or nothing changes.
        """
        previous = self._tokens
        if previous is None or previous.kind is not TokenKind.USER:
            raise errors.SignInRequired("Sign in with Photon first to choose an organization.")
        if organization == previous.organization_id:
            return False
        generation = self._generation
        kept = self._refresh_tokens()
        tokens: TokenSet | None = None
        stored = await kept.get(organization)
        if stored:
            grants = await self._ensure_grants()
            try:
                tokens = await grants.refresh(
                    self.profile.native_client_id.strip(), stored, identity=previous.identity
                )
            except errors.SignInRequired:  # that organization's sign-in ended: ask again
                await kept.drop(organization)
            else:
                if tokens.organization_id != organization:
                    await kept.drop(organization)  # it belongs to another organization
                    raise errors.SignInError(OTHER_ORGANIZATION)
        browser = tokens is None
        if tokens is None:
            tokens = await self._browser_tokens(
                open_url, on_link, give_up_after, previous.identity.email or None, organization
            )
            if tokens.organization_id != organization:
                raise errors.SignInError(OTHER_ORGANIZATION)
            who, was = tokens.identity.email.lower(), previous.identity.email.lower()
            if who and was and who != was:
                raise errors.SignInError(
                    f"You signed in as {tokens.identity.email}, not {previous.identity.email}, "
                    "so the organization was not switched. Sign out first to change who is "
                    "signed in."
                )
        if generation != self._generation:
            raise errors.SignInRequired("Your sign-in changed meanwhile; nothing was switched.")
        refresh = tokens.refresh_token or stored
        if refresh:
            await kept.put(organization, refresh)
        self._begin()
        self._adopt(tokens)
        return browser

    async def restore(self) -> None:
        """On launch, silently: the refresh token of the organization last in effect, else the
        stored M2M secret.

        Never raises for an expected failure; ``notice`` says what happened.
        """
        key = self.environment.key
        native = self.profile.native_client_id.strip()
        if native:
            kept = self._refresh_tokens()
            organization, token = await kept.last()
            if token:
                try:
                    grants = await self._ensure_grants()
                    tokens = await grants.refresh(native, token)
                except errors.SignInRequired:
                    await kept.drop(organization)
                    self._notice = "Your previous sign-in has ended. Sign in again."
                except errors.PhotonError as error:
                    self._notice = f"Could not restore your sign-in: {error}"
                else:
                    refresh = tokens.refresh_token or token
                    if tokens.organization_id != organization or refresh != token:
                        await kept.put(tokens.organization_id, refresh)
                    if tokens.organization_id != organization:
                        await kept.drop(organization)  # filed under its organization now
                    self._begin()
                    self._adopt(tokens)
                    return
        m2m_id = self.profile.m2m_client_id.strip()
        if m2m_id:
            secret = await self._store.get(key, m2m_secret_user(m2m_id))
            if secret:
                try:
                    await self.use_m2m(m2m_id, secret, remember=False)
                except errors.PhotonError as error:
                    self._notice = f"Could not connect with the saved credentials: {error}"

    async def sign_out(self) -> str:
        """Forget everything now (memory, keyring: every organization's entry), then revoke;
        works offline.

        Returns what the user should know: whether the provider ended the sign-in, and if not,
        until when it may stay valid there.
        """
        refresh = self._refresh
        m2m = self._m2m
        tokens = self._tokens
        native = self.profile.native_client_id.strip()
        self._clear()
        key = self.environment.key
        kept = await self._refresh_tokens().take_all() if native else []
        m2m_id = m2m[0] if m2m else self.profile.m2m_client_id.strip()
        if m2m_id:
            await self._store.delete(key, m2m_secret_user(m2m_id))
        done = "Signed out. Nothing of this sign-in is kept on this computer."
        until = ""
        if tokens is not None:
            when = datetime.fromtimestamp(tokens.expires_at, UTC).astimezone()
            today = when.date() == datetime.now(when.tzinfo).date()
            day = "" if today else f"{when:%b} {when.day}, "  # "until 03:50" read as past
            until = f" The last access token stays valid until {day}{when:%H:%M} ({when:%Z})."
        if not (refresh and native):
            return done + until if tokens is not None and tokens.kind is TokenKind.USER else done
        problem = ""
        for token in dict.fromkeys([refresh, *kept]):  # every organization's sign-in ends
            try:
                grants = await self._ensure_grants()
                revocation = await grants.revoke(native, token)
            except errors.PhotonError as error:
                revocation = Revocation(False, str(error).rstrip("."))
            problem = problem or ("" if revocation.done else revocation.problem or "")
        if not problem:
            return done + " The provider confirmed the sign-in is ended." + until
        return (
            done + f" But {problem}, so the sign-in may stay valid at the provider "
            "until it expires there (a refresh token can last days or weeks)." + until
        )

    def halt(self) -> asyncio.Task[str] | None:
        """The app is closing (this is not a sign-out: the tokens stay as they are): stop the
        expiry timer and cancel a renewal on its way. Returns that renewal, for the caller to
        wait for before it closes the HTTP client the renewal uses."""
        self._schedule_expiry(None)
        renewal, self._renewal = self._renewal, None
        if renewal is None or renewal.done():
            return None
        renewal.cancel()
        return renewal

    # ------------------------------------------------------------------ internals

    def _refresh_tokens(self) -> RefreshTokens:
        native = self.profile.native_client_id.strip()
        return RefreshTokens(self._store, self.environment.key, native)

    def _begin(self) -> None:
        """A new sign-in replaces whatever was there: bump the generation, drop old tokens."""
        self._generation += 1
        if self._renewal is not None and not self._renewal.done():
            self._renewal.cancel()
        self._renewal = None
        self._tokens = None
        self._refresh = None
        self._refresh_since = None
        self._m2m = None
        self._notice = None
        self._on_probation = None

    def _adopt(self, tokens: TokenSet) -> None:
        """Take a fully checked token set (nothing here can fail), then tell observers."""
        self._tokens = tokens
        self._notice = None  # whatever went wrong before, this sign-in works now
        if tokens.refresh_token is not None:
            if tokens.refresh_token != self._refresh:
                self._refresh_since = self._clock()
            self._refresh = tokens.refresh_token
        self._schedule_expiry(tokens.expires_at - self._clock())
        self.changed.emit()

    def _schedule_expiry(self, seconds: float | None) -> None:
        """At expiry, renew if nothing did meanwhile (or end the sign-in), and tell observers."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if seconds is None:
            return
        this = weakref.ref(self)  # a pending timer must not keep a discarded session alive

        def fire() -> None:
            session = this()
            if session is None or session._tokens is None:
                return
            session._expiry = None
            left = session._tokens.expires_at - session._clock()
            if left > 1.0:
                session._schedule_expiry(left)  # the wait was capped: keep waiting
            elif session._tokens.kind is TokenKind.USER and not session._refresh:
                session._clear(EXPIRED_NO_REFRESH)  # nothing left to renew with
            else:
                session.changed.emit()

        # qasync runs timers on a QTimer (int milliseconds): wait at most ~24 days per step.
        delay = min(max(0.0, seconds), MAX_TIMER_S)
        self._expiry = asyncio.get_running_loop().call_later(delay, fire)

    def _clear(self, notice: str | None = None) -> None:
        """Back to signed out: new generation, nothing in memory, tell observers."""
        self._generation += 1
        renewal, self._renewal = self._renewal, None
        if renewal is not None and not renewal.done() and renewal is not asyncio.current_task():
            renewal.cancel()
        self._tokens = None
        self._refresh = None
        self._refresh_since = None
        self._m2m = None
        self._on_probation = None
        self._notice = notice
        self._schedule_expiry(None)
        self.changed.emit()
