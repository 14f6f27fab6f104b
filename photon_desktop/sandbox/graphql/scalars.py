"""AWS AppSync scalars (AWSDate, AWSDateTime, AWSEmail, AWSPhone) as Photon checks them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from graphql import GraphQLScalarType, GraphQLSchema

from photon_desktop.sandbox.graphql.errors import InvalidScalar

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$"
)


def parse_aws_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidScalar("AWSDate must be a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidScalar(f"{value} is not a real calendar date") from None


def parse_aws_email(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
        raise InvalidScalar("AWSEmail must be an e-mail address like name@example.com")
    return value


def parse_aws_phone(value: Any) -> str:
    """NANP numbers (10 digits, optional leading 1) or E.164; returned in E.164 form."""
    if not isinstance(value, str) or not _PHONE_CHARS.match(value.strip()):
        raise InvalidScalar("AWSPhone must be a phone number such as +12025550102")
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if digits.startswith("1") and len(digits) != 11:
            raise InvalidScalar("A +1 phone number has 10 digits after the country code")
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise InvalidScalar("An international phone number has 8 to 15 digits")
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise InvalidScalar("A US phone number has 10 digits (area code + number)")
    return "+1" + digits


def parse_aws_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise InvalidScalar("AWSDateTime must look like 2025-01-31T12:00:00.000Z")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidScalar(f"{value} is not a real date-time") from None


def serialize_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def serialize_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def install_scalars(schema: GraphQLSchema) -> None:
    scalars: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
        "AWSDate": (parse_aws_date, serialize_date),
        "AWSDateTime": (parse_aws_datetime, serialize_datetime),
        "AWSEmail": (parse_aws_email, str),
        "AWSPhone": (parse_aws_phone, str),
    }
    for name, (parse_fn, serialize_fn) in scalars.items():
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        scalar.coerce_input_value = parse_fn  # type: ignore[method-assign]
        scalar.parse_value = parse_fn  # type: ignore[method-assign,assignment]
        scalar.coerce_output_value = serialize_fn  # type: ignore[method-assign]
        scalar.serialize = serialize_fn  # type: ignore[method-assign,assignment]
