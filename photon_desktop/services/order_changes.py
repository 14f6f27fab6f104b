"""What changed on an order between two readings, and which changes a person should hear about.

``describe_change`` is the one rule: a new state (ERROR is its own kind), ready for pickup,
shipped, or a pharmacy problem not seen before. Fulfillment steps in between (SENT, RECEIVED)
update the views but are not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import msgspec

from photon_desktop.domain import (
    FulfillmentState,
    FulfillmentType,
    Order,
    OrderException,
    OrderState,
)


class ChangeKind(Enum):
    """Why a change may deserve a notification (several can hold at once)."""

    STATE = "state"
    READY = "ready"
    SHIPPED = "shipped"
    ERROR = "error"
    EXCEPTION = "exception"


#: The most important kind first: a change is announced by its first kind in this order.
PRIORITY = (ChangeKind.ERROR, ChangeKind.EXCEPTION, ChangeKind.SHIPPED, ChangeKind.READY)


@dataclass(frozen=True, slots=True)
class OrderChange:
    """A change worth telling the user about (the new record, the one before, why)."""

    order: Order
    previous: Order
    kinds: frozenset[ChangeKind]
    new_exceptions: tuple[OrderException, ...] = ()

    @property
    def primary(self) -> ChangeKind:
        for kind in PRIORITY:
            if kind in self.kinds:
                return kind
        return ChangeKind.STATE


@dataclass(frozen=True, slots=True)
class WatchUpdate:
    """One round's result: every record that changed (``updated``) and what deserves telling."""

    updated: tuple[Order, ...]
    changes: tuple[OrderChange, ...]


def describe_change(old: Order, new: Order) -> OrderChange | None:
    """What changed between two readings of one order that a person should hear about."""
    kinds: set[ChangeKind] = set()
    if new.state is not old.state:
        kinds.add(ChangeKind.ERROR if new.state is OrderState.ERROR else ChangeKind.STATE)
    before = old.fulfillment.state if old.fulfillment else None
    after = new.fulfillment.state if new.fulfillment else None
    if after is not before:
        pick_up = new.fulfillment is not None and new.fulfillment.type is FulfillmentType.PICK_UP
        if after is FulfillmentState.READY and pick_up:
            kinds.add(ChangeKind.READY)
        if after is FulfillmentState.SHIPPED:
            kinds.add(ChangeKind.SHIPPED)
    known = {_exception_key(e) for e in old.exceptions}
    opened = tuple(
        e for e in new.exceptions if e.resolved_at is None and _exception_key(e) not in known
    )
    if opened:
        kinds.add(ChangeKind.EXCEPTION)
    if not kinds:
        return None
    return OrderChange(order=new, previous=old, kinds=frozenset(kinds), new_exceptions=opened)


def _exception_key(e: OrderException) -> tuple[str, datetime | None, str | None]:
    return (e.type, e.created_at, e.message)


def keep_fills(new: Order, old: Order) -> Order:
    """List pages carry no fills: keep the ones a detail read brought, rather than blank them."""
    if new.fills or not old.fills:
        return new
    return msgspec.structs.replace(new, fills=old.fills)


# What the watcher is told and tells (pause reasons, its settings and its state).

SIGNED_OUT = "signed-out"
MINIMIZED = "minimized"
SCREEN_LOCKED = "screen-locked"


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """Seconds between polls; ``interval`` is the user's setting (default 30 s)."""

    interval: float = 30.0
    focus_interval: float = 5.0
    page_size: int = 100
    first_backoff: float = 5.0
    max_backoff: float = 300.0


class WatchStatus(Enum):
    STOPPED = "stopped"
    WATCHING = "watching"
    PAUSED = "paused"
    OFFLINE = "offline"
    BACKING_OFF = "backing-off"
    SIGNED_OUT = "signed-out"


@dataclass(frozen=True, slots=True)
class WatchState:
    status: WatchStatus
    paused_by: frozenset[str] = frozenset()
    retry_in: float | None = None
    error: str | None = None
