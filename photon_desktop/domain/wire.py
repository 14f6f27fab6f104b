"""How the records are read from Photon's JSON: camelCase names, strict scalars, strict dates.

The records are ``msgspec`` structs (``Record``), so one declaration says both what a view reads
and what an answer must contain; ``api.parse`` only runs the conversion (``read``) and turns
failures into the app's ``ResponseError``. Python code still builds records by position or keyword
as before, and they stay immutable, hashable and comparable.

- Scalars are strict: ``"1"`` is not an integer, ``1`` is not a string, ``0`` is not ``false``;
  an integer is a number (``Number``), ``true`` is not.
- ``IsoDate`` (AWSDate) takes exactly ``YYYY-MM-DD`` (AWS allows a trailing zone offset);
  ``Timestamp`` (AWSDateTime) takes a full ISO 8601 date and time with a zone: a time without a
  zone would be read in the wrong time zone, so it is refused rather than guessed.
- ``Items`` lists: null means empty and null elements are skipped (the schema allows both).
- ``RefId``: the ``id`` of a nested object (``prescription { id }`` -> ``prescription_id``).

msgspec checks what an answer holds against each field's type and reports a failure with its path
(``$.patients[3].dateOfBirth``). What it cannot say in a type (null meaning "empty" or "the
default", a nested object's id kept as a string) is declared on the type too: the type the answer
is checked against is then wider than the one the record keeps (``Items[T]`` is read as
``tuple[T | None, ...] | None``), and an ``After`` function in its ``Annotated`` metadata turns the
value read into the value kept, when the record is made (``Record.__post_init__``, which runs for
records built in Python too). Type checkers see only the type kept (the ``TYPE_CHECKING`` branch
below). ``After`` functions and the date hooks raise only ``ValueError`` with a fixed message:
msgspec reports it with the field's path, and the message never holds the value.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

import msgspec
from msgspec.structs import force_setattr

T = TypeVar("T")


class After:
    """``Annotated`` metadata of a field's type: ``keep(value read) -> value kept``."""

    __slots__ = ("keep",)

    def __init__(self, keep: Callable[[Any], Any]) -> None:
        self.keep = keep


class Record(msgspec.Struct, frozen=True, rename="camel"):
    """Base of every record: immutable, hashable, compared by value, read from camelCase."""

    def __post_init__(self) -> None:
        """Apply the ``After`` functions of the record's field types (see the module docstring).
        A ``ValueError`` names the field by its wire name: msgspec's path ends at the record."""
        for name, wire_name, keep in _afters(type(self)):
            value = getattr(self, name)
            try:
                kept = keep(value)
            except ValueError as error:
                raise ValueError(f"{wire_name}: {error}") from None
            if kept is not value:
                force_setattr(self, name, kept)


@functools.cache
def _afters(cls: type[Record]) -> tuple[tuple[str, str, Callable[[Any], Any]], ...]:
    """``(field, wire name, keep)`` for each field of ``cls`` whose type carries ``After``,
    worked out once a class."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for name, wire_name in zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True):
        hint = hints[name]
        # ``X | None`` where X carries After: the function sees None too.
        for part in (hint, *typing.get_args(hint)):
            if typing.get_origin(part) is Annotated:
                found += [
                    (name, wire_name, m.keep) for m in part.__metadata__ if isinstance(m, After)
                ]
    return tuple(found)


# ------------------------------------------------------------------------------ dates and times

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)


class _Marker(type):
    """The metaclass of ``_WireDate`` and ``_WireTimestamp``: what they stand for is an instance
    (msgspec checks what ``decode_hook`` returns against the type it was asked for)."""

    stands_for: type

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.stands_for)


class _WireDate(metaclass=_Marker):
    """What msgspec reads for an ``IsoDate``: a type it does not know, so it asks
    ``decode_hook``, which returns a ``date``."""

    stands_for = date


class _WireTimestamp(metaclass=_Marker):
    """What msgspec reads for a ``Timestamp``, as ``_WireDate``. msgspec's own ``datetime``
    differs from AWSDateTime: it refuses ``10:00Z`` and accepts ``10:00:00+0500``."""

    stands_for = datetime


def _calendar_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("expected a date as text")
    if _DATE.fullmatch(value) is None:
        raise ValueError("expected a date as YYYY-MM-DD")
    day = value[:10]
    try:
        if day.isascii():
            return date.fromisoformat(day)
        return date(int(day[:4]), int(day[5:7]), int(day[8:]))  # other digits, read as before
    except ValueError:  # 2026-02-30
        raise ValueError("expected a calendar date") from None


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("expected a timestamp as text")
    if _TIMESTAMP.fullmatch(value) is None:
        raise ValueError("expected an ISO 8601 timestamp with a time zone")
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # 2026-13-01T..., +99:00 (its message may quote the text)
        raise ValueError("expected a calendar date and time") from None


def decode_hook(kind: type, value: Any) -> Any:
    """msgspec's ``dec_hook``: the types it does not know (dates and times as Photon sends them)."""
    if kind is _WireDate:
        return _calendar_date(value)
    if kind is _WireTimestamp:
        return _timestamp(value)
    raise NotImplementedError  # msgspec reports "Expected `...`, got `...`"


def read(value: Any, kind: Any) -> Any:
    """``value`` (JSON as Python objects) as ``kind``; ``msgspec.ValidationError`` if it is not."""
    return msgspec.convert(value, kind, strict=True, dec_hook=decode_hook)


# ----------------------------------------------------------------------------- lists and refs


def present(value: Any) -> tuple[Any, ...]:
    """A list as a tuple: null is empty, null elements are skipped."""
    if type(value) is tuple and None not in value:
        return value
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(item for item in value if item is not None)
    raise ValueError("expected a list")


class _Ref(msgspec.Struct, frozen=True):
    """A nested object read only for its id: ``prescription { id }``."""

    id: str


def _ref_id(value: Any) -> Any:
    """``prescription { id }`` -> its id; a string (a record built in Python) as it is."""
    return value.id if isinstance(value, _Ref) else value


Text: TypeAlias = str
Whole: TypeAlias = int
Number: TypeAlias = float  # an integer is a number too (strict still refuses true)
Flag: TypeAlias = bool

if TYPE_CHECKING:  # the types the records keep
    IsoDate: TypeAlias = date
    Timestamp: TypeAlias = datetime
    Items: TypeAlias = tuple[T, ...]
    RefId: TypeAlias = str
else:  # the types an answer is checked against, and how the value read becomes the value kept
    IsoDate = _WireDate
    Timestamp = _WireTimestamp
    Items = Annotated[tuple[T | None, ...] | None, After(present)]
    RefId = Annotated[_Ref, After(_ref_id)]
