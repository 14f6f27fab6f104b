"""The one set of prescription field rules the prescription form and the template editor share."""

from __future__ import annotations

from datetime import date

import pytest

from photon_desktop.domain.prescription_rules import (
    DAYS_BAD,
    INSTRUCTIONS_MISSING,
    MAX_QUANTITY,
    QUANTITY_BAD,
    QUANTITY_COMMA,
    QUANTITY_TOO_LARGE,
    UNIT_MISSING,
    DispensingText,
    check_dispensing,
    check_not_before,
    parse_diagnoses,
    refills_from_fills,
    server_field,
)


def entered(**changes: object) -> DispensingText:
    values: dict[str, object] = {
        "quantity": "30",
        "unit": "Tablet",
        "refills": 2,
        "days_supply": "",
        "instructions": " Take 1 daily ",
        "notes": "  ",
    }
    values.update(changes)
    return DispensingText(**values)  # type: ignore[arg-type]


def test_good_values_become_photons_terms() -> None:
    values, problems = check_dispensing(entered(quantity=" 2.5 ", days_supply="10"))
    assert problems == {}
    assert values is not None
    assert (values.dispense_quantity, values.fills_allowed, values.refills) == (2.5, 3, 2)
    assert (values.days_supply, values.instructions, values.notes) == (10, "Take 1 daily", None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", QUANTITY_BAD),
        ({"quantity": "-3"}, "quantity", QUANTITY_BAD),
        ({"quantity": "inf"}, "quantity", QUANTITY_BAD),
        ({"quantity": "thirty"}, "quantity", QUANTITY_BAD),
        # Never guessed: a comma is a decimal point to some and a thousands mark to others.
        ({"quantity": "1,000"}, "quantity", QUANTITY_COMMA),
        ({"quantity": "2,5"}, "quantity", QUANTITY_COMMA),
        # What Python's float takes but nobody writes on a prescription.
        ({"quantity": "1_000"}, "quantity", QUANTITY_BAD),
        ({"quantity": "1e-300"}, "quantity", QUANTITY_BAD),
        ({"quantity": "1e9"}, "quantity", QUANTITY_BAD),
        ({"quantity": "nan"}, "quantity", QUANTITY_BAD),
        ({"quantity": "+5"}, "quantity", QUANTITY_BAD),
        ({"quantity": "\u0663\u0660"}, "quantity", QUANTITY_BAD),  # Arabic-Indic "30"
        ({"quantity": "0.000"}, "quantity", QUANTITY_BAD),
        ({"quantity": "100000.5"}, "quantity", QUANTITY_TOO_LARGE),
        ({"quantity": "1000000000"}, "quantity", QUANTITY_TOO_LARGE),
        ({"unit": None}, "unit", UNIT_MISSING),
        ({"unit": "  "}, "unit", UNIT_MISSING),
        ({"days_supply": "0"}, "days_supply", DAYS_BAD),
        ({"days_supply": "1.5"}, "days_supply", DAYS_BAD),
        ({"days_supply": "3651"}, "days_supply", DAYS_BAD),
        ({"instructions": "   "}, "instructions", INSTRUCTIONS_MISSING),
        ({"refills": 12}, "refills", "Refills are 0 to 11."),
    ],
)
def test_each_broken_rule_is_named_under_its_field(
    changes: dict[str, object], field: str, message: str
) -> None:
    values, problems = check_dispensing(entered(**changes))
    assert values is None
    assert problems == {field: message}


@pytest.mark.parametrize(
    ("text", "value"),
    [("1000", 1000.0), ("0.5", 0.5), (".5", 0.5), ("30.", 30.0), ("007", 7.0)],
)
def test_plain_quantities_are_read_as_written(text: str, value: float) -> None:
    values, problems = check_dispensing(entered(quantity=text))
    assert problems == {} and values is not None and values.dispense_quantity == value
    ok, _ = check_dispensing(entered(quantity=str(MAX_QUANTITY)))
    assert ok is not None


def test_diagnoses_dates_refills_and_server_names() -> None:
    assert parse_diagnoses("e11.9; I10, I10 U07 ") == (("E11.9", "I10"), ["U07"])
    assert check_not_before(date(2026, 1, 1), date(2026, 1, 2)) is not None
    assert check_not_before(date(2026, 1, 2), date(2026, 1, 2)) is None
    assert [refills_from_fills(n) for n in (None, 1, 4, 40)] == [0, 0, 3, 11]
    assert server_field("diagnoses[2]") == "diagnoses"
    assert server_field("dispenseQuantity") == "quantity"
    assert server_field("patientId") is None
