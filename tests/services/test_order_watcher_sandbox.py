"""The order watcher against a real sandbox over HTTP, its order clock moved by /admin/clock.

The watcher's own time is fake (no real waiting); the sandbox's simulated time is jumped forward
so a pick-up order walks PENDING -> PLACED (SENT) -> READY -> COMPLETED.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from test_sandbox_services import ADDRESS, active_prescription, services
from watch_fakes import FakeTime, settle

from photon_desktop.domain import FulfillmentType, OrderState
from photon_desktop.services import Services
from photon_desktop.services.order_changes import ChangeKind, WatchUpdate
from photon_desktop.services.order_watcher import (
    GraphQLOrderFetcher,
    OrderWatcher,
    WatchStatus,
)


def operations(sandbox: Any) -> dict[str, int]:
    return dict(sandbox.stats()["graphql_requests"])


def jump(sandbox: Any, seconds: float) -> None:
    response = sandbox.admin("PUT", "clock", {"advance_seconds": seconds})
    assert response.status_code == 200, response.text


class Live:
    def __init__(self, s: Services) -> None:
        self.time = FakeTime()
        self.watcher = OrderWatcher(
            GraphQLOrderFetcher(s.client, s.orders), clock=self.time.clock, sleep=self.time.sleep
        )
        self.updates: list[WatchUpdate] = []
        self.watcher.subscribe(self.updates.append)

    def changes_of(self, order_id: str) -> list[ChangeKind]:
        return [c.primary for u in self.updates for c in u.changes if c.order.id == order_id]

    async def tick(self, seconds: float = 30) -> None:
        """Let ``seconds`` of watcher time pass and wait for the round it triggers."""
        rounds = self.watcher.counters.finished_rounds
        await self.time.advance(seconds)
        await self.until(lambda: self.watcher.counters.finished_rounds > rounds)

    async def until(self, condition: Any) -> None:
        for _ in range(1000):
            if condition():
                await settle()
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition never held")


@asynccontextmanager
async def live(s: Services) -> AsyncIterator[Live]:
    lv = Live(s)
    task = asyncio.ensure_future(lv.watcher.run())
    await lv.until(lambda: lv.watcher.loaded)
    try:
        yield lv
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def new_pick_up_order(s: Services) -> str:
    patient_id, rx_id = await active_prescription(s)
    pharmacies = await s.catalog.pharmacies(fulfillment=FulfillmentType.PICK_UP, first=1)
    order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacies.items[0].id)
    assert order.state is OrderState.PENDING
    return order.id


def test_a_pick_up_order_is_announced_once_per_change_then_left_alone(
    fresh_sandbox: Any, on_qt: Any
) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http)
        order_id = await new_pick_up_order(s)
        async with live(s) as lv:
            assert lv.watcher.get(order_id).state is OrderState.PENDING  # type: ignore[union-attr]
            jump(sandbox, 61)  # the pharmacy receives it: PLACED (SENT)
            await lv.tick()
            assert lv.changes_of(order_id) == [ChangeKind.STATE]
            await lv.tick()  # nothing new: nothing said
            assert lv.changes_of(order_id) == [ChangeKind.STATE]
            jump(sandbox, 1200)  # READY for pick-up
            await lv.tick()
            assert lv.changes_of(order_id) == [ChangeKind.STATE, ChangeKind.READY]
            jump(sandbox, 2400)  # picked up: COMPLETED
            await lv.tick()
            assert lv.changes_of(order_id) == [ChangeKind.STATE, ChangeKind.READY, ChangeKind.STATE]
            assert lv.watcher.get(order_id).state is OrderState.COMPLETED  # type: ignore[union-attr]
            gets = operations(sandbox).get("GetOrder", 0)
            release = lv.watcher.focus(order_id)
            for _ in range(4):
                await lv.tick()
            release()
            assert operations(sandbox).get("GetOrder", 0) == gets  # a completed order: no polls

    on_qt(scenario)


def test_error_orders_are_loaded_but_never_polled(fresh_sandbox: Any, on_qt: Any) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http)
        async with live(s) as lv:
            errored = [o for o in lv.watcher.orders() if o.state is OrderState.ERROR]
            assert errored, "the demo data has orders in ERROR"
            assert errored[0].exceptions, "the watch query brings the pharmacy's problems"
            before = operations(sandbox)
            release = lv.watcher.focus(errored[0].id)  # its detail is open
            for _ in range(3):
                await lv.tick(30)
            release()
            after = operations(sandbox)
            assert after.get("GetOrder", 0) == before.get("GetOrder", 0)
            assert not lv.watcher.is_live(errored[0].id)
            lv.watcher.refresh_order(errored[0].id)  # the user asks: read once
            await lv.until(
                lambda: operations(sandbox).get("GetOrder", 0) == 1 + after.get("GetOrder", 0)
            )

    on_qt(scenario)


def test_offline_pauses_and_reconnect_brings_one_batch(fresh_sandbox: Any, on_qt: Any) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http, attempts=1)
        first = await new_pick_up_order(s)
        second = await new_pick_up_order(s)
        async with live(s) as lv:
            sandbox.set_faults(drop_rate=1.0)
            await lv.tick()
            assert lv.watcher.state.status is WatchStatus.OFFLINE
            jump(sandbox, 61 + 1200)  # both become READY while we cannot see them
            dropped = operations(sandbox).get("WatchOrders", 0)
            await lv.time.advance(4)  # inside the first backoff: no request
            await asyncio.sleep(0.2)
            assert operations(sandbox).get("WatchOrders", 0) == dropped
            sandbox.reset_faults()
            lv.updates.clear()
            lv.watcher.network_restored()
            await lv.until(lambda: lv.watcher.state.status is WatchStatus.WATCHING)
            assert len([u for u in lv.updates if u.changes]) == 1  # one batch, not a storm
            assert lv.changes_of(first) == [ChangeKind.READY]
            assert lv.changes_of(second) == [ChangeKind.READY]

    on_qt(scenario)


def test_a_429_is_waited_out_as_long_as_retry_after_says(fresh_sandbox: Any, on_qt: Any) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http, attempts=1)
        async with live(s) as lv:
            sandbox.fail_next({"kind": "rate_limit", "retry_after": 120})
            await lv.tick()
            assert lv.watcher.state.status is WatchStatus.BACKING_OFF
            limited = operations(sandbox).get("WatchOrders", 0)
            await lv.time.advance(119)
            await asyncio.sleep(0.2)
            assert operations(sandbox).get("WatchOrders", 0) == limited
            await lv.tick(2)
            assert operations(sandbox).get("WatchOrders", 0) == limited + 1
            assert lv.watcher.state.status is WatchStatus.WATCHING

    on_qt(scenario)
