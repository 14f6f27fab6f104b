"""Shared helpers for the in-process Clinical API tests (no tests of its own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.graphql import ClinicalAPI

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PRESCRIBER = "prescriber@sandbox.photon.local"
STAFF = "staff@sandbox.photon.local"
SUPPORT = "support@sandbox.photon.local"


def make_api(patients: int = 60, seed: int = 7) -> ClinicalAPI:
    """A small sandbox on a frozen clock (speed 0): time moves only through ``advance``."""
    return ClinicalAPI(seed=seed, patients=patients, clock=Clock(speed=0, start=START))


def user(api: ClinicalAPI, email: str) -> Principal:
    demo_user = accounts.demo_user(email)
    assert demo_user is not None
    return Principal(
        subject=f"auth0|{email}",
        client_id=accounts.NATIVE_CLIENT_ID,
        org_id=api.org_id,
        permissions=frozenset(demo_user.permissions),
        user_email=email,
    )


def m2m(api: ClinicalAPI, permissions: tuple[str, ...] = accounts.M2M_PERMISSIONS) -> Principal:
    return Principal(
        subject=f"{accounts.M2M_CLIENT_ID}@clients",
        client_id=accounts.M2M_CLIENT_ID,
        org_id=api.org_id,
        permissions=frozenset(permissions),
    )


ADDRESS = {
    "street1": "1 Main St",
    "city": "Denver",
    "state": "CO",
    "postalCode": "80202",
    "country": "US",
}


def gql(api: ClinicalAPI, principal: Principal, query: str, **variables: Any) -> dict:
    return api.execute({"query": query, "variables": variables}, principal)


def data(answer: dict) -> Any:
    """The ``data`` of an answer that must have no errors."""
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def error_types(answer: dict) -> list[str]:
    return [e["errorType"] for e in answer.get("errors", [])]


def fields(answer: dict) -> set[str]:
    return {(e.get("errorInfo") or {}).get("field") for e in answer.get("errors", [])}


def place_orders(api: ClinicalAPI, count: int, *, mail: bool) -> list[str]:
    """``count`` orders of one patient at one pick-up (or mail) pharmacy, placed together
    (their prescription keeps one fill spare)."""
    me = user(api, PRESCRIBER)
    ref = data(
        gql(
            api,
            me,
            "{ patients(first: 1) { id } pharmacies { id fulfillmentTypes } "
            '  medications(filter: {drug: {name: "atorvastatin"}}) { id } }',
        )
    )
    pharmacy = next(
        p["id"] for p in ref["pharmacies"] if (p["fulfillmentTypes"] == ["MAIL_ORDER"]) == mail
    )
    patient = ref["patients"][0]["id"]
    rx = data(
        gql(
            api,
            me,
            """mutation($p: ID!, $t: ID!, $n: Int!) { createPrescription(patientId: $p,
            treatmentId: $t, dispenseQuantity: 30, dispenseUnit: "Tablet", fillsAllowed: $n,
            instructions: "Nightly") { id } }""",
            p=patient,
            t=ref["medications"][0]["id"],
            n=count + 1,
        )
    )["createPrescription"]["id"]
    create = """mutation($p: ID!, $rx: ID!, $ph: ID, $a: AddressInput!) { createOrder(
      patientId: $p, fills: [{prescriptionId: $rx}], pharmacyId: $ph, address: $a) { id } }"""
    return [
        data(gql(api, me, create, p=patient, rx=rx, ph=pharmacy, a=ADDRESS))["createOrder"]["id"]
        for _ in range(count)
    ]
