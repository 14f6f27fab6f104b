"""Requests to the token and revocation endpoints (RFC 6749 §4-6, RFC 7009), form-encoded, each
under one overall deadline, with errors a clinic user can act on.

Only ``invalid_grant`` on a refresh means the refresh token is dead (RFC 6749 §5.2): every other
failure keeps it. Nothing here logs a request or response body: they carry secrets and tokens.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import httpx

from photon_desktop import errors

log = logging.getLogger(__name__)

TOKEN_DEADLINE = 30.0  # seconds for the whole exchange, however slowly the answer trickles
REVOKE_DEADLINE = 10.0
DEFAULT_LIFETIME = 3600.0  # when the provider does not say (RFC 6749 §5.1: RECOMMENDED)
MIN_LIFETIME = 1.0
MAX_LIFETIME = 30 * 86400.0
_OAUTH_CODE = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """A checked successful answer (Bearer, lifetime clamped); values are secrets: no repr."""

    access_token: str = field(repr=False)
    expires_in: float
    scope: frozenset[str] | None  # None: the answer did not say
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ClientAuth:
    """How the client identifies itself: public (id only), or a secret in the body or Basic."""

    client_id: str
    secret: str | None = field(default=None, repr=False)
    basic: bool = False

    def apply(self, params: dict[str, str]) -> dict[str, str]:
        """Headers to send; ``params`` gains the client fields that go in the body."""
        if self.secret is not None and self.basic:
            # RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self.secret)}"
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        params["client_id"] = self.client_id
        if self.secret is not None:
            params["client_secret"] = self.secret
        return {}


def clamp_lifetime(value: object) -> float:
    """``expires_in`` as seconds in [1 s, 30 days]; a missing, unreadable, non-finite or
    non-positive one is 1 h (the token is renewed early or after a 401 if that was wrong)."""
    if isinstance(value, bool):
        return DEFAULT_LIFETIME
    try:
        seconds = float(value) if isinstance(value, int | float | str) else math.nan
    except (ValueError, OverflowError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        return DEFAULT_LIFETIME
    return min(max(seconds, MIN_LIFETIME), MAX_LIFETIME)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None  # "inf" is no wait


def _body(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object answered, or None when the answer is not one (an HTML page)."""
    try:
        data = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None
    return data if isinstance(data, dict) else None


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


def map_http_error(url: str, error: httpx.HTTPError) -> errors.PhotonError:
    """Turn a transport failure into OfflineError (or ConfigurationError) with what to check."""
    host = _host(url)
    untrusted = errors.untrusted_certificate(host, error)
    if untrusted is not None:
        return untrusted
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
            f"The sign-in address “{url}” is not a valid URL. Check the environment."
        )
    return errors.OfflineError(
        f"Cannot reach {host}. Check your internet connection, proxy or firewall, and the "
        "environment's address."
    )


def map_token_error(
    url: str, response: httpx.Response, *, grant: str, audience: str = ""
) -> errors.PhotonError:
    """Turn an error answer of the token endpoint into the error class the UI explains.

    ``SignInRequired`` only for ``invalid_grant`` on a refresh: the caller deletes the refresh
    token then, and keeps it for anything else.
    """
    body = _body(response)
    status = response.status_code
    if status == 429:
        after = _retry_after(response)
        wait = f" Try again in {int(after)} seconds." if after else " Try again in a minute."
        return errors.RateLimited("The sign-in service is limiting requests." + wait, after)
    if body is None:
        kind = "a server error" if status >= 500 else "a page that is not a sign-in answer"
        return errors.ServerError(
            f"The sign-in service at {_host(url)} answered with {kind} (HTTP {status}). A proxy "
            "or firewall may be in the way; try again shortly or ask your IT team.",
            status,
        )
    code = str(body.get("error", ""))
    description = str(body.get("error_description", ""))
    shown = code if _OAUTH_CODE.fullmatch(code) else ""
    if grant == "refresh_token" and code == "invalid_grant":
        return errors.SignInRequired("Your sign-in has ended. Sign in again to continue.")
    if status >= 500:
        return errors.ServerError(
            f"The sign-in service had a problem (HTTP {status}). Try again shortly.", status
        )
    if "service not enabled" in description.lower() or code == "invalid_target":
        return errors.ConfigurationError(
            f"The sign-in service does not know the API “{audience}”. Check the environment's "
            "audience or resource (it must match the API registered with the provider)."
        )
    if code == "invalid_scope":
        return errors.ConfigurationError(
            "The sign-in service refused the requested scopes. Check the environment's API "
            "scopes in Settings."
        )
    if grant == "client_credentials" and (
        code in ("invalid_client", "access_denied", "unauthorized_client") or status == 401
    ):
        return errors.CredentialsRejected(
            "The sign-in service rejected the client ID or client secret. Copy both again from "
            "the Photon dashboard (Settings → Developers) and check they belong to this "
            "environment."
        )
    if code in ("invalid_client", "unauthorized_client"):
        return errors.ConfigurationError(
            "The sign-in service does not accept this app's client ID for browser sign-in"
            f" ({shown}). Check the desktop client ID in Settings."
        )
    if grant == "authorization_code" and code == "invalid_grant":
        return errors.SignInError(
            "The sign-in could not be completed (the code expired or was already used). "
            "Try signing in again."
        )
    if status == 404:
        return errors.ConfigurationError(
            f"No sign-in service at {url}. Check the environment's sign-in address."
        )
    # Only an OAuth-style code is shown: a hostile or echoing server must not put a secret or a
    # megabyte of text into the dialog.
    what = "renewing your sign-in" if grant == "refresh_token" else "the sign-in request"
    return errors.SignInError(
        f"The sign-in service refused {what} (HTTP {status}{', ' + shown if shown else ''})."
        + (" Your sign-in is kept; try again later." if grant == "refresh_token" else "")
    )


def _read_success(data: dict[str, Any] | None) -> TokenResponse:
    if data is None:
        raise errors.ResponseError("The sign-in service's answer could not be read.")
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise errors.ResponseError("The sign-in service answered without an access token.")
    token_type = data.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        named = f"a “{token_type[:20]}” token" if isinstance(token_type, str) else "a token"
        raise errors.ConfigurationError(
            f"The sign-in service issued {named} without saying it is a Bearer token; Photon "
            "Desktop can only use Bearer tokens. Ask the provider's administrator to issue "
            "Bearer tokens (not DPoP) to this client."
        )
    scope = data.get("scope")
    refresh = data.get("refresh_token")
    id_token = data.get("id_token")
    return TokenResponse(
        access_token=token,
        expires_in=clamp_lifetime(data.get("expires_in")),
        scope=frozenset(scope.split()) if isinstance(scope, str) else None,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
    )


async def request_token(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    auth: ClientAuth,
    *,
    audience: str = "",
    deadline: float = TOKEN_DEADLINE,
) -> TokenResponse:
    """POST ``params`` form-encoded to the token endpoint; raise ``errors.*`` on any failure."""
    if not url:
        raise errors.ConfigurationError("This environment has no sign-in address yet.")
    grant = params.get("grant_type", "")
    body = dict(params)
    headers = auth.apply(body)
    try:
        async with asyncio.timeout(deadline):
            response = await client.post(url, data=body, headers=headers)
    except TimeoutError:
        log.info("Token request (%s) passed its deadline", grant)
        raise errors.OfflineError(
            f"The sign-in service at {_host(url)} did not finish answering within "
            f"{int(deadline)} seconds. Check your connection and try again."
        ) from None
    except httpx.HTTPError as error:
        log.info("Token request (%s) failed: %s", grant, type(error).__name__)
        raise map_http_error(url, error) from None
    if response.status_code != 200:
        log.info("Token request (%s) answered HTTP %s", grant, response.status_code)
        raise map_token_error(url, response, grant=grant, audience=audience)
    return _read_success(_body(response))


@dataclass(frozen=True, slots=True)
class Revocation:
    """Whether the provider confirmed it ended the refresh token, and if not, why."""

    done: bool
    problem: str = ""


async def revoke_refresh_token(
    client: httpx.AsyncClient, url: str | None, auth: ClientAuth, refresh_token: str
) -> Revocation:
    """``POST`` RFC 7009 revocation with ``token_type_hint=refresh_token``; never raises."""
    if not url:
        return Revocation(False, "the provider offers no way to revoke a sign-in")
    body = {"token": refresh_token, "token_type_hint": "refresh_token"}
    headers = auth.apply(body)
    try:
        async with asyncio.timeout(REVOKE_DEADLINE):
            response = await client.post(url, data=body, headers=headers)
    except (TimeoutError, httpx.HTTPError) as error:
        log.info("Revoking the refresh token failed: %s", type(error).__name__)
        return Revocation(False, "the provider could not be reached")
    if response.status_code == 200:
        return Revocation(True)
    log.info("Revoking the refresh token answered HTTP %s", response.status_code)
    return Revocation(False, f"the provider refused (HTTP {response.status_code})")
