"""The Clinical API over real HTTP: tokens from the sandbox's own sign-in reach the resolvers."""

from __future__ import annotations

CREATE_RX = """mutation($p: ID!, $t: ID!) { createPrescription(patientId: $p, treatmentId: $t,
  dispenseQuantity: 30, dispenseUnit: "Tablet", fillsAllowed: 1, instructions: "Daily") { id } }"""
IDS = "{ patients(first: 2) { id name { full } } medications(first: 1) { id } }"


def test_m2m_token_lists_patients_but_cannot_prescribe(sandbox, gql) -> None:
    token = sandbox.m2m_token()
    listed = gql(sandbox.graphql_url, token, IDS)
    assert listed.status_code == 200
    ids = listed.json()["data"]
    assert len(ids["patients"]) == 2 and ids["patients"][0]["id"].startswith("pat_")
    denied = gql(
        sandbox.graphql_url,
        token,
        CREATE_RX,
        p=ids["patients"][0]["id"],
        t=ids["medications"][0]["id"],
    ).json()
    assert denied["data"] is None
    assert [e["errorType"] for e in denied["errors"]] == ["Unauthorized"]
    assert "write:prescription" in denied["errors"][0]["message"]


def test_signed_in_prescriber_is_me_and_can_prescribe(sandbox, gql) -> None:
    token = sandbox.user_token("prescriber@sandbox.photon.local")
    me = gql(sandbox.graphql_url, token, "{ me { id npi } organization { id } }").json()["data"]
    assert me["me"]["id"].startswith("usr_") and me["organization"]["id"] == sandbox.org_id
    ids = gql(sandbox.graphql_url, token, IDS).json()["data"]
    made = gql(
        sandbox.graphql_url,
        token,
        CREATE_RX,
        p=ids["patients"][1]["id"],
        t=ids["medications"][0]["id"],
    ).json()
    assert made["data"]["createPrescription"]["id"].startswith("rx_")


def test_validation_errors_name_the_field_over_http(sandbox, gql) -> None:
    token = sandbox.m2m_token()
    answer = gql(
        sandbox.graphql_url,
        token,
        """mutation($e: AWSEmail) { createPatient(
        name: {first: "A", last: "B"}, dateOfBirth: "2000-01-01", sex: MALE,
        phone: "2125550100", email: $e) { id } }""",
        e="nope",
    ).json()
    assert answer["data"] is None
    assert answer["errors"][0]["errorType"] == "ValidationError"
    assert answer["errors"][0]["errorInfo"] == {"field": "email"}
