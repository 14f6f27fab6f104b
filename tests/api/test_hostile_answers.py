"""Whatever a server answers, a service method raises a ``PhotonError`` or returns a model.

Table-driven: each hostile body goes through the real GraphQLClient and PatientsService /
CatalogService over an httpx MockTransport, so decoding, status mapping, GraphQL error items and
parse.py are all on the path a user's click takes.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from api_fakes import URL, FakeTokens

from photon_desktop.api.client import GraphQLClient
from photon_desktop.api.errors_map import retry_after_seconds
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.errors import PhotonError, RateLimited, ResponseError
from photon_desktop.services.catalog import CatalogService
from photon_desktop.services.patients import PatientsService

PATIENT: dict[str, Any] = {
    "id": "pat_1",
    "name": {"first": "Maya", "last": "Okafor"},
    "dateOfBirth": "1980-02-03",
    "sex": "FEMALE",
    "phone": "+14155550121",
}
DEEP = 100_000  # deeper than the JSON decoder's recursion limit


async def _no_sleep(_: float) -> None:
    return None


def _service_call(status: int, content: bytes, headers: dict[str, str] | None = None):
    """A coroutine factory: search patients against a server answering ``content``."""

    def reply(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers or {})

    async def call() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(reply)) as http:
            client = GraphQLClient(
                http, URL, FakeTokens(), retry=RetryPolicy(attempts=2, sleep=_no_sleep)
            )
            return await PatientsService(client).search("Okafor")

    return call()


def _with(field: str, value: Any) -> bytes:
    return json.dumps({"data": {"patients": [{**PATIENT, field: value}]}}).encode()


HOSTILE: list[tuple[str, int, bytes]] = [
    ("empty body", 200, b""),
    ("HTML with 200", 200, b"<html><body>Gateway</body></html>"),
    ("not UTF-8", 200, b"\xff\xfe\x00\x81{data"),
    ("JSON null", 200, b"null"),
    ("JSON list", 200, b"[1, 2]"),
    ("JSON string", 200, b'"data"'),
    ("no data, no errors", 200, b"{}"),
    ("data is a list", 200, b'{"data": []}'),
    ("data is a string", 200, b'{"data": "patients"}'),
    ("errors is a string", 200, b'{"errors": "boom"}'),
    ("errors is an object", 200, b'{"errors": {"message": "boom"}}'),
    ("error items not objects", 200, b'{"data": null, "errors": [1, "x", null, [], true]}'),
    (
        "error item fields mistyped",
        200,
        b'{"data": null, "errors": [{"message": {"a": 1}, "path": "p", "errorType": ["x"],'
        b' "errorInfo": [1], "extensions": "e"}]}',
    ),
    (
        "validation info mistyped",
        400,
        b'{"errors": [{"errorType": "ValidationError",'
        b' "errorInfo": {"fields": [1], "field": {}}}]}',
    ),
    ("patients is an object", 200, b'{"data": {"patients": {"id": "pat_1"}}}'),
    ("patients is a number", 200, b'{"data": {"patients": 7}}'),
    ("patient is a list", 200, b'{"data": {"patients": [[1]]}}'),
    ("id is null", 200, _with("id", None)),
    ("id is an object", 200, _with("id", {"id": "x"})),
    ("name is a string", 200, _with("name", "Maya Okafor")),
    ("name parts are numbers", 200, _with("name", {"first": 1, "last": 2})),
    ("date of birth is garbage", 200, _with("dateOfBirth", "1980-13-45")),
    ("date of birth is a number", 200, _with("dateOfBirth", 19800203)),
    ("sex is a list", 200, _with("sex", ["FEMALE"])),
    ("sex is an object", 200, _with("sex", {"v": "FEMALE"})),
    ("sex unknown", 200, _with("sex", "\u202eELAMEF")),
    ("phone is true", 200, _with("phone", True)),
    ("email is a list", 200, _with("email", ["a@b.c"])),
    ("lone surrogate escape", 200, b'{"data": {"patients": [{"id": "\\ud800"}]}}'),
    ("huge string", 200, _with("externalId", "x" * 2_000_000)),
    ("huge integer", 200, b'{"data": {"patients": [{"id": ' + b"9" * 5000 + b"}]}}"),
    ("NaN and Infinity", 200, b'{"data": {"patients": [{"id": NaN, "phone": Infinity}]}}'),
    ("deeply nested", 200, b"[" * DEEP + b"]" * DEEP),
    (
        "deeply nested inside data",
        200,
        b'{"data": {"patients": ' + b"[" * DEEP + b"]" * DEEP + b"}}",
    ),
    ("truncated JSON", 200, b'{"data": {"patients": [{"id": "pat_1", "na'),
    ("401 with HTML", 401, b"<html>Unauthorized</html>"),
    ("401 with a list", 401, b"[]"),
    ("401 with garbage errors", 401, b'{"errors": [null, 5, {"errorType": {}}]}'),
    ("500 with a deep body", 500, b"[" * DEEP + b"]" * DEEP),
    ("400 with a deep body", 400, b"[" * DEEP + b"]" * DEEP),
    ("302 redirect", 302, b""),
    ("418 teapot", 418, b"\xff"),
]


@pytest.mark.parametrize(
    ("status", "content"), [(s, c) for _, s, c in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_a_hostile_answer_ends_in_a_photon_error_or_a_model(
    run, status: int, content: bytes
) -> None:
    try:
        page = run(_service_call(status, content))
    except PhotonError as error:
        assert str(error)  # a sentence the user can read, never an empty dialog
    else:
        assert all(p.id and p.name.first for p in page.items)


def test_a_nesting_bomb_is_reported_as_an_unreadable_answer(run) -> None:
    with pytest.raises(ResponseError):
        run(_service_call(200, b'{"data": {"patients": ' + b"[" * DEEP + b"]" * DEEP + b"}}"))


@pytest.mark.parametrize("value", ["inf", "Infinity", "1e400", "-inf", "nan"])
def test_a_non_finite_retry_after_means_wait_a_moment(run, value: str) -> None:
    assert retry_after_seconds(value) is None
    with pytest.raises(RateLimited, match="Wait a moment") as caught:
        run(_service_call(429, b"", {"Retry-After": value}))
    assert caught.value.retry_after is None


def test_a_finite_retry_after_is_still_honoured(run) -> None:
    with pytest.raises(RateLimited, match="Wait 31 seconds") as caught:
        run(_service_call(429, b"", {"Retry-After": "31"}))
    assert caught.value.retry_after == 31.0


def test_catalog_answers_of_the_wrong_shape_are_unreadable(run) -> None:
    bodies = [
        b'{"data": {"me": "usr_1"}}',
        b'{"data": {"me": {"id": "usr_1", "verificationStatus": "V", "roles": "admin"}}}',
        b'{"data": {"me": {"id": "usr_1", "verificationStatus": "V", "roles": [{"name": null}]}}}',
        b'{"data": {"me": {"id": ["usr_1"], "verificationStatus": "V"}}}',
    ]
    for body in bodies:

        async def call(content: bytes = body) -> Any:
            reply = httpx.MockTransport(lambda _: httpx.Response(200, content=content))
            async with httpx.AsyncClient(transport=reply) as http:
                client = GraphQLClient(http, URL, FakeTokens(), retry=RetryPolicy(attempts=1))
                return await CatalogService(client).me()

        with pytest.raises(ResponseError):
            run(call())
