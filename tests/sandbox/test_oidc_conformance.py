"""The sign-in server as a generic OpenID Connect / OAuth 2 client meets it (RFCs 6749, 7009,
8252, 8707, 9207 and OIDC Discovery), over real HTTP."""

from __future__ import annotations

import base64
import secrets

import jwt
import pytest
from test_oauth import docs_request
from test_oauth_code import LOOPBACK_REDIRECT, authorize_params, redirect_query, refresh

from photon_desktop.sandbox.accounts import ALL_PERMISSIONS

PRESCRIBER = "prescriber@sandbox.photon.local"
SUPPORT = "support@sandbox.photon.local"
PATIENTS = "query { patients(first: 1) { id } }"
ORDERS = "query { orders(first: 1) { id } }"


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# -- discovery -----------------------------------------------------------------------------------


def test_discovery_lists_everything_a_generic_client_needs(sandbox, http) -> None:
    config = http.get(sandbox.issuer + ".well-known/openid-configuration").json()
    assert config["issuer"] == sandbox.issuer
    assert config["response_types_supported"] == ["code"]
    assert set(config["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert set(config["scopes_supported"]) >= {"openid", "offline_access", *ALL_PERMISSIONS}
    assert config["authorization_response_iss_parameter_supported"] is True
    assert {"client_secret_post", "client_secret_basic", "none"} == set(
        config["token_endpoint_auth_methods_supported"]
    )


def test_every_advertised_endpoint_is_served(sandbox, http) -> None:
    config = http.get(sandbox.issuer + ".well-known/openid-configuration").json()
    token = sandbox.sign_in(PRESCRIBER)["access_token"]
    assert http.get(config["jwks_uri"]).status_code == 200
    assert http.get(config["end_session_endpoint"]).status_code == 200
    assert http.get(config["authorization_endpoint"], params=authorize_params(sandbox)).is_success
    assert http.post(config["token_endpoint"], json={}).status_code == 400  # served, not 404
    revoke = http.post(config["revocation_endpoint"], data={"client_id": sandbox.native_client_id})
    assert revoke.status_code == 400  # served: the token is missing
    userinfo = http.get(config["userinfo_endpoint"], headers={"Authorization": f"Bearer {token}"})
    assert userinfo.status_code == 200


def test_every_claim_issued_is_advertised(sandbox, http) -> None:
    config = http.get(sandbox.issuer + ".well-known/openid-configuration").json()
    body = sandbox.sign_in(PRESCRIBER, nonce="n1")
    issued = set(claims(body["id_token"])) | set(claims(body["access_token"]))
    issued |= set(claims(sandbox.m2m_token()))
    assert issued <= set(config["claims_supported"])


def test_userinfo_answers_the_signed_in_user(sandbox, http) -> None:
    body = sandbox.sign_in(PRESCRIBER)
    info = http.get(
        sandbox.issuer + "userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    ).json()
    assert info["sub"] == claims(body["access_token"])["sub"]
    assert info["email"] == PRESCRIBER
    assert info["name"] == "Maya Okafor"
    m2m = http.get(
        sandbox.issuer + "userinfo", headers={"Authorization": f"Bearer {sandbox.m2m_token()}"}
    )
    assert m2m.status_code == 403
    assert 'error="insufficient_scope"' in m2m.headers["www-authenticate"]


# -- the authorization response (RFC 9207) ---------------------------------------------------------


def test_the_authorization_response_names_the_issuer(sandbox, http) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox))
    transaction = page.text.split('name="transaction" value="')[1].split('"')[0]
    answer = http.post(
        sandbox.issuer + "authorize/decision",
        data={"transaction": transaction, "user": PRESCRIBER, "action": "continue"},
    )
    query = redirect_query(answer)
    assert query["iss"] == [sandbox.issuer]
    assert query["code"] and query["state"] == ["st-123"]


def test_an_error_response_names_the_issuer_too(sandbox, http) -> None:
    answer = http.get(sandbox.authorize_url, params=authorize_params(sandbox, state=""))
    query = redirect_query(answer)
    assert query["error"] == ["invalid_request"]
    assert query["iss"] == [sandbox.issuer]


@pytest.mark.parametrize("prompt", ["consent", "login", "login consent", "select_account"])
def test_prompts_that_show_the_page_are_accepted(sandbox, http, prompt) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox, prompt=prompt))
    assert page.status_code == 200
    assert 'name="transaction"' in page.text


def test_prompt_none_says_login_required_and_an_unknown_prompt_is_refused(sandbox, http) -> None:
    silent = redirect_query(
        http.get(sandbox.authorize_url, params=authorize_params(sandbox, prompt="none"))
    )
    assert silent["error"] == ["login_required"]
    bogus = redirect_query(
        http.get(sandbox.authorize_url, params=authorize_params(sandbox, prompt="sideways"))
    )
    assert bogus["error"] == ["invalid_request"]


# -- resource (RFC 8707) ---------------------------------------------------------------------------


def test_resource_works_where_audience_does(sandbox, http) -> None:
    body = docs_request(sandbox, resource=sandbox.audience)
    del body["audience"]
    answer = http.post(sandbox.token_url, data=body)
    assert answer.status_code == 200, answer.text
    assert claims(answer.json()["access_token"])["aud"] == sandbox.audience
    page = http.get(
        sandbox.authorize_url,
        params=authorize_params(sandbox, audience=None, resource=sandbox.audience),
    )
    assert page.status_code == 200


def test_audience_and_resource_must_agree(sandbox, http) -> None:
    body = docs_request(sandbox, resource="https://elsewhere.example")
    answer = http.post(sandbox.token_url, json=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    wrong = docs_request(sandbox, resource="https://elsewhere.example")
    del wrong["audience"]
    assert http.post(sandbox.token_url, json=wrong).json()["error"] == "invalid_target"


# -- bodies and client authentication --------------------------------------------------------------


def test_the_token_endpoint_takes_a_form_body(sandbox, http) -> None:
    answer = http.post(sandbox.token_url, data=docs_request(sandbox))
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"


def test_client_secret_basic_is_accepted_and_a_wrong_one_is_challenged(sandbox, http) -> None:
    body = docs_request(sandbox)
    client_id, secret = body.pop("client_id"), body.pop("client_secret")
    good = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = http.post(sandbox.token_url, data=body, headers={"Authorization": f"Basic {good}"})
    assert answer.status_code == 200, answer.text
    bad = base64.b64encode(f"{client_id}:nope".encode()).decode()
    refused = http.post(sandbox.token_url, data=body, headers={"Authorization": f"Basic {bad}"})
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("grant", ["authorization_code", "refresh_token"])
def test_the_m2m_client_may_not_use_the_native_grants(sandbox, http, grant) -> None:
    answer = http.post(
        sandbox.token_url,
        data={
            "grant_type": grant,
            "client_id": sandbox.m2m_client_id,
            "code": "c",
            "code_verifier": "v" * 43,
            "redirect_uri": LOOPBACK_REDIRECT,
            "refresh_token": "r",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unauthorized_client"


# -- scope -----------------------------------------------------------------------------------------


def test_api_scopes_narrow_what_a_user_token_grants(sandbox, gql) -> None:
    body = sandbox.sign_in(PRESCRIBER, scope="openid offline_access read:patient")
    assert body["scope"] == "openid offline_access read:patient"
    access = claims(body["access_token"])
    assert access["permissions"] == ["read:patient"]
    assert gql(sandbox.graphql_url, body["access_token"], PATIENTS).json()["data"]["patients"]
    denied = gql(sandbox.graphql_url, body["access_token"], ORDERS).json()
    assert denied["errors"][0]["errorType"] == "Unauthorized"


def test_a_scope_the_user_does_not_hold_is_not_granted(sandbox) -> None:
    body = sandbox.sign_in(SUPPORT, scope="openid read:patient write:patient")
    assert body["scope"] == "openid read:patient"
    assert "refresh_token" not in body  # no offline_access asked
    assert claims(body["access_token"])["permissions"] == ["read:patient"]


def test_client_credentials_scope_narrows_the_m2m_grant(sandbox, http) -> None:
    narrowed = http.post(sandbox.token_url, json=docs_request(sandbox, scope="read:order"))
    assert narrowed.json()["scope"] == "read:order"
    assert claims(narrowed.json()["access_token"])["permissions"] == ["read:order"]
    refused = http.post(sandbox.token_url, json=docs_request(sandbox, scope="write:prescription"))
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


def test_a_refresh_may_narrow_the_scope_but_never_widen_it(sandbox, http) -> None:
    first = sandbox.sign_in(PRESCRIBER, scope="openid offline_access read:patient read:order")

    def renew(scope: str):
        body = {
            "grant_type": "refresh_token",
            "client_id": sandbox.native_client_id,
            "refresh_token": first["refresh_token"],
            "scope": scope,
        }
        return http.post(sandbox.token_url, data=body)

    wider = renew("openid offline_access read:patient write:order")
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"
    narrower = renew("openid offline_access read:order")
    assert narrower.status_code == 200, narrower.text
    assert narrower.json()["scope"] == "openid offline_access read:order"


# -- revocation (RFC 7009) -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["json", "data"])
@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token", "something_else"])
def test_revoking_a_refresh_token_works_with_any_hint_and_body(
    sandbox, http, encoding, hint
) -> None:
    token = sandbox.sign_in(PRESCRIBER)["refresh_token"]
    body = {"client_id": sandbox.native_client_id, "token": token}
    if hint:
        body["token_type_hint"] = hint
    answer = http.post(sandbox.revoke_url, **{encoding: body})
    assert answer.status_code == 200
    assert refresh(sandbox, http, token).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("hint", ["access_token", None])
def test_an_access_token_can_be_revoked(sandbox, http, gql, hint) -> None:
    token = sandbox.sign_in(PRESCRIBER)["access_token"]
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200
    body = {"client_id": sandbox.native_client_id, "token": token}
    if hint:
        body["token_type_hint"] = hint
    assert http.post(sandbox.revoke_url, data=body).status_code == 200
    answer = gql(sandbox.graphql_url, token, PATIENTS)
    assert answer.status_code == 401
    assert "revoked" in answer.json()["errors"][0]["message"]


def test_revoking_an_unknown_token_is_still_200(sandbox, http) -> None:
    body = {"client_id": sandbox.native_client_id, "token": secrets.token_urlsafe(32)}
    assert http.post(sandbox.revoke_url, data=body).status_code == 200
