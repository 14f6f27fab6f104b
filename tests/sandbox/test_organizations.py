"""A demo user who works at two practices: one sign-in per organization, each with its own
patients; other users and the M2M client belong to the main practice only."""

from __future__ import annotations

import secrets

from oauth_support import pkce_challenge, transaction_id
from test_oauth_code import (
    authorize_params,
    exchange,
    redirect_query,
    refresh,
)

PRESCRIBER = "prescriber@sandbox.photon.local"
STAFF = "staff@sandbox.photon.local"
WHO = """query { me { id } organization { id name } organizations { id name }
  patients(first: 25) { id } }"""


def second_org(sandbox) -> dict:
    [second] = [o for o in sandbox.organizations if o["id"] != sandbox.org_id]
    return second


def decide(sandbox, http, email: str, **params: str):
    verifier = secrets.token_urlsafe(48)
    page = http.get(
        sandbox.authorize_url,
        params=authorize_params(sandbox, code_challenge=pkce_challenge(verifier), **params),
    )
    assert page.status_code == 200, page.text
    answer = http.post(
        sandbox.issuer + "authorize/decision",
        data={"transaction": transaction_id(page.text), "user": email, "action": "continue"},
    )
    return answer, verifier


def sign_in(sandbox, http, email: str, **params: str) -> dict:
    answer, verifier = decide(sandbox, http, email, **params)
    tokens = exchange(sandbox, http, redirect_query(answer)["code"][0], verifier)
    assert tokens.status_code == 200, tokens.text
    return dict(tokens.json())


def test_the_run_announces_two_organizations(sandbox) -> None:
    names = {o["name"] for o in sandbox.organizations}
    assert names == {"Sandbox Family Medicine", "Sandbox Pediatrics"}
    assert sandbox.org_id in {o["id"] for o in sandbox.organizations}


def test_the_prescriber_sees_other_patients_in_the_second_practice(sandbox, http, gql) -> None:
    second = second_org(sandbox)
    main = gql(sandbox.graphql_url, sign_in(sandbox, http, PRESCRIBER)["access_token"], WHO)
    other = gql(
        sandbox.graphql_url,
        sign_in(sandbox, http, PRESCRIBER, organization=second["id"])["access_token"],
        WHO,
    )
    main_data, other_data = main.json()["data"], other.json()["data"]
    assert main_data["organization"]["id"] == sandbox.org_id
    assert other_data["organization"] == second
    assert main_data["me"]["id"] == other_data["me"]["id"]  # one person, two practices
    assert {o["id"] for o in other_data["organizations"]} == {
        o["id"] for o in sandbox.organizations
    }
    main_ids = {p["id"] for p in main_data["patients"]}
    other_ids = {p["id"] for p in other_data["patients"]}
    assert other_ids and not main_ids & other_ids

    token = sign_in(sandbox, http, PRESCRIBER, organization=second["id"])["access_token"]
    missing = gql(
        sandbox.graphql_url, token, "query($id: ID!) { patient(id: $id) { id } }",
        id=sorted(main_ids)[0],
    ).json()  # fmt: skip
    assert missing["errors"][0]["errorType"] == "NotFound"


def test_a_refreshed_token_stays_in_its_organization(sandbox, http, gql) -> None:
    second = second_org(sandbox)
    first = sign_in(sandbox, http, PRESCRIBER, organization=second["id"])
    renewed = refresh(sandbox, http, first["refresh_token"]).json()
    answer = gql(sandbox.graphql_url, renewed["access_token"], WHO).json()
    assert answer["data"]["organization"]["id"] == second["id"]


def test_a_user_of_one_practice_cannot_sign_in_to_the_other(sandbox, http) -> None:
    answer, _ = decide(sandbox, http, STAFF, organization=second_org(sandbox)["id"])
    query = redirect_query(answer)
    assert query["error"] == ["access_denied"]
    assert query["iss"] == [sandbox.issuer]


def test_the_sign_in_page_names_the_organization_asked_for(sandbox, http) -> None:
    second = second_org(sandbox)
    page = http.get(
        sandbox.authorize_url, params=authorize_params(sandbox, organization=second["id"])
    )
    assert "Organization: Sandbox Pediatrics" in page.text


def test_staff_and_the_m2m_client_belong_to_the_main_practice_only(sandbox, http, gql) -> None:
    query = "query { organizations { id } organization { id } }"
    staff = gql(sandbox.graphql_url, sign_in(sandbox, http, STAFF)["access_token"], query).json()
    m2m = gql(sandbox.graphql_url, sandbox.m2m_token(), query).json()
    for answer in (staff, m2m):
        assert answer["data"]["organizations"] == [{"id": sandbox.org_id}]
        assert answer["data"]["organization"] == {"id": sandbox.org_id}
