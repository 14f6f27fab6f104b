"""Who may do what: the operations Photon documents a permission for, strictly; the others as the
sandbox infers them (M2M tokens never write prescriptions)."""

from __future__ import annotations

import pytest
from test_clinical_support import (
    PRESCRIBER,
    STAFF,
    SUPPORT,
    data,
    error_types,
    gql,
    m2m,
    make_api,
    user,
)

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.graphql import ClinicalAPI


@pytest.fixture(scope="module")
def api() -> ClinicalAPI:
    return make_api(patients=30)


def _ids(api: ClinicalAPI) -> dict[str, str]:
    me = user(api, PRESCRIBER)
    found = data(
        gql(
            api,
            me,
            "{ patients(first: 1) { id } prescriptions(first: 1) { id } "
            "orders(first: 1) { id fills { id } } pharmacies(first: 1) { id } "
            "medications(first: 1) { id } allergens { id } }",
        )
    )
    return {
        "patient": found["patients"][0]["id"],
        "rx": found["prescriptions"][0]["id"],
        "order": found["orders"][0]["id"],
        "fill": found["orders"][0]["fills"][0]["id"],
        "pharmacy": found["pharmacies"][0]["id"],
        "med": found["medications"][0]["id"],
        "allergen": found["allergens"][0]["id"],
    }


READS = {
    "read:patient": [
        "{ patients { id } }",
        "query($patient: ID!) { patient(id: $patient) { id } }",
    ],
    "read:prescription": [
        "{ prescriptions { id } }",
        "query($rx: ID!) { prescription(id: $rx) { id } }",
    ],
    "read:order": [
        "{ orders { id } }",
        "query($order: ID!) { order(id: $order) { id } }",
        "query($fill: ID!) { fill(id: $fill) { id } }",
    ],
}


@pytest.mark.parametrize("permission", sorted(READS))
def test_each_read_needs_its_permission(api, permission: str) -> None:
    ids = _ids(api)
    without = m2m(api, tuple(p for p in accounts.ALL_PERMISSIONS if p != permission))
    with_it = m2m(api, (permission,))
    for query in READS[permission]:
        variables = {k: v for k, v in ids.items() if f"${k}" in query}
        denied = gql(api, without, query, **variables)
        assert error_types(denied) == ["Unauthorized"]
        assert (
            denied["errors"][0]["message"]
            == f"Not authorized: this operation requires the {permission} permission"
        )
        data(gql(api, with_it, query, **variables))


def test_reference_data_needs_only_a_valid_token(api) -> None:
    nobody = m2m(api, ())
    answer = gql(
        api,
        nobody,
        "{ pharmacies(first: 2) { id } medications(first: 2) { id } "
        "medicalEquipment { id } allergens { id } dispenseUnits { name } "
        "catalogs { id } organization { id } }",
    )
    assert "errors" not in answer


def test_me_needs_a_user_token(api) -> None:
    answer = gql(api, m2m(api), "{ me { id } }")
    assert error_types(answer) == ["Unauthorized"]
    assert answer["errors"][0]["message"] == "me requires a signed-in user"
    assert data(gql(api, user(api, STAFF), "{ me { id npi verificationStatus } }"))["me"] == {
        "id": api.user_id(STAFF),
        "npi": None,
        "verificationStatus": "NOT_APPLICABLE",
    }


def test_nested_lists_are_field_level_errors_with_partial_data(api) -> None:
    ids = _ids(api)
    patient_only = m2m(api, (accounts.READ_PATIENT,))
    answer = gql(
        api,
        patient_only,
        "query($id: ID!) { patient(id: $id) { id prescriptions { id } orders { id } } }",
        id=ids["patient"],
    )
    assert answer["data"]["patient"] == {
        "id": ids["patient"],
        "prescriptions": None,
        "orders": None,
    }
    assert sorted(e["path"][-1] for e in answer["errors"]) == ["orders", "prescriptions"]
    assert set(error_types(answer)) == {"Unauthorized"}


RX = """mutation($p: ID!, $t: ID!) { createPrescription(patientId: $p, treatmentId: $t,
  dispenseQuantity: 30, dispenseUnit: "Tablet", fillsAllowed: 1, instructions: "Daily") { id } }"""


def test_only_a_signed_in_prescriber_can_prescribe(api) -> None:
    ids = _ids(api)
    for principal in (
        m2m(api),
        m2m(api, accounts.ALL_PERMISSIONS),
        user(api, STAFF),
        user(api, SUPPORT),
    ):
        answer = gql(api, principal, RX, p=ids["patient"], t=ids["med"])
        assert error_types(answer) == ["Unauthorized"], principal
    assert data(gql(api, user(api, PRESCRIBER), RX, p=ids["patient"], t=ids["med"]))


WRITES = [
    (
        "write:patient",
        'mutation { createPatient(name: {first: "A", last: "B"}, '
        'dateOfBirth: "2000-01-01", sex: MALE, phone: "2125550100") { id } }',
    ),
    (
        "write:patient",
        'mutation($patient: ID!) { updatePatient(id: $patient, gender: "x") { id } }',
    ),
    (
        "write:patient",
        "mutation($patient: ID!, $allergen: ID!) { removePatientAllergy("
        "id: $patient, allergenId: $allergen) { id } }",
    ),
    (
        "write:patient",
        "mutation($patient: ID!, $pharmacy: ID!) { removePatientPreferredPharmacy("
        "patientId: $patient, pharmacyId: $pharmacy) { id } }",
    ),
    ("write:prescription", "mutation($rx: ID!) { cancelPrescription(id: $rx) { id } }"),
    (
        "write:order",
        "mutation($patient: ID!, $rx: ID!) { createOrder(patientId: $patient, "
        'fills: [{prescriptionId: $rx}], address: {street1: "1 A St", city: "X", state: "NY", '
        'postalCode: "10001", country: "US"}) { id } }',
    ),
    ("write:order", "mutation($order: ID!) { cancelOrder(id: $order) { id } }"),
    (
        "write:order",
        "mutation($order: ID!, $pharmacy: ID!) { routeOrder(id: $order, "
        "pharmacyId: $pharmacy) { id } }",
    ),
]


@pytest.mark.parametrize(("permission", "mutation"), WRITES)
def test_support_user_cannot_write_anything(api, permission: str, mutation: str) -> None:
    ids = _ids(api)
    variables = {k: v for k, v in ids.items() if f"${k}" in mutation}
    before = api.stats()
    answer = gql(api, user(api, SUPPORT), mutation, **variables)
    assert error_types(answer) == ["Unauthorized"]
    assert permission in answer["errors"][0]["message"]
    assert api.stats() == before


def test_staff_can_write_patients_and_orders_but_not_cancel_prescriptions(api) -> None:
    ids = _ids(api)
    staff = user(api, STAFF)
    data(gql(api, staff, WRITES[0][1]))
    denied = gql(api, staff, WRITES[4][1], rx=ids["rx"])
    assert error_types(denied) == ["Unauthorized"]
