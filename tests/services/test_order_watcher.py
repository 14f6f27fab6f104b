"""The order watcher against an in-memory Photon and a fake clock (no real time passes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from watch_fakes import T0, FakePhoton, FakeTime, order, settle

from photon_desktop.domain import FulfillmentState, FulfillmentType, OrderException, OrderState
from photon_desktop.errors import OfflineError, RateLimited, ServerError, SignInRequired
from photon_desktop.services.order_changes import ChangeKind, WatchUpdate
from photon_desktop.services.order_watcher import (
    MINIMIZED,
    OrderWatcher,
    WatchSettings,
    WatchStatus,
)

Run = Callable[[Coroutine[Any, Any, Any]], Any]


class Harness:
    def __init__(self, photon: FakePhoton, **settings: Any) -> None:
        self.photon = photon
        self.time = FakeTime()
        self.watcher = OrderWatcher(
            photon,
            WatchSettings(**settings),
            clock=self.time.clock,
            sleep=self.time.sleep,
            wall_clock=self.time.wall,
        )
        self.updates: list[WatchUpdate] = []
        self.statuses: list[WatchStatus] = []
        self.watcher.subscribe(self.updates.append, lambda s: self.statuses.append(s.status))

    @property
    def changes(self) -> list[Any]:
        return [c for u in self.updates for c in u.changes]

    @property
    def requests(self) -> int:
        return len(self.photon.pages) + len(self.photon.gets)


@asynccontextmanager
async def watching(photon: FakePhoton, **settings: Any) -> AsyncIterator[Harness]:
    h = Harness(photon, **settings)
    task = asyncio.ensure_future(h.watcher.run())
    await settle()
    try:
        yield h
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_fifty_open_orders_cost_one_request_per_interval(run: Run) -> None:
    photon = FakePhoton([order(n) for n in range(50)])

    async def scenario() -> None:
        async with watching(photon) as h:
            assert h.requests == 1 and h.watcher.loaded
            assert len(h.watcher.open_orders()) == 50
            assert h.changes == []  # the first reading is the baseline, not news
            await h.time.advance(60)
            assert h.requests == 3  # 0 s, 30 s, 60 s
            assert photon.gets == []

    run(scenario())


def test_large_states_are_paged_and_finished_lists_are_left_out(run: Run) -> None:
    photon = FakePhoton([order(n) for n in range(250)] + [order(900, OrderState.ROUTING)])

    async def scenario() -> None:
        async with watching(photon) as h:
            assert len(h.watcher.open_orders()) == 251
            assert len(photon.pages) == 3
            first, second, third = photon.pages
            assert set(first) == {
                OrderState.ROUTING,
                OrderState.PENDING,
                OrderState.PLACED,
                OrderState.ERROR,
            }
            assert set(second) == set(third) == {OrderState.PLACED}
            await h.time.advance(30)
            # The ERROR list is read on start and on a manual refresh only.
            assert OrderState.ERROR not in photon.pages[3]

    run(scenario())


def test_each_state_change_is_announced_once(run: Run) -> None:
    photon = FakePhoton([order(1, OrderState.PENDING), order(2)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.set(order(1, OrderState.PLACED, fulfillment=FulfillmentState.SENT))
            await h.time.advance(30)
            await h.time.advance(30)  # nothing new: nothing said
            assert [(c.order.id, c.kinds) for c in h.changes] == [
                ("ord_0001", frozenset({ChangeKind.STATE}))
            ]
            assert h.watcher.get("ord_0001").state is OrderState.PLACED  # type: ignore[union-attr]

    run(scenario())


def test_ready_shipped_and_new_exceptions_are_their_own_kinds(run: Run) -> None:
    mail = FulfillmentType.MAIL_ORDER
    photon = FakePhoton(
        [
            order(1, fulfillment=FulfillmentState.RECEIVED),
            order(2, fulfillment=FulfillmentState.FILLING, kind=mail),
            order(3),
        ]
    )

    async def scenario() -> None:
        async with watching(photon) as h:
            problem = OrderException(type="OOS", message="Out of stock")
            photon.set(order(1, fulfillment=FulfillmentState.READY))
            photon.set(
                order(
                    2,
                    fulfillment=FulfillmentState.SHIPPED,
                    kind=mail,
                    carrier="UPS",
                    tracking="1Z999",
                )
            )
            photon.set(order(3, exceptions=(problem,)))
            await h.time.advance(30)
            kinds = {c.order.id: c.primary for c in h.changes}
            assert kinds == {
                "ord_0001": ChangeKind.READY,
                "ord_0002": ChangeKind.SHIPPED,
                "ord_0003": ChangeKind.EXCEPTION,
            }
            shipped = next(c for c in h.changes if c.primary is ChangeKind.SHIPPED)
            assert shipped.order.fulfillment.tracking_number == "1Z999"  # type: ignore[union-attr]
            await h.time.advance(30)
            assert len(h.changes) == 3  # the same exception is not news twice

    run(scenario())


def test_a_completed_order_is_read_once_then_never_polled(run: Run) -> None:
    photon = FakePhoton([order(1), order(2)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.set(order(1, OrderState.COMPLETED))
            await h.time.advance(30)
            assert photon.gets == ["ord_0001"]
            assert [c.order.state for c in h.changes] == [OrderState.COMPLETED]
            release = h.watcher.focus("ord_0001")  # even with its detail open
            await h.time.advance(120)
            release()
            assert photon.gets == ["ord_0001"]
            assert not h.watcher.is_live("ord_0001") and h.watcher.is_live("ord_0002")

    run(scenario())


def test_error_stops_polling_until_the_user_asks(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            release = h.watcher.focus("ord_0001")
            await h.time.advance(5)
            polled = len(photon.gets)
            assert polled >= 1
            photon.set(order(1, OrderState.ERROR))
            await h.time.advance(5)
            assert [c.primary for c in h.changes] == [ChangeKind.ERROR]
            assert not h.watcher.is_live("ord_0001")
            after_error = len(photon.gets)
            await h.time.advance(300)
            assert len(photon.gets) == after_error  # the detail is open, yet no polling
            h.watcher.refresh_order("ord_0001")
            await settle()
            assert len(photon.gets) == after_error + 1
            release()

    run(scenario())


def test_an_open_detail_is_polled_faster_by_id(run: Run) -> None:
    photon = FakePhoton([order(1), order(2)])

    async def scenario() -> None:
        async with watching(photon) as h:
            release = h.watcher.focus("ord_0002")
            await h.time.advance(20)
            assert set(photon.gets) == {"ord_0002"} and 4 <= len(photon.gets) <= 6
            release()
            before = len(photon.gets)
            await h.time.advance(60)
            assert len(photon.gets) == before

    run(scenario())


def test_pause_stops_requests_and_resume_polls_once(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            h.watcher.pause(MINIMIZED)
            await settle()
            before = h.requests
            await h.time.advance(600)
            assert h.requests == before
            assert h.watcher.state.status is WatchStatus.PAUSED
            assert not h.watcher.is_live("ord_0001")
            photon.set(order(1, OrderState.COMPLETED))
            h.watcher.resume(MINIMIZED)
            await settle()
            assert h.requests == before + 2  # one list round + reading the order that left it
            assert len(h.changes) == 1

    run(scenario())


def test_offline_backs_off_and_a_reconnect_brings_one_batch(run: Run) -> None:
    photon = FakePhoton([order(n) for n in range(5)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.fail_always = OfflineError("Photon cannot be reached.")
            await h.time.advance(30)
            assert h.watcher.state.status is WatchStatus.OFFLINE
            failed_at = len(photon.pages)
            await h.time.advance(300)
            tries = len(photon.pages) - failed_at
            assert 2 <= tries <= 6  # 5, 10, 20, 40, 80... not every second
            for n in range(5):
                photon.set(order(n, OrderState.COMPLETED))
            photon.fail_always = None
            h.updates.clear()
            h.watcher.network_restored()
            await settle()
            assert h.watcher.state.status is WatchStatus.WATCHING
            assert len(h.updates) == 1 and len(h.updates[0].changes) == 5

    run(scenario())


def test_rate_limit_waits_at_least_retry_after(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.fail.append(RateLimited("Too many requests.", retry_after=120))
            await h.time.advance(30)
            assert h.watcher.state.status is WatchStatus.BACKING_OFF
            limited_at = len(photon.pages)
            await h.time.advance(119)
            assert len(photon.pages) == limited_at
            await h.time.advance(2)
            assert len(photon.pages) == limited_at + 1
            assert h.watcher.state.status is WatchStatus.WATCHING

    run(scenario())


def test_server_errors_back_off_exponentially(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.fail_always = ServerError("Photon had a problem.", status=503)
            await h.time.advance(30)
            start = len(photon.pages)
            await h.time.advance(5 + 10 + 20)
            assert len(photon.pages) - start == 3

    run(scenario())


def test_sign_in_required_pauses_until_signed_in_again(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            photon.fail.append(SignInRequired("Please sign in again."))
            await h.time.advance(30)
            assert h.watcher.state.status is WatchStatus.SIGNED_OUT
            before = h.requests
            await h.time.advance(600)
            assert h.requests == before
            h.watcher.resume("signed-out")
            await settle()
            assert h.requests == before + 1

    run(scenario())


def test_an_older_reading_never_overwrites_a_newer_one(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            stale_started = h.watcher.now()
            await h.time.advance(1)
            h.watcher.merge([order(1, OrderState.COMPLETED)], h.watcher.now())
            h.watcher.merge([order(1)], stale_started)  # a slow list page that began earlier
            assert h.watcher.get("ord_0001").state is OrderState.COMPLETED  # type: ignore[union-attr]
            assert [c.order.state for c in h.changes] == [OrderState.COMPLETED]

    run(scenario())


def test_a_list_reading_keeps_the_fills_a_detail_brought(run: Run) -> None:
    from photon_desktop.domain import Fill, FillState

    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            fill = Fill(id="fil_1", state=FillState.SENT, requested_at=T0)
            h.watcher.merge([order(1, fills=(fill,))], h.watcher.now())
            await h.time.advance(30)
            assert h.watcher.get("ord_0001").fills == (fill,)  # type: ignore[union-attr]

    run(scenario())


def test_interval_is_the_users_setting(run: Run) -> None:
    photon = FakePhoton([order(1)])

    async def scenario() -> None:
        async with watching(photon) as h:
            h.watcher.set_interval(120)
            await settle()
            before = len(photon.pages)
            await h.time.advance(240)
            assert len(photon.pages) - before == 2

    run(scenario())
