"""Realistic secrets in the shapes code and libraries actually print them never reach a log.

Values look like Auth0's: a RS256 access-token JWT, a ``v1.`` refresh token, a 64-character
client secret and an authorization code; shapes are JSON, JSON inside JSON, dict and tuple
reprs, form bodies, URLs and headers.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest

from photon_desktop import redact

ACCESS = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ik4xIn0."
    "eyJpc3MiOiJodHRwczovL2F1dGgucGhvdG9uLmhlYWx0aC8ifQ.c2lnbmF0dXJlLXBhcnQtaGVyZQ"
)
REFRESH = "v1.MRrTz0c9Nl3pGq8wK6uQy2bXhYfJ4dE7sLaVoZi1UcR-WnFtPkHmOgBjD5xA_eCvIlSy"
SECRET = "kQ3x_9ZpL2mN8vB4cR7tY1wE6uI0oP5aS3dF9gH2jK4lZ8xC7vB1nM6qW0eR3tY5u"
CODE = "Ab3dEfGh1JkLmN0pQrStUvWx"
ALL = (ACCESS, REFRESH, SECRET, CODE)
BODY = {
    "grant_type": "refresh_token",
    "client_secret": SECRET,
    "refresh_token": REFRESH,
    "access_token": ACCESS,
    "code": CODE,
}
BASIC = base64.b64encode(f"m2mClientId:{SECRET}".encode()).decode()

SHAPES = {
    "json": json.dumps(BODY),
    "json inside json": json.dumps(json.dumps(BODY)),
    "json inside json, compact": json.dumps(json.dumps(BODY, separators=(",", ":"))),
    "dict repr": str(BODY),
    "bytes repr": repr(json.dumps(BODY).encode()),
    "tuple list repr": str(list(BODY.items())),
    "json pairs": json.dumps(list(BODY.items())),
    "form body": "&".join(f"{k}={v}" for k, v in BODY.items()),
    "camelCase json": json.dumps(
        {"clientSecret": SECRET, "refreshToken": REFRESH, "accessToken": ACCESS, "code": CODE}
    ),
    "callback url": f"http://127.0.0.1:53682/callback?state=s-1&code={CODE}",
    "bearer header": f"Authorization: Bearer {REFRESH} / {ACCESS}",
    "basic header": f"Authorization: Basic {BASIC} code={CODE}",
    "basic header in json": json.dumps({"authorization": f"Basic {BASIC}", "code": CODE}),
    "yaml-ish": "\n".join(f"{k}: {v}" for k, v in BODY.items()),
}


def _leaks(text: str) -> list[str]:
    """Secrets found in ``text``, also by a 12-character piece (a partial mask still leaks)."""
    return [s for s in (*ALL, BASIC) if any(s[i : i + 12] in text for i in range(len(s) - 11))]


@pytest.mark.parametrize("text", list(SHAPES.values()), ids=list(SHAPES))
def test_no_secret_survives_redaction(text: str) -> None:
    assert _leaks(redact.redact_text(text)) == []


@pytest.mark.parametrize("text", list(SHAPES.values()), ids=list(SHAPES))
def test_no_secret_reaches_a_log_handler(text: str) -> None:
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    handler = Collect()
    redact.install([handler])
    logger = logging.getLogger("photon_desktop.test_redaction_probe")
    logger.addHandler(handler)
    try:
        logger.warning("token endpoint said: %s", text)
        try:
            raise ValueError(text)
        except ValueError:
            logger.exception("while signing in")
    finally:
        logger.removeHandler(handler)
    assert len(seen) == 2
    assert _leaks("\n".join(seen)) == []


def test_ordinary_words_and_oauth_values_stay_readable() -> None:
    text = (
        "grant_type=authorization_code, token_type: Bearer expired; basic information; "
        "error code, 500; patient pat_123 order ord_9 (HTTP 400, invalid_request)"
    )
    out = redact.redact_text(text)
    for kept in ("grant_type=authorization_code", "basic information", "error code, 500"):
        assert kept in out
    assert "pat_123" in out and "ord_9" in out and "invalid_request" in out
