"""Mutations of the sandbox Clinical API: what they save, and that a rejected one saves nothing."""

from __future__ import annotations

import pytest
from test_clinical_support import PRESCRIBER, data, error_types, fields, gql, m2m, make_api, user

from photon_desktop.sandbox.graphql import ClinicalAPI

CREATE_PATIENT = """mutation($name: NameInput!, $dob: AWSDate!, $sex: SexType!, $phone: AWSPhone!,
  $email: AWSEmail, $address: AddressInput, $externalId: ID, $allergies: [AllergenInput],
  $pharmacies: [ID], $history: [MedHistoryInput]) {
  createPatient(name: $name, dateOfBirth: $dob, sex: $sex, phone: $phone, email: $email,
    address: $address, externalId: $externalId, allergies: $allergies,
    preferredPharmacies: $pharmacies, medicationHistory: $history) {
    id externalId name { full } phone email dateOfBirth address { state postalCode country }
    allergies { allergen { id name } } preferredPharmacies { id }
    medicationHistory { medication { id } active } } }"""

ADDRESS = {
    "street1": "12 Elm St",
    "city": "Austin",
    "state": "tx",
    "postalCode": "78701",
    "country": "US",
}


@pytest.fixture
def api() -> ClinicalAPI:
    return make_api(patients=40)


@pytest.fixture
def me(api: ClinicalAPI):
    return user(api, PRESCRIBER)


def _patient_args(**overrides):
    args = {
        "name": {"first": "Ada", "last": "Lovelace"},
        "dob": "1990-12-10",
        "sex": "FEMALE",
        "phone": "(212) 555-0123",
        "email": "ada@example.com",
        "address": ADDRESS,
    }
    args.update(overrides)
    return args


def _reference(api, me):
    ref = data(
        gql(
            api,
            me,
            "{ allergens { id } pharmacies(first: 3) { id } "
            '  medications(filter: {drug: {name: "metformin"}}) { id type } '
            "  medicalEquipment { id } }",
        )
    )
    return ref


def test_create_patient_saves_and_lists_it(api, me) -> None:
    ref = _reference(api, me)
    created = data(
        gql(
            api,
            me,
            CREATE_PATIENT,
            **_patient_args(
                externalId="EHR-1",
                allergies=[{"allergenId": ref["allergens"][0]["id"]}],
                pharmacies=[ref["pharmacies"][0]["id"]],
                history=[{"medicationId": ref["medications"][0]["id"], "active": True}],
            ),
        )
    )
    patient = created["createPatient"]
    assert patient["id"].startswith("pat_") and patient["name"]["full"] == "Ada Lovelace"
    assert patient["phone"] == "+12125550123"  # normalized to E.164
    assert patient["address"] == {"state": "TX", "postalCode": "78701", "country": "US"}
    assert patient["allergies"][0]["allergen"]["id"] == ref["allergens"][0]["id"]
    found = data(gql(api, me, '{ patients(filter: {name: "lovelace"}) { id } }'))["patients"]
    assert [p["id"] for p in found] == [patient["id"]]
    assert api.stats()["patients"] == 41 and api.stats()["mutations"] == {"createPatient": 1}


BAD_PATIENTS = [
    ({"dob": "2999-01-01"}, {"dateOfBirth"}),
    ({"dob": "2021-02-30"}, {"dateOfBirth"}),  # not a real date: the AWSDate scalar says so
    ({"email": "not-an-email"}, {"email"}),
    ({"phone": "555-12"}, {"phone"}),
    (
        {"address": {**ADDRESS, "state": "XX", "postalCode": "7870"}},
        {"address.state", "address.postalCode"},
    ),
    ({"address": {k: v for k, v in ADDRESS.items() if k != "city"}}, {"address.city"}),
    ({"name": {"first": " ", "last": "Lovelace"}}, {"name.first"}),
    ({"allergies": [{"allergenId": "alg_nope"}]}, {"allergies[0].allergenId"}),
    ({"pharmacies": ["phr_nope"]}, {"preferredPharmacies[0]"}),
]


@pytest.mark.parametrize(("overrides", "bad_fields"), BAD_PATIENTS)
def test_invalid_patient_names_each_bad_field_and_saves_nothing(
    api, me, overrides, bad_fields
) -> None:
    answer = gql(api, me, CREATE_PATIENT, **_patient_args(**overrides))
    assert set(error_types(answer)) == {"ValidationError"}
    assert fields(answer) == bad_fields
    assert answer["data"] is None
    assert api.stats()["patients"] == 40
    assert data(gql(api, me, '{ patients(filter: {name: "lovelace"}) { id } }'))["patients"] == []


def test_external_id_is_unique_per_entity_type(api, me) -> None:
    data(gql(api, me, CREATE_PATIENT, **_patient_args(externalId="EHR-9")))
    again = gql(api, me, CREATE_PATIENT, **_patient_args(externalId="EHR-9"))
    assert fields(again) == {"externalId"} and api.stats()["patients"] == 41


def test_update_patient_changes_only_given_fields_and_resorts(api, me) -> None:
    pid = data(gql(api, me, CREATE_PATIENT, **_patient_args()))["createPatient"]["id"]
    q = """mutation($id: ID!, $name: NameInput, $email: AWSEmail, $zip: String!) {
      updatePatient(id: $id, name: $name, email: $email, address: {street1: "1 Main St",
        city: "Boston", state: "MA", postalCode: $zip, country: "US"}) {
        name { full } email phone address { city } } }"""
    updated = data(
        gql(
            api,
            me,
            q,
            id=pid,
            name={"first": "Ada", "last": "Byron"},
            email="ab@example.org",
            zip="02108-1234",
        )
    )["updatePatient"]
    assert updated == {
        "name": {"full": "Ada Byron"},
        "email": "ab@example.org",
        "phone": "+12125550123",
        "address": {"city": "Boston"},
    }
    assert data(gql(api, me, '{ patients(filter: {name: "byron"}) { id } }'))["patients"] == [
        {"id": pid}
    ]
    bad = gql(api, me, q, id=pid, name=None, email=None, zip="ABCDE")
    assert fields(bad) == {"address.postalCode"}
    after = data(gql(api, me, "query($id: ID!) { patient(id: $id) { address { city } } }", id=pid))
    assert after["patient"]["address"]["city"] == "Boston"
    missing = gql(api, me, q, id="pat_01ARZ3NDEKTSV4RRFFQ69G5FAV", zip="02108")
    assert error_types(missing) == ["NotFound"]


def test_remove_allergy_and_preferred_pharmacy(api, me) -> None:
    ref = _reference(api, me)
    allergen, pharmacy = ref["allergens"][0]["id"], ref["pharmacies"][0]["id"]
    pid = data(
        gql(
            api,
            me,
            CREATE_PATIENT,
            **_patient_args(allergies=[{"allergenId": allergen}], pharmacies=[pharmacy]),
        )
    )["createPatient"]["id"]
    q1 = (
        "mutation($a: ID!, $id: ID!) { removePatientAllergy(allergenId: $a, id: $id) "
        "{ allergies { allergen { id } } } }"
    )
    assert data(gql(api, me, q1, a=allergen, id=pid))["removePatientAllergy"]["allergies"] == []
    assert fields(gql(api, me, q1, a=allergen, id=pid)) == {"allergenId"}
    q2 = (
        "mutation($p: ID!, $ph: ID!) { removePatientPreferredPharmacy(patientId: $p, "
        "pharmacyId: $ph) { preferredPharmacies { id } } }"
    )
    answer = data(gql(api, me, q2, p=pid, ph=pharmacy))["removePatientPreferredPharmacy"]
    assert answer["preferredPharmacies"] == []


CREATE_RX = """mutation($patientId: ID!, $treatmentId: ID!, $qty: Float!, $unit: String!,
  $fills: Int, $refills: Int, $sig: String!, $externalId: ID, $effective: AWSDate,
  $dx: [ID]) {
  createPrescription(patientId: $patientId, treatmentId: $treatmentId, dispenseQuantity: $qty,
    dispenseUnit: $unit, fillsAllowed: $fills, refillsAllowed: $refills, instructions: $sig,
    externalId: $externalId, effectiveDate: $effective, diagnoses: $dx) {
    id state fillsAllowed fillsRemaining dispenseUnit externalId effectiveDate expirationDate
    prescriber { id } patient { id } treatment { id } diagnoses { code type } } }"""


def _rx_args(api, me, **overrides):
    ref = _reference(api, me)
    pid = data(gql(api, me, CREATE_PATIENT, **_patient_args()))["createPatient"]["id"]
    args = {
        "patientId": pid,
        "treatmentId": ref["medications"][0]["id"],
        "qty": 60,
        "unit": "Tablet",
        "fills": 3,
        "sig": "Take 1 tablet twice daily",
    }
    args.update(overrides)
    return args


def test_create_prescription(api, me) -> None:
    args = _rx_args(api, me, externalId="RX-1", dx=["E11.9"])
    rx = data(gql(api, me, CREATE_RX, **args))["createPrescription"]
    assert rx["id"].startswith("rx_") and rx["state"] == "ACTIVE"
    assert rx["fillsAllowed"] == rx["fillsRemaining"] == 3
    assert rx["prescriber"]["id"] == api.user_id(PRESCRIBER)
    assert rx["effectiveDate"] == "2026-03-02" and rx["expirationDate"] == "2027-03-02"
    assert rx["diagnoses"] == [{"code": "E11.9", "type": "ICD10"}]
    listed = data(
        gql(
            api,
            me,
            "query($p: ID) { prescriptions(filter: {patientId: $p}) { id externalId } }",
            p=args["patientId"],
        )
    )["prescriptions"]
    assert listed == [{"id": rx["id"], "externalId": "RX-1"}]
    duplicate = gql(api, me, CREATE_RX, **args)
    assert fields(duplicate) == {"externalId"}


def test_legacy_refills_allowed_means_fills_minus_one(api, me) -> None:
    rx = data(gql(api, me, CREATE_RX, **_rx_args(api, me, fills=None, refills=2)))
    assert rx["createPrescription"]["fillsAllowed"] == 3


@pytest.mark.parametrize(
    ("overrides", "bad_fields"),
    [
        ({"fills": None}, {"fillsAllowed"}),
        ({"fills": 0}, {"fillsAllowed"}),
        ({"qty": 0}, {"dispenseQuantity"}),
        ({"unit": "Bucket"}, {"dispenseUnit"}),
        ({"sig": "  "}, {"instructions"}),
        ({"treatmentId": "med_nope"}, {"treatmentId"}),
        ({"patientId": "pat_nope"}, {"patientId"}),
        ({"effective": "2020-01-01"}, {"effectiveDate"}),
        ({"dx": ["hello"]}, {"diagnoses[0]"}),
        ({"qty": -1, "unit": "x", "sig": ""}, {"dispenseQuantity", "dispenseUnit", "instructions"}),
    ],
)
def test_invalid_prescription_saves_nothing(api, me, overrides, bad_fields) -> None:
    args = _rx_args(api, me, **overrides)
    before = api.stats()["prescriptions"]
    answer = gql(api, me, CREATE_RX, **args)
    assert fields(answer) == bad_fields and answer["data"] is None
    assert api.stats()["prescriptions"] == before


def test_create_prescriptions_is_all_or_nothing(api, me) -> None:
    args = _rx_args(api, me)
    item = {
        "patientId": args["patientId"],
        "treatmentId": args["treatmentId"],
        "dispenseQuantity": 30,
        "dispenseUnit": "Tablet",
        "fillsAllowed": 1,
        "instructions": "Daily",
    }
    q = "mutation($p: [PrescriptionInput]!) { createPrescriptions(prescriptions: $p) { id } }"
    before = api.stats()["prescriptions"]
    bad = gql(api, me, q, p=[item, {**item, "dispenseUnit": "Bucket"}])
    assert fields(bad) == {"prescriptions[1].dispenseUnit"}
    assert api.stats()["prescriptions"] == before
    made = data(gql(api, me, q, p=[item, {**item, "fillsAllowed": 2}]))["createPrescriptions"]
    assert len(made) == 2 and api.stats()["prescriptions"] == before + 2


def test_cancel_prescription_only_from_active_or_draft(api, me) -> None:
    rx = data(gql(api, me, CREATE_RX, **_rx_args(api, me)))["createPrescription"]
    q = "mutation($id: ID!) { cancelPrescription(id: $id) { id state } }"
    assert data(gql(api, me, q, id=rx["id"]))["cancelPrescription"]["state"] == "CANCELED"
    again = gql(api, me, q, id=rx["id"])
    assert error_types(again) == ["ValidationError"] and "CANCELED" in again["errors"][0]["message"]
    assert error_types(gql(api, me, q, id="rx_nope")) == ["NotFound"]


CREATE_ORDER = """mutation($patientId: ID!, $fills: [FillInput!]!, $pharmacyId: ID,
  $externalId: ID, $address: AddressInput!) {
  createOrder(patientId: $patientId, fills: $fills, pharmacyId: $pharmacyId,
    externalId: $externalId, address: $address) {
    id state externalId pharmacy { id } patient { id } address { city }
    fills { id state prescription { id fillsRemaining state } treatment { name } } } }"""


def _order_setup(api, me, fills_allowed=1):
    args = _rx_args(api, me, fills=fills_allowed)
    rx = data(gql(api, me, CREATE_RX, **args))["createPrescription"]
    pharmacy = _reference(api, me)["pharmacies"][0]["id"]
    return args["patientId"], rx["id"], pharmacy


def test_create_order_uses_up_a_fill_and_depletes(api, me) -> None:
    patient, rx, pharmacy = _order_setup(api, me)
    before = api.stats()["orders"]
    order = data(
        gql(
            api,
            me,
            CREATE_ORDER,
            patientId=patient,
            fills=[{"prescriptionId": rx}],
            pharmacyId=pharmacy,
            externalId="ORD-1",
            address=ADDRESS,
        )
    )["createOrder"]
    assert order["id"].startswith("ord_") and order["state"] == "PENDING"
    assert order["fills"][0]["id"].startswith("fil_") and order["fills"][0]["state"] == "NEW"
    assert order["fills"][0]["prescription"] == {"id": rx, "fillsRemaining": 0, "state": "DEPLETED"}
    listed = data(
        gql(
            api,
            me,
            "query($p: ID) { orders(filter: {patientId: $p}) { id externalId } }",
            p=patient,
        )
    )["orders"]
    assert listed == [{"id": order["id"], "externalId": "ORD-1"}]
    again = gql(
        api,
        me,
        CREATE_ORDER,
        patientId=patient,
        fills=[{"prescriptionId": rx}],
        externalId="ORD-1",
        address=ADDRESS,
    )
    assert fields(again) == {"externalId", "fills[0].prescriptionId"}
    assert api.stats()["orders"] == before + 1
    assert api.stats()["mutations"]["createOrder"] == 1


def test_order_without_pharmacy_waits_in_routing(api, me) -> None:
    patient, rx, _ = _order_setup(api, me)
    order = data(
        gql(
            api,
            me,
            CREATE_ORDER,
            patientId=patient,
            fills=[{"prescriptionId": rx}],
            address=ADDRESS,
        )
    )["createOrder"]
    api.clock.advance(61)
    q = "query($id: ID!) { order(id: $id) { state pharmacy { id } } }"
    assert data(gql(api, me, q, id=order["id"]))["order"] == {"state": "ROUTING", "pharmacy": None}


def test_invalid_orders_save_nothing(api, me) -> None:
    patient, rx, pharmacy = _order_setup(api, me)
    other_patient, other_rx, _ = _order_setup(api, me)
    before = api.stats()["orders"]
    cases = [
        ({"fills": []}, {"fills"}),
        ({"fills": [{}]}, {"fills[0]"}),
        ({"fills": [{"prescriptionId": other_rx}]}, {"fills[0].prescriptionId"}),
        ({"fills": [{"prescriptionId": "rx_nope"}]}, {"fills[0].prescriptionId"}),
        ({"pharmacyId": "phr_nope"}, {"pharmacyId"}),
        ({"patientId": "pat_nope"}, {"patientId"}),
        ({"address": {**ADDRESS, "postalCode": "1"}}, {"address.postalCode"}),
    ]
    for overrides, bad_fields in cases:
        args = {
            "patientId": patient,
            "fills": [{"prescriptionId": rx}],
            "pharmacyId": pharmacy,
            "address": ADDRESS,
            **overrides,
        }
        answer = gql(api, me, CREATE_ORDER, **args)
        assert fields(answer) == bad_fields, overrides
    assert api.stats()["orders"] == before
    still = data(
        gql(api, me, "query($id: ID!) { prescription(id: $id) { fillsRemaining } }", id=rx)
    )
    assert still["prescription"]["fillsRemaining"] == 1
    assert other_patient != patient


def test_otc_fill_without_prescription_but_rx_only_needs_one(api, me) -> None:
    patient, _, pharmacy = _order_setup(api, me)
    otc = data(gql(api, me, '{ medications(filter: {drug: {name: "loratadine"}}) { id } }'))
    order = data(
        gql(
            api,
            me,
            CREATE_ORDER,
            patientId=patient,
            pharmacyId=pharmacy,
            fills=[{"treatmentId": otc["medications"][0]["id"]}],
            address=ADDRESS,
        )
    )
    assert order["createOrder"]["fills"][0]["prescription"] is None
    rx_only = _reference(api, me)["medications"][0]["id"]
    answer = gql(
        api,
        me,
        CREATE_ORDER,
        patientId=patient,
        pharmacyId=pharmacy,
        fills=[{"treatmentId": rx_only}],
        address=ADDRESS,
    )
    assert fields(answer) == {"fills[0].prescriptionId"}


def test_cancel_order_returns_the_fill_and_route_order_moves_it(api, me) -> None:
    patient, rx, pharmacy = _order_setup(api, me)
    order = data(
        gql(
            api,
            me,
            CREATE_ORDER,
            patientId=patient,
            fills=[{"prescriptionId": rx}],
            pharmacyId=pharmacy,
            address=ADDRESS,
        )
    )["createOrder"]
    pharmacies = _reference(api, me)["pharmacies"]
    route = (
        "mutation($id: ID!, $ph: ID!) { routeOrder(id: $id, pharmacyId: $ph) "
        "{ state pharmacy { id } } }"
    )
    assert fields(gql(api, me, route, id=order["id"], ph=pharmacy)) == {"pharmacyId"}
    moved = data(gql(api, me, route, id=order["id"], ph=pharmacies[1]["id"]))["routeOrder"]
    assert moved["pharmacy"]["id"] == pharmacies[1]["id"]
    cancel = (
        'mutation($id: ID!) { cancelOrder(id: $id, reason: "Patient request") '
        "{ state fills { state prescription { fillsRemaining state } } } }"
    )
    canceled = data(gql(api, me, cancel, id=order["id"]))["cancelOrder"]
    assert canceled["state"] == "CANCELED"
    assert canceled["fills"][0] == {
        "state": "CANCELED",
        "prescription": {"fillsRemaining": 1, "state": "ACTIVE"},
    }
    assert error_types(gql(api, me, cancel, id=order["id"])) == ["ValidationError"]
    assert error_types(gql(api, me, route, id=order["id"], ph=pharmacy)) == ["ValidationError"]
    assert error_types(gql(api, me, cancel, id="ord_nope")) == ["NotFound"]


def test_m2m_can_create_patients_and_orders(api, me) -> None:
    patient, rx, pharmacy = _order_setup(api, me)
    machine = m2m(api)
    data(gql(api, machine, CREATE_PATIENT, **_patient_args(externalId="M2M-1")))
    made = data(
        gql(
            api,
            machine,
            CREATE_ORDER,
            patientId=patient,
            fills=[{"prescriptionId": rx}],
            pharmacyId=pharmacy,
            address=ADDRESS,
        )
    )
    assert made["createOrder"]["state"] == "PENDING"


def test_a_bad_variable_is_reported_under_the_argument_it_feeds(api, me) -> None:
    allergen = _reference(api, me)["allergens"][0]["id"]
    q = """mutation($id: ID!, $a: ID!, $when: AWSDate) {
      updatePatient(id: $id, allergies: [{allergenId: $a, onset: $when}]) { id } }"""
    pid = data(gql(api, me, CREATE_PATIENT, **_patient_args()))["createPatient"]["id"]
    answer = gql(api, me, q, id=pid, a=allergen, when="2020-13-01")
    assert error_types(answer) == ["ValidationError"]
    assert fields(answer) == {"allergies[0].onset"}
    inline = gql(
        api,
        me,
        'mutation { createPatient(name: {first: "A", last: "B"}, '
        'dateOfBirth: "2000-01-01", sex: MALE, phone: "2125550100", email: "x") '
        "{ id } }",
    )
    assert error_types(inline) == ["ValidationError"] and inline["data"] is None
    assert api.stats()["patients"] == 41
