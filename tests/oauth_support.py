"""The one home of the tests' OAuth helpers: PKCE from RFC 7636 and reading the sandbox's sign-in
page. Written independently of the app's ``auth.pkce`` so that tests of it have an oracle."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets


def pkce_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A fresh ``(verifier, challenge)``."""
    verifier = secrets.token_urlsafe(48)
    return verifier, pkce_challenge(verifier)


def transaction_id(page: str) -> str:
    match = re.search(r'name="transaction" value="([^"]+)"', page)
    assert match, "the sign-in page has no transaction id"
    return match.group(1)


def form_action(page: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', page)
    assert match, "the sign-in page has no form"
    return match.group(1)
