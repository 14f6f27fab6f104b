"""GraphQLClient: auth flow, error mapping, read retries, no blind write retries, request log."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from api_fakes import URL, FakePhoton, FakeTokens, Sleeps, ok

from photon_desktop.api.client import USER_AGENT, GraphQLClient, create_http_client
from photon_desktop.api.errors_map import answer_lost
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    OfflineError,
    PermissionMissing,
    RateLimited,
    ResponseError,
    ServerError,
    SignInRequired,
)

ME = {"me": {"id": "usr_1", "verificationStatus": "VERIFIED"}}


def make(photon: FakePhoton, tokens: FakeTokens | None = None, **kw: Any) -> tuple:
    sleeps = Sleeps()
    http = photon.client()
    retry = RetryPolicy(sleep=sleeps, random=lambda: 1.0, **kw)
    client = GraphQLClient(http, URL, tokens or FakeTokens(), retry=retry)
    return client, http, sleeps


def test_sends_named_operation_with_bearer_token_and_user_agent(run) -> None:
    photon = FakePhoton()
    photon.on("Me", lambda v, r: ok(ME))
    client, _, _ = make(photon)
    data = run(client.query("Me"))
    assert data == ME
    request = photon.requests[0]
    assert request.headers["Authorization"] == "Bearer token-1"
    assert request.headers["User-Agent"] == USER_AGENT
    body = json.loads(request.content)
    assert body["operationName"] == "Me" and body["query"].startswith("query Me")


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("http://192.0.2.2:8080/graphql", False),  # another computer, in clear: refused
        ("http://api.clinic.example/graphql", False),
        ("http://127.0.0.1:8080/graphql", True),  # this computer (a local sandbox)
        ("http://localhost:8080/graphql", True),
        ("https://api.clinic.example/graphql", True),
    ],
)
def test_the_token_never_goes_in_clear_to_another_computer(run, url: str, sent: bool) -> None:
    photon = FakePhoton()
    photon.on("Me", lambda v, r: ok(ME))
    http = photon.client()
    client = GraphQLClient(http, url, FakeTokens(), retry=RetryPolicy(sleep=Sleeps()))
    if sent:
        assert run(client.query("Me")) == ME
    else:
        with pytest.raises(ConfigurationError, match="unencrypted and not on this computer"):
            run(client.query("Me"))
    assert len(photon.requests) == (1 if sent else 0)
    run(http.aclose())


def test_a_401_renews_once_and_retries_once(run) -> None:
    tokens = FakeTokens()
    photon = FakePhoton(valid_tokens={"token-2"})
    photon.on("Me", lambda v, r: ok(ME))
    client, _, _ = make(photon, tokens)
    assert run(client.query("Me")) == ME
    assert tokens.renewals == ["token-1"]
    assert photon.authorizations == [
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_a_second_401_ends_the_session(run) -> None:
    photon = FakePhoton(valid_tokens=set())
    client, _, _ = make(photon)
    with pytest.raises(SignInRequired, match=r"Your sign-in has ended\. Please sign in again\."):
        run(client.query("Me"))
    assert len(photon.requests) == 2  # never a third try


def test_renewal_refused_surfaces_sign_in_required(run) -> None:
    photon = FakePhoton(valid_tokens=set())
    client, _, _ = make(photon, FakeTokens(renewable=False))
    with pytest.raises(SignInRequired):
        run(client.query("Me"))
    assert len(photon.requests) == 1


def test_token_of_an_older_session_is_never_reused_after_401(run) -> None:
    tokens = FakeTokens()

    def sign_in_while_in_flight(variables: dict, request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            tokens.sign_in_again()  # user signed in again while the request was in flight
            return httpx.Response(401)
        return ok(ME)

    photon = FakePhoton()
    photon.on("Me", sign_in_while_in_flight)
    client, _, _ = make(photon, tokens)
    assert run(client.query("Me")) == ME
    assert tokens.renewals == []  # the old token was not renewed: the new session's is used
    assert photon.authorizations == ["Bearer token-1", "Bearer token-2"]


@pytest.mark.parametrize(
    ("failure", "kind", "message"),
    [
        (httpx.ConnectError("refused"), OfflineError, "Photon could not be reached."),
        (httpx.ConnectTimeout("slow"), OfflineError, "Photon did not answer in time."),
        (httpx.ReadTimeout("slow"), OfflineError, "Photon did not answer in time."),
        (httpx.RemoteProtocolError("dropped"), OfflineError, "The connection to Photon was lost"),
        (httpx.UnsupportedProtocol("ftp"), ConfigurationError, "The Photon address"),
    ],
)
def test_transport_failures_become_offline_errors(run, failure, kind, message) -> None:
    photon = FakePhoton(queue=[failure])
    client, _, _ = make(photon, attempts=1)
    with pytest.raises(kind) as caught:
        run(client.query("Me"))
    assert str(caught.value).startswith(message)
    assert client.activity.online is (False if kind is OfflineError else None)


def test_reads_retry_with_backoff_and_recover(run) -> None:
    photon = FakePhoton(queue=[httpx.ConnectError("down"), httpx.Response(503)])
    photon.on("Me", lambda v, r: ok(ME))
    client, _, sleeps = make(photon)
    assert run(client.query("Me")) == ME
    assert len(photon.requests) == 3
    assert sleeps.delays == [0.5, 1.0]  # exponential; jitter pinned by random=1.0
    assert [e.status for e in client.request_log.entries] == [None, 503, 200]


def test_jitter_spreads_the_wait() -> None:
    low = RetryPolicy(random=lambda: 0.0).delay(2, ServerError("x", status=500))
    high = RetryPolicy(random=lambda: 1.0).delay(2, ServerError("x", status=500))
    assert low is not None and high is not None and low < high


def test_reads_give_up_after_the_bounded_attempts(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(500)] * 5)
    client, _, sleeps = make(photon)
    with pytest.raises(ServerError) as caught:
        run(client.query("Me"))
    assert caught.value.status == 500
    assert "error 500" in str(caught.value)
    assert len(photon.requests) == 3 and len(sleeps.delays) == 2


def test_429_honours_retry_after(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(429, headers={"Retry-After": "2"})])
    photon.on("Me", lambda v, r: ok(ME))
    client, _, sleeps = make(photon)
    assert run(client.query("Me")) == ME
    assert sleeps.delays == [2.0]


def test_429_with_a_long_wait_is_reported_not_slept(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(429, headers={"Retry-After": "120"})])
    client, _, sleeps = make(photon)
    with pytest.raises(RateLimited) as caught:
        run(client.query("Me"))
    assert caught.value.retry_after == 120
    assert "Wait 2 minutes" in str(caught.value)
    assert sleeps.delays == []


def test_mutations_are_never_retried(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(502)])
    client, _, sleeps = make(photon)
    with pytest.raises(ServerError) as caught:
        run(client.query("CancelOrder", {"id": "ord_1"}))
    assert len(photon.requests) == 1 and sleeps.delays == []
    assert answer_lost(caught.value)


def test_a_refused_connection_is_not_a_lost_answer(run) -> None:
    photon = FakePhoton(queue=[httpx.ConnectError("refused")])
    client, _, _ = make(photon)
    with pytest.raises(OfflineError) as caught:
        run(client.query("CancelOrder", {"id": "ord_1"}))
    assert not answer_lost(caught.value)


@pytest.mark.parametrize(
    "body", [b"<html>bad gateway</html>", b"[1, 2]", b'{"data": 5}', b'{"hello": 1}']
)
def test_malformed_answers_become_response_errors(run, body: bytes) -> None:
    photon = FakePhoton(queue=[httpx.Response(200, content=body)] * 3)
    client, _, _ = make(photon)
    with pytest.raises(ResponseError, match="could not read"):
        run(client.query("Me"))


def test_graphql_errors_map_to_actionable_errors(run) -> None:
    photon = FakePhoton(
        queue=[
            ok(
                {"createPrescription": None},
                [
                    {
                        "message": "Missing permission write:prescription",
                        "errorType": "Unauthorized",
                        "path": ["createPrescription"],
                    }
                ],
            ),
            ok(
                {"createPatient": None},
                [
                    {
                        "message": "Not a valid e-mail",
                        "errorType": "ValidationError",
                        "errorInfo": {"field": "email"},
                    },
                    {
                        "message": "Unknown ZIP",
                        "errorType": "BadRequest",
                        "errorInfo": {"field": "address.postalCode"},
                    },
                ],
            ),
            ok({"order": None}, [{"message": "no such order", "errorType": "NotFound"}]),
        ]
    )
    client, _, _ = make(photon)
    with pytest.raises(PermissionMissing) as missing:
        run(client.query("Me"))
    assert missing.value.permission == "write:prescription"
    assert "write:prescription" in str(missing.value)
    with pytest.raises(InvalidInput) as invalid:
        run(client.query("Me"))
    assert invalid.value.fields == {
        "email": "Not a valid e-mail.",
        "address.postalCode": "Unknown ZIP.",
    }
    with pytest.raises(NotFound, match="not found"):
        run(client.query("Me"))
    assert isinstance(client.activity.last_error, NotFound)


def test_request_log_redacts_patient_details_and_keeps_ids(run) -> None:
    photon = FakePhoton()
    photon.on("SearchPatients", lambda v, r: ok({"patients": []}))
    client, _, _ = make(photon)
    run(client.query("SearchPatients", {"name": "Lovelace", "after": "pat_9", "first": 25}))
    (entry,) = client.request_log.entries
    assert entry.operation == "SearchPatients"
    assert entry.variables == {"name": "***", "after": "pat_9", "first": 25}
    assert entry.status == 200 and entry.size_bytes > 0 and entry.error is None


def test_cancellation_propagates_and_leaves_the_counter_at_zero(run) -> None:
    started = asyncio.Event()

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            started.set()
            await asyncio.sleep(30)
            raise AssertionError("not reached")

    async def scenario() -> tuple[int, list]:
        async with httpx.AsyncClient(transport=Slow()) as http:
            client = GraphQLClient(http, URL, FakeTokens())
            counts: list[int] = []
            client.activity.subscribe(lambda a: counts.append(a.in_flight))
            task = asyncio.create_task(client.query("Me"))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return client.activity.in_flight, [e.error for e in client.request_log.entries]

    in_flight, errors = run(scenario())
    assert in_flight == 0
    assert errors == ["cancelled"]


def test_tokens_never_reach_log_output_in_clear(run, caplog: pytest.LogCaptureFixture) -> None:
    from photon_desktop import redact

    photon = FakePhoton(queue=[httpx.ConnectError("refused")])
    client, _, _ = make(photon, attempts=1)
    redact.install([caplog.handler])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OfflineError):
        run(client.query("SearchPatients", {"name": "Lovelace"}))
    logging.getLogger("x").warning("sent Authorization: Bearer %s", "token-1")
    assert "token-1" not in caplog.text
    assert "Lovelace" not in caplog.text


def test_create_http_client_uses_http11_timeouts_and_user_agent(run) -> None:
    async def scenario() -> httpx.AsyncClient:
        client = create_http_client()
        await client.aclose()
        return client

    client = run(scenario())
    assert client.headers["User-Agent"] == USER_AGENT
    assert client.timeout.connect == 10.0 and client.timeout.read == 30.0


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from photon_desktop.api.errors_map import retry_after_seconds

    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Sun, 29 Nov 2026 05:00:10 GMT", now=1795928400.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("retry_after", "says"),
    [
        (0.2, "Wait 1 second and"),
        (7, "Wait 7 seconds and"),
        (300, "Wait 5 minutes and"),
        (2 * 3600, "Wait 2 hours and"),
        (251606371075, "Wait a day or more and"),  # an HTTP date in year 9999
        (None, "Wait a moment and"),
    ],
)
def test_rate_limit_waits_are_said_as_a_person_would(retry_after, says) -> None:
    from photon_desktop.api.errors_map import rate_limited

    assert says in str(rate_limited(retry_after))


def test_every_client_shares_one_tls_context() -> None:
    """Each context loads the CA bundle (40-70 ms): the app's clients build it once."""
    from photon_desktop.api import tls
    from photon_desktop.api.client import create_http_client

    first, second = create_http_client(), create_http_client()
    # httpx keeps the context on its connection pool (no public accessor).
    contexts = {id(c._transport._pool._ssl_context) for c in (first, second)}  # type: ignore[attr-defined]
    assert contexts == {id(tls.context())}
