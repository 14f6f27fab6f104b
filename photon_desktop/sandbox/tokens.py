"""RS256 tokens shaped like Photon's Auth0 tenant issues them.

The signing key is generated when the sandbox starts and lives only in memory, so a token from
one run never verifies in another. Token times come from the run's :class:`~clock.Clock`
(``wall``: real time, never the simulated order clock, since clients check ``exp`` against their
own clocks), so tests move time instead of sleeping.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from photon_desktop.sandbox.clock import Clock

ALGORITHM = "RS256"


class TokenError(Exception):
    """An access token that must not be honoured; ``str()`` is safe to show the caller."""


class TokenIssuer:
    """Signs access and ID tokens for one issuer/audience and verifies access tokens."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        ttl: int = 86400,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``key``/``kid`` default to fresh ones; passing them lets tests forge near-misses."""
        if not issuer.endswith("/"):
            raise ValueError("issuer must end with '/' (it is the JWT 'iss' claim)")
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl
        self._key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid or secrets.token_hex(8)
        self.clock = clock or Clock()
        self._revoked: set[str] = set()

    # -- issuing ------------------------------------------------------------------------------

    def m2m_access_token(self, *, client_id: str, org_id: str, scopes: Sequence[str]) -> str:
        """A client-credentials token: ``sub`` is ``<client_id>@clients``, ``aud`` a string."""
        now = int(self.clock.wall())
        return self._sign(
            {
                "iss": self.issuer,
                "sub": f"{client_id}@clients",
                "aud": self.audience,
                "iat": now,
                "exp": now + self.ttl,
                "azp": client_id,
                "scope": " ".join(scopes),
                "gty": "client-credentials",
                "permissions": list(scopes),
                "org_id": org_id,
            }
        )

    def user_access_token(
        self,
        *,
        subject: str,
        email: str,
        client_id: str,
        org_id: str,
        scope: str,
        permissions: Sequence[str],
    ) -> str:
        """A user's token: ``aud`` holds the API audience and the issuer's userinfo URL."""
        now = int(self.clock.wall())
        return self._sign(
            {
                "iss": self.issuer,
                "sub": subject,
                "aud": [self.audience, self.issuer + "userinfo"],
                "iat": now,
                "exp": now + self.ttl,
                "azp": client_id,
                "scope": scope,
                "permissions": list(permissions),
                "org_id": org_id,
                "email": email,
            }
        )

    def id_token(
        self,
        *,
        subject: str,
        client_id: str,
        org_id: str,
        email: str,
        name: str,
        given_name: str,
        family_name: str,
        nonce: str | None,
    ) -> str:
        """An OpenID Connect ID token for the native client (``aud`` is the client id)."""
        now = int(self.clock.wall())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": client_id,
            "iat": now,
            "exp": now + 36000,  # Auth0's default ID token lifetime
            "email": email,
            "email_verified": True,
            "name": name,
            "given_name": given_name,
            "family_name": family_name,
            "org_id": org_id,
        }
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)

    def _sign(self, claims: dict[str, Any]) -> str:
        # A unique id, so two tokens issued in the same second are still different tokens
        # (a client that renews must never get back the very token it rejected).
        claims = {**claims, "jti": secrets.token_hex(12)}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})

    # -- verifying ----------------------------------------------------------------------------

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token of this run, or :class:`TokenError`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise TokenError("Token is malformed.") from exc
        if header.get("alg") != ALGORITHM or header.get("kid") != self.kid:
            raise TokenError("Token was not signed by this issuer.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                # Times are checked below against the run's clock, not PyJWT's.
                options={
                    "require": ["exp", "iat", "sub", "iss", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError as exc:
            raise TokenError("Token signature is invalid.") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("Token audience is not this API.") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("Token issuer is not trusted.") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenError("Token is invalid.") from exc
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise TokenError("Token is invalid.")
        if exp <= self.clock.wall():
            raise TokenError("Token has expired.")
        if claims.get("jti") in self._revoked:
            raise TokenError("Token has been revoked.")
        return claims

    def revoke(self, claims: dict[str, Any]) -> None:
        """Refuse this access token from now on (RFC 7009 revocation of an access token)."""
        jti = claims.get("jti")
        if isinstance(jti, str):
            self._revoked.add(jti)

    def jwks(self) -> dict[str, Any]:
        """The public key set served at ``/.well-known/jwks.json``."""
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": ALGORITHM, "use": "sig"})
        return {"keys": [jwk]}
