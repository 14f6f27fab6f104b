"""What the Support page's session inspector shows: the environment, its endpoints and the
current sign-in, read from the session so no view touches the auth layer.

The access token's header and claims are decoded without checking the signature (the API
checks it): the UI says so. The refresh token and secrets never leave the session: the report
only says whether a refresh token is held, since when, and in which keyring backend.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from photon_desktop import errors
from photon_desktop.auth.browser_flow import OPENID_SCOPES
from photon_desktop.auth.session import Session
from photon_desktop.auth.tokens import TokenKind

__all__ = ["SessionReport", "copyable_access_token", "inspect_session"]


@dataclasses.dataclass(frozen=True, slots=True)
class SessionReport:
    """One snapshot of the environment and sign-in, safe to show on screen."""

    environment: str
    endpoints: tuple[tuple[str, str], ...]  # (what, URL)
    endpoints_problem: str | None
    token_kind: str
    subject: str
    organization: str
    requested_scopes: tuple[str, ...]
    granted_scopes: tuple[str, ...]
    permissions: tuple[str, ...]
    permissions_known: bool
    issued_at: datetime | None
    expires_at: datetime | None
    header: dict[str, Any]
    claims: dict[str, Any]
    refresh_present: bool
    refresh_received_at: datetime | None
    keyring_backend: str

    def seconds_left(self, now: datetime | None = None) -> float | None:
        """Seconds until the access token expires (negative once it has), None if none."""
        if self.expires_at is None:
            return None
        return (self.expires_at - (now or datetime.now(UTC))).total_seconds()


_KINDS = {
    TokenKind.NONE: "Not signed in",
    TokenKind.M2M: "Machine (M2M, client credentials)",
    TokenKind.USER: "User (browser sign-in)",
}


async def inspect_session(session: Session) -> SessionReport:
    """The report of ``session`` now; discovery may be read (a failure is shown, not raised)."""
    env = session.environment
    endpoints: list[tuple[str, str]] = [
        ("Issuer", env.issuer),
        ("API audience", env.audience),
        ("GraphQL", env.graphql_url),
    ]
    problem = None
    try:
        provider = await session.provider()
    except errors.PhotonError as error:
        problem = f"The provider's endpoints could not be read: {error}"
    else:
        endpoints += [
            ("Authorization", provider.authorization_endpoint),
            ("Token", provider.token_endpoint),
            ("Signing keys (JWKS)", provider.jwks_uri),
            ("Revocation", provider.revocation_endpoint or "none offered"),
            ("End session", provider.end_session_endpoint or "none offered"),
            ("Endpoints from", "OpenID discovery" if provider.discovered else "built in"),
        ]
    token = session.current_access_token()
    header, claims = _decode(token)
    scope = claims.get("scope")
    granted = tuple(scope.split()) if isinstance(scope, str) else ()
    kind = session.kind
    requested: tuple[str, ...] = tuple(env.api_scopes)
    if kind is TokenKind.USER:
        requested = tuple(dict.fromkeys([*OPENID_SCOPES, "offline_access", *env.api_scopes]))
    iat = claims.get("iat")
    return SessionReport(
        environment=f"{env.name} ({env.key})",
        endpoints=tuple(endpoints),
        endpoints_problem=problem,
        token_kind=_KINDS[kind],
        subject=str(claims.get("sub", "")),
        organization=session.organization_id or "",
        requested_scopes=requested,
        granted_scopes=granted,
        permissions=tuple(sorted(session.permissions)),
        permissions_known=session.permissions_known,
        issued_at=datetime.fromtimestamp(iat, UTC) if isinstance(iat, int | float) else None,
        expires_at=session.expires_at,
        header=header,
        claims=claims,
        refresh_present=session.has_refresh_token,
        refresh_received_at=session.refresh_received_at,
        keyring_backend=session.keyring_backend,
    )


def copyable_access_token(session: Session) -> str | None:
    """The raw access token, for the explicit "Copy access token" action only."""
    return session.current_access_token()


def _decode(token: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JWT's header and claims, unverified; empty for no token or an opaque one."""
    import jwt  # with the first report, not at start-up

    if not token:
        return {}, {}
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}, {}
    return dict(header), dict(claims) if isinstance(claims, dict) else {}
