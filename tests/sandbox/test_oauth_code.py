"""Authorization code + PKCE, refresh rotation, revoke and logout, driven with httpx as a browser.

The redirect target is a loopback URL nobody listens on: tests read the ``Location`` header.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from embedded import embedded_sandbox
from oauth_support import form_action, pkce_challenge, transaction_id

from photon_desktop.sandbox.accounts import ALL_PERMISSIONS

LOOPBACK_REDIRECT = "http://127.0.0.1:53682/callback"  # the one SandboxInfo.sign_in uses
PRESCRIBER = "prescriber@sandbox.photon.local"
NATIVE = "sandboxNativeDesktop000000000001"
STAFF = "staff@sandbox.photon.local"


def authorize_params(sandbox, **overrides: str) -> dict[str, str]:
    params = {
        "client_id": sandbox.native_client_id,
        "redirect_uri": LOOPBACK_REDIRECT,
        "response_type": "code",
        "code_challenge": pkce_challenge(secrets.token_urlsafe(48)),
        "code_challenge_method": "S256",
        "state": "st-123",
        "audience": sandbox.audience,
        "scope": "openid profile email offline_access",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def redirect_query(response) -> dict[str, list[str]]:
    assert response.status_code in (302, 303), response.text
    return parse_qs(urlsplit(response.headers["location"]).query)


def exchange(sandbox, http, code: str, verifier: str, redirect_uri: str = LOOPBACK_REDIRECT):
    return http.post(
        sandbox.token_url,
        data={
            "grant_type": "authorization_code",
            "client_id": sandbox.native_client_id,
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
        },
    )


def refresh(sandbox, http, token: str):
    return http.post(
        sandbox.token_url,
        json={
            "grant_type": "refresh_token",
            "client_id": sandbox.native_client_id,
            "refresh_token": token,
        },
    )


def verify(sandbox, token: str, audience: str) -> dict:
    key = jwt.PyJWKClient(sandbox.jwks_url).get_signing_key_from_jwt(token).key
    return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=sandbox.issuer)


# -- the sign-in page ---------------------------------------------------------------------------


def test_the_page_offers_every_demo_user(sandbox, http) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox))
    assert page.status_code == 200
    assert "Continue as Maya Okafor (prescriber)" in page.text
    assert "Continue as Daniel Reyes (staff)" in page.text
    assert "Continue as Priya Shah (support)" in page.text
    assert 'id="cancel"' in page.text
    assert "<script" not in page.text and "<link" not in page.text  # self-contained
    assert page.headers["cache-control"] == "no-store"


def test_a_login_hint_shows_one_continue_button(sandbox, http) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox, login_hint=STAFF))
    assert page.text.count('id="continue"') == 1
    assert "Continue as Daniel Reyes (staff)" in page.text
    assert "Maya Okafor" not in page.text


def test_each_page_has_its_own_transaction_id(sandbox, http) -> None:
    first = http.get(sandbox.authorize_url, params=authorize_params(sandbox)).text
    second = http.get(sandbox.authorize_url, params=authorize_params(sandbox)).text
    assert transaction_id(first) != transaction_id(second)


def test_a_forged_or_replayed_transaction_gets_an_error_page_not_a_code(sandbox, http) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox)).text
    url = sandbox.base_url + form_action(page)
    forged = http.post(url, data={"transaction": "made-up", "user": PRESCRIBER})
    assert forged.status_code == 400 and "location" not in forged.headers

    real = {"transaction": transaction_id(page), "user": PRESCRIBER}
    assert "code" in redirect_query(http.post(url, data=real))
    replay = http.post(url, data=real)
    assert replay.status_code == 400 and "location" not in replay.headers


def test_cancel_redirects_with_access_denied_and_the_state(sandbox, http) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox, login_hint=STAFF))
    answer = http.post(
        sandbox.base_url + form_action(page.text),
        data={"transaction": transaction_id(page.text), "user": STAFF, "action": "cancel"},
    )
    query = redirect_query(answer)
    assert answer.headers["location"].startswith(LOOPBACK_REDIRECT + "?")
    assert query["error"] == ["access_denied"]
    assert query["error_description"]
    assert query["state"] == ["st-123"]
    assert "code" not in query


# -- redirect_uri and client validation: never redirect to an unvalidated place -----------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost:53682/callback",
        "https://127.0.0.1:53682/callback",
        "http://evil.example:53682/callback",
        "http://10.0.0.1:53682/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.2:53682/callback",
        "myapp://callback",
        "",
    ],
)
def test_a_non_loopback_redirect_uri_gets_an_error_page(sandbox, http, redirect_uri) -> None:
    page = http.get(
        sandbox.authorize_url, params=authorize_params(sandbox, redirect_uri=redirect_uri)
    )
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "redirect" in page.text.lower()


def test_an_ipv6_loopback_redirect_is_accepted(sandbox, http) -> None:
    params = authorize_params(sandbox, redirect_uri="http://[::1]:53682/cb")
    assert http.get(sandbox.authorize_url, params=params).status_code == 200


@pytest.mark.parametrize("client_id", [None, "unknownClient", "sandboxM2MClient0000000000000001"])
def test_only_the_native_client_may_sign_in(sandbox, http, client_id) -> None:
    page = http.get(sandbox.authorize_url, params=authorize_params(sandbox, client_id=client_id))
    assert page.status_code == 400
    assert "location" not in page.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"audience": "https://api.photon.health"}, "access_denied"),
        ({"audience": None}, "invalid_request"),
        ({"organization": "org_NotThisOne000000"}, "invalid_request"),
    ],
)
def test_other_errors_redirect_with_the_state(sandbox, http, overrides, error) -> None:
    answer = http.get(sandbox.authorize_url, params=authorize_params(sandbox, **overrides))
    query = redirect_query(answer)
    assert answer.headers["location"].startswith(LOOPBACK_REDIRECT + "?")
    assert query["error"] == [error]
    assert query["state"] == ["st-123"]


def test_the_right_organization_is_accepted(sandbox, http) -> None:
    params = authorize_params(sandbox, organization=sandbox.org_id)
    assert http.get(sandbox.authorize_url, params=params).status_code == 200


# -- the code exchange ---------------------------------------------------------------------------


def test_a_prescriber_gets_access_id_and_refresh_tokens(sandbox, http) -> None:
    verifier = secrets.token_urlsafe(48)
    code = sandbox.authorize_code(PRESCRIBER, verifier=verifier, nonce="n-0S6_WzA2Mj")
    answer = exchange(sandbox, http, code, verifier)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    oidc = {"openid", "profile", "email", "offline_access"}
    assert set(body["scope"].split()) == oidc | set(ALL_PERMISSIONS)  # what was granted

    access = verify(sandbox, body["access_token"], sandbox.audience)
    assert access["aud"] == [sandbox.audience, sandbox.issuer + "userinfo"]
    assert re.fullmatch(r"auth0\|usr_\w+", access["sub"])
    assert access["azp"] == sandbox.native_client_id
    assert access["org_id"] == sandbox.org_id
    assert "write:prescription" in access["permissions"]
    assert "gty" not in access

    identity = verify(sandbox, body["id_token"], sandbox.native_client_id)
    assert identity["nonce"] == "n-0S6_WzA2Mj"
    assert identity["email"] == PRESCRIBER
    assert identity["name"] == "Maya Okafor"
    assert identity["sub"] == access["sub"]
    assert identity["org_id"] == sandbox.org_id
    assert body["refresh_token"]


def test_permissions_follow_the_user(sandbox) -> None:
    claims = jwt.decode(sandbox.user_token(STAFF), options={"verify_signature": False})
    assert "write:prescription" not in claims["permissions"]
    assert "write:order" in claims["permissions"]


def test_without_openid_or_offline_access_there_is_no_id_or_refresh_token(sandbox) -> None:
    body = sandbox.sign_in(STAFF, scope="profile")
    assert "id_token" not in body
    assert "refresh_token" not in body
    assert body["access_token"]


def test_a_wrong_code_verifier_is_refused(sandbox, http) -> None:
    code = sandbox.authorize_code(PRESCRIBER, verifier=secrets.token_urlsafe(48))
    answer = exchange(sandbox, http, code, secrets.token_urlsafe(48))
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Failed to verify code verifier",
    }


def test_the_redirect_uri_must_match_the_one_at_authorize(sandbox, http) -> None:
    verifier = secrets.token_urlsafe(48)
    code = sandbox.authorize_code(PRESCRIBER, verifier=verifier)
    answer = exchange(sandbox, http, code, verifier, redirect_uri="http://127.0.0.1:9/other")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_code_works_once_and_a_replay_revokes_what_it_issued(sandbox, http) -> None:
    verifier = secrets.token_urlsafe(48)
    code = sandbox.authorize_code(PRESCRIBER, verifier=verifier)
    first = exchange(sandbox, http, code, verifier)
    assert first.status_code == 200

    replay = exchange(sandbox, http, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert refresh(sandbox, http, first.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_code_expires() -> None:
    with embedded_sandbox(code_ttl=30) as run:
        verifier = secrets.token_urlsafe(48)
        fresh = run.code(PRESCRIBER, verifier)
        run.time.advance(29)
        assert run.exchange(fresh, verifier).status_code == 200
        stale = run.code(PRESCRIBER, verifier)
        run.time.advance(31)
        answer = run.exchange(stale, verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_refresh_token_lives_thirty_days_like_auth0s_default() -> None:
    with embedded_sandbox() as run:
        first = run.sign_in(PRESCRIBER)["refresh_token"]
        run.time.advance(29 * 86_400)
        rotated = run.http.post(
            run.url + "oauth/token",
            data={"grant_type": "refresh_token", "client_id": NATIVE, "refresh_token": first},
        )
        assert rotated.status_code == 200, rotated.text
        run.time.advance(2 * 86_400)
        expired = run.http.post(
            run.url + "oauth/token",
            data={
                "grant_type": "refresh_token",
                "client_id": NATIVE,
                "refresh_token": rotated.json()["refresh_token"],
            },
        )
    assert expired.status_code == 400
    assert expired.json()["error"] == "invalid_grant"


# -- refresh rotation, reuse detection, revoke ---------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_whole_family(sandbox, http) -> None:
    first = sandbox.sign_in(PRESCRIBER)["refresh_token"]

    rotated = refresh(sandbox, http, first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    assert verify(sandbox, rotated.json()["access_token"], sandbox.audience)["sub"].startswith(
        "auth0|"
    )
    assert "id_token" in rotated.json()

    reused = refresh(sandbox, http, first)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    # Reuse detection: the newest token of the family is dead too.
    assert refresh(sandbox, http, second).json()["error"] == "invalid_grant"


def test_an_unknown_refresh_token_is_an_invalid_grant(sandbox, http) -> None:
    answer = refresh(sandbox, http, "not-a-token")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_revoke_ends_the_refresh_token_family(sandbox, http) -> None:
    token = sandbox.sign_in(STAFF)["refresh_token"]
    next_token = refresh(sandbox, http, token).json()["refresh_token"]

    revoked = http.post(
        sandbox.revoke_url, json={"client_id": sandbox.native_client_id, "token": next_token}
    )
    assert revoked.status_code == 200
    assert refresh(sandbox, http, next_token).json()["error"] == "invalid_grant"


def test_revoke_needs_a_token_and_the_native_client(sandbox, http) -> None:
    missing = http.post(sandbox.revoke_url, json={"client_id": sandbox.native_client_id})
    assert missing.status_code == 400
    wrong = http.post(sandbox.revoke_url, json={"client_id": "nobody", "token": "x"})
    assert wrong.status_code == 401


# -- logout --------------------------------------------------------------------------------------


def test_logout_shows_signed_out(sandbox, http) -> None:
    page = http.get(sandbox.issuer + "v2/logout")
    assert page.status_code == 200
    assert "Signed out" in page.text


def test_logout_returns_only_to_loopback(sandbox, http) -> None:
    back = http.get(sandbox.issuer + "v2/logout", params={"returnTo": "http://127.0.0.1:5000/bye"})
    assert back.status_code == 302
    assert back.headers["location"] == "http://127.0.0.1:5000/bye"
    away = http.get(sandbox.issuer + "v2/logout", params={"returnTo": "https://evil.example/"})
    assert away.status_code == 400
    assert "location" not in away.headers
