"""``/authorize`` and the sign-in page's decision: the browser half of authorization code + PKCE.

Every redirect back to the client, success or error, carries ``iss`` (RFC 9207), so a client
talking to several providers can tell which one answered (mix-up defence).
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from photon_desktop.sandbox.accounts import NATIVE_CLIENT_ID, demo_user
from photon_desktop.sandbox.oauth.pages import error_page, page, sign_in_page
from photon_desktop.sandbox.oauth.protocol import (
    CHALLENGE,
    PROMPTS,
    TRANSACTION_TTL_S,
    Code,
    Transaction,
    loopback_redirect_error,
    read_form,
    requested_api,
    with_query,
)

if TYPE_CHECKING:
    from photon_desktop.sandbox.oauth.endpoints import OAuthServer

log = logging.getLogger("photon_desktop.sandbox.oauth")


class Authorize:
    def __init__(self, server: OAuthServer) -> None:
        self.server = server

    def _back(self, redirect_uri: str, params: dict[str, str], status: int) -> Response:
        return RedirectResponse(
            with_query(redirect_uri, {**params, "iss": self.server.issuer}), status_code=status
        )

    async def authorize(self, request: Request) -> Response:
        server = self.server
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
            return self._back(redirect_uri, params, 302)

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "response_type must be code")
        if not state:
            return fail("invalid_request", "state is required")
        challenge = q.get("code_challenge", "")
        if q.get("code_challenge_method") != "S256" or not CHALLENGE.match(challenge):
            return fail(
                "invalid_request", "a code_challenge with code_challenge_method=S256 is required"
            )
        api, problem = requested_api(q)
        if problem:
            return fail("invalid_request", problem)
        if not api:
            return fail("invalid_request", "audience (or resource) is required")
        if api != server.audience:
            if q.get("resource"):
                return fail("invalid_target", f"Service not found: {api}")
            return fail("access_denied", f"Service not found: {api}")
        organization = q.get("organization")
        names = server.organization_names()
        if organization is not None and organization not in names:
            return fail("invalid_request", f"parameter organization is invalid: {organization}")
        prompts = set(q.get("prompt", "").split())
        if prompts - PROMPTS:
            return fail("invalid_request", f"prompt must be among {', '.join(sorted(PROMPTS))}")
        if "none" in prompts:
            # The sandbox keeps no browser session, so a silent sign-in can never succeed.
            return fail("login_required", "The user must sign in.")

        self._expire()
        txn_id = secrets.token_urlsafe(24)
        server.state.transactions[txn_id] = Transaction(
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=challenge,
            scope=q.get("scope") or "openid",
            nonce=q.get("nonce"),
            created=server.clock.monotonic(),
            organization=organization,
        )
        hinted = demo_user(q.get("login_hint", ""))
        shown = names[organization] if organization else None
        return HTMLResponse(
            sign_in_page(txn_id, shown, hinted),
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                # Browsers apply form-action to the redirect after the POST too: allow loopback.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "form-action 'self' http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'",
            },
        )

    async def decision(self, request: Request) -> Response:
        server = self.server
        try:
            form = await read_form(request)
        except (ValueError, UnicodeDecodeError):
            form = {}
        txn_id = form.get("transaction", "")
        self._expire()
        txn = server.state.transactions.pop(txn_id, None)
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
            return self._back(txn.redirect_uri, params, 303)
        user = demo_user(form.get("user", ""))
        if user is None:
            return error_page("Unknown user", "Choose one of the demo users.", status=400)
        memberships = [org_id for org_id, _ in server.organizations_of(user.email)]
        org_id = txn.organization or memberships[0]
        if org_id not in memberships:
            params = {
                "error": "access_denied",
                "error_description": f"user is not a member of the organization {org_id}",
                "state": txn.state,
            }
            return self._back(txn.redirect_uri, params, 303)
        code = secrets.token_urlsafe(32)
        server.state.codes[code] = Code(
            user=user,
            redirect_uri=txn.redirect_uri,
            code_challenge=txn.code_challenge,
            scope=txn.scope,
            nonce=txn.nonce,
            created=server.clock.monotonic(),
            org_id=org_id,
        )
        log.info("sign-in: %s chose to continue", user.role)
        return self._back(txn.redirect_uri, {"code": code, "state": txn.state}, 303)

    def _expire(self) -> None:
        server = self.server
        now = server.clock.monotonic()
        txns = server.state.transactions
        for key in [k for k, t in txns.items() if now - t.created > TRANSACTION_TTL_S]:
            del txns[key]
        codes = server.state.codes
        horizon = max(server.code_ttl * 10, 600.0)  # keep used codes a while to detect replays
        for key in [k for k, c in codes.items() if now - c.created > horizon]:
            del codes[key]

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
