"""How the records are read from Photon's JSON: camelCase names, strict scalars, strict dates.

The records are pydantic dataclasses, so one declaration says both what a view reads and what an
answer must contain; ``api.parse`` only runs the validation and turns failures into the app's
``ResponseError``. Python code still builds records by position or keyword as before.

- Scalars are strict: ``"1"`` is not an integer, ``1`` is not a string, ``0`` is not ``false``.
- ``IsoDate`` (AWSDate) takes exactly ``YYYY-MM-DD`` (AWS allows a trailing zone offset);
  ``Timestamp`` (AWSDateTime) takes a full ISO 8601 date and time with a zone: a time without a
  zone would be read in the wrong time zone, so it is refused rather than guessed.
- ``Items`` lists: null means empty and null elements are skipped (the schema allows both).
- Validators raise only ``ValueError``, which pydantic reports with the field's location.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ConfigDict, Strict
from pydantic.alias_generators import to_camel

T = TypeVar("T")

#: The config every record is declared with (``frozen``/``slots`` are given to the decorator).
WIRE = ConfigDict(
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
    defer_build=True,  # built on first use, not while the app starts
    hide_input_in_errors=True,  # a field's value may be a patient's details: never in a message
)

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)


def _calendar_date(value: Any) -> Any:
    if type(value) is date:  # built in Python, not read from an answer
        return value
    if not isinstance(value, str):
        raise ValueError("expected a date as text")
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError("expected a date as YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)  # ValueError for 2026-02-30


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):  # built in Python, not read from an answer
        return value
    if not isinstance(value, str):
        raise ValueError("expected a timestamp as text")
    if _TIMESTAMP.fullmatch(value) is None:
        raise ValueError("expected an ISO 8601 timestamp with a time zone")
    return datetime.fromisoformat(value)  # ValueError for 2026-13-01T...


def _present(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(item for item in value if item is not None)
    raise ValueError("expected a list")


Text = Annotated[str, Strict()]
Whole = Annotated[int, Strict()]
Number = Annotated[float, Strict()]  # an integer is a number too (strict still refuses true)
Flag = Annotated[bool, Strict()]
IsoDate = Annotated[date, BeforeValidator(_calendar_date)]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
Items = Annotated[tuple[T, ...], BeforeValidator(_present)]
