"""JSON -> models: right values for good answers, ResponseError (never a crash) for bad ones."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_fakes import order, patient, prescription

from photon_desktop.api import parse
from photon_desktop.domain import FulfillmentType, OrderState, PrescriptionState, Sex
from photon_desktop.errors import ResponseError


def test_patient_detail_parses_every_part() -> None:
    result = parse.parse(parse.patient, patient(), "patient")
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
    result = parse.parse(parse.patient, raw, "patient")
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
    ],
)
def test_malformed_answers_raise_response_error(mutate, what: str) -> None:
    raw = patient()
    mutate(raw)
    with pytest.raises(ResponseError, match="could not read"):
        parse.parse(parse.patient, raw, "patient")


def test_not_an_object_is_a_response_error() -> None:
    with pytest.raises(ResponseError):
        parse.items(parse.order, {"orders": [order(), "nope"]}, "orders")
    with pytest.raises(ResponseError):
        parse.one(parse.order, None, "order")


def test_cursor_page_marks_a_full_page_as_having_more() -> None:
    data = {"orders": [order("ord_1"), order("ord_2")]}
    full = parse.cursor_page(parse.order, data, "orders", 2)
    assert full.cursor == "ord_2" and full.has_more
    short = parse.cursor_page(parse.order, data, "orders", 3)
    assert not short.has_more
    empty = parse.cursor_page(parse.order, {"orders": []}, "orders", 3)
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
            parse.parse(parse.order, {**base, "state": state}, "order")
        assert logged in caplog.text
        if hidden:
            assert hidden not in caplog.text
