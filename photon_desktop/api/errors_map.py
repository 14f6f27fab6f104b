"""Transport, HTTP and GraphQL failures -> the app's ``errors`` classes, in words people act on.

Nothing above the API layer sees an httpx exception or a raw GraphQL error item.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from photon_desktop.api import field_messages
from photon_desktop.domain.durations import in_words
from photon_desktop.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    OfflineError,
    PermissionMissing,
    PhotonError,
    RateLimited,
    ResponseError,
    ServerError,
    SignInRequired,
    untrusted_certificate,
)

UNREACHABLE = "Photon could not be reached. Check your network connection and try again."
TIMED_OUT = "Photon did not answer in time. Check your network connection and try again."
CONNECTION_LOST = (
    "The connection to Photon was lost before its answer arrived. "
    "Check your network connection and try again."
)
SIGN_IN_AGAIN = "Your sign-in has ended. Please sign in again."
BAD_URL = "The Photon address in Settings is not valid. Check the environment settings."
NOT_FOUND = (
    "This record was not found. It may have been removed, or it belongs to another organization."
)
INVALID = "Photon did not accept some of the details. Check the marked fields and try again."
INVALID_UNMARKED = (
    "Photon did not accept some of the details. Check what you entered and try again."
)
UNREADABLE = (
    "Photon sent an answer the app could not read. Try again; if it keeps happening, "
    "contact support."
)
FAILED = "Photon could not complete the request. Try again; if it keeps happening, contact support."

_LOST_ANSWER_FLAG = "_photon_answer_lost"
_PERMISSION = re.compile(r"\b([a-z]+:[a-z_]+)\b")
_UNAUTHORIZED = {"Unauthorized", "UnauthorizedException", "Forbidden", "PermissionDenied"}
_INVALID = {"ValidationError", "BadRequest", "BadRequestException", "InvalidInput"}
_NOT_FOUND = {"NotFound", "NotFoundException"}
_THROTTLED = {"Throttled", "ThrottlingException", "RateLimited", "TooManyRequests"}


@dataclass(frozen=True, slots=True)
class GraphQLErrorItem:
    """One GraphQL ``errors`` item (AppSync shape: message, path, errorType, errorInfo)."""

    message: str
    error_type: str | None = None
    path: tuple[str | int, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, item: Any) -> GraphQLErrorItem:
        if not isinstance(item, Mapping):
            return cls(message=str(item))
        raw_extensions = item.get("extensions")
        extensions: Mapping[str, Any] = (
            raw_extensions if isinstance(raw_extensions, Mapping) else {}
        )
        error_type = item.get("errorType") or extensions.get("errorType") or extensions.get("code")
        info = item.get("errorInfo") or extensions.get("errorInfo") or {}
        message = item.get("message")
        raw_path = item.get("path")
        path: list[Any] = raw_path if isinstance(raw_path, list) else []
        return cls(
            message=message if isinstance(message, str) else "",
            error_type=str(error_type) if error_type else None,
            path=tuple(p for p in path if isinstance(p, str | int)),
            info=info if isinstance(info, Mapping) else {},
        )

    @property
    def is_unauthorized(self) -> bool:
        return self.error_type in _UNAUTHORIZED


def mark_answer_lost(error: PhotonError) -> PhotonError:
    """Note that the request reached Photon and its answer was lost (it may have taken effect)."""
    setattr(error, _LOST_ANSWER_FLAG, True)
    return error


def answer_lost(error: BaseException) -> bool:
    """True when a write may have happened although no usable answer arrived."""
    return bool(getattr(error, _LOST_ANSWER_FLAG, False))


def from_transport(exc: httpx.HTTPError) -> PhotonError:
    """An httpx failure: unreachable/timeout/dropped connection -> OfflineError."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return OfflineError(TIMED_OUT)
    untrusted = untrusted_certificate(_host(exc), exc)
    if untrusted is not None:
        return untrusted
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return OfflineError(UNREACHABLE)
    if isinstance(exc, httpx.TimeoutException):
        return mark_answer_lost(OfflineError(TIMED_OUT))
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigurationError(BAD_URL)
    if isinstance(exc, httpx.TransportError):
        return mark_answer_lost(OfflineError(CONNECTION_LOST))
    return mark_answer_lost(ResponseError(UNREADABLE))


def _host(exc: httpx.HTTPError) -> str:
    """The host ``exc``'s request went to ("Photon" when httpx did not keep it)."""
    try:
        return exc.request.url.host or "Photon"
    except RuntimeError:  # an error raised without its request
        return "Photon"


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # "inf" / "nan" parse as floats but are no wait at all
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def rate_limited(retry_after: float | None) -> RateLimited:
    if retry_after is None:
        message = "Photon is receiving too many requests. Wait a moment and try again."
    else:
        message = (
            f"Photon is receiving too many requests. Wait {in_words(retry_after)} and try again."
        )
    return RateLimited(message, retry_after=retry_after)


def from_status(response: httpx.Response) -> PhotonError:
    """A non-2xx answer without usable GraphQL errors."""
    status = response.status_code
    if status == 429:
        return rate_limited(retry_after_seconds(response.headers.get("Retry-After")))
    if status == 401:
        return SignInRequired(SIGN_IN_AGAIN)
    if status == 403:
        return PermissionMissing(
            "Your account does not have permission to do this. "
            "Ask your organization's administrator for access."
        )
    if status == 404:
        return ConfigurationError(
            "Photon's address in Settings does not lead to the Clinical API. "
            "Check the environment settings."
        )
    if status >= 500:
        return mark_answer_lost(
            ServerError(
                f"Photon had a problem answering (error {status}). Try again in a moment.",
                status=status,
            )
        )
    return ServerError(
        f"Photon refused the request (error {status}). Try again; if it keeps happening, "
        "contact support.",
        status=status,
    )


def permission_missing(item: GraphQLErrorItem) -> PermissionMissing:
    info_permission = item.info.get("permission") or item.info.get("requiredPermission")
    match = _PERMISSION.search(item.message)
    permission = str(info_permission) if info_permission else (match.group(1) if match else None)
    needs = f" (it needs {permission})" if permission else ""
    return PermissionMissing(
        f"Your account does not have permission to do this{needs}. "
        "Ask your organization's administrator for access.",
        permission=permission,
    )


def _field_problems(item: GraphQLErrorItem) -> dict[str, str]:
    fields = item.info.get("fields")
    if isinstance(fields, Mapping):
        return {str(k): field_messages.plain(str(k), str(v)) for k, v in fields.items()}
    field_name = item.info.get("field")
    if field_name and isinstance(field_name, str | int):
        return {str(field_name): field_messages.plain(str(field_name), item.message)}
    return {}


def from_graphql_errors(items: Sequence[GraphQLErrorItem]) -> PhotonError:
    """The most useful single error for a list of GraphQL errors."""
    if not items:
        return ResponseError(UNREADABLE)
    invalid = [i for i in items if i.error_type in _INVALID]
    if invalid:
        fields: dict[str, str] = {}
        for item in invalid:
            fields.update(_field_problems(item))
        if fields:
            return InvalidInput(INVALID, fields=fields)
        detail = invalid[0].message.strip()
        if not detail:
            return InvalidInput(INVALID_UNMARKED)
        return InvalidInput(f"Photon did not accept this. {field_messages.plain(None, detail)}")
    for item in items:
        if item.is_unauthorized:
            return permission_missing(item)
    for item in items:
        if item.error_type in _NOT_FOUND:
            return NotFound(NOT_FOUND)
    for item in items:
        if item.error_type in _THROTTLED:
            return rate_limited(None)
    return ServerError(FAILED)
