"""The admin endpoints tests and demos use to steer a run (header ``X-Sandbox-Admin``, else 401).

- ``GET /admin/faults``; ``PUT /admin/faults`` replaces all settings (``{}`` clears them; see
  :class:`~photon_desktop.sandbox.faults.FaultConfig`, plus ``fail_next``);
  ``POST /admin/faults/next`` appends ``{"faults": [{"kind": ..., ...}]}`` to the queue;
- ``GET /admin/stats``: token requests by grant type, GraphQL requests by operation name, faults
  applied, and the Clinical API's record and mutation counts (``clinical``);
- ``GET /admin/records?externalId=X``: how many patients, prescriptions and orders carry that
  ``externalId`` (counted over the stored records) and their ids, so a test can assert that a
  retried write exists exactly once;
- ``GET``/``PUT /admin/clock``: ``{"speed": F}`` and/or ``{"advance_seconds": S}``;
- ``GET``/``PUT /admin/pharmacy``: ``{"exception_rate", "error_rate", "pickup_wait_days"}``
  (all three; one left out is 0) for orders reaching a pharmacy from then on (see
  :mod:`~photon_desktop.sandbox.pharmacy`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from photon_desktop.sandbox.clock import MAX_SPEED, Clock, finite
from photon_desktop.sandbox.faults import Faults
from photon_desktop.sandbox.responses import bad_request, json_body, json_object

ADMIN_HEADER = "X-Sandbox-Admin"


def admin_routes(
    *,
    key: str,
    faults: Faults,
    clock: Clock,
    stats: Callable[[], dict[str, Any]],
    records: Callable[[str], dict[str, Any]],
    pharmacy: tuple[Callable[[], dict[str, float]], Callable[[Any], dict[str, float]]],
) -> list[Route]:
    """The ``/admin/*`` routes of one run, guarded by its admin ``key``."""

    def refused(request: Request) -> Response | None:
        sent = request.headers.get(ADMIN_HEADER, "")
        if not secrets.compare_digest(sent.encode(), key.encode()):
            return JSONResponse(
                {"error": f"the {ADMIN_HEADER} header must hold this run's admin key"},
                status_code=401,
            )
        return None

    def setting(
        read: Callable[[], Any],
        write: Callable[[Any], object] | None = None,
        body: Callable[[Request], Awaitable[Any]] = json_object,
    ) -> Callable[[Request], Awaitable[Response]]:
        """GET answers ``read()``; another method first applies its JSON body with ``write``
        (a ``ValueError`` is a 400 and changes nothing)."""

        async def endpoint(request: Request) -> Response:
            if answer := refused(request):
                return answer
            if write is not None and request.method != "GET":
                raw = await body(request)
                if isinstance(raw, Response):
                    return raw
                try:
                    write(raw)
                except (TypeError, ValueError) as exc:
                    return bad_request(str(exc))
            return JSONResponse(read())

        return endpoint

    async def admin_records(request: Request) -> Response:
        if answer := refused(request):
            return answer
        external_id = request.query_params.get("externalId", "")
        if not external_id.strip():
            return bad_request("send ?externalId=<the externalId to count>")
        return JSONResponse(records(external_id.strip()))

    read_pharmacy, write_pharmacy = pharmacy

    def clock_now() -> dict[str, Any]:
        return {"now": clock.now().isoformat(), "speed": clock.speed}

    return [
        Route("/admin/faults", setting(faults.snapshot, faults.replace), methods=["GET", "PUT"]),
        Route(
            "/admin/faults/next",
            setting(faults.snapshot, faults.enqueue, json_body),
            methods=["POST"],
        ),
        Route("/admin/stats", setting(stats), methods=["GET"]),
        Route("/admin/records", admin_records, methods=["GET"]),
        Route(
            "/admin/clock",
            setting(clock_now, lambda raw: _set_clock(clock, raw)),
            methods=["GET", "PUT"],
        ),
        Route(
            "/admin/pharmacy",
            setting(read_pharmacy, write_pharmacy),
            methods=["GET", "PUT"],
        ),
    ]


def _set_clock(clock: Clock, raw: dict[str, Any]) -> None:
    """Apply ``{"speed": F, "advance_seconds": S}`` (``ValueError`` says why not)."""
    unknown = set(raw) - {"speed", "advance_seconds"}
    if unknown or not raw:
        raise ValueError('send {"speed": F} and/or {"advance_seconds": S}')
    speed, advance = raw.get("speed"), raw.get("advance_seconds")
    for value in (speed, advance):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("speed and advance_seconds must be numbers")
    # Both are checked before either applies: all or nothing.
    if speed is not None:
        finite(float(speed), "speed", limit=MAX_SPEED)
    try:
        if advance is not None:
            clock.advance(float(advance))
    except OverflowError as exc:
        raise ValueError(str(exc)) from None
    if speed is not None:
        clock.set_speed(float(speed))
