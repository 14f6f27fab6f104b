"""JSON -> models: right values for good answers, ResponseError (never a crash) for bad ones."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import pytest
from api_fakes import order, patient, prescription

from photon_desktop.api import parse
from photon_desktop.domain import (
    FulfillmentType,
    Order,
    OrderState,
    Patient,
    PrescriptionState,
    Sex,
)
from photon_desktop.errors import ResponseError


def test_patient_detail_parses_every_part() -> None:
    result = parse.record(Patient, patient(), "patient")
    assert result.name.full == "Ada Lovelace"
    assert result.date_of_birth == date(1990, 1, 31) and result.sex is Sex.FEMALE
    assert result.address is not None and result.address.postal_code == "62701"
    assert result.allergies[0].allergen.name == "Penicillin"
    assert result.allergies[0].onset == date(2001, 5, 1)
    assert result.medication_history[0].medication.kind == "Medication"
    assert result.preferred_pharmacies[0].fulfillment_types == (FulfillmentType.PICK_UP,)
    assert result.prescriptions[0].state is PrescriptionState.ACTIVE
    assert result.orders[0].state is OrderState.PLACED
    assert result.orders[0].fills[0].prescription_id == "rx_1"
    assert result.unavailable == {}


def test_null_lists_and_null_items_are_empty_not_errors() -> None:
    raw = patient(allergies=None, prescriptions=[None, prescription()])
    result = parse.record(Patient, raw, "patient")
    assert result.allergies == () and len(result.prescriptions) == 1


@pytest.mark.parametrize(
    ("mutate", "what"),
    [
        (lambda p: p.pop("name"), "missing name"),
        (lambda p: p.update(dateOfBirth="31/01/1990"), "bad date"),
        (lambda p: p.update(sex="ROBOT"), "unknown enum"),
        (lambda p: p.update(allergies="Penicillin"), "list is a string"),
        (lambda p: p["prescriptions"][0].update(fillsAllowed="one"), "int is a string"),
        (lambda p: p["orders"][0].update(createdAt=17), "timestamp is a number"),
        (lambda p: p["orders"][0].pop("patient"), "nested ref missing"),
        (lambda p: p.update(dateOfBirth="1990-01-31T00:00:00Z"), "timestamp for a date"),
        (lambda p: p.update(dateOfBirth="1990-01-31garbage"), "date with a tail"),
        (lambda p: p.update(dateOfBirth=19900131), "date as a number"),
        (lambda p: p["orders"][0].update(createdAt="2026-01-02T10:00:00"), "timestamp, no zone"),
        (lambda p: p["orders"][0].update(createdAt="2026-01-02"), "date for a timestamp"),
        (lambda p: p["orders"][0].update(createdAt=1764410400), "epoch for a timestamp"),
        (lambda p: p["prescriptions"][0].update(fillsAllowed="2"), "int as text"),
        (lambda p: p["prescriptions"][0].update(fillsAllowed=2.5), "int as a fraction"),
        (lambda p: p["prescriptions"][0].update(dispenseQuantity=True), "number as a flag"),
        (lambda p: p.update(phone=12025550102), "text as a number"),
        (lambda p: p.update(id=None), "required field null"),
        (lambda p: p["medicationHistory"][0].update(active="yes"), "flag as text"),
    ],
)
def test_malformed_answers_raise_response_error(mutate, what: str) -> None:
    raw = patient()
    mutate(raw)
    with pytest.raises(ResponseError, match="could not read"):
        parse.record(Patient, raw, "patient")


def test_not_an_object_is_a_response_error() -> None:
    with pytest.raises(ResponseError):
        parse.items(Order, {"orders": [order(), "nope"]}, "orders")
    with pytest.raises(ResponseError):
        parse.one(Order, None, "order")


def test_cursor_page_marks_a_full_page_as_having_more() -> None:
    data = {"orders": [order("ord_1"), order("ord_2")]}
    full = parse.cursor_page(Order, data, "orders", 2)
    assert full.cursor == "ord_2" and full.has_more
    short = parse.cursor_page(Order, data, "orders", 3)
    assert not short.has_more
    empty = parse.cursor_page(Order, {"orders": []}, "orders", 3)
    assert empty.items == () and empty.cursor is None and not empty.has_more


def test_an_unknown_enum_value_is_logged_only_when_it_looks_like_one(caplog: Any) -> None:
    """A new Photon state is worth seeing in the log; free text (maybe a patient's) is not."""
    base = {
        "id": "ord_1",
        "state": "ON_HOLD",
        "createdAt": "2026-11-29T10:00:00.000Z",
        "patient": {"id": "pat_1", "name": {"first": "A", "last": "B", "full": "A B"}},
        "fills": [],
    }
    for state, logged, hidden in [
        ("ON_HOLD", "'ON_HOLD'", None),
        ("Jane Doe, DOB 1970-01-01", "<str>", "Jane Doe"),
    ]:
        caplog.clear()
        with pytest.raises(ResponseError):
            parse.record(Order, {**base, "state": state}, "order")
        assert logged in caplog.text
        if hidden:
            assert hidden not in caplog.text


def test_dates_and_timestamps_keep_their_meaning() -> None:
    raw = patient()
    raw["orders"][0]["createdAt"] = "2026-01-02T10:00:00+05:00"
    raw["allergies"][0]["onset"] = "2001-05-01Z"  # AWSDate may carry a zone offset
    result = parse.record(Patient, raw, "patient")
    created = result.orders[0].created_at
    assert created.utcoffset() is not None and created.hour == 10
    assert created.astimezone(UTC).hour == 5
    assert result.allergies[0].onset == date(2001, 5, 1)


def test_wire_names_that_are_not_camel_case_are_read() -> None:
    from photon_desktop.domain import Pharmacy, Treatment

    pharmacy = parse.record(
        Pharmacy, {"id": "phr_1", "name": "Corner", "NPI": "1", "NCPDP": "2"}, "pharmacy"
    )
    assert (pharmacy.npi, pharmacy.ncpdp) == ("1", "2")
    treatment = parse.record(
        Treatment,
        {
            "__typename": "MedicalEquipment",
            "id": "t",
            "name": "Lancet",
            "codes": {"HCPCS": "A4259"},
        },
        "treatment",
    )
    assert treatment.kind == "MedicalEquipment" and treatment.codes.hcpcs == "A4259"


def test_validation_details_stay_inside_the_api_layer(caplog: Any) -> None:
    """The log names the path and the problem; the value (maybe a patient's) is not logged."""
    raw = patient()
    raw["phone"] = ["Jane Doe 555-0100"]
    with pytest.raises(ResponseError) as caught:
        parse.record(Patient, raw, "patient")
    assert type(caught.value) is ResponseError
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "phone" in caplog.text and "Jane Doe" not in caplog.text
