"""The three grants (client credentials, authorization code, refresh) and revocation for one
environment's provider; each grant answers one checked ``TokenSet`` or raises ``errors.*``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from photon_desktop import errors, redact
from photon_desktop.auth import claims as jwt_claims
from photon_desktop.auth.client_secret import client_secret
from photon_desktop.auth.discovery import Provider
from photon_desktop.auth.environments import Environment
from photon_desktop.auth.token_endpoint import (
    ClientAuth,
    Revocation,
    TokenResponse,
    request_token,
    revoke_refresh_token,
)
from photon_desktop.auth.tokens import Identity, TokenKind, TokenSet


class Grants:
    """Token requests to ``provider`` for ``env`` over the injected ``client``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        env: Environment,
        provider: Provider,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.env = env
        self.provider = provider
        self._client = client
        self._clock = clock
        self._jwks: dict[str, Any] | None = None
        self._basic: bool | None = None  # the client-secret method that worked

    def _api_params(self) -> dict[str, str]:
        """Which API the token is for: Auth0's ``audience``, RFC 8707 ``resource``."""
        params: dict[str, str] = {}
        if self.env.audience:
            params["audience"] = self.env.audience
        if self.env.resource:
            params["resource"] = self.env.resource
        return params

    def _resource(self) -> dict[str, str]:
        """RFC 8707: the resource goes on every token request, code and refresh alike."""
        return {"resource": self.env.resource} if self.env.resource else {}

    async def _token(self, params: dict[str, str], auth: ClientAuth) -> TokenResponse:
        response = await request_token(
            self._client,
            self.provider.token_endpoint,
            params,
            auth,
            audience=self.env.resource or self.env.audience,
        )
        for secret in (response.access_token, response.refresh_token, response.id_token):
            redact.add_secret(secret)  # masked wherever a log line might carry it bare
        return response

    async def client_credentials(self, client_id: str, secret: str) -> TokenSet:
        """The M2M exchange. Discovery lists the methods a provider supports, not the one this
        client was registered with, so a refusal is tried once more with the other method.
        The secret is taken as ``client_secret`` reads it: one kept with a line break (saved
        before that rule) still connects."""
        secret = client_secret(secret)
        redact.add_secret(secret)
        params = {"grant_type": "client_credentials", **self._api_params()}
        if self.env.api_scopes:
            params["scope"] = " ".join(self.env.api_scopes)
        methods = self._secret_methods()
        for attempt, basic in enumerate(methods):
            try:
                response = await self._token(params, ClientAuth(client_id, secret, basic=basic))
            except errors.CredentialsRejected:
                if attempt + 1 < len(methods):
                    continue
                raise
            self._basic = basic
            return TokenSet.build(response, TokenKind.M2M, now=self._clock())
        raise AssertionError("unreachable: at least one method is always tried")

    def _secret_methods(self) -> list[bool]:
        """In the body (False) and/or HTTP Basic (True) as the provider lists them, the one
        that worked last time first."""
        supported = self.provider.token_auth_methods
        methods = [basic for basic, name in ((False, "client_secret_post"),
                   (True, "client_secret_basic")) if name in supported] or [False]  # fmt: skip
        if self._basic in methods:
            methods.sort(key=lambda basic: basic != self._basic)
        return methods

    async def authorization_code(
        self,
        *,
        client_id: str,
        code: str,
        verifier: str,
        redirect_uri: str,
        nonce: str,
        organization: str | None,
    ) -> TokenSet:
        """Exchange the code (same ``redirect_uri``, the PKCE verifier) and check the ID token."""
        params = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            **self._resource(),
        }
        response = await self._token(params, ClientAuth(client_id))
        if response.id_token is None:
            raise errors.SignInError("The sign-in answer carried no identity token.")
        id_claims = await self.check_id_token(
            response.id_token, client_id, nonce=nonce, organization=organization
        )
        return TokenSet.build(
            response, TokenKind.USER, now=self._clock(), id_claims=id_claims,
            organization=organization,
        )  # fmt: skip

    async def refresh(
        self, client_id: str, refresh_token: str, *, identity: Identity | None = None
    ) -> TokenSet:
        """A renewed token set; the refresh token rotates when the provider sends a new one."""
        params = {"grant_type": "refresh_token", "refresh_token": refresh_token, **self._resource()}
        response = await self._token(params, ClientAuth(client_id))
        id_claims: dict[str, Any] = {}
        if response.id_token is not None:
            try:
                id_claims = await self.check_id_token(response.id_token, client_id, nonce=None)
            except Exception:  # an unreadable refreshed ID token only costs the display name
                id_claims = {}
        return TokenSet.build(
            response, TokenKind.USER, now=self._clock(), id_claims=id_claims,
            identity=identity if not id_claims else None, refresh_token=refresh_token,
        )  # fmt: skip

    async def revoke(self, client_id: str, refresh_token: str) -> Revocation:
        return await revoke_refresh_token(
            self._client, self.provider.revocation_endpoint, ClientAuth(client_id), refresh_token
        )

    async def check_id_token(
        self,
        id_token: str,
        client_id: str,
        *,
        nonce: str | None,
        organization: str | None = None,
    ) -> dict[str, Any]:
        if self._jwks is None or jwt_claims.names_unknown_key(id_token, self._jwks):
            self._jwks = await jwt_claims.fetch_jwks(self._client, self.provider.jwks_uri)
        return jwt_claims.check_id_token(
            id_token,
            jwks=self._jwks,
            issuer=self.provider.issuer,
            client_id=client_id,
            nonce=nonce,
            organization=organization,
            algorithms=self.provider.id_token_algorithms,
        )
