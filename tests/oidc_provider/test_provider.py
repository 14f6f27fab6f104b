"""The OpenID provider harness speaks the standards the app relies on, checked with plain httpx,
PyJWT and a real headless Chromium: discovery, client credentials, code + PKCE with RFC 9207
``iss``, refresh-token rotation and revocation."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from oauth_support import pkce_pair
from oidc_fixture import OidcProvider

USER_SCOPE = "openid profile email offline_access"


def verify_access_token(provider: OidcProvider, token: str) -> dict[str, Any]:
    """Check the token's signature against the published JWKS, its issuer and audience."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(provider.discovery()["jwks_uri"]).json())
    header = jwt.get_unverified_header(token)
    key = next(k for k in keys.keys if k.key_id == header["kid"])
    assert header["typ"] == "at+jwt"  # RFC 9068
    return dict(
        jwt.decode(
            token, key, algorithms=["RS256"], audience=provider.resource, issuer=provider.issuer
        )
    )


def client_credentials(provider: OidcProvider, scope: str, **request: Any) -> httpx.Response:
    token_url = provider.discovery()["token_endpoint"]
    form = {"grant_type": "client_credentials", "resource": provider.resource, "scope": scope}
    if "auth" not in request:
        form |= {"client_id": provider.m2m_client_id, "client_secret": provider.m2m_client_secret}
    return httpx.post(token_url, data=form, **request)


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        body = b"<html><body>Signed in. You can close this window.</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def loopback_receiver() -> Iterator[tuple[str, list[str]]]:
    """A real redirect target on a free loopback port: its URI and the paths it was sent."""
    server = HTTPServer(("127.0.0.1", 0), _Callback)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/callback", server.paths  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sign_in(provider: OidcProvider, login: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Code + PKCE through the browser: the token response and the callback's query."""
    discovery = provider.discovery()
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with loopback_receiver() as (redirect_uri, paths):
        query = {
            "client_id": provider.native_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join([USER_SCOPE, *provider.scopes]),
            "resource": provider.resource,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
            "nonce": nonce,
            "prompt": "consent",
        }
        landed = provider.sign_in_with_browser(
            discovery["authorization_endpoint"] + "?" + urlencode(query), login
        )
        assert landed.startswith(redirect_uri + "?"), landed
        callbacks = [path for path in paths if path.startswith("/callback?")]
        assert len(callbacks) == 1, paths  # the browser may also ask for /favicon.ico
    callback = parse_qs(urlsplit(callbacks[0]).query)
    assert callback["state"] == [state]
    response = httpx.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "client_id": provider.native_client_id,
            "code": callback["code"][0],
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "resource": provider.resource,
        },
    )
    assert response.status_code == 200, response.text
    tokens = dict(response.json())
    id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_token["nonce"] == nonce
    assert id_token["sub"] == login
    return tokens, callback


def refresh(provider: OidcProvider, refresh_token: str) -> httpx.Response:
    return httpx.post(
        provider.discovery()["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "client_id": provider.native_client_id,
            "refresh_token": refresh_token,
            "resource": provider.resource,
        },
    )


# -- discovery ---------------------------------------------------------------------------------


def test_discovery_describes_a_standard_provider(oidc_provider: OidcProvider) -> None:
    discovery = oidc_provider.discovery()

    assert discovery["issuer"] == oidc_provider.issuer
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(
        discovery["grant_types_supported"]
    )
    for endpoint in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(oidc_provider.issuer + "/"), endpoint


@pytest.mark.parametrize("path", ["/tenant", "/tenant/"])
def test_an_issuer_with_a_path_keeps_it_exactly(oidc_provider_factory: Any, path: str) -> None:
    provider = oidc_provider_factory("--issuer-path", path)
    origin = f"http://127.0.0.1:{provider.port}"
    assert provider.issuer == origin + path

    discovery = httpx.get(origin + "/tenant/.well-known/openid-configuration").json()
    assert discovery["issuer"] == provider.issuer  # the trailing slash, if any, survives
    assert discovery["token_endpoint"] == origin + "/tenant/token"
    assert httpx.get(origin + "/.well-known/openid-configuration").status_code == 404

    response = client_credentials(provider, "read:patient")
    assert response.status_code == 200, response.text
    assert verify_access_token(provider, response.json()["access_token"])["iss"] == provider.issuer


# -- client credentials ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
def test_client_credentials_give_a_verifiable_jwt(oidc_provider: OidcProvider, method: str) -> None:
    scope = " ".join(oidc_provider.scopes)
    if method == "client_secret_basic":
        basic = (oidc_provider.m2m_basic_client_id, oidc_provider.m2m_client_secret)
        response = client_credentials(oidc_provider, scope, auth=basic)
    else:
        response = client_credentials(oidc_provider, scope)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    claims = verify_access_token(oidc_provider, body["access_token"])
    granted = set(claims["scope"].split())
    assert granted == set(body["scope"].split())
    assert "write:prescription" not in granted  # never for a machine client, as at Photon
    assert {"read:patient", "write:order"} <= granted
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_a_wrong_secret_is_refused(oidc_provider: OidcProvider) -> None:
    token_url = oidc_provider.discovery()["token_endpoint"]
    response = httpx.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": oidc_provider.m2m_client_id,
            "client_secret": oidc_provider.m2m_client_secret + "x",
            "resource": oidc_provider.resource,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_json_token_request_is_refused(oidc_provider: OidcProvider) -> None:
    """RFC 6749 3.2 token requests are form-encoded; the Auth0-style JSON body is not standard."""
    response = httpx.post(
        oidc_provider.discovery()["token_endpoint"],
        json={
            "grant_type": "client_credentials",
            "client_id": oidc_provider.m2m_client_id,
            "client_secret": oidc_provider.m2m_client_secret,
            "resource": oidc_provider.resource,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "access_token" not in response.json()


# -- authorization code + PKCE -----------------------------------------------------------------


def test_a_request_without_pkce_is_sent_back_with_an_error(oidc_provider: OidcProvider) -> None:
    discovery = oidc_provider.discovery()
    redirect_uri = "http://127.0.0.1:49152/callback"
    response = httpx.get(
        discovery["authorization_endpoint"],
        params={
            "client_id": oidc_provider.native_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "state": "s1",
        },
    )
    assert response.status_code in (302, 303)
    location = response.headers["location"]
    assert location.startswith(redirect_uri + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["s1"]
    assert query["iss"] == [oidc_provider.issuer]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:49152/elsewhere",  # only the port may vary (RFC 8252 7.3)
        "http://localhost:49152/callback",  # a different host, even if it is loopback too
        "https://127.0.0.1:49152/callback",
    ],
)
def test_an_unregistered_redirect_is_never_followed(
    oidc_provider: OidcProvider, redirect_uri: str
) -> None:
    _, challenge = pkce_pair()
    response = httpx.get(
        oidc_provider.discovery()["authorization_endpoint"],
        params={
            "client_id": oidc_provider.native_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 400
    assert "location" not in response.headers


@pytest.mark.e2e
@pytest.mark.parametrize("role", ["prescriber", "staff"])
def test_code_and_pkce_in_a_real_browser(oidc_provider: OidcProvider, role: str) -> None:
    login = getattr(oidc_provider, role)
    tokens, callback = sign_in(oidc_provider, login)

    assert callback["iss"] == [oidc_provider.issuer]  # RFC 9207
    claims = verify_access_token(oidc_provider, tokens["access_token"])
    assert claims["sub"] == login
    granted = set(claims["scope"].split())
    assert {"read:patient", "write:patient", "read:order", "write:order"} <= granted
    assert ("write:prescription" in granted) is (role == "prescriber")
    assert tokens["refresh_token"]


@pytest.mark.e2e
def test_an_unknown_login_never_reaches_the_client(oidc_provider: OidcProvider) -> None:
    _, challenge = pkce_pair()
    with loopback_receiver() as (redirect_uri, paths):
        query = {
            "client_id": oidc_provider.native_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid read:patient",
            "resource": oidc_provider.resource,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s1",
        }
        url = oidc_provider.discovery()["authorization_endpoint"] + "?" + urlencode(query)
        landed = oidc_provider.sign_in_with_browser(url, "mallory@clinic.example")
        assert landed.startswith(oidc_provider.issuer)
        assert [path for path in paths if path.startswith("/callback")] == []


@pytest.mark.e2e
def test_a_refresh_token_rotates_and_a_replay_ends_the_grant(oidc_provider: OidcProvider) -> None:
    tokens, _ = sign_in(oidc_provider, oidc_provider.prescriber)

    first = refresh(oidc_provider, tokens["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    claims = verify_access_token(oidc_provider, rotated["access_token"])
    assert "write:prescription" in claims["scope"].split()

    replay = refresh(oidc_provider, tokens["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # OAuth 2.0 Security BCP 4.14.2: a replayed refresh token revokes the grant's newer ones too.
    assert refresh(oidc_provider, rotated["refresh_token"]).json()["error"] == "invalid_grant"


@pytest.mark.e2e
def test_a_revoked_refresh_token_is_refused(oidc_provider: OidcProvider) -> None:
    tokens, _ = sign_in(oidc_provider, oidc_provider.staff)

    revoked = httpx.post(
        oidc_provider.discovery()["revocation_endpoint"],
        data={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": oidc_provider.native_client_id,
        },
    )
    assert revoked.status_code == 200, revoked.text

    after = refresh(oidc_provider, tokens["refresh_token"])
    assert after.status_code == 400
    assert after.json()["error"] == "invalid_grant"


# -- lifecycle ---------------------------------------------------------------------------------


def test_the_provider_stops_when_its_stdin_closes(oidc_provider_factory: Any) -> None:
    provider = oidc_provider_factory()
    assert provider.process.stdin is not None
    provider.process.stdin.close()
    assert provider.process.wait(timeout=15) == 0
