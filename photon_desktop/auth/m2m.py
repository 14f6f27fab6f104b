"""The client-credentials (M2M) exchange exactly as Photon documents it, and "Test connection"."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from photon_desktop.auth.environments import Environment
from photon_desktop.auth.token_endpoint import TokenResponse, request_token


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a client-credentials exchange granted, for the settings pane."""

    scopes: tuple[str, ...]
    expires_in: int


async def exchange_client_credentials(
    client: httpx.AsyncClient, env: Environment, client_id: str, client_secret: str
) -> TokenResponse:
    """``POST /oauth/token`` with JSON ``client_id, client_secret, audience, grant_type``."""
    return await request_token(
        client,
        env,
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": env.audience,
            "grant_type": "client_credentials",
        },
    )


async def test_m2m_credentials(
    client: httpx.AsyncClient, env: Environment, client_id: str, client_secret: str
) -> TokenInfo:
    """Run the exchange without touching any session; raises ``errors.*`` on failure."""
    response = await exchange_client_credentials(client, env, client_id, client_secret)
    return TokenInfo(scopes=tuple(sorted(response.scope)), expires_in=response.expires_in)


test_m2m_credentials.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
