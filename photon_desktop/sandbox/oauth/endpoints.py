"""The sandbox's Auth0-like, standards-conformant sign-in server: one object, its routes.

Behaviour follows Photon's tenant (Auth0) where clients can see it, and the RFCs where a generic
OpenID client relies on them: authorization code + PKCE (S256 only) for the native client with
loopback redirects only (RFC 8252) and ``iss`` in the response (RFC 9207); client credentials
with ``audience`` or ``resource`` (RFC 8707); refresh-token rotation with reuse detection that
revokes the whole family and Auth0's 30-day absolute lifetime; revocation (RFC 7009).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import Route

from photon_desktop.sandbox.accounts import DEMO_USERS, DemoUser
from photon_desktop.sandbox.oauth.authorize import Authorize
from photon_desktop.sandbox.oauth.discovery import Discovery
from photon_desktop.sandbox.oauth.grants import Grants
from photon_desktop.sandbox.oauth.protocol import CODE_TTL_S, AuthState
from photon_desktop.sandbox.tokens import TokenIssuer


class OAuthServer:
    """The sign-in endpoints of one sandbox run and what they remember."""

    def __init__(
        self,
        *,
        tokens: TokenIssuer,
        m2m_secret: str,
        org_id: str,
        org_name: str,
        user_id: Callable[[str], str],
        organizations_of: Callable[[str], list[tuple[str, str]]] | None = None,
        code_ttl: float = CODE_TTL_S,
    ) -> None:
        """``organizations_of(email)``: (id, name) of the organizations a user may sign in to
        (default: only ``org_id``); ``org_id`` is the M2M client's organization."""
        self.tokens = tokens
        self.clock = tokens.clock
        self.issuer = tokens.issuer
        self.audience = tokens.audience
        self.m2m_secret = m2m_secret
        self.org_id = org_id
        self.org_name = org_name
        self._user_id = user_id
        self.organizations_of = organizations_of or (lambda _email: [(org_id, org_name)])
        self.code_ttl = code_ttl
        self.state = AuthState()

    def routes(self) -> list[Route]:
        authorize, grants, discovery = Authorize(self), Grants(self), Discovery(self)
        return [
            Route("/authorize", authorize.authorize, methods=["GET"]),
            Route("/authorize/decision", authorize.decision, methods=["POST"]),
            Route("/v2/logout", authorize.logout, methods=["GET"]),
            Route("/oauth/token", grants.token, methods=["POST"]),
            Route("/oauth/revoke", grants.revoke, methods=["POST"]),
            Route("/.well-known/openid-configuration", discovery.openid_configuration),
            Route("/.well-known/jwks.json", discovery.jwks),
            Route("/userinfo", discovery.userinfo, methods=["GET", "POST"]),
        ]

    def organization_names(self) -> dict[str, str]:
        """Every organization anyone can sign in to, by id."""
        return {i: n for u in DEMO_USERS for i, n in self.organizations_of(u.email)}

    def subject(self, user: DemoUser) -> str:
        return f"auth0|{self._user_id(user.email)}"
