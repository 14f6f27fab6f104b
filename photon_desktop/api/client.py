"""GraphQL over the injected ``httpx.AsyncClient``: bearer auth, retries for reads, error mapping.

The app creates one ``httpx.AsyncClient`` per environment (``create_http_client``) and owns it;
``GraphQLClient`` only borrows it. All I/O runs on the event loop (qasync in the app), no threads.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from photon_desktop import __version__
from photon_desktop.api import documents, tls
from photon_desktop.api.activity import Activity
from photon_desktop.api.errors_map import (
    SIGN_IN_AGAIN,
    UNREADABLE,
    GraphQLErrorItem,
    from_graphql_errors,
    from_status,
    from_transport,
    mark_answer_lost,
)
from photon_desktop.api.request_log import RequestLog
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.auth.token_source import TokenSource
from photon_desktop.domain.web_addresses import encrypted_or_local
from photon_desktop.errors import (
    ConfigurationError,
    OfflineError,
    PhotonError,
    ResponseError,
    SignInRequired,
)

log = logging.getLogger(__name__)

USER_AGENT = f"PhotonDesktop/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)


class _Null:
    def __repr__(self) -> str:
        return "NULL"


#: A variable sent as an explicit JSON null. A None variable is left out, which GraphQL reads as
#: "not given"; an update that removes a value (``updatePatient(email: null)``) needs the null.
NULL: Any = _Null()


def create_http_client(
    *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs: Any
) -> httpx.AsyncClient:
    """The app's one client per environment: HTTP/1.1, timeouts, our User-Agent, pooling, the
    one shared TLS context, and requests that close their connection however often the caller
    is cancelled (``HttpClient``)."""
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    kwargs.setdefault("verify", tls.context())
    return HttpClient(timeout=timeout, headers=headers, http2=False, **kwargs)


# Requests whose caller was cancelled, still closing their connection (kept until they end).
_unwinding: set[asyncio.Task[httpx.Response]] = set()


def _unwound(task: asyncio.Task[httpx.Response]) -> None:
    _unwinding.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: nobody awaits it any more


def unwinding_requests() -> list[asyncio.Task[httpx.Response]]:
    """Requests cancelled by their caller that are still closing their connection."""
    return [task for task in _unwinding if not task.done()]


class HttpClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose requests are cancelled the way httpcore expects.

    httpcore's clean-up after a request (handing the connection back to the pool, closing the
    ones the pool drops) is shielded with anyio's cancel scopes, which hold off anyio's
    cancellation but not ``Task.cancel()``. The app cancels natively (a newer search, a server
    that stopped, the window closing), and a cancellation that landed inside that clean-up left
    connections open and owned by nobody (a ``ResourceWarning`` when they were collected).

    So each request runs in a task of its own, inside an anyio cancel scope: a cancelled caller
    stops waiting at once, and the request is cancelled through the scope, which waits for the
    clean-up to finish (``unwinding_requests`` until it has).
    """

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if request.url.scheme == "https":
            await _trust_loaded()
        if kwargs.get("stream"):  # the caller reads and closes the response itself
            return await super().send(request, **kwargs)
        scope = anyio.CancelScope()
        loop = asyncio.get_running_loop()
        sending = loop.create_task(self._send_within(scope, request, kwargs), name="http-request")
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            scope.cancel()
            if not sending.done():
                _unwinding.add(sending)
            sending.add_done_callback(_unwound)  # an answer or error that came too late is dropped
            raise

    async def _send_within(
        self, scope: anyio.CancelScope, request: httpx.Request, kwargs: dict[str, Any]
    ) -> httpx.Response:
        with scope:
            return await super().send(request, **kwargs)
        raise asyncio.CancelledError  # the scope was cancelled before an answer


async def _trust_loaded() -> None:
    """Before a TLS handshake: the shared context trusts the certificate authorities (``tls``)."""
    try:
        await tls.trusted()
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        raise ConfigurationError(
            "This computer's trusted certificates could not be read, so no secure connection "
            f"can be made ({type(error).__name__}). Check SSL_CERT_FILE or SSL_CERT_DIR if set."
        ) from None


class BearerAuth(httpx.Auth):
    """Attaches ``Authorization: Bearer`` from the TokenSource; on 401 renews once, retries once.

    A second 401 means the session is over: ``SignInRequired``. A token fetched while the
    session changed (``generation`` moved) is never sent; the current session's token is.
    """

    requires_response_body = False

    def __init__(self, tokens: TokenSource) -> None:
        self._tokens = tokens

    async def _current_token(self) -> tuple[int, str]:
        for _ in range(3):
            generation = self._tokens.generation
            token = await self._tokens.access_token()
            if self._tokens.generation == generation:
                return generation, token
        raise SignInRequired(SIGN_IN_AGAIN)

    def sync_auth_flow(self, request: httpx.Request) -> Any:  # pragma: no cover - async only
        raise RuntimeError("BearerAuth is async-only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        generation, token = await self._current_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        if self._tokens.generation == generation:
            token = await self._tokens.renew(token)
            if self._tokens.generation != generation:
                _, token = await self._current_token()
        else:
            _, token = await self._current_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            raise SignInRequired(SIGN_IN_AGAIN)


@dataclass(frozen=True, slots=True)
class GraphQLResponse:
    """``data`` (possibly partial) and the execution ``errors`` that came with it."""

    data: Mapping[str, Any] | None
    errors: tuple[GraphQLErrorItem, ...]


class GraphQLClient:
    """Sends the package's named operations; reads are retried per ``retry``, writes never."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        tokens: TokenSource,
        *,
        request_log: RequestLog | None = None,
        activity: Activity | None = None,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._http = http
        self._url = url
        self._auth = BearerAuth(tokens)
        self.request_log = request_log or RequestLog()
        self.activity = activity or Activity()
        self.retry = retry or RetryPolicy()
        self._headers = {"User-Agent": user_agent or USER_AGENT, "Accept": "application/json"}

    async def query(self, operation: str, variables: Mapping[str, Any] | None = None) -> Any:
        """``data`` of ``operation``; any GraphQL error raises the mapped ``PhotonError``."""
        response = await self.execute(operation, variables)
        if response.errors:
            error = from_graphql_errors(response.errors)
            self.activity.failed(error, offline=False)
            raise error
        return response.data

    async def execute(
        self, operation: str, variables: Mapping[str, Any] | None = None
    ) -> GraphQLResponse:
        """Send ``operation``; transport/HTTP failures raise, GraphQL errors are returned."""
        return await self.execute_document(documents.load(operation), variables)

    async def execute_document(
        self, document: documents.Operation, variables: Mapping[str, Any] | None = None
    ) -> GraphQLResponse:
        """``execute`` for a document not in the package (the support console's)."""
        if not encrypted_or_local(self._url):
            # Every request carries the access token: never in clear over a network, whichever
            # way the address came (Settings checks it too; ``photon-desktop check`` did not).
            raise ConfigurationError(
                f"The GraphQL address {self._url} is unencrypted and not on this computer. "
                "Photon Desktop sends tokens only over https (plain http only to this computer)."
            )
        operation = document.name
        clean = {k: None if v is NULL else v for k, v in (variables or {}).items() if v is not None}
        attempts = 1 if document.is_mutation else max(1, self.retry.attempts)
        self.activity.started()
        try:
            attempt = 1
            while True:
                try:
                    return await self._send_once(document, clean, attempt)
                except PhotonError as error:
                    delay = None if attempt >= attempts else self.retry.delay(attempt, error)
                    if delay is None:
                        self.activity.failed(error, offline=isinstance(error, OfflineError))
                        raise
                    log.info("%s: retrying in %.1f s after: %s", operation, delay, error)
                    await self.retry.sleep(delay)
                    attempt += 1
        finally:
            self.activity.finished()

    async def _send_once(
        self, document: documents.Operation, variables: dict[str, Any], attempt: int
    ) -> GraphQLResponse:
        body: dict[str, Any] = {"query": document.text, "variables": variables}
        if document.name:
            body["operationName"] = document.name
        started = time.perf_counter()
        status: int | None = None
        size = 0
        error_text: str | None = None
        error_kind: str | None = None
        answer: dict[str, Any] | None = None
        try:
            try:
                response = await self._http.post(
                    self._url, json=body, headers=self._headers, auth=self._auth
                )
            except httpx.HTTPError as exc:
                raise from_transport(exc) from exc
            status = response.status_code
            size = len(response.content)
            self.activity.answered()
            result = self._read(response)
            answer = {"data": result.data}
            if result.errors:
                error_kind = result.errors[0].error_type or "GraphQLError"
                error_text = "; ".join(
                    f"{e.error_type or 'Error'} at {'.'.join(map(str, e.path)) or '-'}"
                    for e in result.errors
                )
                answer["errors"] = [
                    {"errorType": e.error_type, "path": list(e.path)} for e in result.errors
                ]
            return result
        except PhotonError as exc:
            error_kind = type(exc).__name__
            error_text = f"{type(exc).__name__}: {exc}"
            raise
        except BaseException as exc:  # CancelledError included: note it, then let it go
            error_kind = "Cancelled" if isinstance(exc, asyncio.CancelledError) else "Crash"
            error_text = "cancelled" if isinstance(exc, asyncio.CancelledError) else repr(exc)
            raise
        finally:
            self.request_log.record(
                document.name or "(anonymous)",
                variables,
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                size_bytes=size,
                error=error_text,
                attempt=attempt,
                query=document.text,
                answer=answer,
                error_kind=error_kind,
            )

    @staticmethod
    def _read(response: httpx.Response) -> GraphQLResponse:
        """Decode the JSON body; map HTTP status and malformed answers to errors."""
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError):
            payload = None  # RecursionError: nesting deeper than the decoder's stack
        if not response.is_success:
            items = _error_items(payload)
            if response.status_code == 400 and items:
                raise from_graphql_errors(items)
            raise from_status(response)
        if not isinstance(payload, Mapping) or ("data" not in payload and "errors" not in payload):
            raise mark_answer_lost(ResponseError(UNREADABLE))
        data = payload.get("data")
        if data is not None and not isinstance(data, Mapping):
            raise mark_answer_lost(ResponseError(UNREADABLE))
        return GraphQLResponse(data=data, errors=_error_items(payload))


def _error_items(payload: Any) -> tuple[GraphQLErrorItem, ...]:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("errors"), list):
        return ()
    return tuple(GraphQLErrorItem.from_json(item) for item in payload["errors"])
