"""JWT claims: decoded for display and UI gating only, and the ID token's checks.

The access token's claims are a hint (the API decides), so its signature is not checked here.
The ID token arrives straight from the token endpoint over TLS in the code exchange, so (OIDC Core
§3.1.3.7 item 6) its ``iss``, ``aud``, ``nonce``, ``exp`` and ``org_id`` are what must be checked.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from photon_desktop import errors
from photon_desktop.auth.pkce import same_secret

CLOCK_SKEW = 60.0


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT without checking its signature; {} for anything not a JWT."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}


def permissions_from(access_token: str, response_scope: frozenset[str]) -> frozenset[str]:
    """Token response ``scope`` + JWT ``scope`` + JWT ``permissions`` (OIDC scopes left out)."""
    claims = unverified_claims(access_token)
    names: set[str] = set(response_scope)
    scope = claims.get("scope")
    if isinstance(scope, str):
        names.update(scope.split())
    perms = claims.get("permissions")
    if isinstance(perms, list):
        names.update(p for p in perms if isinstance(p, str))
    return frozenset(n for n in names if ":" in n)


def check_id_token(
    id_token: str,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    organization: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The ID token's claims after checking iss/aud/nonce/exp (and org_id); else SignInError."""
    claims = unverified_claims(id_token)
    if not claims:
        raise errors.SignInError("The sign-in answer carried no readable identity token.")
    if claims.get("iss") != issuer:
        raise errors.SignInError(
            "The sign-in answer came from a different Photon environment. Nothing was saved."
        )
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise errors.SignInError("The sign-in answer was meant for another application.")
    received_nonce = claims.get("nonce")
    if not same_secret(nonce, received_nonce if isinstance(received_nonce, str) else None):
        raise errors.SignInError("The sign-in answer does not belong to this sign-in attempt.")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp + CLOCK_SKEW < (
        now if now is not None else time.time()
    ):
        raise errors.SignInError("The sign-in answer has already expired. Try again.")
    if organization and claims.get("org_id") != organization:
        raise errors.SignInError(
            "You signed in to a different organization than the one set for this environment."
        )
    return claims


def identity_from(claims: dict[str, Any]) -> str | None:
    """ "Dr Maya Okafor <prescriber@…>" from ID token claims."""
    name = claims.get("name")
    email = claims.get("email")
    if isinstance(name, str) and isinstance(email, str) and name and email and name != email:
        return f"{name} <{email}>"
    for value in (email, name, claims.get("sub")):
        if isinstance(value, str) and value:
            return value
    return None
