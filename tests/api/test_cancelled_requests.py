"""A request whose caller is cancelled closes its connections, whenever and however often the
caller is cancelled.

Over real sockets, on the app's qasync loop. A plain ``httpx.AsyncClient`` is the control:
cancelled the same way, it leaves connections open and owned by nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from ui_support import until

from photon_desktop.api.client import HttpClient, create_http_client, unwinding_requests

Run = Callable[..., Any]


class SilentServer:
    """Takes requests and never answers; counts connections still open from the client's side."""

    def __init__(self) -> None:
        self.requests = 0
        self.open = 0
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            while await reader.read(1024):  # until the client closes (EOF) or resets
                pass
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[SilentServer]:
    state = SilentServer()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/graphql"
    try:
        yield state
    finally:
        server.close()


async def cancel_until_done(task: asyncio.Task[Any]) -> None:
    """As several parts of the app may: cancel on every loop turn until the task has ended."""
    while not task.done():
        task.cancel()
        await asyncio.sleep(0)


async def open_after_a_request_cancelled_again_and_again(client: httpx.AsyncClient) -> int:
    async with silent_server() as server:
        request = asyncio.ensure_future(client.post(server.url, json={"query": "{ me { id } }"}))
        await until(lambda: server.requests == 1)
        await cancel_until_done(request)
        assert request.cancelled()
        with contextlib.suppress(TimeoutError):  # the control never gets there
            await until(lambda: server.open == 0, within=1.0)
        still_open = server.open
        await client.aclose()
        with contextlib.suppress(TimeoutError):
            await until(lambda: server.open == 0, within=5.0)
        return still_open


def test_a_request_cancelled_again_and_again_still_closes_its_connection(arun: Run) -> None:
    async def scenario() -> None:
        client = create_http_client()
        assert isinstance(client, HttpClient)
        assert await open_after_a_request_cancelled_again_and_again(client) == 0
        assert not unwinding_requests()

    arun(scenario())


def test_without_it_httpx_leaves_the_connection_open(arun: Run) -> None:
    """The control: the same cancellations reach httpcore's clean-up in a plain client."""

    async def scenario() -> None:
        async with httpx.AsyncClient() as client:
            assert await open_after_a_request_cancelled_again_and_again(client) == 1

    arun(scenario())


def test_a_cancelled_caller_stops_waiting_at_once_and_its_request_unwinds_alone(
    arun: Run,
) -> None:
    async def scenario() -> None:
        async with silent_server() as server, create_http_client() as client:
            request = asyncio.ensure_future(client.post(server.url, json={}))
            await until(lambda: server.requests == 1)
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await request
            assert request.cancelled()
            unwinding = unwinding_requests()
            assert len(unwinding) == 1  # the request itself: cancelled once, closing its socket
            await asyncio.wait(unwinding, timeout=5)
            assert unwinding[0].cancelled() and not unwinding_requests()
            await until(lambda: server.open == 0, within=5.0)

    arun(scenario())


def test_an_answer_and_an_error_reach_the_caller_as_before(arun: Run) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"data": {"ok": True}})

    async def scenario() -> None:
        async with create_http_client(transport=httpx.MockTransport(answer)) as client:
            response = await client.post("http://photon.test/graphql", json={})
            assert response.json() == {"data": {"ok": True}}
            try:
                await client.get("http://photon.test/down")
            except httpx.ConnectError as error:
                assert str(error) == "refused"
            else:
                raise AssertionError("the transport's error was lost")

    arun(scenario())


class HangingUpServer:
    """Answers each request and keeps the connection, until ``hang_up`` closes them all, as a
    server that stops does: the client's pool keeps them as idle until its next request finds
    them closed and drops them."""

    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()

    def hang_up(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers.clear()


async def unclosed_after_cancelling_while_the_pool_drops_connections(
    make_client: Callable[[], httpx.AsyncClient],
) -> int:
    """For each moment in turn: three idle connections the server has hung up on, a fourth
    request (the pool closes the three, one after the other), its caller cancelled once after
    ``turns`` loop turns. Returns how many client sockets were then left for the garbage
    collector to find open."""
    state = HangingUpServer()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    # Recorded, not raised: a dropped socket warns wherever its last reference goes.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            for turns in range(24):
                client = make_client()
                await asyncio.gather(*(client.get(url) for _ in range(3)))
                state.hang_up()
                await asyncio.sleep(0.02)  # the hang-ups arrive
                fourth = asyncio.ensure_future(client.get(url))
                for _ in range(turns):
                    await asyncio.sleep(0)
                fourth.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fourth
                if unwinding_requests():
                    await asyncio.wait(unwinding_requests(), timeout=5)
                await client.aclose()
        finally:
            state.hang_up()  # the fourth request's own connection
            server.close()
            await asyncio.sleep(0.02)
            del fourth
            gc.collect()
    return sum("unclosed <socket" in str(w.message) for w in caught)


def test_a_caller_cancelled_while_the_pool_closes_connections_leaves_none_open(arun: Run) -> None:
    assert arun(unclosed_after_cancelling_while_the_pool_drops_connections(create_http_client)) == 0


def test_without_it_a_cancellation_there_leaves_connections_open(arun: Run) -> None:
    """The control: a caller cancelled natively inside httpcore's clean-up."""
    assert arun(unclosed_after_cancelling_while_the_pool_drops_connections(httpx.AsyncClient)) > 0
