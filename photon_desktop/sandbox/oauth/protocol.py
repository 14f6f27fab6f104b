"""The wire side of sign-in: parameters, redirects, PKCE, error bodies, what is remembered.

Codes, transactions and refresh tokens live in memory for one run; their ages are measured on
the run's clock (``Clock.monotonic``), so tests move time instead of sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse

from photon_desktop.sandbox.accounts import ADMIN_PERMISSIONS, ALL_PERMISSIONS, DemoUser

AUDIENCE = "https://api.sandbox.photon.local"
CODE_TTL_S = 60.0
TRANSACTION_TTL_S = 600.0
REFRESH_TTL_S = 30 * 86_400.0  # Auth0's default absolute lifetime
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
PROMPTS = frozenset({"none", "login", "consent", "select_account"})
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def loopback_redirect_error(uri: str) -> str | None:
    """Why ``uri`` is not an RFC 8252 loopback redirect (``http://127.0.0.1:<port>/...``), or None.

    ``localhost`` is refused on purpose: it can resolve elsewhere, so RFC 8252 §8.3 prefers the
    IP literal.
    """
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return "redirect_uri is not a valid URL"
    if parts.scheme != "http":
        return "redirect_uri must use http on the loopback interface"
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "redirect_uri host must be 127.0.0.1 or [::1]"
    if not address.is_loopback or str(address) not in ("127.0.0.1", "::1"):
        return "redirect_uri host must be 127.0.0.1 or [::1]"
    if port is None or port == 0:
        return "redirect_uri must name a port"
    if parts.username or parts.password or parts.fragment:
        return "redirect_uri must not contain credentials or a fragment"
    return None


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


@dataclass(slots=True)
class Transaction:
    """One shown sign-in page; its random id is the CSRF token of the decision form."""

    redirect_uri: str
    state: str
    code_challenge: str
    scope: str
    nonce: str | None
    created: float
    organization: str | None  # asked for with organization=; None: the user's first


@dataclass(slots=True)
class Code:
    user: DemoUser
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str | None
    created: float
    org_id: str
    used: bool = False
    family: str | None = None  # refresh family it issued, revoked if the code is replayed


@dataclass(slots=True)
class Refresh:
    user: DemoUser
    scope: str
    family: str
    created: float  # when the family's first refresh token was issued
    org_id: str
    used: bool = False


@dataclass
class AuthState:
    """Everything the sign-in endpoints remember during one run."""

    transactions: dict[str, Transaction] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    refresh_tokens: dict[str, Refresh] = field(default_factory=dict)
    revoked_families: set[str] = field(default_factory=set)
    token_requests: Counter[str] = field(default_factory=Counter)


def oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An RFC 6749 §5.2 error body (``invalid_client`` is 401, the others 400)."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def granted_scopes(requested: str, permissions: Sequence[str]) -> tuple[list[str], list[str]]:
    """(OIDC scopes, API permissions) to grant for a ``scope`` parameter.

    API scopes in the request narrow the grant to those the caller holds; a request naming none
    gets all the caller's permissions (Auth0's RBAC behaviour).
    """
    words = requested.split()
    oidc = [s for s in OIDC_SCOPES if s in words]
    asked = {p for p in (*ALL_PERMISSIONS, *ADMIN_PERMISSIONS) if p in words}
    granted = [p for p in permissions if p in asked] if asked else list(permissions)
    return oidc, granted


def requested_api(params: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(the API asked for, or None; why the request is bad, or None).

    Auth0's ``audience`` and RFC 8707's ``resource`` are alternatives; both may be sent only
    if they name the same API.
    """
    audience, resource = params.get("audience") or None, params.get("resource") or None
    if audience and resource and audience != resource:
        return None, "audience and resource name different APIs"
    return audience or resource, None


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``client_id``/``client_secret`` from ``Authorization: Basic`` (RFC 6749 §2.3.1)."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


async def read_params(request: Request) -> dict[str, str] | None:
    """The body as flat strings, JSON or form-encoded, as Auth0 accepts both."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            raw = json.loads(await request.body())
            if not isinstance(raw, dict):
                return None
            return {str(k): str(v) for k, v in raw.items() if isinstance(v, str | int)}
        return await read_form(request)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (no multipart: no client sends one)."""
    body = (await request.body()).decode("utf-8")
    return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=50))


def token_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


# -- HTML ---------------------------------------------------------------------------------------
