"""PKCE per RFC 7636 and the per-attempt random values."""

from __future__ import annotations

import re

from photon_desktop.auth.pkce import Attempt, challenge_s256, new_verifier, same_secret


def test_challenge_matches_rfc7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_verifier_is_43_unreserved_characters_from_32_random_bytes() -> None:
    verifiers = {new_verifier() for _ in range(200)}
    assert len(verifiers) == 200
    for v in verifiers:
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43}", v)


def test_each_attempt_has_fresh_state_nonce_and_verifier() -> None:
    a, b = Attempt(), Attempt()
    assert len({a.state, b.state, a.nonce, b.nonce}) == 4
    assert a.verifier != b.verifier
    assert a.challenge == challenge_s256(a.verifier)
    assert a.verifier not in repr(a) and a.state not in repr(a)


def test_state_comparison() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abc", "abd")
    assert not same_secret("abc", None)
    assert not same_secret("abc", "")
    assert not same_secret("abc", "ab")
