"""What a patient's fields must be, checked as the server checks them (so the form refuses what
Photon would refuse, with a message a person can act on). Each check returns the problem or None.

Lengths are caps the form enforces while typing (Photon-like limits): nothing typed or pasted can
grow past them, so a 10,000-character name never reaches a layout or the server.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from photon_desktop.domain import phones, zip_codes
from photon_desktop.ui.patients.search import parse_date

MAX_LENGTH = {
    "first": 100,
    "middle": 100,
    "last": 100,
    "dob": 10,
    "gender": 50,
    "phone": 25,
    "email": 254,
    "external_id": 100,
    "street1": 100,
    "street2": 100,
    "city": 60,
    "zip": 10,
}
EARLIEST_BIRTH = date(1900, 1, 1)
#: Written in one of the accepted forms (ASCII digits), whether or not the date exists.
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
#: The states (and DC, PR) Photon takes in an address.
US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
    "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
    "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)  # fmt: skip

# AWSEmail: an ASCII local part and dot-separated ASCII host labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")+$")


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def name_problem(value: str, *, required: bool, what: str) -> str | None:
    if not value:
        return f"Enter the {what}." if required else None
    if _control(value):
        return f"The {what} cannot contain tabs, line breaks or control characters."
    return None


def text_problem(value: str, what: str) -> str | None:
    if _control(value):
        return f"The {what} cannot contain tabs, line breaks or control characters."
    return None


def birth_date(value: str) -> date | None:
    return parse_date(value) if value else None


def birth_date_problem(value: str, today: date | None = None) -> str | None:
    if not value:
        return "Enter the date of birth."
    born = parse_date(value)
    if born is None and _DATE_SHAPE.fullmatch(value.strip()):
        return f"There is no such date as {value.strip()}."  # e.g. February 29 of 1981
    if born is None:
        return "Use YYYY-MM-DD or MM/DD/YYYY, e.g. 1984-03-27."
    if born > (today or date.today()):
        return "The date of birth cannot be in the future."
    if born < EARLIEST_BIRTH:
        return "The date of birth cannot be before 1900."
    return None


def phone_problem(value: str) -> str | None:
    try:
        phones.normalize(value)
    except phones.InvalidPhone as exc:
        return str(exc)
    return None


def email_problem(value: str) -> str | None:
    if not value:
        return None
    if not value.isascii():
        return "Photon accepts email addresses in plain letters (a-z), e.g. name@example.com."
    if len(value) > MAX_LENGTH["email"] or not _EMAIL.match(value):
        return "Enter an email address like name@example.com."
    return None


def zip_problem(value: str) -> str | None:
    if not value:
        return "Enter the ZIP code."
    if zip_codes.zip5(value) is None:
        return zip_codes.FORMAT_PROBLEM
    return None
