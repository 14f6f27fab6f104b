"""Queries of the sandbox Clinical API, in process: lists, paging, filters, lookups, errors."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from test_clinical_support import PRESCRIBER, data, error_types, fields, gql, make_api, user

from photon_desktop.sandbox.graphql import ClinicalAPI

ULID_ID = re.compile(r"^(pat|rx|ord|fil|phr|med|usr|alg|tmp|cat)_[0-9A-HJKMNP-TV-Z]{26}$")


@pytest.fixture(scope="module")
def api() -> ClinicalAPI:
    return make_api(patients=300)


@pytest.fixture(scope="module")
def me(api: ClinicalAPI):
    return user(api, PRESCRIBER)


PATIENT_NAMES = (
    "query($first: Int, $after: ID, $name: String) { patients(first: $first, "
    "after: $after, filter: {name: $name}) { id name { first last full } } }"
)


def test_patients_default_page_is_25_sorted_by_last_then_first_name(api, me) -> None:
    patients = data(gql(api, me, PATIENT_NAMES))["patients"]
    assert len(patients) == 25
    keys = [(p["name"]["last"].lower(), p["name"]["first"].lower()) for p in patients]
    assert keys == sorted(keys)
    assert all(ULID_ID.match(p["id"]) and p["id"].startswith("pat_") for p in patients)
    assert patients[0]["name"]["full"].endswith(patients[0]["name"]["last"])


def test_cursor_paging_walks_every_patient_once(api, me) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = data(gql(api, me, PATIENT_NAMES, first=100, after=after))["patients"]
        seen.extend(p["id"] for p in page)
        if len(page) < 100:
            break
        after = page[-1]["id"]
    assert len(seen) == len(set(seen)) == 300


@pytest.mark.parametrize("first", [0, 101, -5])
def test_page_size_outside_1_to_100_is_a_validation_error(api, me, first: int) -> None:
    answer = gql(api, me, PATIENT_NAMES, first=first)
    assert error_types(answer) == ["ValidationError"]
    assert fields(answer) == {"first"}
    assert answer["data"] is None  # patients is non-null, so the error nulls the whole answer


def test_unknown_cursor_is_a_validation_error(api, me) -> None:
    answer = gql(api, me, PATIENT_NAMES, after="pat_nope")
    assert error_types(answer) == ["ValidationError"] and fields(answer) == {"after"}


def test_name_filter_matches_first_last_and_full_name_case_insensitively(api, me) -> None:
    everyone = data(gql(api, me, PATIENT_NAMES, first=100))["patients"]
    target = everyone[42]["name"]
    for needle in (target["last"].upper(), target["first"][1:].lower(), target["full"]):
        found = data(gql(api, me, PATIENT_NAMES, name=needle, first=100))["patients"]
        assert target["full"] in [p["name"]["full"] for p in found]
        assert all(
            needle.lower() in p["name"]["full"].lower()
            or needle.lower() in f"{p['name']['last']}, {p['name']['first']}".lower()
            for p in found
        )
    assert data(gql(api, me, PATIENT_NAMES, name="zzqx"))["patients"] == []


def test_name_filter_pages_with_the_cursor(api, me) -> None:
    all_hits = data(gql(api, me, PATIENT_NAMES, name="a", first=100))["patients"]
    first_page = data(gql(api, me, PATIENT_NAMES, name="a", first=5))["patients"]
    second_page = data(gql(api, me, PATIENT_NAMES, name="a", first=5, after=first_page[-1]["id"]))[
        "patients"
    ]
    assert [p["id"] for p in first_page + second_page] == [p["id"] for p in all_hits[:10]]


DETAIL = """query($id: ID!) { patient(id: $id) {
  id externalId dateOfBirth sex gender phone email
  name { first last middle full }
  address { street1 city state postalCode country }
  allergies { allergen { id name } comment onset }
  medicationHistory { active medication { id name } }
  preferredPharmacies { id name fulfillmentTypes }
  prescriptions(first: 10) { id state fillsAllowed fillsRemaining writtenAt effectiveDate
    expirationDate dispenseQuantity dispenseUnit instructions
    treatment { __typename id name } prescriber { id name { full } NPI } patient { id } }
  orders(first: 10) { id state createdAt pharmacy { id } patient { id }
    fulfillment { type state } fills { id state requestedAt treatment { name } } }
} }"""


def _patient_with(api, me, predicate) -> dict:
    after = None
    while True:
        page = data(gql(api, me, PATIENT_NAMES, first=100, after=after))["patients"]
        for p in page:
            detail = data(gql(api, me, DETAIL, id=p["id"]))["patient"]
            if predicate(detail):
                return detail
        if len(page) < 100:
            raise AssertionError("no demo patient matches")
        after = page[-1]["id"]


def test_patient_detail_has_realistic_nested_records(api, me) -> None:
    p = _patient_with(api, me, lambda d: d["prescriptions"] and d["orders"])
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", p["dateOfBirth"])
    assert re.match(r"^\+1\d{3}55501\d{2}$", p["phone"])  # fictional 555-01xx numbers
    assert re.match(r"^\d{5}$", p["address"]["postalCode"]) and p["address"]["country"] == "US"
    rx = p["prescriptions"]
    assert [r["writtenAt"] for r in rx] == sorted((r["writtenAt"] for r in rx), reverse=True)
    assert all(r["patient"]["id"] == p["id"] for r in rx)
    assert all(0 <= r["fillsRemaining"] <= r["fillsAllowed"] for r in rx)
    assert rx[0]["prescriber"]["NPI"] == "1234567893"
    assert rx[0]["treatment"]["__typename"] in ("Medication", "MedicalEquipment")
    assert all(o["patient"]["id"] == p["id"] and o["fills"] for o in p["orders"])


def test_nested_lists_filter_by_state(api, me) -> None:
    p = _patient_with(api, me, lambda d: len({r["state"] for r in d["prescriptions"]}) > 1)
    state = p["prescriptions"][0]["state"]
    q = (
        "query($id: ID!, $s: PrescriptionState) { patient(id: $id) { "
        "prescriptions(filter: {state: $s}) { id state } } }"
    )
    filtered = data(gql(api, me, q, id=p["id"], s=state))["patient"]["prescriptions"]
    assert filtered and {r["state"] for r in filtered} == {state}
    assert len(filtered) < len(p["prescriptions"])


def test_unknown_patient_is_not_found(api, me) -> None:
    answer = gql(api, me, DETAIL, id="pat_01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert error_types(answer) == ["NotFound"]
    assert answer["data"] == {"patient": None}
    assert answer["errors"][0]["path"] == ["patient"]
    assert "extensions" not in answer["errors"][0]


RX_LIST = """query($first: Int, $after: ID, $f: PrescriptionFilter) {
  prescriptions(first: $first, after: $after, filter: $f) {
    id state writtenAt externalId patient { id name { full } } prescriber { id } } }"""


def test_prescriptions_are_newest_first_and_page(api, me) -> None:
    page1 = data(gql(api, me, RX_LIST, first=30))["prescriptions"]
    page2 = data(gql(api, me, RX_LIST, first=30, after=page1[-1]["id"]))["prescriptions"]
    stamps = [r["writtenAt"] for r in page1 + page2]
    assert stamps == sorted(stamps, reverse=True)
    assert not {r["id"] for r in page1} & {r["id"] for r in page2}


def test_prescription_filters(api, me) -> None:
    active = data(gql(api, me, RX_LIST, first=50, f={"state": "ACTIVE"}))["prescriptions"]
    assert active and {r["state"] for r in active} == {"ACTIVE"}
    one = active[0]["patient"]
    mine = data(gql(api, me, RX_LIST, f={"patientId": one["id"]}))["prescriptions"]
    assert mine and {r["patient"]["id"] for r in mine} == {one["id"]}
    last = one["name"]["full"].split()[-1]
    named = data(gql(api, me, RX_LIST, first=100, f={"patientName": last}))["prescriptions"]
    assert named and all(last.lower() in r["patient"]["name"]["full"].lower() for r in named)
    prescriber = active[0]["prescriber"]["id"]
    assert data(gql(api, me, RX_LIST, f={"prescriberId": prescriber}))["prescriptions"]
    assert data(gql(api, me, RX_LIST, f={"prescriberId": "usr_nobody"}))["prescriptions"] == []


ORDERS = """query($first: Int, $after: ID, $f: OrderFilter) {
  orders(first: $first, after: $after, filter: $f) {
    id state createdAt patient { id name { full } } fills { id } } }"""


def test_orders_newest_first_with_filters_and_fill_lookup(api, me) -> None:
    orders = data(gql(api, me, ORDERS, first=100))["orders"]
    stamps = [o["createdAt"] for o in orders]
    assert stamps == sorted(stamps, reverse=True)
    completed = data(gql(api, me, ORDERS, f={"state": "COMPLETED"}))["orders"]
    assert completed and {o["state"] for o in completed} == {"COMPLETED"}
    patient = orders[0]["patient"]
    theirs = data(gql(api, me, ORDERS, f={"patientId": patient["id"]}))["orders"]
    assert {o["patient"]["id"] for o in theirs} == {patient["id"]}
    fill_id = orders[0]["fills"][0]["id"]
    fill = data(
        gql(
            api,
            me,
            "query($id: ID!) { fill(id: $id) { id state order { id } treatment { name } } }",
            id=fill_id,
        )
    )["fill"]
    assert fill["order"]["id"] == orders[0]["id"] and fill_id.startswith("fil_")
    one = data(gql(api, me, "query($id: ID!) { order(id: $id) { id } }", id=orders[3]["id"]))
    assert one["order"]["id"] == orders[3]["id"]
    failed = data(
        gql(
            api,
            me,
            "{ orders(first: 5, filter: {state: ERROR}) { state "
            "exceptions { type createdAt resolvedAt } } }",
        )
    )["orders"]
    assert failed and all(
        o["exceptions"][0]["type"] and o["exceptions"][0]["resolvedAt"] is None for o in failed
    )
    assert all(
        o["exceptions"] == []
        for o in data(
            gql(api, me, "{ orders(filter: {state: COMPLETED}) { exceptions { type } } }")
        )["orders"]
    )


PHARMACIES = """query($name: String, $loc: LatLongSearch, $type: FulfillmentType,
  $first: Int, $after: Int) { pharmacies(name: $name, location: $loc, type: $type,
  first: $first, after: $after) { id name fulfillmentTypes NPI NCPDP address { city state } } }"""


def test_pharmacy_search(api, me) -> None:
    everything = data(gql(api, me, PHARMACIES))["pharmacies"]
    assert len(everything) >= 30 and all(p["id"].startswith("phr_") for p in everything)
    walgreens = data(gql(api, me, PHARMACIES, name="walgreens"))["pharmacies"]
    assert walgreens and all("Walgreens" in p["name"] for p in walgreens)
    mail = data(gql(api, me, PHARMACIES, type="MAIL_ORDER"))["pharmacies"]
    assert mail and all("MAIL_ORDER" in p["fulfillmentTypes"] for p in mail)
    near_chicago = data(
        gql(api, me, PHARMACIES, loc={"latitude": 41.88, "longitude": -87.63, "radius": 30})
    )["pharmacies"]
    assert near_chicago and {p["address"]["state"] for p in near_chicago} == {"IL"}
    page = data(gql(api, me, PHARMACIES, first=5, after=5))["pharmacies"]
    assert [p["id"] for p in page] == [p["id"] for p in everything[5:10]]
    one = data(
        gql(api, me, "query($id: ID!) { pharmacy(id: $id) { name } }", id=everything[0]["id"])
    )
    assert one["pharmacy"]["name"] == everything[0]["name"]
    bad = gql(api, me, PHARMACIES, loc={"latitude": 95, "longitude": 0})
    assert fields(bad) == {"location.latitude"}


def test_reference_data(api, me) -> None:
    meds = data(
        gql(
            api,
            me,
            '{ medications(filter: {drug: {name: "lisinopril"}}) { id name '
            "genericName strength type controlled codes { rxcui productNDC } } }",
        )
    )
    assert meds["medications"] and all("Lisinopril" in m["name"] for m in meds["medications"])
    rxcui = meds["medications"][0]["codes"]["rxcui"]
    by_code = data(
        gql(
            api,
            me,
            "query($c: String) { medications(filter: {drug: {code: $c}}) { codes { rxcui } } }",
            c=rxcui,
        )
    )["medications"]
    assert [m["codes"]["rxcui"] for m in by_code] == [rxcui]
    equipment = data(
        gql(api, me, '{ medicalEquipment(name: "glucose") { id name codes { HCPCS } } }')
    )["medicalEquipment"]
    assert equipment and all("Glucose" in e["name"] for e in equipment)
    allergens = data(gql(api, me, '{ allergens(filter: {name: "pen"}) { id name } }'))
    assert [a["name"] for a in allergens["allergens"]] == ["Penicillin"]
    units = data(gql(api, me, "{ dispenseUnits { name } }"))["dispenseUnits"]
    assert {"Tablet", "Capsule", "Milliliter"} <= {u["name"] for u in units}
    catalogs = data(
        gql(
            api,
            me,
            "{ catalogs { id name treatments { __typename id name } "
            "templates { id name fillsAllowed treatment { name } } } }",
        )
    )["catalogs"]
    assert catalogs[0]["templates"] and {t["__typename"] for t in catalogs[0]["treatments"]} == {
        "Medication",
        "MedicalEquipment",
    }
    one = data(gql(api, me, "query($id: ID) { catalog(id: $id) { name } }", id=catalogs[0]["id"]))
    assert one["catalog"]["name"] == catalogs[0]["name"]


def test_me_and_organization(api, me) -> None:
    answer = data(
        gql(
            api,
            me,
            "{ me { id email npi name { full } roles { name } "
            "verificationStatus } organization { id name type NPI phone "
            "address { city } } }",
        )
    )
    assert answer["me"]["id"] == api.user_id(PRESCRIBER)
    assert answer["me"]["npi"] == "1234567893" and answer["me"]["name"]["full"] == "Dr. Maya Okafor"
    org = answer["organization"]
    assert org["id"] == api.org_id and re.match(r"^org_[0-9A-Za-z]{16}$", org["id"])
    assert org["type"] == "PRESCRIBER" and org["name"] == api.org_name


@pytest.mark.parametrize(
    "query",
    [
        "{ verifications { status } }",
        '{ medicationRoutes(id: "x") { id } }',
        '{ medicationConcepts(name: "x") { id } }',
    ],
)
def test_other_schema_fields_are_unsupported_not_invented(api, me, query: str) -> None:
    answer = gql(api, me, query)
    assert error_types(answer) == ["Unsupported"]
    assert answer["errors"][0]["message"].endswith("is not supported by the sandbox")


def test_malformed_requests_answer_errors_with_null_data(api, me) -> None:
    for body in (
        {},
        {"query": 3},
        {"query": "{ patients { id }", "variables": None},
        {"query": "{ patients { nope } }"},
        {"query": "{ me { id } }", "variables": []},
    ):
        answer = api.execute(body, me)
        assert answer["data"] is None and answer["errors"]
        assert all("extensions" not in e and e["errorType"] for e in answer["errors"])
    deep = api.execute({"query": "{ me " + "{ name " * 5000 + "}" * 5001}, me)
    assert deep["data"] is None and error_types(deep) == ["GraphQLError"]
    parse_error = api.execute({"query": "{ patients { id }"}, me)
    assert error_types(parse_error) == ["GraphQLError"]
    assert parse_error["errors"][0]["locations"]


def test_same_seed_same_records_and_other_seed_differs() -> None:
    q = (
        "{ patients(first: 10) { id name { full } dateOfBirth phone prescriptions { id } } "
        "pharmacies(first: 3) { id } organization { id } }"
    )
    a, b, c = make_api(seed=3), make_api(seed=3), make_api(seed=4)
    answer = [data(gql(x, user(x, PRESCRIBER), q)) for x in (a, b, c)]
    assert answer[0] == answer[1]
    assert answer[0]["patients"] != answer[2]["patients"]
    assert answer[0]["organization"] != answer[2]["organization"]


def test_stats_count_records() -> None:
    small = make_api(patients=25)
    stats = small.stats()
    assert stats["patients"] == 25 and stats["prescriptions"] > 0 and stats["orders"] > 0
    assert stats["mutations"] == {}


@pytest.mark.parametrize("state", ["EXPIRED", "DEPLETED", "CANCELED", "DRAFT"])
def test_state_filter_finds_exactly_the_prescriptions_in_that_state(api, me, state) -> None:
    everything, after = [], None
    while True:
        page = data(gql(api, me, RX_LIST, first=100, after=after))["prescriptions"]
        everything += page
        if len(page) < 100:
            break
        after = page[-1]["id"]
    expected = [r["id"] for r in everything if r["state"] == state]
    assert expected, f"demo data should hold {state} prescriptions"
    filtered = data(gql(api, me, RX_LIST, first=100, f={"state": state}))["prescriptions"]
    assert [r["id"] for r in filtered] == expected[:100]


def test_answers_are_plain_json(api, me) -> None:
    p = _patient_with(api, me, lambda d: d["orders"])
    answer = gql(api, me, DETAIL, id=p["id"])
    assert json.loads(json.dumps(answer)) == answer


def test_a_token_of_another_organization_is_refused(api, me) -> None:
    stranger = dataclasses.replace(me, org_id="org_0000000000000000")
    answer = api.execute({"query": "{ organization { id } }"}, stranger)
    assert answer["data"] is None and error_types(answer) == ["Unauthorized"]
