"""The one checked token set every grant produces; the session only holds and renews it.

Permissions come from the access token's ``permissions`` claim, else its ``scope`` claim, else
the token response's ``scope``. When none of them says anything, ``permissions_known`` is False:
the UI lets the API decide and says that the permissions could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from photon_desktop.auth.claims import unverified_claims
from photon_desktop.auth.token_endpoint import TokenResponse

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access", "address", "phone"})
M2M_IDENTITY = "M2M (backend)"


class TokenKind(Enum):
    NONE = "none"
    M2M = "m2m"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the token speaks for, as the user should recognise it."""

    name: str = ""
    email: str = ""
    subject: str = ""

    @property
    def label(self) -> str:
        """ "Dr Maya Okafor <prescriber@…>", or whichever part is known."""
        if self.name and self.email and self.name != self.email:
            return f"{self.name} <{self.email}>"
        return self.email or self.name or self.subject


def identity_from(*claim_sets: dict[str, Any]) -> Identity:
    """The first non-empty ``name``, ``email`` and ``sub`` found in ``claim_sets``."""

    def first(name: str) -> str:
        for claims in claim_sets:
            value = claims.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()[:200]
        return ""

    return Identity(name=first("name"), email=first("email"), subject=first("sub"))


def permissions_from(
    access_claims: dict[str, Any], response_scope: frozenset[str] | None
) -> frozenset[str] | None:
    """The API permissions, from the first source that states them; None when none does."""
    perms = access_claims.get("permissions")
    if isinstance(perms, list):
        return frozenset(p for p in perms if isinstance(p, str))
    scope = access_claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split()) - OIDC_SCOPES
    if isinstance(scope, list):  # some providers send an array
        return frozenset(s for s in scope if isinstance(s, str)) - OIDC_SCOPES
    if response_scope is not None:
        return response_scope - OIDC_SCOPES
    return None


@dataclass(frozen=True, slots=True)
class TokenSet:
    """A granted access token with everything derived from it, computed before it is adopted."""

    kind: TokenKind
    access_token: str = field(repr=False)
    lifetime: float
    expires_at: float  # on the session's clock
    permissions: frozenset[str]
    permissions_known: bool
    identity: Identity
    organization_id: str | None
    refresh_token: str | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        response: TokenResponse,
        kind: TokenKind,
        *,
        now: float,
        id_claims: dict[str, Any] | None = None,
        identity: Identity | None = None,
        organization: str | None = None,
        refresh_token: str | None = None,
    ) -> TokenSet:
        """Everything derived and checked first; nothing here can fail half-way."""
        access_claims = unverified_claims(response.access_token)
        perms = permissions_from(access_claims, response.scope)
        org = (id_claims or {}).get("org_id") or access_claims.get("org_id")
        if kind is TokenKind.M2M:
            who = Identity(name=M2M_IDENTITY)
        else:
            found = identity_from(id_claims or {}, access_claims)
            who = identity if identity is not None and identity.label else found
        return cls(
            kind=kind,
            access_token=response.access_token,
            lifetime=response.expires_in,
            expires_at=now + response.expires_in,
            permissions=perms or frozenset(),
            permissions_known=perms is not None,
            identity=who,
            organization_id=org if isinstance(org, str) and org else organization or None,
            refresh_token=response.refresh_token or refresh_token,
        )
