"""AppSync-shaped HTTP answers of the sandbox, and reading a JSON request body safely."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"errorType": "UnauthorizedException", "message": message}]},
        status_code=401,
    )


def bad_request(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"errorType": "BadRequestException", "message": message}]}, status_code=400
    )


async def json_body(request: Request) -> Any:
    """The parsed body, or a 400 answer saying why it is not JSON."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return bad_request("The request body is not valid JSON.")
    except RecursionError:
        return bad_request("The request body is nested too deeply.")


async def json_object(request: Request) -> dict[str, Any] | Response:
    raw = await json_body(request)
    if isinstance(raw, Response):
        return raw
    if not isinstance(raw, dict):
        return bad_request("The request body must be a JSON object.")
    return raw
