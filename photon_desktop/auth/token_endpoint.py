"""Calls to Auth0's ``/oauth/token`` and ``/oauth/revoke``, with errors a clinic user can act on.

Nothing here logs a request or response body: they carry secrets, codes and tokens.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from photon_desktop import errors
from photon_desktop.auth.environments import Environment

log = logging.getLogger(__name__)

TOKEN_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
_OAUTH_CODE = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """A successful answer of the token endpoint (values are secrets: no repr)."""

    access_token: str = field(repr=False)
    expires_in: int
    scope: frozenset[str]
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    received_at: float = field(default_factory=time.time)

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None  # "inf" is no wait


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return {}
    return data if isinstance(data, dict) else {}


def map_http_error(env: Environment, error: httpx.HTTPError) -> errors.PhotonError:
    """Turn a transport failure into OfflineError with what to check."""
    host = httpx.URL(env.token_url).host if env.token_url.startswith("http") else env.token_url
    if isinstance(error, httpx.ProxyError):
        return errors.OfflineError(
            f"The proxy refused the connection to {host}. Check the proxy settings "
            "(HTTPS_PROXY) or ask your IT team to allow it."
        )
    if isinstance(error, httpx.TimeoutException):
        return errors.OfflineError(
            f"{host} did not answer in time. Check your internet connection and try again."
        )
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return errors.ConfigurationError(
            f"The sign-in address “{env.token_url}” is not a valid URL. Check the environment."
        )
    return errors.OfflineError(
        f"Cannot reach {host}. Check your internet connection, proxy or firewall, and the "
        "environment's address."
    )


def map_token_error(
    env: Environment, response: httpx.Response, *, grant: str
) -> errors.PhotonError:
    """Turn an error answer of the token endpoint into the error class the UI explains."""
    body = _body(response)
    code = str(body.get("error", ""))
    description = str(body.get("error_description", ""))
    status = response.status_code
    if status == 429:
        after = _retry_after(response)
        wait = f" Try again in {int(after)} seconds." if after else " Try again in a minute."
        return errors.RateLimited("Photon is limiting sign-in requests." + wait, after)
    if status >= 500:
        return errors.ServerError(
            f"Photon's sign-in service had a problem (HTTP {status}). Try again shortly.", status
        )
    if "service not enabled" in description.lower() or "audience" in description.lower():
        return errors.ConfigurationError(
            f"Photon does not know the API audience “{env.audience}”. Check the environment's "
            "audience (it must match the API in the Photon dashboard)."
        )
    if grant == "client_credentials" and (
        status in (401, 403) or code in ("invalid_client", "access_denied", "unauthorized_client")
    ):
        return errors.CredentialsRejected(
            "Photon rejected the client ID or client secret. Copy both again from the Photon "
            "dashboard (Settings → Developers) and check they belong to this environment."
        )
    if grant == "refresh_token" and code in ("invalid_grant", "unauthorized_client"):
        return errors.SignInRequired("Your sign-in has ended. Sign in again to continue.")
    if grant == "authorization_code":
        if code == "invalid_grant":
            return errors.SignInError(
                "The sign-in could not be completed (the code expired or was already used). "
                "Try signing in again."
            )
        if code in ("invalid_client", "unauthorized_client"):
            return errors.ConfigurationError(
                "Photon does not accept this app's client ID for browser sign-in. Check the "
                "native application's client ID in Settings."
            )
    if status == 404:
        return errors.ConfigurationError(
            f"No sign-in service at {env.token_url}. Check the environment's issuer address."
        )
    if grant == "refresh_token" and status in (400, 401, 403):
        return errors.SignInRequired("Your sign-in has ended. Sign in again to continue.")
    # Only an OAuth-style code is shown: a hostile or echoing server must not put a secret or a
    # megabyte of text into the dialog.
    shown = code if _OAUTH_CODE.fullmatch(code) else ""
    return errors.SignInError(
        f"Photon refused the sign-in request (HTTP {status}{', ' + shown if shown else ''})."
    )


async def request_token(
    client: httpx.AsyncClient, env: Environment, body: dict[str, str]
) -> TokenResponse:
    """POST ``body`` as JSON to the token endpoint; raise ``errors.*`` on any failure."""
    if not env.issuer:
        raise errors.ConfigurationError("This environment has no sign-in address yet.")
    grant = body.get("grant_type", "")
    try:
        response = await client.post(env.token_url, json=body, timeout=TOKEN_TIMEOUT)
    except httpx.HTTPError as error:
        log.info("Token request (%s) failed: %s", grant, type(error).__name__)
        raise map_http_error(env, error) from None
    if response.status_code != 200:
        log.info("Token request (%s) answered HTTP %s", grant, response.status_code)
        raise map_token_error(env, response, grant=grant)
    data = _body(response)
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise errors.ResponseError("The sign-in service answered without an access token.")
    try:
        expires_in = int(data.get("expires_in", 0))
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
        expires_in = 0
    scope = data.get("scope")
    refresh = data.get("refresh_token")
    id_token = data.get("id_token")
    return TokenResponse(
        access_token=token,
        expires_in=max(expires_in, 0) or 3600,
        scope=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
    )


async def revoke_refresh_token(
    client: httpx.AsyncClient, env: Environment, client_id: str, refresh_token: str
) -> bool:
    """Best effort ``POST /oauth/revoke``; False when it could not be done (e.g. offline)."""
    try:
        response = await client.post(
            env.revoke_url,
            json={"client_id": client_id, "token": refresh_token},
            timeout=httpx.Timeout(5.0),
        )
    except httpx.HTTPError as error:
        log.info("Revoking the refresh token failed: %s", type(error).__name__)
        return False
    return response.status_code == 200
