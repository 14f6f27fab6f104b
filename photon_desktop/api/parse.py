"""JSON answers -> typed records, by pydantic. Anything malformed becomes ``ResponseError``.

The records in ``domain`` declare their wire names and types (see ``domain.wire``); this module
runs the validation and keeps pydantic's errors inside the API layer. The log names the failing
path (``patients.3.dateOfBirth: value_error``) so support can tell which field was wrong; it never
holds a field's value, which may be a patient's details, except an unknown enum token such as
``'ON_HOLD'`` (a new Photon state is worth seeing).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError

from photon_desktop.api.errors_map import UNREADABLE
from photon_desktop.domain import Page
from photon_desktop.domain.wire import Items
from photon_desktop.errors import ResponseError

log = logging.getLogger(__name__)

T = TypeVar("T")

_ENUM_TOKEN = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def _shown(value: Any) -> str:
    """An unknown enum value for the log: the token itself, never free text, which could be a
    patient's details in the wrong field."""
    if isinstance(value, str) and _ENUM_TOKEN.fullmatch(value):
        return repr(value)
    return f"<{type(value).__name__}>"


def _problems(error: ValidationError) -> str:
    shown = []
    for item in error.errors(include_url=False, include_context=False)[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "-"
        problem = item["type"]
        if problem == "enum":
            problem = f"unknown value {_shown(item.get('input'))}"
        shown.append(f"{where}: {problem}")
    more = error.error_count() - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def unreadable(where: str, problem: str) -> ResponseError:
    """The error for a malformed answer, logged with where it was malformed."""
    log.warning("malformed answer at %s: %s", where, problem)
    return ResponseError(UNREADABLE)


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def _validate(kind: Any, value: Any, where: str) -> Any:
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError as exc:
        raise unreadable(where, _problems(exc)) from None
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
    result: tuple[T, ...] = _validate(Items[kind], field_or_none(data, key), key)  # type: ignore[valid-type]
    return result


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
