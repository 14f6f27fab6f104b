"""The sandbox's Auth0-like sign-in: ``/authorize``, ``/oauth/token``, revoke, logout, discovery.

Behaviour follows Photon's tenant (Auth0) where clients can see it: the client-credentials
exchange and its error bodies, authorization code + PKCE (S256 only) for the native client with
loopback redirects only (RFC 8252), refresh-token rotation with reuse detection that revokes the
whole family. Codes, transactions and refresh tokens live in memory for one run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import json
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from photon_desktop.sandbox.accounts import (
    DEMO_USERS,
    M2M_CLIENT_ID,
    M2M_PERMISSIONS,
    NATIVE_CLIENT_ID,
    DemoUser,
    demo_user,
)
from photon_desktop.sandbox.tokens import TokenIssuer

log = logging.getLogger(__name__)

AUDIENCE = "https://api.sandbox.photon.local"
CODE_TTL_S = 60.0
TRANSACTION_TTL_S = 600.0
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


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
class _Transaction:
    """One shown sign-in page; its random id is the CSRF token of the decision form."""

    redirect_uri: str
    state: str
    code_challenge: str
    scope: str
    nonce: str | None
    created: float


@dataclass(slots=True)
class _Code:
    user: DemoUser
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str | None
    created: float
    used: bool = False
    family: str | None = None  # refresh family it issued, revoked if the code is replayed


@dataclass(slots=True)
class _Refresh:
    user: DemoUser
    scope: str
    family: str
    used: bool = False


@dataclass
class AuthState:
    """Everything the sign-in endpoints remember during one run."""

    transactions: dict[str, _Transaction] = field(default_factory=dict)
    codes: dict[str, _Code] = field(default_factory=dict)
    refresh_tokens: dict[str, _Refresh] = field(default_factory=dict)
    revoked_families: set[str] = field(default_factory=set)
    token_requests: Counter[str] = field(default_factory=Counter)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


class OAuthServer:
    """The sign-in endpoints of one sandbox run."""

    def __init__(
        self,
        *,
        tokens: TokenIssuer,
        m2m_secret: str,
        org_id: str,
        org_name: str,
        user_id: Callable[[str], str],
        code_ttl: float = CODE_TTL_S,
    ) -> None:
        self.tokens = tokens
        self.issuer = tokens.issuer
        self.audience = tokens.audience
        self._m2m_secret = m2m_secret
        self.org_id = org_id
        self.org_name = org_name
        self._user_id = user_id
        self.code_ttl = code_ttl
        self.state = AuthState()

    def routes(self) -> list[Route]:
        return [
            Route("/authorize", self.authorize, methods=["GET"]),
            Route("/authorize/decision", self.decision, methods=["POST"]),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/oauth/revoke", self.revoke, methods=["POST"]),
            Route("/v2/logout", self.logout, methods=["GET"]),
            Route("/.well-known/openid-configuration", self.openid_configuration),
            Route("/.well-known/jwks.json", self.jwks),
        ]

    def subject(self, user: DemoUser) -> str:
        return f"auth0|{self._user_id(user.email)}"

    # -- discovery ----------------------------------------------------------------------------

    async def openid_configuration(self, request: Request) -> Response:
        base = self.issuer
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": base + "authorize",
                "token_endpoint": base + "oauth/token",
                "revocation_endpoint": base + "oauth/revoke",
                "end_session_endpoint": base + "v2/logout",
                "jwks_uri": base + ".well-known/jwks.json",
                "userinfo_endpoint": base + "userinfo",
                "response_types_supported": ["code"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": list(OIDC_SCOPES),
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.tokens.jwks())

    # -- /authorize ---------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != NATIVE_CLIENT_ID:
            return _error_page("Unknown client", "This application is not registered.")
        redirect_uri = q.get("redirect_uri", "")
        problem = loopback_redirect_error(redirect_uri)
        if problem:
            return _error_page("Invalid redirect", problem)
        state = q.get("state", "")

        def fail(error: str, description: str) -> Response:
            params = {"error": error, "error_description": description}
            if state:
                params["state"] = state
            return RedirectResponse(with_query(redirect_uri, params), status_code=302)

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "response_type must be code")
        if not state:
            return fail("invalid_request", "state is required")
        challenge = q.get("code_challenge", "")
        if q.get("code_challenge_method") != "S256" or not _CHALLENGE.match(challenge):
            return fail(
                "invalid_request", "a code_challenge with code_challenge_method=S256 is required"
            )
        audience = q.get("audience")
        if not audience:
            return fail("invalid_request", "audience is required")
        if audience != self.audience:
            return fail("access_denied", f"Service not found: {audience}")
        organization = q.get("organization")
        if organization is not None and organization != self.org_id:
            return fail("invalid_request", f"parameter organization is invalid: {organization}")

        self._expire()
        txn_id = secrets.token_urlsafe(24)
        self.state.transactions[txn_id] = _Transaction(
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=challenge,
            scope=q.get("scope") or "openid",
            nonce=q.get("nonce"),
            created=time.monotonic(),
        )
        hinted = demo_user(q.get("login_hint", ""))
        return HTMLResponse(
            _sign_in_page(txn_id, self.org_name, hinted),
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                # Browsers apply form-action to the redirect after the POST too: allow loopback.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "form-action 'self' http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'",
            },
        )

    async def decision(self, request: Request) -> Response:
        try:
            form = await _form(request)
        except (ValueError, UnicodeDecodeError):
            form = {}
        txn_id = form.get("transaction", "")
        self._expire()
        txn = self.state.transactions.pop(txn_id, None)
        if txn is None:
            return _error_page(
                "Sign-in expired", "This sign-in page is no longer valid. Start again from the app."
            )
        if form.get("action") == "cancel":
            params = {
                "error": "access_denied",
                "error_description": "The user cancelled the sign-in.",
                "state": txn.state,
            }
            return RedirectResponse(with_query(txn.redirect_uri, params), status_code=303)
        user = demo_user(form.get("user", ""))
        if user is None:
            return _error_page("Unknown user", "Choose one of the demo users.", status=400)
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = _Code(
            user=user,
            redirect_uri=txn.redirect_uri,
            code_challenge=txn.code_challenge,
            scope=txn.scope,
            nonce=txn.nonce,
            created=time.monotonic(),
        )
        log.info("sign-in: %s chose to continue", user.role)
        params = {"code": code, "state": txn.state}
        return RedirectResponse(with_query(txn.redirect_uri, params), status_code=303)

    def _expire(self) -> None:
        now = time.monotonic()
        txns = self.state.transactions
        for key in [k for k, t in txns.items() if now - t.created > TRANSACTION_TTL_S]:
            del txns[key]
        codes = self.state.codes
        horizon = max(self.code_ttl * 10, 600.0)  # keep used codes a while to detect replays
        for key in [k for k, c in codes.items() if now - c.created > horizon]:
            del codes[key]

    # -- /oauth/token -------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        params = await _read_params(request)
        if params is None:
            return _oauth_error(400, "invalid_request", "The request body could not be read.")
        grant = params.get("grant_type", "")
        self.state.token_requests[grant or "missing"] += 1
        if not grant:
            return _oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
        if grant == "client_credentials":
            return self._client_credentials(params)
        if grant == "authorization_code":
            return self._authorization_code(params)
        if grant == "refresh_token":
            return self._refresh(params)
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")

    def _client_credentials(self, p: dict[str, str]) -> Response:
        missing = [k for k in ("client_id", "client_secret", "audience") if not p.get(k)]
        if missing:
            return _oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != M2M_CLIENT_ID or not secrets.compare_digest(
            p["client_secret"].encode(), self._m2m_secret.encode()
        ):
            return _oauth_error(401, "access_denied", "Unauthorized")
        if p["audience"] != self.audience:
            return _oauth_error(
                403, "access_denied", f"Service not enabled within domain: {p['audience']}"
            )
        token = self.tokens.m2m_access_token(
            client_id=M2M_CLIENT_ID, org_id=self.org_id, scopes=M2M_PERMISSIONS
        )
        return _token_response(
            {
                "access_token": token,
                "scope": " ".join(M2M_PERMISSIONS),
                "expires_in": self.tokens.ttl,
                "token_type": "Bearer",
            }
        )

    def _authorization_code(self, p: dict[str, str]) -> Response:
        missing = [
            k for k in ("client_id", "code", "code_verifier", "redirect_uri") if not p.get(k)
        ]
        if missing:
            return _oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != NATIVE_CLIENT_ID:
            return _oauth_error(401, "access_denied", "Unauthorized")
        code = self.state.codes.get(p["code"])
        if code is None:
            return _oauth_error(403, "invalid_grant", "Invalid authorization code")
        if code.used:
            if code.family:  # a replayed code: withdraw what it issued
                self.state.revoked_families.add(code.family)
            return _oauth_error(403, "invalid_grant", "Invalid authorization code")
        code.used = True
        if time.monotonic() - code.created > self.code_ttl:
            return _oauth_error(403, "invalid_grant", "Invalid authorization code")
        if p["redirect_uri"] != code.redirect_uri:
            return _oauth_error(403, "invalid_grant", "Unable to verify redirect_uri")
        verifier = p["code_verifier"]
        if not _VERIFIER.match(verifier) or not secrets.compare_digest(
            s256(verifier), code.code_challenge
        ):
            return _oauth_error(403, "invalid_grant", "Failed to verify code verifier")
        family = secrets.token_urlsafe(12)
        code.family = family
        return self._user_tokens(code.user, code.scope, code.nonce, family)

    def _refresh(self, p: dict[str, str]) -> Response:
        missing = [k for k in ("client_id", "refresh_token") if not p.get(k)]
        if missing:
            return _oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != NATIVE_CLIENT_ID:
            return _oauth_error(401, "access_denied", "Unauthorized")
        record = self.state.refresh_tokens.get(p["refresh_token"])
        if record is None or record.family in self.state.revoked_families:
            return _oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        if record.used:
            self.state.revoked_families.add(record.family)
            log.warning("refresh token reused: its whole family is revoked")
            return _oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        record.used = True
        return self._user_tokens(record.user, record.scope, None, record.family)

    def _user_tokens(
        self, user: DemoUser, requested: str, nonce: str | None, family: str
    ) -> Response:
        words = requested.split()
        granted = [s for s in OIDC_SCOPES if s in words]
        granted += [s for s in words if s in user.permissions and s not in granted]
        scope = " ".join(granted)
        subject = self.subject(user)
        body: dict[str, Any] = {
            "access_token": self.tokens.user_access_token(
                subject=subject,
                email=user.email,
                client_id=NATIVE_CLIENT_ID,
                org_id=self.org_id,
                scope=scope,
                permissions=user.permissions,
            ),
            "scope": scope,
            "expires_in": self.tokens.ttl,
            "token_type": "Bearer",
        }
        if "openid" in granted:
            body["id_token"] = self.tokens.id_token(
                subject=subject,
                client_id=NATIVE_CLIENT_ID,
                org_id=self.org_id,
                email=user.email,
                name=user.full_name,
                given_name=user.first_name,
                family_name=user.last_name,
                nonce=nonce,
            )
        if "offline_access" in granted:
            refresh = secrets.token_urlsafe(32)
            self.state.refresh_tokens[refresh] = _Refresh(user=user, scope=requested, family=family)
            body["refresh_token"] = refresh
        return _token_response(body)

    # -- revoke / logout ----------------------------------------------------------------------

    async def revoke(self, request: Request) -> Response:
        params = await _read_params(request)
        if params is None:
            return _oauth_error(400, "invalid_request", "The request body could not be read.")
        if not params.get("token"):
            return _oauth_error(400, "invalid_request", "Missing required parameter: token")
        if params.get("client_id") != NATIVE_CLIENT_ID:
            return _oauth_error(401, "invalid_client", "Unknown or missing client_id")
        record = self.state.refresh_tokens.get(params["token"])
        if record is not None:
            self.state.revoked_families.add(record.family)
        return Response(status_code=200)  # like Auth0: unknown tokens are not an error

    async def logout(self, request: Request) -> Response:
        return_to = request.query_params.get("returnTo")
        if return_to:
            problem = loopback_redirect_error(return_to)
            if problem:
                return _error_page("Invalid returnTo", problem.replace("redirect_uri", "returnTo"))
            return RedirectResponse(return_to, status_code=302)
        return HTMLResponse(
            _page("Signed out", "<h1>Signed out</h1><p>You can close this window.</p>")
        )


async def _read_params(request: Request) -> dict[str, str] | None:
    """The body as flat strings, JSON or form-encoded, as Auth0 accepts both."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            raw = json.loads(await request.body())
            if not isinstance(raw, dict):
                return None
            return {str(k): str(v) for k, v in raw.items() if isinstance(v, str | int)}
        return await _form(request)
    except (ValueError, UnicodeDecodeError):
        return None


async def _form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (no multipart: no client sends one)."""
    body = (await request.body()).decode("utf-8")
    return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=50))


def _token_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


# -- HTML ---------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1c1e21;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:10px;box-shadow:0 2px 12px #0002;padding:32px;max-width:420px;
width:100%}
h1{font-size:1.3rem;margin:0 0 8px}p{color:#555;margin:0 0 20px}
button{display:block;width:100%;padding:12px;margin:8px 0;border-radius:6px;font-size:1rem;
cursor:pointer;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff}
button.secondary{background:#fff;color:#1d4ed8}
button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} · Photon sandbox</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _error_page(title: str, message: str, *, status: int = 400) -> HTMLResponse:
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
    return HTMLResponse(_page(title, body), status_code=status)


def _sign_in_page(txn_id: str, org_name: str, hinted: DemoUser | None) -> str:
    e = html.escape
    hidden = f'<input type="hidden" name="transaction" value="{e(txn_id)}">'
    cancel = (
        '<button type="submit" class="secondary" id="cancel" name="action" value="cancel">'
        "Cancel</button>"
    )
    if hinted is not None:
        buttons = (
            f'<input type="hidden" name="user" value="{e(hinted.email)}">'
            '<button type="submit" id="continue" name="action" value="continue">'
            f"Continue as {e(hinted.full_name)} ({e(hinted.role)})</button>"
        )
    else:
        buttons = "".join(
            f'<button type="submit" id="continue-{e(u.role)}" name="user" value="{e(u.email)}">'
            f"Continue as {e(u.full_name)} ({e(u.role)})</button>"
            for u in DEMO_USERS
        )
    body = (
        "<h1>Sign in to the Photon sandbox</h1>"
        f"<p>Organization: {e(org_name)}. These are demo accounts; no password is needed.</p>"
        f'<form method="post" action="/authorize/decision">{hidden}{buttons}{cancel}</form>'
    )
    return _page("Sign in", body)
