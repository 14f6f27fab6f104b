"""The sandbox's Auth0-like sign-in: ``/authorize``, ``/oauth/token``, revoke, logout, discovery.

Behaviour follows Photon's tenant (Auth0) where clients can see it: the client-credentials
exchange and its error bodies, authorization code + PKCE (S256 only) for the native client with
loopback redirects only (RFC 8252), refresh-token rotation with reuse detection that revokes the
whole family, and Auth0's default absolute refresh-token lifetime (30 days).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from photon_desktop.sandbox.accounts import (
    M2M_CLIENT_ID,
    M2M_PERMISSIONS,
    NATIVE_CLIENT_ID,
    DemoUser,
    demo_user,
)
from photon_desktop.sandbox.oauth.pages import error_page, page, sign_in_page
from photon_desktop.sandbox.oauth.protocol import (
    CHALLENGE,
    CODE_TTL_S,
    OIDC_SCOPES,
    REFRESH_TTL_S,
    TRANSACTION_TTL_S,
    VERIFIER,
    AuthState,
    Code,
    Refresh,
    Transaction,
    loopback_redirect_error,
    oauth_error,
    read_form,
    read_params,
    s256,
    token_response,
    with_query,
)
from photon_desktop.sandbox.tokens import TokenIssuer

log = logging.getLogger("photon_desktop.sandbox.oauth")


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
        self.clock = tokens.clock
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
            return error_page("Unknown client", "This application is not registered.")
        redirect_uri = q.get("redirect_uri", "")
        problem = loopback_redirect_error(redirect_uri)
        if problem:
            return error_page("Invalid redirect", problem)
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
        if q.get("code_challenge_method") != "S256" or not CHALLENGE.match(challenge):
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
        self.state.transactions[txn_id] = Transaction(
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=challenge,
            scope=q.get("scope") or "openid",
            nonce=q.get("nonce"),
            created=self.clock.monotonic(),
        )
        hinted = demo_user(q.get("login_hint", ""))
        return HTMLResponse(
            sign_in_page(txn_id, self.org_name, hinted),
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
            form = await read_form(request)
        except (ValueError, UnicodeDecodeError):
            form = {}
        txn_id = form.get("transaction", "")
        self._expire()
        txn = self.state.transactions.pop(txn_id, None)
        if txn is None:
            return error_page(
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
            return error_page("Unknown user", "Choose one of the demo users.", status=400)
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = Code(
            user=user,
            redirect_uri=txn.redirect_uri,
            code_challenge=txn.code_challenge,
            scope=txn.scope,
            nonce=txn.nonce,
            created=self.clock.monotonic(),
        )
        log.info("sign-in: %s chose to continue", user.role)
        params = {"code": code, "state": txn.state}
        return RedirectResponse(with_query(txn.redirect_uri, params), status_code=303)

    def _expire(self) -> None:
        now = self.clock.monotonic()
        txns = self.state.transactions
        for key in [k for k, t in txns.items() if now - t.created > TRANSACTION_TTL_S]:
            del txns[key]
        codes = self.state.codes
        horizon = max(self.code_ttl * 10, 600.0)  # keep used codes a while to detect replays
        for key in [k for k, c in codes.items() if now - c.created > horizon]:
            del codes[key]

    # -- /oauth/token -------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        params = await read_params(request)
        if params is None:
            return oauth_error(400, "invalid_request", "The request body could not be read.")
        grant = params.get("grant_type", "")
        self.state.token_requests[grant or "missing"] += 1
        if not grant:
            return oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
        if grant == "client_credentials":
            return self._client_credentials(params)
        if grant == "authorization_code":
            return self._authorization_code(params)
        if grant == "refresh_token":
            return self._refresh(params)
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")

    def _client_credentials(self, p: dict[str, str]) -> Response:
        missing = [k for k in ("client_id", "client_secret", "audience") if not p.get(k)]
        if missing:
            return oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != M2M_CLIENT_ID or not secrets.compare_digest(
            p["client_secret"].encode(), self._m2m_secret.encode()
        ):
            return oauth_error(401, "access_denied", "Unauthorized")
        if p["audience"] != self.audience:
            return oauth_error(
                403, "access_denied", f"Service not enabled within domain: {p['audience']}"
            )
        token = self.tokens.m2m_access_token(
            client_id=M2M_CLIENT_ID, org_id=self.org_id, scopes=M2M_PERMISSIONS
        )
        return token_response(
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
            return oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != NATIVE_CLIENT_ID:
            return oauth_error(401, "access_denied", "Unauthorized")
        code = self.state.codes.get(p["code"])
        if code is None:
            return oauth_error(403, "invalid_grant", "Invalid authorization code")
        if code.used:
            if code.family:  # a replayed code: withdraw what it issued
                self.state.revoked_families.add(code.family)
            return oauth_error(403, "invalid_grant", "Invalid authorization code")
        code.used = True
        if self.clock.monotonic() - code.created > self.code_ttl:
            return oauth_error(403, "invalid_grant", "Invalid authorization code")
        if p["redirect_uri"] != code.redirect_uri:
            return oauth_error(403, "invalid_grant", "Unable to verify redirect_uri")
        verifier = p["code_verifier"]
        if not VERIFIER.match(verifier) or not secrets.compare_digest(
            s256(verifier), code.code_challenge
        ):
            return oauth_error(403, "invalid_grant", "Failed to verify code verifier")
        family = secrets.token_urlsafe(12)
        code.family = family
        return self._user_tokens(code.user, code.scope, code.nonce, family)

    def _refresh(self, p: dict[str, str]) -> Response:
        missing = [k for k in ("client_id", "refresh_token") if not p.get(k)]
        if missing:
            return oauth_error(400, "invalid_request", f"Missing required parameter: {missing[0]}")
        if p["client_id"] != NATIVE_CLIENT_ID:
            return oauth_error(401, "access_denied", "Unauthorized")
        record = self.state.refresh_tokens.get(p["refresh_token"])
        if record is None or record.family in self.state.revoked_families:
            return oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        if self.clock.monotonic() - record.created > REFRESH_TTL_S:
            return oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        if record.used:
            self.state.revoked_families.add(record.family)
            log.warning("refresh token reused: its whole family is revoked")
            return oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        record.used = True
        return self._user_tokens(record.user, record.scope, None, record.family, record.created)

    def _user_tokens(
        self,
        user: DemoUser,
        requested: str,
        nonce: str | None,
        family: str,
        family_created: float | None = None,
    ) -> Response:
        """Tokens for ``user``; a refresh token's lifetime runs from its family's first grant."""
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
            self.state.refresh_tokens[refresh] = Refresh(
                user=user,
                scope=requested,
                family=family,
                created=self.clock.monotonic() if family_created is None else family_created,
            )
            body["refresh_token"] = refresh
        return token_response(body)

    # -- revoke / logout ----------------------------------------------------------------------

    async def revoke(self, request: Request) -> Response:
        params = await read_params(request)
        if params is None:
            return oauth_error(400, "invalid_request", "The request body could not be read.")
        if not params.get("token"):
            return oauth_error(400, "invalid_request", "Missing required parameter: token")
        if params.get("client_id") != NATIVE_CLIENT_ID:
            return oauth_error(401, "invalid_client", "Unknown or missing client_id")
        record = self.state.refresh_tokens.get(params["token"])
        if record is not None:
            self.state.revoked_families.add(record.family)
        return Response(status_code=200)  # like Auth0: unknown tokens are not an error

    async def logout(self, request: Request) -> Response:
        return_to = request.query_params.get("returnTo")
        if return_to:
            problem = loopback_redirect_error(return_to)
            if problem:
                return error_page("Invalid returnTo", problem.replace("redirect_uri", "returnTo"))
            return RedirectResponse(return_to, status_code=302)
        return HTMLResponse(
            page("Signed out", "<h1>Signed out</h1><p>You can close this window.</p>")
        )
