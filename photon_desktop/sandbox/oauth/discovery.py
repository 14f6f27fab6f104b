"""What a generic OpenID Connect client reads first: discovery, the key set and userinfo.

The discovery document lists only what the server really does (no endpoint it does not serve,
no grant or auth method it refuses), so a client configured from it alone works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from photon_desktop.sandbox.accounts import ADMIN_PERMISSIONS, ALL_PERMISSIONS, demo_user
from photon_desktop.sandbox.oauth.protocol import OIDC_SCOPES
from photon_desktop.sandbox.tokens import TokenError

if TYPE_CHECKING:
    from photon_desktop.sandbox.oauth.endpoints import OAuthServer

# Every claim an ID token, access token or userinfo answer of this server can hold.
CLAIMS = (
    "iss", "sub", "aud", "exp", "iat", "jti", "azp", "nonce", "org_id",
    "email", "email_verified", "name", "given_name", "family_name",
    "scope", "permissions", "gty",
)  # fmt: skip


class Discovery:
    def __init__(self, server: OAuthServer) -> None:
        self.server = server

    async def openid_configuration(self, request: Request) -> Response:
        base = self.server.issuer
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
                "response_modes_supported": ["query"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                    "none",
                ],
                "revocation_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": [*OIDC_SCOPES, *ALL_PERMISSIONS, *ADMIN_PERMISSIONS],
                "claims_supported": list(CLAIMS),
                "prompt_values_supported": ["none", "login", "consent", "select_account"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "authorization_response_iss_parameter_supported": True,
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.server.tokens.jwks())

    async def userinfo(self, request: Request) -> Response:
        """OIDC Core §5.3: the signed-in user's claims for an access token with ``openid``."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        try:
            claims = self.server.tokens.verify_access_token(token)
        except TokenError as exc:
            return _bearer_error(401, "invalid_token", str(exc))
        scopes = str(claims.get("scope", "")).split()
        user = demo_user(str(claims.get("email", "")))
        if "openid" not in scopes or user is None or claims.get("gty") == "client-credentials":
            return _bearer_error(
                403, "insufficient_scope", "userinfo needs a user's token with the openid scope"
            )
        body: dict[str, object] = {"sub": claims["sub"]}
        if "profile" in scopes:
            body.update(name=user.full_name, given_name=user.first_name, family_name=user.last_name)
        if "email" in scopes:
            body.update(email=user.email, email_verified=True)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _bearer_error(status: int, error: str, description: str) -> Response:
    """RFC 6750 §3: the error in ``WWW-Authenticate`` as well as the body."""
    challenge = f'Bearer error="{error}", error_description="{description}"'
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"},
    )
