"""JWT claims: decoded for display and UI gating only, and the ID token's checks.

The access token's claims are a hint (the API decides), so its signature is not checked here.
The ID token of a browser sign-in is checked in full: its RS256 signature against the issuer's
JWKS (``/.well-known/jwks.json``, fetched with the environment's own client), then ``iss``,
``aud``, ``nonce``, ``exp`` and, when an organization was asked for, ``org_id``.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from photon_desktop import errors
from photon_desktop.auth.environments import Environment
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


async def fetch_jwks(client: httpx.AsyncClient, env: Environment) -> dict[str, Any]:
    """The issuer's public signing keys; raises ``errors.*``."""
    try:
        response = await client.get(env.jwks_url, timeout=httpx.Timeout(10.0))
    except httpx.HTTPError:
        raise errors.OfflineError(
            "Could not fetch Photon's signing keys to check the sign-in. Try again."
        ) from None
    try:
        data = response.json() if response.status_code == 200 else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise errors.SignInError(
            "Photon's signing keys could not be read, so the sign-in cannot be trusted."
        )
    return data


def check_signature(id_token: str, jwks: dict[str, Any]) -> None:
    """RS256 signature by a key of ``jwks`` (matched by ``kid``); else SignInError."""
    bad = errors.SignInError("The sign-in answer is not signed by Photon. Nothing was saved.")
    try:
        header = jwt.get_unverified_header(id_token)
        keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys}
    except jwt.PyJWTError:
        raise bad from None
    key = keys.get(header.get("kid"))
    if header.get("alg") != "RS256" or key is None:
        raise bad
    try:
        jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_iss": False, "verify_exp": False},
        )
    except jwt.PyJWTError:
        raise bad from None


def check_id_token(
    id_token: str,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    organization: str | None = None,
    now: float | None = None,
    jwks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ID token's claims after checking signature (when ``jwks`` is given), iss/aud/nonce/exp
    and org_id; else SignInError."""
    if jwks is not None:
        check_signature(id_token, jwks)
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
