"""JWT claims: the access token's, read for display and UI gating only, and the ID token's,
checked in full.

The access token is for the API, which decides, so its signature is not checked here. The ID
token of a browser sign-in is validated with PyJWT: signature by a key of the provider's JWKS,
``iss`` exactly, ``aud`` the desktop client, and ``exp``, ``iat``, ``iss``, ``aud`` (and ``nonce``
for a new sign-in) required; then ``nonce`` and, when an organization was asked for, ``org_id``.

The access token's payload is read with the standard library (base64url, then JSON: all that
reading an unchecked JWT is). PyJWT, which checks the ID token, brings cryptography with it
(~8 MB and ~30 ms of imports), and an M2M start-up reads only access tokens on the way to its
first page; it is imported when an ID token is first checked.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx

from photon_desktop import errors
from photon_desktop.auth.pkce import same_secret

CLOCK_SKEW = 60.0
JWKS_DEADLINE = 10.0
_ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT without checking its signature; {} for anything not a JWT (three
    base64url parts whose header and payload are JSON objects and whose ``kid``, if any, is text:
    what PyJWT's unverified decode accepts, which a test compares)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        header, claims = (json.loads(_base64url(part)) for part in parts[:2])
    except (ValueError, RecursionError):  # binascii.Error and JSONDecodeError are ValueErrors
        return {}
    if not isinstance(header, dict) or not isinstance(header.get("kid", ""), str):
        return {}
    return claims if isinstance(claims, dict) else {}


def _base64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))  # non-ASCII: ValueError


async def fetch_jwks(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """The provider's public signing keys; raises ``errors.*``."""
    try:
        async with asyncio.timeout(JWKS_DEADLINE):
            response = await client.get(url)
    except (TimeoutError, httpx.HTTPError):
        raise errors.OfflineError(
            "Could not fetch the provider's signing keys to check the sign-in. Try again."
        ) from None
    try:
        data = response.json() if response.status_code == 200 else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise errors.SignInError(
            "The provider's signing keys could not be read, so the sign-in cannot be trusted."
        )
    return data


def names_unknown_key(id_token: str, jwks: dict[str, Any]) -> bool:
    """Whether the token names a key (``kid``) the set does not hold: the provider has new
    keys since they were fetched (a rotation, a restarted provider), so fetch them again."""
    import jwt

    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
    except jwt.PyJWTError:
        return False  # unreadable: the check itself says so
    known = {key.get("kid") for key in jwks.get("keys", []) if isinstance(key, dict)}
    return bool(kid) and kid not in known


def _signing_key(id_token: str, jwks: dict[str, Any], algorithms: tuple[str, ...]) -> Any:
    import jwt

    bad = errors.SignInError("The sign-in answer is not signed by the provider. Nothing was saved.")
    try:
        header = jwt.get_unverified_header(id_token)
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except jwt.PyJWTError:
        raise bad from None
    if header.get("alg") not in algorithms:
        raise bad
    kid = header.get("kid")
    matching = [k for k in keys if k.key_id == kid] if kid else keys
    if len(matching) != 1:
        raise bad
    return matching[0].key


def check_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str | None,
    organization: str | None = None,
    algorithms: tuple[str, ...] = ("RS256",),
) -> dict[str, Any]:
    """The ID token's claims once every check passed; else ``errors.SignInError``.

    ``nonce`` None: a refreshed ID token, which carries no nonce of ours (OIDC §12.2).
    """
    import jwt

    allowed = tuple(a for a in algorithms if a in _ASYMMETRIC) or ("RS256",)
    key = _signing_key(id_token, jwks, allowed)
    required = ["exp", "iat", "iss", "aud"] + (["nonce"] if nonce is not None else [])
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=list(allowed),
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_SKEW,
            options={"require": required},
        )
    except jwt.InvalidSignatureError:
        raise errors.SignInError(
            "The sign-in answer is not signed by the provider. Nothing was saved."
        ) from None
    except jwt.InvalidIssuerError:
        raise errors.SignInError(
            "The sign-in answer came from a different provider or environment. Nothing was saved."
        ) from None
    except jwt.InvalidAudienceError:
        raise errors.SignInError("The sign-in answer was meant for another application.") from None
    except jwt.ExpiredSignatureError:
        raise errors.SignInError("The sign-in answer has already expired. Try again.") from None
    except jwt.MissingRequiredClaimError as error:
        raise errors.SignInError(
            f"The sign-in answer's identity token lacks the required “{error.claim}” claim. "
            "Nothing was saved."
        ) from None
    except jwt.PyJWTError:
        raise errors.SignInError(
            "The sign-in answer's identity token is not valid. Nothing was saved."
        ) from None
    if nonce is not None:
        received = claims.get("nonce")
        if not same_secret(nonce, received if isinstance(received, str) else None):
            raise errors.SignInError("The sign-in answer does not belong to this sign-in attempt.")
    if organization and claims.get("org_id") != organization:
        raise errors.SignInError(
            "You signed in to a different organization than the one set for this environment."
        )
    return claims
