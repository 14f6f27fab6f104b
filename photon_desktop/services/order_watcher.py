"""One watcher keeps every open order current, so every view of an order shows the same state.

Plain asyncio (no Qt): the UI subscribes and turns callbacks into signals. What it polls:

- every order in ROUTING, PENDING or PLACED, with ONE ``WatchOrders`` request per round (a page of
  each open state, aliased); a state with more than ``page_size`` orders adds pages, so 50 open
  orders cost one request per interval, 500 cost about ``500 / page_size`` (see the benchmark);
- an order that leaves those lists is read once by id (``GetOrder``) to learn where it went;
- orders whose detail is open (``focus``) by id, on the shorter ``focus_interval``.

It never polls an order that is COMPLETED or CANCELED, nor one in ERROR: an ERROR waits for the
user (``refresh_order``) or a manual ``refresh`` (which also reloads the ERROR list). It pauses
while any pause reason is set (signed out, minimized, screen locked: the UI tells it), waits out
an offline network with growing probes, and backs off on server errors and 429, never sooner than
the server's ``Retry-After``.

Time comes from injected ``clock``/``sleep``, so tests never wait in real time. Records fetched
elsewhere (the order list, the detail) are offered with ``merge``; the newest observation wins,
judged by when its request *started*.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from photon_desktop.domain import (
    Order,
    OrderState,
)
from photon_desktop.errors import (
    NotFound,
    OfflineError,
    PhotonError,
    RateLimited,
    SignInRequired,
)
from photon_desktop.services.order_changes import (
    MINIMIZED,
    SCREEN_LOCKED,
    SIGNED_OUT,
    OrderChange,
    WatchSettings,
    WatchState,
    WatchStatus,
    WatchUpdate,
    describe_change,
    keep_fills,
)
from photon_desktop.services.order_fetch import OPEN_STATES, GraphQLOrderFetcher, OrderFetcher

__all__ = [
    "MINIMIZED",
    "SCREEN_LOCKED",
    "SIGNED_OUT",
    "OrderWatcher",
    "WatchSettings",
    "WatchState",
]

if TYPE_CHECKING:
    from photon_desktop.services import Services

log = logging.getLogger(__name__)

FINAL_STATES = frozenset({OrderState.COMPLETED, OrderState.CANCELED})
#: Orders the watcher does not poll again on its own.
UNPOLLED_STATES = FINAL_STATES | {OrderState.ERROR}

UpdateListener = Callable[[WatchUpdate], None]
StatusListener = Callable[[WatchState], None]


@dataclass(slots=True)
class _Counters:
    """Requests sent, by kind (for tests, the benchmark and the log)."""

    list_requests: int = 0
    order_requests: int = 0
    rounds: int = 0
    finished_rounds: int = 0  # rounds that ended (answered, failed or not)

    @property
    def requests(self) -> int:
        return self.list_requests + self.order_requests


@dataclass(slots=True)
class _Focus:
    counts: dict[str, int] = field(default_factory=dict)
    due: float = 0.0


class OrderWatcher:
    """Polls open orders and tells subscribers; ``await run()`` until cancelled."""

    def __init__(
        self,
        fetcher: OrderFetcher,
        settings: WatchSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._fetcher = fetcher
        self.settings = settings or WatchSettings()
        self._clock = clock
        self._sleep = sleep
        self._wall = wall_clock
        self._orders: dict[str, Order] = {}
        self._observed: dict[str, float] = {}  # order id -> start time of its newest reading
        self._since: dict[str, tuple[object, datetime]] = {}  # id -> (state seen, first seen at)
        self._loaded = False
        self._want_errors = True
        self._list_due = 0.0
        self._focus = _Focus()
        self._explicit: set[str] = set()  # orders to read once, now (manual refresh)
        self._pauses: set[str] = set()
        self._failures = 0
        self._retry_at: float | None = None
        self._state = WatchState(WatchStatus.STOPPED)
        self._wake = asyncio.Event()
        self._update_listeners: list[UpdateListener] = []
        self._status_listeners: list[StatusListener] = []
        self.counters = _Counters()

    @classmethod
    def for_services(
        cls, services: Services, settings: WatchSettings | None = None
    ) -> OrderWatcher:
        """The watcher of one environment, reading through its shared client."""
        return cls(GraphQLOrderFetcher(services.client, services.orders), settings)

    # ------------------------------------------------------------------ reading

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def orders(self) -> list[Order]:
        """Every order the watcher knows, newest first."""
        return sorted(self._orders.values(), key=lambda o: o.created_at, reverse=True)

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders() if o.state in OPEN_STATES]

    def since(self, order_id: str) -> datetime | None:
        """When the watcher first saw the order in its current state and fulfillment step."""
        entry = self._since.get(order_id)
        return entry[1] if entry else None

    @property
    def state(self) -> WatchState:
        return self._state

    @property
    def loaded(self) -> bool:
        """True once the first full round has come back."""
        return self._loaded

    def is_live(self, order_id: str) -> bool:
        """True while this order is polled automatically (not final, not ERROR, not paused)."""
        order = self._orders.get(order_id)
        if order is None or order.state in UNPOLLED_STATES:
            return False
        return self._state.status in (WatchStatus.WATCHING, WatchStatus.BACKING_OFF)

    # ------------------------------------------------------------------ subscribing

    def subscribe(
        self, on_update: UpdateListener, on_status: StatusListener | None = None
    ) -> Callable[[], None]:
        """Call ``on_update`` after each round that changed something; returns an unsubscribe."""
        self._update_listeners.append(on_update)
        if on_status is not None:
            self._status_listeners.append(on_status)

        def unsubscribe() -> None:
            if on_update in self._update_listeners:
                self._update_listeners.remove(on_update)
            if on_status is not None and on_status in self._status_listeners:
                self._status_listeners.remove(on_status)

        return unsubscribe

    # ------------------------------------------------------------------ telling it things

    def now(self) -> float:
        """The watcher's clock: take it *before* a request whose records you will ``merge``."""
        return self._clock()

    def merge(self, orders: Iterable[Order], started: float) -> WatchUpdate:
        """Records read elsewhere (a list page, a detail); newer readings win, older are ignored."""
        return self._apply(orders, started, announce=self._loaded)

    def focus(self, order_id: str) -> Callable[[], None]:
        """Poll this order every ``focus_interval`` while its detail is open; call to release."""
        counts = self._focus.counts
        counts[order_id] = counts.get(order_id, 0) + 1
        self._focus.due = self._clock()
        self._wake.set()
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            left = counts.get(order_id, 0) - 1
            if left > 0:
                counts[order_id] = left
            else:
                counts.pop(order_id, None)

        return release

    def refresh(self) -> None:
        """Poll everything now, including the ERROR list (F5, a reconnect, the user's button)."""
        self._want_errors = True
        self._list_due = self._clock()
        self._retry_at = None
        self._wake.set()

    def refresh_order(self, order_id: str) -> None:
        """Read one order now, even in ERROR (the user acted on it or asked for it)."""
        self._explicit.add(order_id)
        self._wake.set()

    def set_interval(self, seconds: float) -> None:
        """The user's polling interval (at least the focus interval)."""
        seconds = max(self.settings.focus_interval, float(seconds))
        self.settings = dataclasses.replace(self.settings, interval=seconds)
        if self._loaded:
            self._list_due = min(self._list_due, self._clock() + seconds)
        self._wake.set()

    def pause(self, reason: str) -> None:
        if reason not in self._pauses:
            self._pauses.add(reason)
            self._set_status()
            self._wake.set()

    def resume(self, reason: str) -> None:
        if reason in self._pauses:
            self._pauses.discard(reason)
            if not self._pauses and self._loaded:
                # Coming back (unlocked, restored): one prompt round, not one per missed interval.
                self._list_due = min(self._list_due, self._clock())
            self._set_status()
            self._wake.set()

    def network_restored(self) -> None:
        """Another request got through: probe now instead of waiting out the offline backoff."""
        if self._state.status is WatchStatus.OFFLINE:
            self._retry_at = None
            self._list_due = self._clock()
            self._wake.set()

    # ------------------------------------------------------------------ running

    async def run(self) -> None:
        """Poll until cancelled."""
        self._set_status()
        try:
            while True:
                self._wake.clear()
                if self._pauses:
                    await self._wake.wait()
                    continue
                now = self._clock()
                due = self._next_due(now)
                if due > now:
                    await self._wait(due - now)
                    continue
                await self._round(now)
        finally:
            self._state = WatchState(WatchStatus.STOPPED)
            self._emit_status()

    def _next_due(self, now: float) -> float:
        if self._retry_at is not None:
            return self._retry_at if not self._explicit else now
        due = self._list_due
        if self._explicit:
            due = now
        if self._focused_open():
            due = min(due, self._focus.due)
        return due

    def _focused_open(self) -> list[str]:
        return [
            i
            for i in self._focus.counts
            if (o := self._orders.get(i)) is None or o.state not in UNPOLLED_STATES
        ]

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` or until woken (a focus, refresh, pause or resume)."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def _round(self, now: float) -> None:
        """Whatever is due now: the full list, the focused orders, orders asked for by hand."""
        self.counters.rounds += 1
        try:
            if self._retry_at is not None or now >= self._list_due:
                await self._poll_all()
                self._list_due = self._clock() + self.settings.interval
                self._focus.due = self._clock() + self.settings.focus_interval
            else:
                ids = set(self._explicit)
                if now >= self._focus.due:
                    ids.update(self._focused_open())
                    self._focus.due = now + self.settings.focus_interval
                await self._poll_ids(sorted(ids))
            self._explicit.clear()
        except SignInRequired as error:
            self._failed(error, sign_in=True)
        except PhotonError as error:
            self._failed(error)
        else:
            if self._failures or self._state.status is not WatchStatus.WATCHING:
                self._failures = 0
                self._retry_at = None
                self._set_status()
        finally:
            self.counters.finished_rounds += 1

    async def _poll_all(self) -> None:
        started = self._clock()
        states: tuple[OrderState, ...] = OPEN_STATES
        if self._want_errors:
            states = (*OPEN_STATES, OrderState.ERROR)
        cursors: dict[OrderState, str | None] = dict.fromkeys(states)
        seen: dict[str, Order] = {}
        first = self.settings.page_size
        while cursors:
            self.counters.list_requests += 1
            page = await self._fetcher.open_page(cursors, first)
            following: dict[OrderState, str | None] = {}
            for state in cursors:
                items = page.get(state, ())
                for order in items:
                    seen[order.id] = order
                if len(items) >= first:
                    following[state] = items[-1].id
            cursors = following
        self._want_errors = False
        # An order that left the open lists (completed, canceled, error) is read once by id.
        gone = [
            i for i, o in self._orders.items() if o.state not in UNPOLLED_STATES and i not in seen
        ]
        gone.extend(i for i in self._explicit if i not in seen and i not in gone)
        found, missing = await self._read(gone)
        seen.update({o.id: o for o in found})
        for order_id in missing:
            self._forget(order_id)
        first = not self._loaded
        update = self._apply(seen.values(), started, announce=self._loaded)
        self._loaded = True
        if first and not update.updated:
            self._tell(update)  # "loaded, nothing open" is news to a view waiting for it

    async def _poll_ids(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        started = self._clock()
        found, missing = await self._read(ids)
        for order_id in missing:
            self._forget(order_id)
        self._apply(found, started, announce=self._loaded)

    async def _read(self, ids: Iterable[str]) -> tuple[list[Order], list[str]]:
        found: list[Order] = []
        missing: list[str] = []
        for order_id in ids:
            self.counters.order_requests += 1
            try:
                found.append(await self._fetcher.get(order_id))
            except NotFound:
                missing.append(order_id)
        return found, missing

    def _forget(self, order_id: str) -> None:
        self._orders.pop(order_id, None)
        self._since.pop(order_id, None)

    # ------------------------------------------------------------------ results

    def _apply(self, orders: Iterable[Order], started: float, *, announce: bool) -> WatchUpdate:
        updated: list[Order] = []
        changes: list[OrderChange] = []
        for new in orders:
            if self._observed.get(new.id, float("-inf")) > started:
                continue  # a newer reading already arrived
            self._observed[new.id] = started
            old = self._orders.get(new.id)
            if old is not None:
                new = keep_fills(new, old)
                if new == old:
                    continue
            self._orders[new.id] = new
            self._note_since(new)
            updated.append(new)
            if old is not None and announce:
                change = describe_change(old, new)
                if change is not None:
                    changes.append(change)
        update = WatchUpdate(tuple(updated), tuple(changes))
        if updated:
            self._tell(update)
        return update

    def _tell(self, update: WatchUpdate) -> None:
        for listener in list(self._update_listeners):
            try:
                listener(update)
            except Exception:  # a broken view must not stop the watcher
                log.exception("order watcher subscriber failed")

    def _note_since(self, order: Order) -> None:
        step = (order.state, order.fulfillment.state if order.fulfillment else None)
        entry = self._since.get(order.id)
        if entry is None or entry[0] != step:
            self._since[order.id] = (step, self._wall())

    def _failed(self, error: PhotonError, *, sign_in: bool = False) -> None:
        self._failures += 1
        backoff = min(
            self.settings.max_backoff,
            self.settings.first_backoff * 2 ** (self._failures - 1),
        )
        if isinstance(error, RateLimited) and error.retry_after is not None:
            backoff = max(backoff, float(error.retry_after))
        self._retry_at = self._clock() + backoff
        self._explicit.clear()
        log.info("order watch failed (%s); next try in %.0f s", type(error).__name__, backoff)
        if sign_in:
            self._pauses.add(SIGNED_OUT)
            self._retry_at = None
        status = WatchStatus.OFFLINE if isinstance(error, OfflineError) else WatchStatus.BACKING_OFF
        self._set_status(status, retry_in=backoff, error=str(error))

    # ------------------------------------------------------------------ status

    def _set_status(
        self,
        failing: WatchStatus | None = None,
        *,
        retry_in: float | None = None,
        error: str | None = None,
    ) -> None:
        if SIGNED_OUT in self._pauses:
            state = WatchState(WatchStatus.SIGNED_OUT, frozenset(self._pauses))
        elif self._pauses:
            state = WatchState(WatchStatus.PAUSED, frozenset(self._pauses))
        elif failing is not None:
            state = WatchState(failing, retry_in=retry_in, error=error)
        elif self._retry_at is not None and self._state.status in (
            WatchStatus.OFFLINE,
            WatchStatus.BACKING_OFF,
        ):
            state = WatchState(self._state.status, retry_in=self._state.retry_in)
        else:
            state = WatchState(WatchStatus.WATCHING)
        if state != self._state:
            self._state = state
            self._emit_status()

    def _emit_status(self) -> None:
        for listener in list(self._status_listeners):
            try:
                listener(self._state)
            except Exception:
                log.exception("order watcher status subscriber failed")
