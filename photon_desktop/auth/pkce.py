"""PKCE (RFC 7636) and the per-attempt random values of the authorization-code flow."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field


def b64url(data: bytes) -> str:
    """Base64url without padding, as RFC 7636 §3 requires."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_verifier() -> str:
    """43 characters from 32 bytes of ``secrets`` (RFC 7636 §4.1)."""
    return b64url(secrets.token_bytes(32))


def challenge_s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def same_secret(expected: str, received: str | None) -> bool:
    """Constant-time comparison of ``state``/``nonce`` values; a missing value never matches."""
    if received is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Attempt:
    """The fresh random values of one sign-in attempt; never reused, never logged."""

    verifier: str = field(default_factory=new_verifier)
    state: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def challenge(self) -> str:
        return challenge_s256(self.verifier)

    def __repr__(self) -> str:  # keep the verifier out of logs and tracebacks
        return "Attempt(<redacted>)"
