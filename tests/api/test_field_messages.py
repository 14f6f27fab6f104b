"""Server validation text -> plain language: no AWS type names, no argument paths, no jargon."""

from __future__ import annotations

import pytest

from photon_desktop.api.errors_map import GraphQLErrorItem, from_graphql_errors
from photon_desktop.api.field_messages import label, plain
from photon_desktop.errors import InvalidInput

CASES = [
    ("email", "email: AWSEmail must be an e-mail address like name@example.com",
     "Enter an e-mail address like name@example.com."),
    ("email", "Validation error of type WrongType: argument 'email' with value "
     "'StringValue{value='x'}' is not a valid 'AWSEmail'",
     "Enter an e-mail address like name@example.com."),
    ("phone", "phone: AWSPhone must be a phone number such as +12025550102",
     "Enter a phone number with its country code, like +12025550102."),
    ("dateOfBirth", "dateOfBirth: AWSDate must be a date in YYYY-MM-DD form",
     "Enter a date as YYYY-MM-DD."),
    ("name.first", "name.first must not be empty", "First name must not be empty."),
    ("dateOfBirth", "dateOfBirth cannot be in the future",
     "Date of birth cannot be in the future."),
    ("address.postalCode", "postalCode must be a ZIP code (12345 or 12345-6789)",
     "ZIP code must be a ZIP code (12345 or 12345-6789)."),
    ("address.state", "state must be a US state code such as NY",
     "State must be a US state code such as NY."),
    ("allergies[0].onset", "onset cannot be in the future", "Onset date cannot be in the future."),
    ("externalId", "externalId pd-1 is already used by another patient",
     "This external ID is already used by another patient. Enter a different one, "
     "or leave it empty."),
    ("name.first", "Variable '$name' has invalid value at 'first': String cannot represent 5",
     "First name is not in a form Photon accepts. Check it and try again."),
    ("prescriptions[1].dispenseUnit", "dispenseUnit must be one of dispenseUnits",
     "Dispense unit must be one of dispenseUnits."),
    ("pharmacyId", "the order is already at this pharmacy",
     "The order is already at this pharmacy."),
    ("weirdField", "", "Weird field is not in a form Photon accepts. Check it and try again."),
]  # fmt: skip


@pytest.mark.parametrize(("field", "message", "expected"), CASES)
def test_server_messages_read_as_plain_sentences(field: str, message: str, expected: str) -> None:
    assert plain(field, message) == expected


def test_labels_for_unknown_keys_are_words() -> None:
    assert label("prescriptions[0].dispenseAsWritten") == "Dispense as written"
    assert label("address.street1") == "Street"


def test_field_problems_are_rewritten_and_keys_kept() -> None:
    items = [
        GraphQLErrorItem(
            message="email: AWSEmail must be an e-mail address like name@example.com",
            error_type="ValidationError",
            info={"field": "email"},
        ),
        GraphQLErrorItem(
            message="name.first must not be empty",
            error_type="ValidationError",
            info={"field": "name.first"},
        ),
    ]
    error = from_graphql_errors(items)
    assert isinstance(error, InvalidInput)
    assert error.fields == {
        "email": "Enter an e-mail address like name@example.com.",
        "name.first": "First name must not be empty.",
    }
    assert "AWS" not in str(error) and "Check the marked fields" in str(error)


def test_a_refusal_without_fields_says_what_was_refused_once() -> None:
    item = GraphQLErrorItem(
        message="Validation error of type WrongType: argument 'x' is not a valid 'AWSDate'",
        error_type="ValidationError",
    )
    message = str(from_graphql_errors([item]))
    assert message == "Photon did not accept this. Enter a date as YYYY-MM-DD."
    assert message.count("Photon") == 1


def test_a_huge_or_non_text_server_message_is_not_shown_whole() -> None:
    assert len(plain("notes", "notes " + "very long " * 10_000)) <= 310
    item = GraphQLErrorItem.from_json(
        {"message": {"stack": "internal"}, "errorType": "ValidationError"}
    )
    assert item.message == ""
    assert str(from_graphql_errors([item])) == (
        "Photon did not accept some of the details. Check what you entered and try again."
    )
