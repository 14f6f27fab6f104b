"""Property tests of every API-answer parser: whatever a field holds, a record or ``ResponseError``.

Each case starts from a well-formed answer of one GraphQL type and spoils one to three places in
it (any field, list item or nested object): removed, null, the wrong JSON type, a huge string or
number, NaN, an unknown enum-like token, a date-like string, a lone surrogate, or a value nested
thousands of levels deep. The parser must return a record of the right type or raise the app's
``ResponseError``, never anything else. The default profile keeps the run short; set
``HYPOTHESIS_PROFILE=thorough`` for a long search.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from api_fakes import (
    address,
    name,
    order,
    patient,
    patient_summary,
    pharmacy,
    prescription,
    treatment,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photon_desktop.api import parse
from photon_desktop.domain import (
    Address,
    Allergen,
    Catalog,
    DispenseUnit,
    Name,
    Order,
    Organization,
    Patient,
    PatientSummary,
    Pharmacy,
    Prescription,
    PrescriptionTemplate,
    Treatment,
    User,
)
from photon_desktop.errors import ResponseError

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=3000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

EQUIPMENT = {"__typename": "MedicalEquipment", "id": "meq_1", "name": "Lancet", "codes": None}
MEDICATION = treatment()
ORDER_IN_ERROR = {
    **order(state="ERROR"),
    "fulfillment": {
        "type": "PICK_UP",
        "state": "SENT",
        "carrier": None,
        "trackingNumber": None,
        "minutesUntilReady": 30,
        "pharmacyEstimatedReadyAt": "2026-01-02T12:00:00+00:00",
    },
    "exceptions": [
        {"type": "PHARMACY_UNREACHABLE", "message": "No answer", "createdAt": None},
    ],
}
TEMPLATE = {
    "id": "tmp_1",
    "name": "Amoxicillin course",
    "treatment": MEDICATION,
    "dispenseQuantity": 30.5,
    "dispenseUnit": "Capsule",
    "daysSupply": 10,
    "fillsAllowed": 1,
    "instructions": "1 cap tid",
    "notes": None,
    "dispenseAsWritten": None,
    "isPrivate": None,
}
SAMPLES: dict[str, tuple[type, dict[str, Any]]] = {
    "name": (Name, name()),
    "address": (Address, address()),
    "patient summary": (PatientSummary, patient_summary()),
    "patient": (Patient, patient()),
    "prescription": (Prescription, prescription()),
    "order": (Order, ORDER_IN_ERROR),
    "pharmacy": (Pharmacy, pharmacy()),
    "medication": (Treatment, MEDICATION),
    "equipment": (Treatment, EQUIPMENT),
    "allergen": (Allergen, {"id": "alg_1", "name": "Penicillin", "rxcui": "7980"}),
    "dispense unit": (DispenseUnit, {"name": "Tablet"}),
    "template": (PrescriptionTemplate, TEMPLATE),
    "catalog": (Catalog, {"id": "cat_1", "name": "Main", "treatments": [MEDICATION, EQUIPMENT],
                          "templates": [TEMPLATE]}),
    "organization": (Organization, {"id": "org_1", "name": "Clinic", "type": "PRESCRIBER",
                                    "NPI": "1", "phone": None, "email": None, "fax": None,
                                    "address": address()}),
    "user": (User, {"id": "usr_1", "verificationStatus": "VERIFIED", "name": name(),
                    "email": "a@example.com", "npi": None, "phone": None,
                    "roles": [{"id": "rol_1", "name": "Prescriber"}, {"id": "rol_2"}]}),
}  # fmt: skip


def deep(depth: int, leaf: Any = 1, as_dict: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
HOSTILE = st.one_of(
    JSON_SCALARS,
    st.lists(JSON_SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=8), JSON_SCALARS, max_size=4),
    st.sampled_from(["ON_HOLD", "FEMALE ", "pick_up", "", "\ud800", "null", "[]", "0"]),
    st.sampled_from(["2026-02-30", "1990-01-31T00:00:00", "2026-01-02T10:00:00", "31/01/1990"]),
    st.sampled_from(["2026-01-02T25:00:00Z", "+999999-01-01", "2026-01-02T10:00:00+99:00"]),
    st.integers(min_value=10**30, max_value=10**60),
    st.builds(lambda n: "x" * n, st.integers(100_000, 1_000_000)),
    st.builds(deep, st.integers(100, 5000), JSON_SCALARS, st.booleans()),
)


def places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``value`` (the root, each key of an object and each item of a list), not
    descending into a spoiled value nested deeper than any real answer."""
    yield at
    if len(at) > 12:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from places(child, (*at, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from places(child, (*at, i))


def spoil(document: Any, path: tuple[Any, ...], replacement: Any, remove: bool) -> Any:
    if not path:
        return replacement
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if remove and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@st.composite
def spoiled(draw: st.DrawFn, sample: dict[str, Any]) -> Any:
    document: Any = copy.deepcopy(sample)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(places(document))))
        document = spoil(document, path, draw(HOSTILE), draw(st.booleans()))
    return document


def parses_or_is_unreadable(kind: type, document: Any) -> None:
    try:
        result = parse.record(kind, document, "answer")
    except ResponseError as error:
        assert str(error)
    else:
        assert isinstance(result, kind)


@pytest.mark.parametrize("case", SAMPLES)
def test_every_sample_is_well_formed(case: str) -> None:
    kind, sample = SAMPLES[case]
    assert isinstance(parse.record(kind, copy.deepcopy(sample), case), kind)


@pytest.mark.parametrize("case", SAMPLES)
def test_a_spoiled_answer_is_a_record_or_a_response_error(case: str) -> None:
    kind, sample = SAMPLES[case]

    @given(spoiled(sample))
    def check(document: Any) -> None:
        parses_or_is_unreadable(kind, document)

    check()


@given(data=st.one_of(HOSTILE, st.dictionaries(st.sampled_from(["patients", "x"]), HOSTILE)))
def test_the_top_level_helpers_never_raise_anything_else(data: Any) -> None:
    for call in (
        lambda: parse.cursor_page(PatientSummary, data, "patients", 25),
        lambda: parse.items(PatientSummary, data, "patients"),
        lambda: parse.one(PatientSummary, data, "patients"),
        lambda: parse.field(data, "patients"),
        lambda: parse.field_or_none(data, "patients"),
    ):
        try:
            call()
        except ResponseError:
            pass


@given(rows=st.lists(st.one_of(st.none(), spoiled(patient_summary())), max_size=8))
def test_a_page_with_spoiled_rows_is_a_page_or_a_response_error(rows: list[Any]) -> None:
    try:
        page = parse.cursor_page(PatientSummary, {"patients": rows}, "patients", 8)
    except ResponseError:
        return
    assert len(page.items) == sum(row is not None for row in rows)


# ------------------------------------------------------------------ the rest of an answer

JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner))


@given(item=st.one_of(JSON, st.fixed_dictionaries({}, optional={
    "message": JSON, "errorType": JSON, "path": JSON, "errorInfo": JSON, "extensions": JSON,
})))  # fmt: skip
def test_any_graphql_error_item_maps_to_one_photon_error(item: Any) -> None:
    from photon_desktop.api.errors_map import GraphQLErrorItem, from_graphql_errors
    from photon_desktop.errors import PhotonError

    parsed = GraphQLErrorItem.from_json(item)
    error = from_graphql_errors([parsed])
    assert isinstance(error, PhotonError) and str(error)


@given(value=st.one_of(st.none(), st.text(), st.sampled_from(["inf", "1e999", "-5", "nan"])))
def test_any_retry_after_header_is_a_wait_or_none(value: str | None) -> None:
    import math

    from photon_desktop.api.errors_map import retry_after_seconds

    wait = retry_after_seconds(value, now=0.0)
    assert wait is None or (math.isfinite(wait) and wait >= 0)


@given(
    status=st.sampled_from([200, 200, 200, 400, 401, 403, 404, 418, 429, 500, 502, 503]),
    body=st.one_of(
        st.binary(max_size=64),
        JSON.map(lambda value: json.dumps(value).encode()),
        st.builds(
            lambda data: json.dumps({"data": data}).encode(),
            st.dictionaries(st.sampled_from(["patients", "x"]), JSON),
        ),
    ),
)
def test_any_http_answer_is_read_or_a_photon_error(status: int, body: bytes) -> None:
    import httpx

    from photon_desktop.api.client import GraphQLClient, GraphQLResponse
    from photon_desktop.errors import PhotonError

    response = httpx.Response(status, content=body)
    try:
        read = GraphQLClient._read(response)
    except PhotonError as error:
        assert str(error)
    else:
        assert isinstance(read, GraphQLResponse)
