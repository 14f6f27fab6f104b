"""Fakes for the order watcher's unit tests: a controllable clock and an in-memory Photon."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from photon_desktop.domain import (
    Fill,
    FulfillmentState,
    FulfillmentType,
    Name,
    Order,
    OrderException,
    OrderFulfillment,
    OrderState,
)
from photon_desktop.errors import NotFound, PhotonError

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FakeTime:
    """``clock``/``sleep`` for the watcher; ``advance`` moves time and wakes due sleepers."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return T0 + timedelta(seconds=self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    @property
    def sleeping(self) -> bool:
        """True while something waits in ``sleep`` (the watcher is between rounds)."""
        return any(not f.done() for _, f in self._sleepers)

    async def advance(self, seconds: float) -> None:
        """Move time forward in 1 s steps, letting the watcher run what falls due."""
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + 1.0)
            for due, future in list(self._sleepers):
                if due <= self.now and not future.done():
                    future.set_result(None)
            self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
            await settle()


async def settle() -> None:
    """Let every ready task run (the fake Photon answers without real I/O)."""
    for _ in range(30):
        await asyncio.sleep(0)


def order(
    n: int,
    state: OrderState = OrderState.PLACED,
    *,
    fulfillment: FulfillmentState | None = None,
    kind: FulfillmentType = FulfillmentType.PICK_UP,
    exceptions: tuple[OrderException, ...] = (),
    carrier: str | None = None,
    tracking: str | None = None,
    fills: tuple[Fill, ...] = (),
) -> Order:
    return Order(
        id=f"ord_{n:04d}",
        state=state,
        created_at=T0 - timedelta(minutes=n),
        patient_id=f"pat_{n:04d}",
        patient_name=Name(first="Ada", last=f"Lovelace{n}", full=f"Ada Lovelace{n}"),
        fulfillment=OrderFulfillment(
            type=kind, state=fulfillment, carrier=carrier, tracking_number=tracking
        )
        if fulfillment
        else None,
        exceptions=exceptions,
        fills=fills,
    )


class FakePhoton:
    """Orders in memory, answered like the ``WatchOrders`` page and ``GetOrder``."""

    def __init__(self, orders: Sequence[Order] = ()) -> None:
        self.orders: dict[str, Order] = {o.id: o for o in orders}
        self.pages: list[dict[OrderState, str | None]] = []
        self.gets: list[str] = []
        self.fail: list[PhotonError] = []  # raised by the next calls, in order
        self.fail_always: PhotonError | None = None

    def set(self, new: Order) -> None:
        self.orders[new.id] = new

    def _maybe_fail(self) -> None:
        if self.fail_always is not None:
            raise self.fail_always
        if self.fail:
            raise self.fail.pop(0)

    async def open_page(
        self, cursors: Mapping[OrderState, str | None], first: int
    ) -> Mapping[OrderState, Sequence[Order]]:
        self.pages.append(dict(cursors))
        self._maybe_fail()
        newest_first = sorted(self.orders.values(), key=lambda o: o.created_at, reverse=True)
        answer: dict[OrderState, list[Order]] = {}
        for state, after in cursors.items():
            rows = [o for o in newest_first if o.state is state]
            if after is not None:
                ids = [o.id for o in newest_first]
                position = ids.index(after)
                rows = [o for o in rows if ids.index(o.id) > position]
            answer[state] = rows[:first]
        return answer

    async def get(self, order_id: str) -> Order:
        self.gets.append(order_id)
        self._maybe_fail()
        if order_id not in self.orders:
            raise NotFound("This order was not found.")
        return self.orders[order_id]
