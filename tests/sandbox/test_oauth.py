"""Client-credentials exchange, discovery and JWKS, over real HTTP against the running sandbox."""

from __future__ import annotations

import httpx
import jwt
import pytest

from photon_desktop.sandbox.tokens import TokenError, TokenIssuer

M2M_SCOPE = "read:patient write:patient read:prescription read:order write:order"


def docs_request(sandbox, **overrides: str) -> dict[str, str]:
    body = {
        "client_id": sandbox.m2m_client_id,
        "client_secret": sandbox.m2m_client_secret,
        "audience": sandbox.audience,
        "grant_type": "client_credentials",
    }
    body.update(overrides)
    return body


def test_the_documented_token_request_returns_a_verifiable_m2m_token(sandbox, http) -> None:
    response = http.post(sandbox.token_url, json=docs_request(sandbox))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}
    assert body["scope"] == M2M_SCOPE
    assert body["expires_in"] == 86400
    assert body["token_type"] == "Bearer"

    signing_key = jwt.PyJWKClient(sandbox.jwks_url).get_signing_key_from_jwt(body["access_token"])
    claims = jwt.decode(
        body["access_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=sandbox.audience,
        issuer=sandbox.issuer,
    )
    assert jwt.get_unverified_header(body["access_token"])["kid"] == signing_key.key_id
    assert claims["aud"] == sandbox.audience  # a string on M2M tokens
    assert claims["iss"].endswith("/") and claims["iss"] == sandbox.issuer
    assert claims["sub"] == f"{sandbox.m2m_client_id}@clients"
    assert claims["azp"] == sandbox.m2m_client_id
    assert claims["gty"] == "client-credentials"
    assert claims["scope"] == M2M_SCOPE
    assert claims["permissions"] == M2M_SCOPE.split()
    assert "write:prescription" not in claims["permissions"]
    assert claims["org_id"] == sandbox.org_id
    assert claims["exp"] - claims["iat"] == 86400


def test_a_form_encoded_request_works_too(sandbox, http) -> None:
    response = http.post(sandbox.token_url, data=docs_request(sandbox))
    assert response.status_code == 200
    assert response.json()["scope"] == M2M_SCOPE


@pytest.mark.parametrize(
    "overrides",
    [{"client_secret": "not-the-secret"}, {"client_id": "someOtherClient"}],
    ids=["wrong secret", "unknown client"],
)
def test_bad_client_credentials_are_an_invalid_client(sandbox, http, overrides) -> None:
    response = http.post(sandbox.token_url, json=docs_request(sandbox, **overrides))
    assert response.status_code == 401  # RFC 6749 §5.2, with Auth0's description
    assert response.json() == {"error": "invalid_client", "error_description": "Unauthorized"}


def test_an_unknown_audience_is_refused_with_auth0s_wording(sandbox, http) -> None:
    response = http.post(
        sandbox.token_url, json=docs_request(sandbox, audience="https://api.photon.health")
    )
    assert response.status_code == 400  # RFC 8707's invalid_target, with Auth0's description
    assert response.json() == {
        "error": "invalid_target",
        "error_description": "Service not enabled within domain: https://api.photon.health",
    }


def test_a_missing_secret_is_an_invalid_client(sandbox, http) -> None:
    body = docs_request(sandbox)
    del body["client_secret"]
    response = http.post(sandbox.token_url, json=body)
    assert response.status_code == 401  # no client authentication: RFC 6749 §5.2
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("missing", ["client_id", "audience", "grant_type"])
def test_a_missing_field_is_an_invalid_request(sandbox, http, missing) -> None:
    body = docs_request(sandbox)
    del body[missing]
    response = http.post(sandbox.token_url, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert missing in response.json()["error_description"]


def test_an_unsupported_grant_is_named(sandbox, http) -> None:
    response = http.post(sandbox.token_url, json=docs_request(sandbox, grant_type="password"))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_body_that_is_not_json_is_an_invalid_request(sandbox, http) -> None:
    response = http.post(
        sandbox.token_url, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_discovery_points_at_this_sandbox(sandbox, http) -> None:
    config = http.get(sandbox.issuer + ".well-known/openid-configuration").json()
    assert config["issuer"] == sandbox.issuer
    assert config["authorization_endpoint"] == sandbox.authorize_url
    assert config["token_endpoint"] == sandbox.token_url
    assert config["revocation_endpoint"] == sandbox.revoke_url
    assert config["jwks_uri"] == sandbox.jwks_url
    assert config["end_session_endpoint"] == sandbox.issuer + "v2/logout"
    assert config["code_challenge_methods_supported"] == ["S256"]


def test_jwks_publishes_one_rs256_signing_key(sandbox, http) -> None:
    keys = http.get(sandbox.jwks_url).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert {"kid", "n", "e"} <= set(key)
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # never the private part


# -- the verifier on its own: near-miss tokens that HTTP tests cannot forge ---------------------

ISSUER = "http://127.0.0.1:1/"
AUDIENCE = "https://api.sandbox.photon.local"


@pytest.fixture(scope="module")
def issuer() -> TokenIssuer:
    return TokenIssuer(issuer=ISSUER, audience=AUDIENCE)


def test_a_token_from_another_issuer_with_the_same_key_is_refused(issuer) -> None:
    other = TokenIssuer(
        issuer="http://127.0.0.1:2/", audience=AUDIENCE, key=issuer._key, kid=issuer.kid
    )
    token = other.m2m_access_token(client_id="c", org_id="org_x", scopes=["read:patient"])
    with pytest.raises(TokenError, match="issuer"):
        issuer.verify_access_token(token)


def test_a_token_for_another_audience_with_the_same_key_is_refused(issuer) -> None:
    other = TokenIssuer(
        issuer=ISSUER, audience="https://api.photon.health", key=issuer._key, kid=issuer.kid
    )
    token = other.m2m_access_token(client_id="c", org_id="org_x", scopes=["read:patient"])
    with pytest.raises(TokenError, match="audience"):
        issuer.verify_access_token(token)


def test_a_token_signed_by_another_key_under_the_same_kid_is_refused(issuer) -> None:
    forger = TokenIssuer(issuer=ISSUER, audience=AUDIENCE, kid=issuer.kid)
    token = forger.m2m_access_token(client_id="c", org_id="org_x", scopes=["read:patient"])
    with pytest.raises(TokenError, match="signature"):
        issuer.verify_access_token(token)
    good = issuer.m2m_access_token(client_id="c", org_id="org_x", scopes=["read:patient"])
    assert issuer.verify_access_token(good)["sub"] == "c@clients"


def test_the_issuer_must_end_with_a_slash() -> None:
    with pytest.raises(ValueError, match="/"):
        TokenIssuer(issuer="http://127.0.0.1:1", audience=AUDIENCE)


def test_http_client_sees_no_cache_headers_on_tokens(sandbox) -> None:
    response = httpx.post(sandbox.token_url, json=docs_request(sandbox), timeout=10)
    assert response.headers["cache-control"] == "no-store"


def test_two_tokens_issued_in_the_same_second_differ(sandbox, http) -> None:
    """A renewal must never hand back the very token the API just rejected."""
    body = {
        "client_id": sandbox.m2m_client_id,
        "client_secret": sandbox.m2m_client_secret,
        "audience": sandbox.audience,
        "grant_type": "client_credentials",
    }
    first, second = (http.post(sandbox.token_url, json=body).json() for _ in range(2))
    assert first["access_token"] != second["access_token"]
