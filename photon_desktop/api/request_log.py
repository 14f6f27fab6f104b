"""A ring buffer of recent GraphQL calls for the support tools (variables and answers redacted).

Each entry keeps the document sent, its string literals and comments masked (the app's own
documents take every value as a variable; a console query may not), and the answer passed
through the same default-deny redaction as the variables: ids, states and numbers stay readable,
every other string becomes ``***``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from photon_desktop.redact import redact_graphql, redact_text, redact_variables

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RequestLogEntry:
    """One HTTP attempt of one operation. ``status`` is None when no answer arrived."""

    operation: str
    variables: Mapping[str, Any]
    status: int | None
    duration_ms: float
    size_bytes: int
    error: str | None = None
    attempt: int = 1
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    query: str = ""
    answer: Mapping[str, Any] | None = None
    error_kind: str | None = None

    @property
    def retries(self) -> int:
        """Attempts before this one (0 for a first try)."""
        return self.attempt - 1


class RequestLog:
    """Keeps the last ``capacity`` entries; ``subscribe`` for live views."""

    def __init__(self, capacity: int = 500) -> None:
        self.capacity = capacity
        self._entries: deque[RequestLogEntry] = deque(maxlen=capacity)
        self._subscribers: list[Callable[[RequestLogEntry], None]] = []

    @property
    def entries(self) -> tuple[RequestLogEntry, ...]:
        return tuple(self._entries)

    def record(
        self,
        operation: str,
        variables: Mapping[str, Any] | None,
        *,
        status: int | None,
        duration_ms: float,
        size_bytes: int,
        error: str | None = None,
        attempt: int = 1,
        query: str = "",
        answer: Mapping[str, Any] | None = None,
        error_kind: str | None = None,
    ) -> RequestLogEntry:
        """Store an entry; ``variables``, ``answer`` and ``error`` are redacted here so clear
        values are never kept."""
        entry = RequestLogEntry(
            operation=operation,
            variables=redact_variables(variables),
            status=status,
            duration_ms=round(duration_ms, 1),
            size_bytes=size_bytes,
            error=None if error is None else redact_text(error),
            attempt=attempt,
            query=redact_graphql(query),
            answer=None if answer is None else redact_variables(answer),
            error_kind=error_kind,
        )
        self._entries.append(entry)
        log.debug(
            "%s attempt %d -> %s in %.0f ms (%d bytes)%s",
            operation,
            attempt,
            status,
            entry.duration_ms,
            size_bytes,
            f": {error}" if error else "",
        )
        for callback in list(self._subscribers):
            try:
                callback(entry)
            except Exception:
                log.exception("request log subscriber failed")
        return entry

    def subscribe(self, callback: Callable[[RequestLogEntry], None]) -> Callable[[], None]:
        """Call ``callback(entry)`` for each new entry; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def clear(self) -> None:
        self._entries.clear()
