"""Support tools' data: a ticket bundle of recent API calls, and CSV exports of the lists.

A ticket bundle is meant to leave the clinic: it holds the app version, the environment's name,
the chosen calls (query, redacted variables and answer, timings, errors) and the report
``photon-desktop check`` prints for that environment (``environment_check``); it passes every
text through ``redact.redact_text`` (tokens, secrets, e-mails, phones, the session's known
secrets) and says what was removed. A CSV is patient data by design: the UI says so before saving.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import logging
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from photon_desktop import __version__, errors
from photon_desktop.api.client import create_http_client
from photon_desktop.api.request_log import RequestLogEntry
from photon_desktop.auth.environments import Environment
from photon_desktop.auth.profiles import Profile
from photon_desktop.domain import Page, Record
from photon_desktop.redact import MASK, redact_text
from photon_desktop.services.diagnosis import Diagnosis, check, error_code

__all__ = [
    "CHECK_STEPS",
    "EXPORT_PAGE",
    "Bundle",
    "RequestLogEntry",
    "environment_check",
    "export_csv",
    "flatten",
    "ticket_bundle",
]

log = logging.getLogger(__name__)

#: Rows asked for per request while exporting (Photon's largest page).
EXPORT_PAGE = 100

#: How long the ticket's environment check may take before it is recorded as timed out.
CHECK_TIMEOUT_S = 30.0

#: What each step of the check does, as the export's progress names it.
CHECK_STEPS = {
    "discovery": "finding the sign-in provider",
    "m2m": "asking for an M2M token with the secret saved in the keyring",
    "api": "calling the API with that token",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Bundle:
    """The bundle to write and a plain-words account of what was taken out of it."""

    content: dict[str, Any]
    removed: dict[str, int]

    def summary(self) -> str:
        if not self.removed:
            return (
                "Nothing needed removing: the calls and the check held no tokens, secrets or "
                "patient details."
            )
        parts = ", ".join(f"{what} ({n})" for what, n in sorted(self.removed.items()))
        return (
            f"Removed before export: {parts}. Tokens and secrets are never recorded; "
            "patient details are replaced by ***."
        )

    def text(self) -> str:
        return json.dumps(self.content, indent=2)  # in the order built: steps as they ran


def ticket_bundle(
    entries: Sequence[RequestLogEntry],
    *,
    environment: str,
    check: Mapping[str, Any] | None = None,
    app_version: str = __version__,
) -> Bundle:
    """The JSON bundle of ``entries`` (and the environment's ``check`` report) for a support
    ticket, with what was removed counted."""
    removed: dict[str, int] = {}
    calls = []
    for entry in entries:
        calls.append(
            {
                "at": entry.at.isoformat(),
                "operation": entry.operation,
                "status": entry.status,
                "duration_ms": entry.duration_ms,
                "size_bytes": entry.size_bytes,
                "attempt": entry.attempt,
                "error_kind": entry.error_kind,
                "error": _scrub(entry.error, removed, "error texts"),
                "query": _scrub(entry.query, removed, "values in query texts"),
                "variables": _count(entry.variables, removed, "variable values"),
                "answer": _count(entry.answer, removed, "answer values"),
            }
        )
    content: dict[str, Any] = {
        "app": "Photon Desktop",
        "app_version": app_version,
        "environment": environment,
        "calls": calls,
    }
    if check is not None:
        content["check"] = _count(check, removed, "environment check values")
    content["removed"] = removed
    return Bundle(content, removed)


async def environment_check(
    env: Environment | None,
    profile: Profile | None,
    *,
    on_step: Callable[[str], None] | None = None,
    limit_s: float = CHECK_TIMEOUT_S,
) -> dict[str, Any]:
    """The report ``photon-desktop check`` prints for the current environment, for a ticket.

    The M2M secret comes from the keyring only (never asked for) and the browser step is not run.
    It never raises: a check that cannot run, times out or breaks is a report whose failed step
    carries the failure code, so the export goes on without it.
    """
    if env is None or profile is None:
        return Diagnosis.failed(
            "none", "environment", "configuration", "No environment is open."
        ).as_dict()
    running = "discovery"

    def step(name: str) -> None:
        nonlocal running
        running = name
        if on_step is not None:
            on_step(name)

    try:
        async with asyncio.timeout(limit_s):
            async with create_http_client() as client:  # the shared TLS context: made at once
                diagnosis = await check(client, env, profile, on_step=step)
    except TimeoutError:
        diagnosis = Diagnosis.failed(
            env.name,
            running,
            "timed_out",
            f"The check did not finish within {limit_s:g} s (it was at “{running}”).",
        )
    except errors.PhotonError as error:
        diagnosis = Diagnosis.failed(env.name, "check", error_code(error), str(error))
    except Exception as error:  # a broken check must not stop the ticket export
        log.exception("The environment check failed")
        diagnosis = Diagnosis.failed(
            env.name, "check", "failed", f"The check stopped: {type(error).__name__}."
        )
    return diagnosis.as_dict()


def _scrub(text: str | None, removed: dict[str, int], what: str) -> str | None:
    if text is None:
        return None
    clean = redact_text(text)
    hits = clean.count(MASK) - text.count(MASK)
    if hits > 0:
        removed[what] = removed.get(what, 0) + hits
    return clean


def _count(value: Any, removed: dict[str, int], what: str) -> Any:
    """``value`` (already redacted by the request log) with its masks counted and texts scrubbed."""
    if isinstance(value, Mapping):
        return {k: _count(v, removed, what) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_count(v, removed, what) for v in value]
    if value == MASK:
        removed[what] = removed.get(what, 0) + 1
        return value
    if isinstance(value, str):
        return _scrub(value, removed, what)
    return value


# ---------------------------------------------------------------------------- CSV export


def _field_names(record: Any) -> tuple[str, ...] | None:
    """The field names of a record (a domain ``Record`` or a dataclass, or either's type)."""
    if isinstance(record, Record) or (isinstance(record, type) and issubclass(record, Record)):
        return record.__struct_fields__
    if dataclasses.is_dataclass(record):
        return tuple(f.name for f in dataclasses.fields(record))
    return None


def flatten(record: Any, prefix: str = "") -> dict[str, Any]:
    """A record's fields as one CSV row: nested parts dotted (``name.first``), lists counted."""
    out: dict[str, Any] = {}
    names = _field_names(record)
    items = record.items() if names is None else ((n, getattr(record, n)) for n in names)
    for key, value in items:
        name = f"{prefix}{key}"
        if _field_names(value) is not None or isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list | tuple):
            out[name + ".count"] = len(value)
        elif isinstance(value, Enum):
            out[name] = value.value
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        else:
            out[name] = "" if value is None else value
    return out


async def export_csv(
    pages: Callable[[str | None], Awaitable[Page[Any]]],
    path: Path,
    *,
    record: type,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every row ``pages(after)`` yields to ``path`` as CSV; the row count.

    The header comes from the ``record`` type the pages hold, so an export that finds nothing is
    still a CSV with its columns (what a spreadsheet expects), not an empty file. The file is
    written next to ``path`` and moved into place only when complete, so a cancelled or failed
    export never leaves a partial file that looks whole.
    """
    partial = path.with_name(path.name + ".part")
    count = 0
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            writer: csv.DictWriter[str] | None = None
            after: str | None = None
            while True:
                page = await pages(after)
                rows = [flatten(item) for item in page.items]
                if writer is None:
                    header = _columns(rows, record)
                    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
                    writer.writeheader()
                writer.writerows(rows)
                count += len(rows)
                if progress is not None:
                    progress(count)
                if not page.has_more or not page.cursor:
                    break
                after = page.cursor
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _columns(rows: Sequence[Mapping[str, Any]], record: type) -> list[str]:
    """The header: every column the record's type can fill (a part missing from the first page,
    such as an address, still gets its columns), then any the rows hold beyond it."""
    seen: dict[str, None] = dict.fromkeys(columns_of(record))
    for row in rows:
        seen.update(dict.fromkeys(row))
    return [c for c in seen if not c.startswith("unavailable")]


def columns_of(cls: type, prefix: str = "") -> list[str]:
    """The dotted column names ``flatten`` makes for a record of type ``cls``.

    A record's type hints at run time are the types it is read with (``domain.wire``): an
    ``Items`` list may hold null (still a tuple: counted), and a nested object kept as its id is
    a small struct that is not a ``Record`` (one column, as the id it holds)."""
    names = _field_names(cls)
    if names is None:
        return []
    hints = typing.get_type_hints(cls)
    out: list[str] = []
    for field in names:
        hint = _unwrap(hints.get(field))
        name = f"{prefix}{field}"
        if isinstance(hint, type) and _field_names(hint) is not None:
            out += columns_of(hint, name + ".")
        elif typing.get_origin(hint) in (tuple, list):
            out.append(name + ".count")
        elif typing.get_origin(hint) is not dict and hint is not dict:
            out.append(name)
    return out


def _unwrap(hint: Any) -> Any:
    """``X`` from ``Annotated[X, …]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(hint)
        if origin is typing.Annotated:
            hint = typing.get_args(hint)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(rest) != 1:
                return hint
            hint = rest[0]
        else:
            return hint
