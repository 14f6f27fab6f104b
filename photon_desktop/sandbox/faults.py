"""Fault injection, so clients can be tested against a slow, failing or flaky Photon.

Two ways to ask for faults, both per *target* (``graphql`` = ``POST /graphql``, ``token`` =
``POST /oauth/token``):

- rates (``error_rate``, ``rate_limit_rate``, ``drop_rate``, ``malformed_rate``,
  ``drop_after_execute_rate``) drawn from a seeded RNG, plus ``latency_ms`` ± ``jitter_ms``;
- a queue (``fail_next``) applied in order to the next matching requests, for exact tests.

Fault kinds: ``status`` (an HTTP error, default 503), ``rate_limit`` (429 + ``Retry-After``),
``drop`` (the connection closes with no complete answer; the request is NOT executed),
``malformed`` (200 with a body that is not JSON), ``expired_token`` (401 with AppSync's
``UnauthorizedException`` "Token has expired.", exactly what an access token past its ``exp``
gets, so renewal mid-session is testable without waiting for a real expiry), and three that
execute the request and keep its effects before spoiling the answer (the cases where a client
must look a write up by its ``externalId`` before reporting a failure): ``drop_after`` (the
answer is dropped), ``error_after`` (a GraphQL ``InternalFailure`` error and no data) and
``bad_enum_after`` (the data arrives, but every enum field in it holds a value the schema does
not know). ``error_after``, ``bad_enum_after`` and ``expired_token`` apply to
``POST /graphql`` only. ``stall`` holds the request unanswered and unexecuted until the client
hangs up (or the process ends): it is counted in ``applied`` as it starts, so a test knows a
request is in flight and can kill or restart the sandbox under it. A request delayed by
``latency_ms`` counts as ``latency`` there too.

Either can be narrowed to named GraphQL operations (``operations`` in the settings, ``operation``
on a queued fault), so a test can spoil a form's write and leave the reads around it alone; the
request's body is then read first to learn its ``operationName``, and handed on unchanged.

A dropped answer is made by starting a response with a ``Content-Length`` and then raising
:class:`DroppedConnection`; uvicorn closes the socket, and the client sees a protocol error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TARGETS = ("graphql", "token")
SCOPES = ("graphql", "token", "both")
KINDS = (
    "status",
    "rate_limit",
    "drop",
    "malformed",
    "expired_token",
    "drop_after",
    "error_after",
    "bad_enum_after",
    "stall",
)
GRAPHQL_ONLY = frozenset({"error_after", "bad_enum_after", "expired_token"})
UNKNOWN_ENUM_VALUE = "SANDBOX_UNKNOWN_VALUE"
SPOIL_ENUMS = "photon_sandbox.spoil_enums"  # request state key set by a bad_enum_after fault
_PATH_TARGETS = {"/graphql": "graphql", "/oauth/token": "token"}
_OPERATION = re.compile(r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_MALFORMED_BODY = b'{"data": {"patients": {"edges": [{"node": {"id": "pat_'


class DroppedConnection(Exception):
    """Raised after a response has started, so the server closes the connection mid-answer."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault to apply to one request."""

    kind: str
    status: int = 503
    retry_after: int = 1
    scope: str | None = None  # None: the configuration's scope
    operation: str | None = None  # None: any request to the target

    @classmethod
    def from_dict(cls, raw: Any) -> Fault:
        if not isinstance(raw, dict):
            raise ValueError("each queued fault must be an object")
        unknown = set(raw) - {"kind", "status", "retry_after", "scope", "operation"}
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
        status = _int(raw.get("status", 429 if kind == "rate_limit" else 503), "status")
        if kind == "status" and not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        retry_after = _int(raw.get("retry_after", 1), "retry_after")
        if retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        scope = raw.get("scope")
        if scope is not None and scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        if kind in GRAPHQL_ONLY and scope not in (None, "graphql"):
            raise ValueError(f"a {kind} fault applies to graphql only")
        operation = raw.get("operation")
        if operation is not None and (not isinstance(operation, str) or not operation):
            raise ValueError("operation must be a GraphQL operation name")
        if operation is not None and scope not in (None, "graphql"):
            raise ValueError("a fault for a named operation applies to graphql only")
        return cls(kind, status, retry_after, scope, operation)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class FaultConfig:
    """The standing fault settings (the queue lives in :class:`Faults`)."""

    scope: str = "graphql"
    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_after_execute_rate: float = 0.0
    error_after_execute_rate: float = 0.0
    bad_enum_after_execute_rate: float = 0.0
    operations: list[str] = field(default_factory=list)  # empty: every request

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FaultConfig:
        """Validate a JSON object; fields left out take their defaults."""
        names = set(cls.__dataclass_fields__)
        unknown = set(raw) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        config = cls()
        for name in names & set(raw):
            setattr(config, name, raw[name])
        config.validate()
        return config

    def validate(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        for name in ("latency_ms", "jitter_ms", "retry_after"):
            value = _int(getattr(self, name), name)
            if value < 0:
                raise ValueError(f"{name} must be >= 0")
            setattr(self, name, value)
        for name in (
            "error_rate",
            "rate_limit_rate",
            "drop_rate",
            "malformed_rate",
            "drop_after_execute_rate",
            "error_after_execute_rate",
            "bad_enum_after_execute_rate",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
            setattr(self, name, float(value))
        statuses = self.error_statuses
        if not isinstance(statuses, list) or not statuses:
            raise ValueError("error_statuses must be a non-empty list")
        self.error_statuses = [_int(s, "error_statuses") for s in statuses]
        if any(not 400 <= s <= 599 for s in self.error_statuses):
            raise ValueError("error_statuses must be HTTP error statuses (400-599)")
        names = self.operations
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ValueError("operations must be a list of GraphQL operation names")

    def applies_to(self, target: str, operation: str | None = None) -> bool:
        if self.operations and (target != "graphql" or operation not in self.operations):
            return False
        return self.scope in (target, "both")


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value


class Faults:
    """The current fault settings and queue, and counters of what was applied."""

    def __init__(self, config: FaultConfig | None = None, *, seed: int = 0) -> None:
        self.config = config or FaultConfig()
        self.config.validate()
        self.queue: list[Fault] = []
        self.applied: Counter[str] = Counter()
        self._rng = random.Random(seed)

    def replace(self, raw: dict[str, Any]) -> None:
        """Set everything at once (what ``PUT /admin/faults`` does); ``{}`` clears all faults."""
        queue_raw = raw.get("fail_next", [])
        if not isinstance(queue_raw, list):
            raise ValueError("fail_next must be a list")
        queue = [Fault.from_dict(item) for item in queue_raw]
        config = FaultConfig.from_dict({k: v for k, v in raw.items() if k != "fail_next"})
        self.config, self.queue = config, queue

    def enqueue(self, raw: Any) -> None:
        """Append to the queue: a list of faults, or ``{"faults": [...]}``."""
        items = raw.get("faults") if isinstance(raw, dict) else raw
        if not isinstance(items, list):
            raise ValueError('expected a list of faults or {"faults": [...]}')
        self.queue.extend(Fault.from_dict(item) for item in items)

    def snapshot(self) -> dict[str, Any]:
        return {**asdict(self.config), "fail_next": [f.to_dict() for f in self.queue]}

    def wants_operation(self) -> bool:
        """Whether a fault depends on the GraphQL operation's name (the body must be read)."""
        return bool(self.config.operations) or any(f.operation for f in self.queue)

    def latency_s(self, target: str, operation: str | None = None) -> float:
        config = self.config
        if not config.applies_to(target, operation) or not (config.latency_ms or config.jitter_ms):
            return 0.0
        jitter = self._rng.uniform(-config.jitter_ms, config.jitter_ms) if config.jitter_ms else 0
        return max(0.0, config.latency_ms + jitter) / 1000

    def pick(self, target: str, operation: str | None = None) -> Fault | None:
        """The fault for the next request to ``target`` (running ``operation``, when known), if
        any (queue first, then rates)."""
        for index, fault in enumerate(self.queue):
            named = fault.kind in GRAPHQL_ONLY or fault.operation is not None
            scope = fault.scope or ("graphql" if named else self.config.scope)
            if fault.operation is not None and fault.operation != operation:
                continue
            if scope in (target, "both"):
                del self.queue[index]
                return fault
        config = self.config
        if not config.applies_to(target, operation):
            return None
        rng = self._rng
        if config.drop_rate and rng.random() < config.drop_rate:
            return Fault("drop")
        if config.error_rate and rng.random() < config.error_rate:
            return Fault("status", status=rng.choice(config.error_statuses))
        if config.rate_limit_rate and rng.random() < config.rate_limit_rate:
            return Fault("rate_limit", status=429, retry_after=config.retry_after)
        if config.malformed_rate and rng.random() < config.malformed_rate:
            return Fault("malformed")
        if config.drop_after_execute_rate and rng.random() < config.drop_after_execute_rate:
            return Fault("drop_after")
        if target != "graphql":
            return None
        if config.error_after_execute_rate and rng.random() < config.error_after_execute_rate:
            return Fault("error_after")
        rate = config.bad_enum_after_execute_rate
        if rate and rng.random() < rate:
            return Fault("bad_enum_after")
        return None


class FaultMiddleware:
    """ASGI middleware applying :class:`Faults` to the GraphQL and token endpoints only."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = _PATH_TARGETS.get(scope.get("path", "")) if scope["type"] == "http" else None
        if target is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        operation = None
        if target == "graphql" and self.faults.wants_operation():
            operation, receive = await _operation_name(receive)
        delay = self.faults.latency_s(target, operation)
        if delay:
            self.faults.applied[f"{target}:latency"] += 1
            await asyncio.sleep(delay)
        fault = self.faults.pick(target, operation)
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.faults.applied[f"{target}:{fault.kind}"] += 1
        if fault.kind == "drop_after":
            await self.app(scope, receive, _discard)
            await _drop(send)
        elif fault.kind == "error_after":
            await self.app(scope, receive, _discard)
            await _answer(send, 200, _INTERNAL_FAILURE, b"application/json")
        elif fault.kind == "bad_enum_after":
            # The GraphQL endpoint reads this and serializes every enum as an unknown value.
            scope.setdefault("state", {})[SPOIL_ENUMS] = True
            await self.app(scope, receive, send)
        elif fault.kind == "drop":
            await _drop(send)
        elif fault.kind == "stall":
            await _until_disconnect(receive)
        elif fault.kind == "malformed":
            await _answer(send, 200, _MALFORMED_BODY, b"application/json")
        elif fault.kind == "expired_token":
            await _answer(send, 401, _TOKEN_EXPIRED, b"application/json")
        elif fault.kind == "rate_limit":
            body = (
                b'{"errors":[{"errorType":"TooManyRequestsException","message":"Rate exceeded"}]}'
            )
            extra = [(b"retry-after", str(fault.retry_after).encode())]
            await _answer(send, 429, body, b"application/json", extra)
        else:
            body = f"Injected fault: HTTP {fault.status}".encode()
            await _answer(send, fault.status, body, b"text/plain; charset=utf-8")


async def _operation_name(receive: Receive) -> tuple[str | None, Receive]:
    """The request's ``operationName``, and a ``receive`` that hands its body on unchanged."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replay([message], receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    try:
        parsed = json.loads(body)
        name = parsed.get("operationName")
        if name is None and isinstance(parsed.get("query"), str):  # the document's only one
            found = _OPERATION.match(parsed["query"])
            name = found.group(1) if found else None
    except (ValueError, AttributeError, RecursionError):
        name = None
    replayed: Message = {"type": "http.request", "body": body, "more_body": False}
    return (name if isinstance(name, str) else None), _replay([replayed], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


async def _until_disconnect(receive: Receive) -> None:
    """Read (and ignore) the request until the client hangs up; answer nothing (``stall``)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _discard(message: Message) -> None:
    """Swallow the executed request's answer (``drop_after``)."""


_INTERNAL_FAILURE = json.dumps(
    {
        "data": None,
        "errors": [
            {
                "message": "An internal failure occurred. Try again later.",
                "path": None,
                "locations": None,
                "errorType": "InternalFailure",
                "errorInfo": None,
            }
        ],
    }
).encode()


_TOKEN_EXPIRED = json.dumps(
    {"errors": [{"errorType": "UnauthorizedException", "message": "Token has expired."}]}
).encode()


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    raise DroppedConnection("injected fault: connection dropped")


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def quiet_dropped_connections() -> None:
    """Keep uvicorn from logging a traceback for every injected drop."""
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
