"""What needs a person's attention: the rules of the "Needs attention" worklist, in one place.

- an order in ERROR, or with an open pharmacy problem (``Order.exceptions``);
- an order still ROUTING (the patient has not picked a pharmacy) longer than a threshold;
- an order ready for pickup for more than N days;
- an ACTIVE prescription with fills left that expires within N days.

Orders come from the order watcher (no extra requests); expiring prescriptions are read here,
paged, when the worklist is refreshed. Both are turned into rows with the thresholds in force at
that moment, so a changed threshold needs no new reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from photon_desktop.domain import (
    FulfillmentState,
    Order,
    OrderState,
    Prescription,
    PrescriptionState,
)
from photon_desktop.services.prescriptions import PrescriptionsService

#: Pages of ACTIVE prescriptions read at most per refresh (each ``PAGE`` long).
MAX_PAGES = 20
PAGE = 100


class Attention(Enum):
    ERROR = "Error"
    PROBLEM = "Pharmacy problem"
    ROUTING = "Waiting for a pharmacy"
    READY = "Not picked up"
    EXPIRING = "Expiring with fills left"


@dataclass(frozen=True, slots=True)
class Thresholds:
    routing: timedelta = timedelta(hours=24)
    ready: timedelta = timedelta(days=3)
    expiring: timedelta = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One row: why, since when, and the order or prescription it is about."""

    kind: Attention
    reason: str
    since: datetime | date | None
    order: Order | None = None
    prescription: Prescription | None = None

    @property
    def key(self) -> str:
        record = self.order or self.prescription
        return f"{self.kind.name}:{record.id if record else ''}"

    @property
    def patient_id(self) -> str | None:
        record = self.order or self.prescription
        return record.patient_id if record else None


def problem_label(code: str) -> str:
    """``PA_REQUIRED`` → "PA required", ``REFILL_TOO_SOON`` → "Refill too soon"."""
    words = [w for w in code.split("_") if w]
    if not words:
        return "Problem"
    keep = len(words[0]) <= 3 and words[0].isupper()  # OOS, PA, RX: abbreviations stay
    first = words[0] if keep else words[0].capitalize()
    return " ".join([first, *(w.lower() for w in words[1:])])


def _days(delta: timedelta) -> str:
    days = delta.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, int(delta.total_seconds() // 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def order_items(
    orders: Iterable[Order],
    since: Callable[[str], datetime | None],
    now: datetime,
    thresholds: Thresholds,
) -> list[AttentionItem]:
    """The orders that need attention (one row per order: its most urgent reason)."""
    items: list[AttentionItem] = []
    for order in orders:
        open_problems = [e for e in order.exceptions if e.resolved_at is None]
        if order.state is OrderState.ERROR:
            text = open_problems[0].message or open_problems[0].type if open_problems else ""
            items.append(
                AttentionItem(
                    Attention.ERROR,
                    text or "The order failed. Reroute or cancel it.",
                    (open_problems[0].created_at if open_problems else None) or order.created_at,
                    order=order,
                )
            )
        elif open_problems and order.state not in (OrderState.COMPLETED, OrderState.CANCELED):
            first = open_problems[0]
            label = problem_label(first.type)
            items.append(
                AttentionItem(
                    Attention.PROBLEM,
                    f"{label}: {first.message}" if first.message else label,
                    first.created_at or order.created_at,
                    order=order,
                )
            )
        elif order.state is OrderState.ROUTING:
            waited = now - order.created_at
            if waited > thresholds.routing:
                items.append(
                    AttentionItem(
                        Attention.ROUTING,
                        f"No pharmacy chosen after {_days(waited)}",
                        order.created_at,
                        order=order,
                    )
                )
        elif order.fulfillment is not None and order.fulfillment.state is FulfillmentState.READY:
            ready = _ready_since(order, since(order.id))
            if ready is not None and now - ready > thresholds.ready:
                items.append(
                    AttentionItem(
                        Attention.READY,
                        f"Ready for pickup for {_days(now - ready)}",
                        ready,
                        order=order,
                    )
                )
    return items


def _ready_since(order: Order, seen: datetime | None) -> datetime | None:
    estimated = order.fulfillment.pharmacy_estimated_ready_at if order.fulfillment else None
    known = [t for t in (estimated, seen) if t is not None]
    return min(known) if known else None


def prescription_items(
    prescriptions: Iterable[Prescription], today: date, thresholds: Thresholds
) -> list[AttentionItem]:
    horizon = today + thresholds.expiring
    items = []
    for rx in prescriptions:
        if rx.state is not PrescriptionState.ACTIVE or rx.fills_remaining <= 0:
            continue
        if today <= rx.expiration_date <= horizon:
            left = (rx.expiration_date - today).days
            fills = f"{rx.fills_remaining} fill{'s' if rx.fills_remaining != 1 else ''} left"
            when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
            items.append(
                AttentionItem(
                    Attention.EXPIRING,
                    f"Expires {when}, {fills}",
                    rx.expiration_date,
                    prescription=rx,
                )
            )
    return items


async def expiring_prescriptions(
    prescriptions: PrescriptionsService, today: date, within: timedelta
) -> list[Prescription]:
    """ACTIVE prescriptions with fills left that expire ``within`` of today (reads every ACTIVE
    page). A caller reads as far ahead as its threshold may ever reach and applies the threshold
    itself with ``prescription_items``."""
    thresholds = Thresholds(expiring=within)
    found: list[Prescription] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = await prescriptions.list(state=PrescriptionState.ACTIVE, after=after, first=PAGE)
        found.extend(
            i.prescription
            for i in prescription_items(page.items, today, thresholds)
            if i.prescription
        )
        if not page.has_more:
            break
        after = page.cursor
    return found


URGENCY = {
    Attention.ERROR: 0,
    Attention.PROBLEM: 1,
    Attention.READY: 2,
    Attention.ROUTING: 3,
    Attention.EXPIRING: 4,
}


def sort_items(items: Iterable[AttentionItem]) -> list[AttentionItem]:
    """Most urgent kind first; within a kind, the longest-waiting first."""

    def key(item: AttentionItem) -> tuple[int, str]:
        since = item.since.isoformat() if item.since is not None else "9999"
        return URGENCY[item.kind], since

    return sorted(items, key=key)
