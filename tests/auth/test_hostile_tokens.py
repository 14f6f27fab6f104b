"""Hostile token-endpoint answers and malformed JWTs end in ``errors.*``, never a crash or a leak.

The token endpoint is driven through ``request_token`` over an httpx MockTransport; claims
helpers get hand-built JWTs whose header, payload and signature are broken in turn.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import httpx
import pytest
from auth_fakes import ENV, M2M_ID, M2M_SECRET, jwks

from photon_desktop import errors
from photon_desktop.auth import claims
from photon_desktop.auth.token_endpoint import ClientAuth, TokenResponse, request_token
from photon_desktop.auth.tokens import permissions_from

DEEP = 100_000  # deeper than the JSON decoder's recursion limit
REFRESH = "v1.MRrTz0c9Nl3pGq8wK6uQy2bXhYfJ4dE7sLaVoZi1UcR-WnFtPkHmOgBjD5xA_eCvIlSy"
CODE = "Ab3dEfGh1JkLmN0pQrStUvWx"
GRANTS: dict[str, dict[str, str]] = {
    "client_credentials": {
        "grant_type": "client_credentials",
        "client_id": M2M_ID,
        "client_secret": M2M_SECRET,
    },
    "refresh_token": {"grant_type": "refresh_token", "client_id": M2M_ID, "refresh_token": REFRESH},
    "authorization_code": {"grant_type": "authorization_code", "client_id": M2M_ID, "code": CODE},
}
SECRETS = (M2M_SECRET, REFRESH, CODE)


def _token(status: int, content: bytes, grant: str, headers: dict[str, str] | None = None) -> Any:
    """``request_token``'s result, or the exception it raised."""

    async def call() -> Any:
        reply = httpx.MockTransport(
            lambda _: httpx.Response(status, content=content, headers=headers or {})
        )
        async with httpx.AsyncClient(transport=reply) as http:
            params = dict(GRANTS[grant])
            auth = ClientAuth(params.pop("client_id"), params.pop("client_secret", None))
            return await request_token(http, ENV.issuer + "oauth/token", params, auth)

    try:
        return asyncio.run(call())
    except Exception as exc:  # the point is to see what escapes
        return exc


def _ok(**fields: Any) -> bytes:
    return json.dumps({"access_token": "at-1", "token_type": "Bearer", **fields}).encode()


def _expiring(raw: bytes) -> bytes:
    """A Bearer answer whose ``expires_in`` is ``raw`` JSON (Python's decoder reads NaN etc.)."""
    return b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": ' + raw + b"}"


HOSTILE: list[tuple[str, int, bytes]] = [
    ("empty", 200, b""),
    ("HTML", 200, b"<html>Login</html>"),
    ("not UTF-8", 200, b"\xff\xfe\x00\x81"),
    ("a list", 200, b"[]"),
    ("null token", 200, b'{"access_token": null}'),
    ("token is a number", 200, b'{"access_token": 5}'),
    ("token is an object", 200, b'{"access_token": {"v": "x"}}'),
    (
        "expires_in Infinity",
        200,
        b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": Infinity}',
    ),
    (
        "expires_in 1e400",
        200,
        b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": 1e400}',
    ),
    (
        "expires_in -Infinity",
        200,
        b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": -Infinity}',
    ),
    ("expires_in NaN", 200, b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": NaN}'),
    ("expires_in a list", 200, _ok(expires_in=[3600])),
    ("expires_in text", 200, _ok(expires_in="an hour")),
    ("scope a list", 200, _ok(scope=["read:patient"])),
    ("refresh a number", 200, _ok(refresh_token=7)),
    ("deeply nested", 200, b"[" * DEEP + b"]" * DEEP),
    ("deeply nested error", 400, b'{"error": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("error an object", 400, b'{"error": {"a": 1}, "error_description": [1]}'),
    ("401 HTML", 401, b"<html>nope</html>"),
    ("403 list", 403, b"[1]"),
    ("500 garbage", 500, b"\xff"),
    ("302", 302, b""),
]


@pytest.mark.parametrize("grant", sorted(GRANTS))
@pytest.mark.parametrize(
    ("status", "content"), [(s, c) for _, s, c in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_a_hostile_token_answer_ends_in_a_photon_error_or_a_token(
    grant: str, status: int, content: bytes
) -> None:
    result = _token(status, content, grant)
    if isinstance(result, TokenResponse):
        assert result.access_token == "at-1" and result.expires_in > 0
    else:
        assert isinstance(result, errors.PhotonError), repr(result)
        assert str(result)


@pytest.mark.parametrize("value", ["Infinity", "1e400"])
def test_an_endless_expiry_falls_back_to_an_hour(value: str) -> None:
    result = _token(
        200,
        b'{"access_token": "at-1", "token_type": "Bearer", "expires_in": ' + value.encode() + b"}",
        "refresh_token",
    )
    assert isinstance(result, TokenResponse) and result.expires_in == 3600


@pytest.mark.parametrize("value", ["inf", "1e400", "nan"])
def test_a_non_finite_retry_after_on_sign_in_says_try_in_a_minute(value: str) -> None:
    result = _token(429, b"", "client_credentials", {"Retry-After": value})
    assert isinstance(result, errors.RateLimited), repr(result)
    assert result.retry_after is None and "in a minute" in str(result)


@pytest.mark.parametrize("grant", sorted(GRANTS))
def test_an_echoed_secret_never_reaches_the_message_or_the_log(
    grant: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A proxy that echoes the request into the error body must not surface the secrets."""
    echo = {
        **GRANTS[grant],
        "error": GRANTS[grant].get("client_secret")
        or GRANTS[grant].get("refresh_token")
        or GRANTS[grant]["code"],
        "error_description": json.dumps(GRANTS[grant]),
    }
    caplog.set_level(logging.DEBUG)
    for status in (400, 409, 422):
        result = _token(status, json.dumps(echo).encode(), grant)
        assert isinstance(result, errors.PhotonError), repr(result)
        for secret in SECRETS:
            assert secret not in str(result)
            assert secret not in caplog.text


def test_a_plain_oauth_code_is_still_named_in_the_message() -> None:
    result = _token(400, b'{"error": "invalid_request"}', "client_credentials")
    assert isinstance(result, errors.SignInError) and "invalid_request" in str(result)


# ------------------------------------------------------------------ malformed JWTs


def _b64(part: Any) -> str:
    raw = part if isinstance(part, bytes) else json.dumps(part).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt(header: Any, payload: Any, signature: bytes = b"sig") -> str:
    return f"{_b64(header)}.{_b64(payload)}.{_b64(signature)}"


GOOD = {"iss": ENV.issuer, "aud": "client", "nonce": "n-1", "exp": 4_000_000_000}
JWTS: dict[str, str] = {
    "empty": "",
    "one part": "abc",
    "dots": "....",
    "bad base64": "a.b.c",
    "not UTF-8": _b64(b"\xff\xfe") + "." + _b64(b"\xff") + ".x",
    "header a list": _jwt([1], GOOD),
    "payload a list": _jwt({"alg": "none"}, [1]),
    "payload a string": _jwt({"alg": "none"}, "x"),
    "payload deep": _jwt({"alg": "none"}, b"[" * 5000 + b"]" * 5000),
    "kid a list": _jwt({"alg": "RS256", "kid": ["k"]}, GOOD),
    "kid an object": _jwt({"alg": "RS256", "kid": {"k": 1}}, GOOD),
    "alg a number": _jwt({"alg": 5, "kid": "k"}, GOOD),
    "exp text": _jwt({"alg": "none"}, {**GOOD, "exp": "soon"}),
    "exp NaN-ish": _jwt({"alg": "none"}, {**GOOD, "exp": 1e308}),
    "aud an object": _jwt({"alg": "none"}, {**GOOD, "aud": {"a": 1}}),
    "nonce a number": _jwt({"alg": "none"}, {**GOOD, "nonce": 1}),
    "permissions mistyped": _jwt({"alg": "none"}, {"permissions": "read:x", "scope": ["a:b"]}),
    "huge": "eyJ" + "A" * 200_000 + ".e.e",
}
JWKS: list[dict[str, Any] | None] = [
    None,
    {"keys": []},
    {"keys": [1, "x", None]},
    {"keys": [{}]},
    {"keys": [{"kty": ["RSA"]}]},
    {"keys": [{"kty": "RSA", "n": 1, "e": 2, "kid": ["k"]}]},
    jwks(),
]


@pytest.mark.parametrize("token", list(JWTS.values()), ids=list(JWTS))
def test_a_malformed_jwt_is_read_as_no_claims_or_refused(token: str) -> None:
    assert isinstance(claims.unverified_claims(token), dict)
    found = permissions_from(claims.unverified_claims(token), frozenset({"read:patient"}))
    assert found is None or isinstance(found, frozenset)
    for keys in JWKS:
        with pytest.raises(errors.SignInError):
            claims.check_id_token(
                token, issuer=ENV.issuer, client_id="client", nonce="n-2", jwks=keys or {}
            )


VALID = {
    "claims": _jwt({"alg": "RS256", "kid": "k"}, GOOD),
    "unicode": _jwt({"alg": "none"}, {"name": "Zoë 診療所", "scope": "read:patient"}),
    "padding lengths": _jwt({"alg": "none", "x": "ab"}, {"p": "abc"}),
}


@pytest.mark.parametrize(
    "token", [*JWTS.values(), *VALID.values()], ids=[*JWTS, *(f"valid {k}" for k in VALID)]
)
def test_the_unverified_reader_agrees_with_pyjwt(token: str) -> None:
    """The access token's claims are read without PyJWT (start-up does not import it); what
    they are must not change: PyJWT's unverified decode is the reference."""
    import jwt

    try:
        expected = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        expected = {}
    assert claims.unverified_claims(token) == (expected if isinstance(expected, dict) else {})


def test_valid_tokens_have_claims() -> None:
    assert claims.unverified_claims(VALID["unicode"])["name"] == "Zoë 診療所"
    assert claims.unverified_claims(VALID["claims"]) == GOOD
