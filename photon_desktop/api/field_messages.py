"""Photon's validation messages, rewritten for the person at the form.

The Clinical API names its scalar types and arguments ("AWSEmail must be an e-mail address",
"name.first must not be empty", "Variable '$input' has invalid value ..."). A clinic user should
read "Enter an e-mail address like name@example.com" and "First name must not be empty". The
field keys themselves are kept (forms use them to mark the right box); only the text changes.
"""

from __future__ import annotations

import re

LABELS = {
    "name.first": "First name",
    "name.last": "Last name",
    "name.middle": "Middle name",
    "name.title": "Title",
    "dateOfBirth": "Date of birth",
    "sex": "Sex",
    "gender": "Gender",
    "phone": "Phone number",
    "email": "E-mail address",
    "externalId": "External ID",
    "street1": "Street",
    "street2": "Street, second line",
    "city": "City",
    "state": "State",
    "postalCode": "ZIP code",
    "country": "Country",
    "onset": "Onset date",
    "dispenseQuantity": "Quantity",
    "dispenseUnit": "Dispense unit",
    "fillsAllowed": "Fills allowed",
    "refillsAllowed": "Refills",
    "daysSupply": "Days' supply",
    "effectiveDate": "Start date",
    "instructions": "Instructions",
    "notes": "Notes",
    "pharmacyId": "Pharmacy",
    "patientId": "Patient",
    "prescriptionId": "Prescription",
    "treatmentId": "Medication",
}

MAX_LENGTH = 300

_BY_TYPE = {
    "Email": "Enter an e-mail address like name@example.com.",
    "Phone": "Enter a phone number with its country code, like +12025550102.",
    "Date": "Enter a date as YYYY-MM-DD.",
    "DateTime": "Enter a date and a time.",
    "Time": "Enter a time.",
    "URL": "Enter a web address starting with https://.",
    "IPAddress": "Enter an IP address.",
    "JSON": "This value is not in a form Photon accepts.",
    "Timestamp": "Enter a date and a time.",
}
_AWS_TYPE = re.compile(r"\bAWS([A-Za-z]+)\b")
_TECHNICAL = re.compile(
    r"Variable '\$|StringValue|IntValue|WrongType|cannot represent|Expected type|"
    r"Validation error of type|got invalid value|has invalid value|Exception\b",
    re.IGNORECASE,
)
_PATH_PREFIX = re.compile(r"^[A-Za-z_][\w.\[\]]*:\s+")
_LEADING_NAME = re.compile(r"^([a-z][A-Za-z0-9]*(?:\[\d+\])?(?:\.[a-z][A-Za-z0-9]*)*)\b")
_ID_TAKEN = re.compile(r"\bexternalId\b.*\balready used by another (\w+)", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def label(field: str) -> str:
    """A field key ("address.postalCode", "prescriptions[0].dispenseUnit") as a person says it."""
    plain = re.sub(r"\[\d+\]", "", field)
    if plain in LABELS:
        return LABELS[plain]
    last = plain.rsplit(".", 1)[-1]
    if last in LABELS:
        return LABELS[last]
    words = _CAMEL.sub(" ", last).replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else "This value"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def plain(field: str | None, message: str) -> str:
    """``message`` about ``field`` (may be None), in plain language for the form."""
    text = " ".join(str(message).split())
    if len(text) > MAX_LENGTH:  # a sentence to read, not a dump
        text = text[:MAX_LENGTH].rsplit(" ", 1)[0] + " …"
    taken = _ID_TAKEN.search(text)
    if taken:
        return (
            f"This external ID is already used by another {taken.group(1).lower()}. "
            "Enter a different one, or leave it empty."
        )
    aws = _AWS_TYPE.search(text)
    if aws:
        return _BY_TYPE.get(aws.group(1), "This value is not in a form Photon accepts.")
    what = label(field) if field else "A value"
    if not text or _TECHNICAL.search(text):
        return f"{what} is not in a form Photon accepts. Check it and try again."
    text = _PATH_PREFIX.sub("", text)
    leading = _LEADING_NAME.match(text)
    if leading and (field is None or _same_field(leading.group(1), field)):
        text = label(leading.group(1)) + text[leading.end() :]
    return _sentence(text)


def _same_field(named: str, field: str) -> bool:
    strip = lambda f: re.sub(r"\[\d+\]", "", f)  # noqa: E731
    named, field = strip(named), strip(field)
    return field == named or field.endswith("." + named) or named.endswith("." + field)
