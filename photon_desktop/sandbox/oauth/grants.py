"""``/oauth/token`` and ``/oauth/revoke``: the grants, client authentication and revocation.

Bodies may be JSON (as Auth0 accepts) or form-encoded (RFC 6749 / RFC 7009). Errors follow
RFC 6749 §5.2: ``invalid_client`` is 401 (with ``WWW-Authenticate`` when Basic was used), every
other error 400; Auth0's descriptions are kept where clients match on them ("Service not enabled
within domain", "Invalid authorization code", "Unknown or invalid refresh token.").
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from photon_desktop.sandbox.accounts import (
    M2M_CLIENT_ID,
    M2M_PERMISSIONS,
    NATIVE_CLIENT_ID,
    DemoUser,
)
from photon_desktop.sandbox.oauth.protocol import (
    REFRESH_TTL_S,
    VERIFIER,
    Refresh,
    basic_credentials,
    granted_scopes,
    oauth_error,
    read_params,
    requested_api,
    s256,
    token_response,
)
from photon_desktop.sandbox.tokens import TokenError

if TYPE_CHECKING:
    from photon_desktop.sandbox.oauth.endpoints import OAuthServer

log = logging.getLogger("photon_desktop.sandbox.oauth")

_INVALID_REFRESH = "Unknown or invalid refresh token."


def _missing(params: dict[str, str], *names: str) -> Response | None:
    for name in names:
        if not params.get(name):
            return oauth_error(400, "invalid_request", f"Missing required parameter: {name}")
    return None


class Grants:
    def __init__(self, server: OAuthServer) -> None:
        self.server = server

    async def token(self, request: Request) -> Response:
        params = await read_params(request)
        if params is None:
            return oauth_error(400, "invalid_request", "The request body could not be read.")
        basic = basic_credentials(request.headers.get("authorization"))
        if basic is not None:
            if params.get("client_secret"):
                return oauth_error(
                    400, "invalid_request", "Use one client authentication method, not two."
                )
            params["client_id"], params["client_secret"] = basic
        grant = params.get("grant_type", "")
        self.server.state.token_requests[grant or "missing"] += 1
        if not grant:
            return oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
        api, problem = requested_api(params)
        if problem:
            return oauth_error(400, "invalid_request", problem)
        if api is not None and api != self.server.audience:
            return oauth_error(400, "invalid_target", f"Service not enabled within domain: {api}")
        if grant == "client_credentials":
            return self._client_credentials(params, api, basic is not None)
        if grant == "authorization_code":
            return self._authorization_code(params)
        if grant == "refresh_token":
            return self._refresh(params)
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")

    def _client_error(self, params: dict[str, str]) -> Response | None:
        """The native client's grants: refuse other clients (RFC 6749 §5.2)."""
        if params["client_id"] == M2M_CLIENT_ID:
            return oauth_error(
                400, "unauthorized_client", "This client may only use client_credentials."
            )
        if params["client_id"] != NATIVE_CLIENT_ID:
            return oauth_error(401, "invalid_client", "Unauthorized")
        return None

    def _client_credentials(self, p: dict[str, str], api: str | None, basic: bool) -> Response:
        server = self.server
        if missing := _missing(p, "client_id"):
            return missing
        if p["client_id"] == NATIVE_CLIENT_ID:
            return oauth_error(
                400, "unauthorized_client", "A native application cannot use client_credentials."
            )
        if p["client_id"] != M2M_CLIENT_ID or not secrets.compare_digest(
            p.get("client_secret", "").encode(), server.m2m_secret.encode()
        ):
            headers = {"WWW-Authenticate": 'Basic realm="photon-sandbox"'} if basic else None
            return oauth_error(401, "invalid_client", "Unauthorized", headers)
        if api is None:
            return oauth_error(400, "invalid_request", "Missing required parameter: audience")
        _oidc, granted = granted_scopes(p.get("scope", ""), M2M_PERMISSIONS)
        if not granted:
            return oauth_error(400, "invalid_scope", "None of the requested scopes is allowed.")
        token = server.tokens.m2m_access_token(
            client_id=M2M_CLIENT_ID, org_id=server.org_id, scopes=granted
        )
        return token_response(
            {
                "access_token": token,
                "scope": " ".join(granted),
                "expires_in": server.tokens.ttl,
                "token_type": "Bearer",
            }
        )

    def _authorization_code(self, p: dict[str, str]) -> Response:
        server = self.server
        if missing := _missing(p, "client_id", "code", "code_verifier", "redirect_uri"):
            return missing
        if refused := self._client_error(p):
            return refused
        code = server.state.codes.get(p["code"])
        if code is None:
            return oauth_error(400, "invalid_grant", "Invalid authorization code")
        if code.used:
            if code.family:  # a replayed code: withdraw what it issued
                server.state.revoked_families.add(code.family)
            return oauth_error(400, "invalid_grant", "Invalid authorization code")
        code.used = True
        if server.clock.monotonic() - code.created > server.code_ttl:
            return oauth_error(400, "invalid_grant", "Invalid authorization code")
        if p["redirect_uri"] != code.redirect_uri:
            return oauth_error(400, "invalid_grant", "Unable to verify redirect_uri")
        verifier = p["code_verifier"]
        if not VERIFIER.match(verifier) or not secrets.compare_digest(
            s256(verifier), code.code_challenge
        ):
            return oauth_error(400, "invalid_grant", "Failed to verify code verifier")
        family = secrets.token_urlsafe(12)
        code.family = family
        return self._user_tokens(code.user, code.scope, code.nonce, family, code.org_id)

    def _refresh(self, p: dict[str, str]) -> Response:
        state = self.server.state
        if missing := _missing(p, "client_id", "refresh_token"):
            return missing
        if refused := self._client_error(p):
            return refused
        record = state.refresh_tokens.get(p["refresh_token"])
        if record is None or record.family in state.revoked_families:
            return oauth_error(400, "invalid_grant", _INVALID_REFRESH)
        if self.server.clock.monotonic() - record.created > REFRESH_TTL_S:
            return oauth_error(400, "invalid_grant", _INVALID_REFRESH)
        if record.used:
            state.revoked_families.add(record.family)
            log.warning("refresh token reused: its whole family is revoked")
            return oauth_error(400, "invalid_grant", _INVALID_REFRESH)
        scope = record.scope
        if p.get("scope"):  # RFC 6749 §6: may narrow, never widen
            if not set(p["scope"].split()) <= set(record.scope.split()):
                return oauth_error(
                    400, "invalid_scope", "The scope asked for exceeds what was granted."
                )
            scope = p["scope"]
        record.used = True
        return self._user_tokens(
            record.user, scope, None, record.family, record.org_id, record.created
        )

    def _user_tokens(
        self,
        user: DemoUser,
        requested: str,
        nonce: str | None,
        family: str,
        org_id: str,
        family_created: float | None = None,
    ) -> Response:
        """Tokens for ``user``; a refresh token's lifetime runs from its family's first grant."""
        server, tokens = self.server, self.server.tokens
        oidc, permissions = granted_scopes(requested, user.permissions)
        scope = " ".join([*oidc, *permissions])
        subject = server.subject(user)
        body: dict[str, Any] = {
            "access_token": tokens.user_access_token(
                subject=subject,
                email=user.email,
                client_id=NATIVE_CLIENT_ID,
                org_id=org_id,
                scope=scope,
                permissions=permissions,
            ),
            "scope": scope,
            "expires_in": tokens.ttl,
            "token_type": "Bearer",
        }
        if "openid" in oidc:
            body["id_token"] = tokens.id_token(
                subject=subject,
                client_id=NATIVE_CLIENT_ID,
                org_id=org_id,
                email=user.email,
                name=user.full_name,
                given_name=user.first_name,
                family_name=user.last_name,
                nonce=nonce,
            )
        if "offline_access" in oidc:  # a refresh token only when it was asked for
            refresh = secrets.token_urlsafe(32)
            server.state.refresh_tokens[refresh] = Refresh(
                user=user,
                scope=scope,
                family=family,
                org_id=org_id,
                created=server.clock.monotonic() if family_created is None else family_created,
            )
            body["refresh_token"] = refresh
        return token_response(body)

    async def revoke(self, request: Request) -> Response:
        """RFC 7009: 200 for known and unknown tokens; ``token_type_hint`` orders the search."""
        params = await read_params(request)
        if params is None:
            return oauth_error(400, "invalid_request", "The request body could not be read.")
        if params.get("client_id") != NATIVE_CLIENT_ID:
            return oauth_error(401, "invalid_client", "Unknown or missing client_id")
        if missing := _missing(params, "token"):
            return missing
        token = params["token"]
        finders = [self._revoke_refresh, self._revoke_access]
        if params.get("token_type_hint") == "access_token":
            finders.reverse()
        for revoke in finders:  # an unknown or wrong hint just means searching further
            if revoke(token):
                break
        return Response(status_code=200, headers={"Cache-Control": "no-store"})

    def _revoke_refresh(self, token: str) -> bool:
        record = self.server.state.refresh_tokens.get(token)
        if record is None:
            return False
        self.server.state.revoked_families.add(record.family)
        return True

    def _revoke_access(self, token: str) -> bool:
        try:
            claims = self.server.tokens.verify_access_token(token)
        except TokenError:
            return False
        if claims.get("azp") != NATIVE_CLIENT_ID:
            return False  # a client may revoke only its own tokens
        self.server.tokens.revoke(claims)
        return True
