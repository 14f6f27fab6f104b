"""``POST /graphql`` auth and permissions end to end, and the admin endpoints, over real HTTP."""

from __future__ import annotations

from datetime import datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from embedded import embedded_sandbox

from photon_desktop.sandbox.tokens import TokenIssuer

PRESCRIBER = "prescriber@sandbox.photon.local"
STAFF = "staff@sandbox.photon.local"
PATIENTS = "query Patients { patients(first: 2) { id } }"
ME = "query Me { me { email npi } }"
IDS = "query Ids { patients(first: 1) { id } medications(first: 1) { id } }"
RX = """mutation Prescribe($p: ID!, $t: ID!) { createPrescription(patientId: $p, treatmentId: $t,
  dispenseQuantity: 30, dispenseUnit: "Tablet", fillsAllowed: 1, instructions: "Daily") { id } }"""


def assert_unauthorized(response) -> str:
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["errorType"] == "UnauthorizedException"
    assert error["message"]
    return str(error["message"])


def forged(sandbox, *, key=None, **claims) -> str:
    """A token like the sandbox's, signed by a key the sandbox never had."""
    real = jwt.decode(sandbox.m2m_token(), options={"verify_signature": False})
    kid = jwt.get_unverified_header(sandbox.m2m_token())["kid"]
    real.update(claims)
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(real, key, algorithm="RS256", headers={"kid": kid})


# -- the bearer token -------------------------------------------------------------------------


@pytest.mark.parametrize("bearer", [True, False], ids=["Bearer prefix", "bare token"])
def test_a_valid_token_is_accepted_with_or_without_bearer(sandbox, gql, bearer) -> None:
    response = gql(sandbox.graphql_url, sandbox.m2m_token(), PATIENTS, bearer=bearer)
    assert response.status_code == 200
    assert len(response.json()["data"]["patients"]) == 2


def test_a_missing_token_is_401(sandbox, gql) -> None:
    assert_unauthorized(gql(sandbox.graphql_url, None, PATIENTS))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Bearer", ""])
def test_a_malformed_token_is_401(sandbox, gql, token) -> None:
    assert_unauthorized(gql(sandbox.graphql_url, token, PATIENTS, bearer=False))


def test_a_token_signed_by_another_key_is_401(sandbox, gql) -> None:
    message = assert_unauthorized(gql(sandbox.graphql_url, forged(sandbox), PATIENTS))
    assert "signature" in message


def test_a_token_from_another_sandbox_run_is_401(sandbox, fresh_sandbox, gql) -> None:
    other = fresh_sandbox()
    assert_unauthorized(gql(sandbox.graphql_url, other.m2m_token(), PATIENTS))


def test_an_id_token_is_not_an_access_token(sandbox, gql) -> None:
    id_token = sandbox.sign_in(PRESCRIBER)["id_token"]
    message = assert_unauthorized(gql(sandbox.graphql_url, id_token, PATIENTS))
    assert "audience" in message


def test_an_expired_token_is_401(gql) -> None:
    with embedded_sandbox(token_ttl=60) as short:
        token = short.m2m_token()
        short.time.advance(59)
        assert gql(short.url + "graphql", token, PATIENTS).status_code == 200
        short.time.advance(1)
        message = assert_unauthorized(gql(short.url + "graphql", token, PATIENTS))
    assert "expired" in message


def test_token_times_come_from_the_runs_clock() -> None:
    with embedded_sandbox() as run:
        run.time.advance(7 * 86_400)
        claims = jwt.decode(run.m2m_token(), options={"verify_signature": False})
        assert claims["iat"] == int(run.time.time())


def test_short_lived_tokens_say_so(fresh_sandbox) -> None:
    short = fresh_sandbox("--token-ttl", "5")
    claims = jwt.decode(short.m2m_token(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 5


def test_a_body_that_is_not_json_is_400(sandbox, http) -> None:
    response = http.post(
        sandbox.graphql_url,
        content=b"query { patients { id } }",
        headers={"Authorization": sandbox.m2m_token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]


def test_get_is_not_allowed(sandbox, http) -> None:
    response = http.get(sandbox.graphql_url, headers={"Authorization": sandbox.m2m_token()})
    assert response.status_code == 405


# -- permissions end to end --------------------------------------------------------------------


def test_m2m_cannot_prescribe_but_a_prescriber_can(sandbox, gql) -> None:
    m2m = sandbox.m2m_token()
    ids = gql(sandbox.graphql_url, m2m, IDS).json()["data"]
    variables = {"p": ids["patients"][0]["id"], "t": ids["medications"][0]["id"]}

    denied = gql(sandbox.graphql_url, m2m, RX, **variables)
    assert denied.status_code == 200
    [error] = denied.json()["errors"]
    assert error["errorType"] == "Unauthorized"
    assert "write:prescription" in error["message"]

    staff = gql(sandbox.graphql_url, sandbox.user_token(STAFF), RX, **variables)
    assert staff.json()["errors"][0]["errorType"] == "Unauthorized"

    allowed = gql(sandbox.graphql_url, sandbox.user_token(PRESCRIBER), RX, **variables)
    assert "errors" not in allowed.json()
    assert allowed.json()["data"]["createPrescription"]["id"].startswith("rx_")


def test_a_user_token_acts_as_that_user(sandbox, gql) -> None:
    me = gql(sandbox.graphql_url, sandbox.user_token(PRESCRIBER), ME).json()["data"]["me"]
    assert me["email"] == PRESCRIBER
    assert me["npi"]


# -- admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "faults"), ("PUT", "faults"), ("POST", "faults/next"), ("GET", "stats"),
     ("PUT", "clock")],
)  # fmt: skip
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_admin_endpoints_need_the_runs_admin_key(sandbox, http, method, path, key) -> None:
    headers = {} if key is None else {"X-Sandbox-Admin": key}
    body = {"fail_next": [{"kind": "drop"}]} if method != "POST" else {"faults": [{"kind": "drop"}]}
    response = http.request(method, f"{sandbox.admin_url}/{path}", json=body, headers=headers)
    assert response.status_code == 401
    assert sandbox.admin("GET", "faults").json()["fail_next"] == []  # nothing was changed


def test_stats_count_token_requests_by_grant_and_graphql_by_operation(sandbox, gql) -> None:
    before = sandbox.stats()
    token = sandbox.m2m_token()
    gql(sandbox.graphql_url, token, PATIENTS)
    gql(sandbox.graphql_url, token, PATIENTS)
    after = sandbox.stats()

    def count(stats, group, name):
        return stats[group].get(name, 0)

    assert count(after, "token_requests", "client_credentials") == (
        count(before, "token_requests", "client_credentials") + 1
    )
    assert count(after, "graphql_requests", "Patients") == (
        count(before, "graphql_requests", "Patients") + 2
    )
    assert after["clinical"]["patients"] >= 200


def test_the_clock_can_jump_and_change_speed(fresh_sandbox) -> None:
    own = fresh_sandbox()  # the shared sandbox's demo data must not age an hour under others
    before = datetime.fromisoformat(own.admin("GET", "clock").json()["now"])
    jumped = own.admin("PUT", "clock", {"advance_seconds": 3600})
    assert jumped.status_code == 200
    assert (datetime.fromisoformat(jumped.json()["now"]) - before).total_seconds() >= 3600

    fast = own.admin("PUT", "clock", {"speed": 60})
    assert fast.json()["speed"] == 60


@pytest.mark.parametrize(
    "body", [{}, {"speed": -1}, {"advance_seconds": -5}, {"speed": "fast"}, {"rewind": 3}]
)
def test_bad_clock_changes_are_refused(sandbox, body) -> None:
    assert sandbox.admin("PUT", "clock", body).status_code == 400


# -- near-misses signed with the server's own key, over HTTP -------------------------------------


@pytest.fixture(scope="module")
def embedded():
    """An in-process sandbox with a signing key this test also holds."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with embedded_sandbox(key=key, kid="k1") as running:
        yield running.built, key


def near_miss(built, key, **changes: str) -> str:
    forger = TokenIssuer(
        issuer=changes.get("issuer", built.issuer),
        audience=changes.get("audience", built.audience),
        key=key,
        kid="k1",
    )
    return forger.m2m_access_token(
        client_id="c", org_id=built.oauth.org_id, scopes=["read:patient"]
    )


def test_the_embedded_server_accepts_its_own_tokens(embedded, gql) -> None:
    built, key = embedded
    answer = gql(built.issuer + "graphql", near_miss(built, key), PATIENTS)
    assert answer.status_code == 200
    assert answer.json()["data"]["patients"]


def test_a_token_from_another_issuer_is_401_even_with_the_right_key(embedded, gql) -> None:
    built, key = embedded
    token = near_miss(built, key, issuer="https://auth.photon.health/")
    assert "issuer" in assert_unauthorized(gql(built.issuer + "graphql", token, PATIENTS))


def test_a_token_for_another_api_is_401_even_with_the_right_key(embedded, gql) -> None:
    built, key = embedded
    token = near_miss(built, key, audience="https://api.photon.health")
    assert "audience" in assert_unauthorized(gql(built.issuer + "graphql", token, PATIENTS))
