"""Test-only TokenSources for the sandbox (a fake of the auth layer, nothing more).

``ClientCredentialsTokens`` does the client-credentials exchange against ``token_url`` once and
caches the token; ``renew`` fetches a new one only if the rejected token is still current.
``StaticTokens`` hands out a token obtained elsewhere (e.g. a prescriber's, via ``/authorize``).
"""

from __future__ import annotations

import asyncio

import httpx

from photon_desktop.errors import SignInRequired


class ClientCredentialsTokens:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": audience,
        }
        self._token: str | None = None
        self._lock = asyncio.Lock()
        self.generation = 1
        self.token_requests = 0

    async def access_token(self) -> str:
        async with self._lock:
            if self._token is None:
                self._token = await self._fetch()
            return self._token

    async def renew(self, rejected: str) -> str:
        async with self._lock:
            if self._token in (None, rejected):
                self._token = await self._fetch()
            return self._token

    async def _fetch(self) -> str:
        self.token_requests += 1
        response = await self._http.post(self._token_url, json=self._form)
        if response.status_code != 200:
            raise SignInRequired("Your sign-in has ended. Please sign in again.")
        return str(response.json()["access_token"])


class StaticTokens:
    """One fixed token; renewal is impossible (as after a revoked refresh token)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.generation = 1

    async def access_token(self) -> str:
        return self.token

    async def renew(self, rejected: str) -> str:
        raise SignInRequired("Your sign-in has ended. Please sign in again.")
