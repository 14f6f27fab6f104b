"""How an order moves through its pharmacy, derived from timestamps and the order clock.

Nothing is stored as "current": the state, fulfillment step, carrier and tracking number of an
order are computed from when it reached its pharmacy and the instant asked about.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from photon_desktop.sandbox.demo import MAIL_ORDER, PICK_UP, Pharmacy
from photon_desktop.sandbox.records import Fulfillment

if TYPE_CHECKING:
    from photon_desktop.sandbox.store import Store

# An order is PENDING this long before it is sent (PLACED) or waits for a pharmacy (ROUTING).
PENDING_SECONDS = 60.0
# Fulfillment steps as (seconds after the order reached the pharmacy, state). With clock speed 60,
# a pick-up order walks SENT -> PICKED_UP in one real minute.
PICK_UP_STEPS: tuple[tuple[float, str], ...] = (
    (0.0, "SENT"),
    (300.0, "RECEIVED"),
    (1200.0, "READY"),
    (3600.0, "PICKED_UP"),
)
MAIL_STEPS: tuple[tuple[float, str], ...] = (
    (0.0, "SENT"),
    (300.0, "RECEIVED"),
    (1200.0, "FILLING"),
    (3600.0, "SHIPPED"),
    (10800.0, "DELIVERED"),
)
FINAL_STEPS = frozenset({"PICKED_UP", "DELIVERED"})
DISPENSED_STEPS = frozenset({"READY", "FILLING", "SHIPPED", "PICKED_UP", "DELIVERED"})
CARRIERS = ("UPS", "USPS", "FedEx")


class OrderProgress:
    """Order, fulfillment and fill states of one store's orders at any instant."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def fulfillment_type(self, pharmacy: Pharmacy) -> str:
        return PICK_UP if PICK_UP in pharmacy.fulfillment_types else MAIL_ORDER

    def _step(self, o: int, now: float) -> tuple[str, tuple[tuple[float, str], ...], float] | None:
        """(fulfillment state, steps, placed time) of an order that reached its pharmacy."""
        pharmacy = self.store.pharmacy_of(o)
        placed = self.store.ord_placed[o]
        if pharmacy is None or now < placed:
            return None
        steps = PICK_UP_STEPS if self.fulfillment_type(pharmacy) == PICK_UP else MAIL_STEPS
        elapsed = now - placed
        state = steps[0][1]
        for offset, name in steps:
            if elapsed >= offset:
                state = name
        return state, steps, placed

    def order_state_at(self, o: int, now: float) -> str:
        fate = self.store.ord_fate[o]
        if fate:
            return fate
        if self.store.ord_pharmacy[o] < 0:
            return "PENDING" if now - self.store.ord_created[o] < PENDING_SECONDS else "ROUTING"
        step = self._step(o, now)
        if step is None:
            return "PENDING"
        return "COMPLETED" if step[0] in FINAL_STEPS else "PLACED"

    def fulfillment_at(self, o: int, now: float) -> Fulfillment | None:
        """Pharmacy progress; a canceled order keeps the step it had reached when canceled."""
        if self.store.ord_fate[o] == "ERROR":
            return None
        if self.store.ord_fate[o] == "CANCELED":
            canceled = self.store._ord_canceled.get(o)
            if canceled is None:
                return None  # demo orders canceled before the pharmacy saw them
            now = min(now, canceled[0])
        step = self._step(o, now)
        if step is None:
            return None
        state, steps, placed = step
        pharmacy = self.store.pharmacy_of(o)
        assert pharmacy is not None
        kind = self.fulfillment_type(pharmacy)
        shipped = state in ("SHIPPED", "DELIVERED")
        ready_offset = steps[2][0]
        minutes = None
        ready_at = None
        if kind == PICK_UP and state in ("SENT", "RECEIVED"):
            minutes = max(0, int((placed + ready_offset - now + 59) // 60))
            ready_at = datetime.fromtimestamp(placed + ready_offset, tz=UTC)
        return Fulfillment(
            type=kind,
            state=state,
            carrier=CARRIERS[o % len(CARRIERS)] if shipped else None,
            tracking_number=f"1Z{(o * 2_654_435_761 + self.store.seed) % 10**16:016d}"
            if shipped
            else None,
            minutes_until_ready=minutes,
            ready_at=ready_at,
        )

    def order_exceptions(self, o: int) -> list[dict[str, Any]]:
        """Problems raised on the order: demo ERROR orders could not reach their pharmacy."""
        if self.store.ord_fate[o] != "ERROR":
            return []
        raised = datetime.fromtimestamp(self.store.ord_created[o] + PENDING_SECONDS, tz=UTC)
        return [
            {
                "type": "PHARMACY_UNREACHABLE",
                "createdAt": raised,
                "resolvedAt": None,
                "message": "The pharmacy did not acknowledge the order; route it elsewhere.",
            }
        ]

    def fill_state_at(self, f: int, now: float) -> str:
        o = self.store.fill_order[f]
        state = self.order_state_at(o, now)
        if state == "CANCELED":
            return "CANCELED"
        if state in ("PENDING", "ROUTING", "ERROR"):
            return "NEW"
        return "SENT"

    def filled_at(self, f: int, now: float) -> datetime | None:
        o = self.store.fill_order[f]
        if self.store.ord_fate[o]:
            return None
        step = self._step(o, now)
        if step is None or step[0] not in DISPENSED_STEPS:
            return None
        return datetime.fromtimestamp(step[2] + step[1][2][0], tz=UTC)
