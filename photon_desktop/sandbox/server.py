"""The sandbox's ASGI app: sign-in, ``POST /graphql`` and the admin endpoints, behind faults.

``build_sandbox`` wires one run together; the CLI serves ``Sandbox.app`` with uvicorn. The
GraphQL endpoint answers like AWS AppSync (Photon's API): a bad token is HTTP 401 with an
``UnauthorizedException`` and no ``data``; everything else is HTTP 200 with ``data``/``errors``.

The admin endpoints live in :mod:`~photon_desktop.sandbox.admin`.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from photon_desktop.sandbox.accounts import (
    DEMO_USERS,
    M2M_CLIENT_ID,
    NATIVE_CLIENT_ID,
    Principal,
    demo_user,
)
from photon_desktop.sandbox.admin import admin_routes
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.faults import SPOIL_ENUMS, FaultMiddleware, Faults
from photon_desktop.sandbox.hosts import LoopbackHostMiddleware, allowed_hosts
from photon_desktop.sandbox.oauth import AUDIENCE, CODE_TTL_S, OAuthServer
from photon_desktop.sandbox.responses import json_object, unauthorized
from photon_desktop.sandbox.tokens import TokenError, TokenIssuer


class ClinicalBackend(Protocol):
    """What the server needs of a Clinical API: one organization's
    (:class:`~photon_desktop.sandbox.graphql.ClinicalAPI`) or all of a run's
    (:class:`~photon_desktop.sandbox.organizations.Directory`)."""

    org_id: str
    org_name: str

    def user_id(self, email: str) -> str: ...
    def organizations_of(self, email: str) -> list[tuple[str, str]]: ...
    def execute(
        self, body: dict[str, Any], principal: Principal, *, spoil_enums: bool = False
    ) -> dict[str, Any]: ...
    def records_with_external_id(self, external_id: str) -> dict[str, Any]: ...
    def pharmacy_rates(self) -> dict[str, float]: ...
    def set_pharmacy_rates(self, raw: Any) -> dict[str, float]: ...
    def stats(self) -> dict[str, Any]: ...


@dataclass
class Sandbox:
    """One run: its ASGI app plus the pieces the CLI announces and tests inspect."""

    app: ASGIApp
    issuer: str
    audience: str
    m2m_secret: str
    admin_key: str
    oauth: OAuthServer
    faults: Faults
    clock: Clock
    graphql_requests: Counter[str] = field(default_factory=Counter)

    def announcement(self) -> dict[str, Any]:
        """The one JSON line the CLI prints when ready (it holds this run's secrets)."""
        base = self.issuer
        return {
            "issuer": base,
            "authorize_url": base + "authorize",
            "token_url": base + "oauth/token",
            "revoke_url": base + "oauth/revoke",
            "logout_url": base + "v2/logout",
            "graphql_url": base + "graphql",
            "jwks_url": base + ".well-known/jwks.json",
            "audience": self.audience,
            "m2m": {"client_id": M2M_CLIENT_ID, "client_secret": self.m2m_secret},
            "native_client_id": NATIVE_CLIENT_ID,
            "users": [
                {
                    "email": u.email,
                    "name": u.full_name,
                    "role": u.role,
                    "permissions": list(u.permissions),
                }
                for u in DEMO_USERS
            ],
            "org_id": self.oauth.org_id,
            "organizations": [
                {"id": org_id, "name": name}
                for org_id, name in self.oauth.organization_names().items()
            ],
            "admin_url": base + "admin",
            "admin_key": self.admin_key,
        }


def build_sandbox(
    api: ClinicalBackend,
    *,
    issuer: str,
    clock: Clock,
    audience: str = AUDIENCE,
    token_ttl: int = 86400,
    code_ttl: float = CODE_TTL_S,
    faults: Faults | None = None,
    m2m_secret: str | None = None,
    admin_key: str | None = None,
    signing_key: rsa.RSAPrivateKey | None = None,
    kid: str | None = None,
) -> Sandbox:
    """Wire one sandbox run; ``issuer`` is the real loopback URL with a trailing slash.

    ``signing_key``/``kid`` default to a fresh in-memory key (tests pass one to forge near-misses).
    """
    tokens = TokenIssuer(
        issuer=issuer, audience=audience, ttl=token_ttl, key=signing_key, kid=kid, clock=clock
    )
    m2m_secret = m2m_secret or secrets.token_urlsafe(32)
    oauth = OAuthServer(
        tokens=tokens,
        m2m_secret=m2m_secret,
        org_id=api.org_id,
        org_name=api.org_name,
        user_id=api.user_id,
        organizations_of=api.organizations_of,
        code_ttl=code_ttl,
    )
    faults = faults or Faults()
    graphql_requests: Counter[str] = Counter()
    key = admin_key or secrets.token_urlsafe(24)

    async def graphql(request: Request) -> Response:
        try:
            claims = tokens.verify_access_token(_bearer(request.headers.get("authorization")))
        except TokenError as exc:
            return unauthorized(str(exc))
        body = await json_object(request)
        if isinstance(body, Response):
            return body
        graphql_requests[_operation_name(body)] += 1
        spoil = bool(request.scope.get("state", {}).get(SPOIL_ENUMS))
        return JSONResponse(api.execute(body, _principal(claims), spoil_enums=spoil))

    async def graphql_get(request: Request) -> Response:
        return JSONResponse(
            {"errors": [{"message": "Use POST for GraphQL requests."}]},
            status_code=405,
            headers={"Allow": "POST"},
        )

    routes = [
        *oauth.routes(),
        Route("/graphql", graphql, methods=["POST"]),
        Route("/graphql", graphql_get, methods=["GET", "PUT", "DELETE", "PATCH"]),
        *admin_routes(
            key=key,
            faults=faults,
            clock=clock,
            stats=lambda: {
                "token_requests": dict(oauth.state.token_requests),
                "graphql_requests": dict(graphql_requests),
                "faults_applied": dict(faults.applied),
                "clinical": api.stats(),
            },
            records=api.records_with_external_id,
            pharmacy=(api.pharmacy_rates, api.set_pharmacy_rates),
        ),
    ]
    app = LoopbackHostMiddleware(
        FaultMiddleware(Starlette(routes=routes), faults), allowed_hosts(issuer)
    )
    return Sandbox(
        app=app,
        issuer=issuer,
        audience=audience,
        m2m_secret=m2m_secret,
        admin_key=key,
        oauth=oauth,
        faults=faults,
        clock=clock,
        graphql_requests=graphql_requests,
    )


def _bearer(header: str | None) -> str:
    """The token from ``Authorization``: bare (as Photon's SDK sends it) or ``Bearer <token>``."""
    if not header or not header.strip():
        raise TokenError("Valid authorization header not provided.")
    value = header.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if not value:
        raise TokenError("Valid authorization header not provided.")
    return value


_FIRST_OPERATION = re.compile(r"(?:^|[\s}])(?:query|mutation|subscription)\s+([_A-Za-z]\w*)")


def _operation_name(body: dict[str, Any]) -> str:
    """``operationName``, else the name of the document's first operation (for stats only)."""
    name = body.get("operationName")
    if isinstance(name, str) and name:
        return name
    query = body.get("query")
    match = _FIRST_OPERATION.search(query) if isinstance(query, str) else None
    return match.group(1) if match else "(anonymous)"


def _principal(claims: dict[str, Any]) -> Principal:
    permissions = {p for p in claims.get("permissions", []) if isinstance(p, str)}
    scope = claims.get("scope")
    if isinstance(scope, str):
        permissions.update(scope.split())
    email = claims.get("email") if claims.get("gty") != "client-credentials" else None
    user_email = email if isinstance(email, str) and demo_user(email) else None
    return Principal(
        subject=str(claims["sub"]),
        client_id=str(claims.get("azp", "")),
        org_id=str(claims.get("org_id", "")),
        permissions=frozenset(permissions),
        user_email=user_email,
    )
