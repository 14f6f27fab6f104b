"""JSON answers -> typed records, by msgspec. Anything malformed becomes ``ResponseError``.

The records in ``domain`` declare their wire names and types (see ``domain.wire``); this module
runs the conversion and keeps msgspec's errors inside the API layer. The log names the failing
path (``patients: 3.dateOfBirth: Expected `str`, got `int```) so support can tell which field was
wrong; it never holds a field's value, which may be a patient's details, except an unknown enum
token such as ``'ON_HOLD'`` (a new Photon state is worth seeing).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from msgspec import ValidationError

from photon_desktop.api.errors_map import UNREADABLE
from photon_desktop.domain import Page
from photon_desktop.domain.wire import present, read
from photon_desktop.errors import ResponseError

log = logging.getLogger(__name__)

T = TypeVar("T")

_ENUM_TOKEN = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
#: msgspec's message, then `` - at `$.patients[3].dateOfBirth` `` unless it is the value itself.
_AT = re.compile(r"(?P<problem>.*) - at `\$(?P<path>[^`]*)`", re.DOTALL)
_MISSING = re.compile(r"Object missing required field `(?P<name>\w+)`")
_CHECKED = re.compile(r"(?P<name>\w+): (?P<problem>expected .*)", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
#: msgspec's messages that hold no value (the types, a field's name), and the domain's own
#: (``wire``: fixed texts starting "expected"). Any other message is logged as "invalid value".
_VALUE_FREE = re.compile(
    r"missing|Expected `[^`]*`(?:, got `[^`]*`| with a timezone component)?"
    r"|Integer value out of range|Number out of range"
    r"|expected [a-zA-Z0-9 ,-]+"
)


def _shown(value: Any) -> str:
    """An unknown enum value for the log: the token itself, never free text, which could be a
    patient's details in the wrong field."""
    if isinstance(value, str) and _ENUM_TOKEN.fullmatch(value):
        return repr(value)
    return f"<{type(value).__name__}>"


def _steps(path: str) -> list[str | int]:
    """``.patients[3].dateOfBirth`` -> ``["patients", 3, "dateOfBirth"]`` (a dict entry: "…")."""
    steps: list[str | int] = []
    for key, index in _STEP.findall(path):
        if key:
            steps.append(key)
        else:
            steps.append(int(index) if index.isdigit() else "…")
    return steps


def _at(value: Any, steps: list[str | int]) -> Any:
    """What ``value`` holds at ``steps``; None where the path leads nowhere."""
    for step in steps:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _problem(error: ValidationError, value: Any) -> str:
    """``where: what`` for the log, without the value (an enum token excepted)."""
    match = _AT.fullmatch(str(error))
    problem, steps = (match["problem"], _steps(match["path"])) if match else (str(error), [])
    # A missing field, or a record's own check (``domain.wire``), is reported at the record:
    # its message names the field.
    if missing := _MISSING.fullmatch(problem):
        steps.append(missing["name"])
        problem = "missing"
    elif checked := _CHECKED.fullmatch(problem):
        steps.append(checked["name"])
        problem = checked["problem"]
    where = ".".join(str(step) for step in steps) or "-"
    if problem.startswith("Invalid enum value"):
        problem = f"unknown value {_shown(_at(value, steps))}"
    elif not _VALUE_FREE.fullmatch(problem):
        problem = "invalid value"
    return f"{where}: {problem}"


def unreadable(where: str, problem: str) -> ResponseError:
    """The error for a malformed answer, logged with where it was malformed."""
    log.warning("malformed answer at %s: %s", where, problem)
    return ResponseError(UNREADABLE)


def _validate(kind: Any, value: Any, where: str) -> Any:
    try:
        return read(value, kind)
    except ValidationError as exc:
        raise unreadable(where, _problem(exc, value)) from None
    except (RecursionError, TypeError, ValueError) as exc:  # a validator's bug is unreadable too
        raise unreadable(where, type(exc).__name__) from None


def record(kind: type[T], value: Any, where: str) -> T:
    """One record of ``kind`` from the JSON object ``value`` (``where`` names it in the log)."""
    result: T = _validate(kind, value, where)
    return result


def _data(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise unreadable("data", "expected an object")
    return data


def field(data: Any, key: str) -> Any:
    """``data[key]``, where ``data`` is the GraphQL ``data`` object; missing -> ResponseError."""
    value = _data(data).get(key)
    if value is None:
        raise unreadable(f"data.{key}", "missing")
    return value


def field_or_none(data: Any, key: str) -> Any:
    """``data[key]`` or None (a nullable top-level field, e.g. a record that does not exist)."""
    return _data(data).get(key)


def items(kind: type[T], data: Any, key: str) -> tuple[T, ...]:
    """A top-level list field of ``data``; a null list is empty, null items are skipped."""
    listed = tuple[kind | None, ...] | None  # type: ignore[valid-type]
    return present(_validate(listed, field_or_none(data, key), key))


def one(kind: type[T], data: Any, key: str) -> T:
    """A required top-level object field of ``data``."""
    return record(kind, field(data, key), key)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Identified)


def cursor_page(kind: type[R], data: Any, key: str, first: int) -> Page[R]:
    """A cursor page: the cursor is the last item's id; a full page means there may be more."""
    found = items(kind, data, key)
    return Page(
        items=found,
        cursor=found[-1].id if found else None,
        has_more=len(found) >= first > 0,
    )
