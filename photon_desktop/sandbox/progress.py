"""How an order moves through its pharmacy, derived from its plan and the order clock.

Nothing is stored as "current": the state, fulfillment step, exceptions, carrier and tracking
number of an order are computed from when it reached its pharmacy, the plan drawn for it then
(:mod:`pharmacy`) and the instant asked about.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from photon_desktop.sandbox.demo import MAIL_ORDER, PICK_UP, Pharmacy
from photon_desktop.sandbox.pharmacy import PharmacyRates, Plan, plan_for
from photon_desktop.sandbox.records import Fulfillment

if TYPE_CHECKING:
    from photon_desktop.sandbox.store import Store

# An order is PENDING this long before it is sent (PLACED) or waits for a pharmacy (ROUTING).
PENDING_SECONDS = 60.0
FINAL_STEPS = frozenset({"PICKED_UP", "DELIVERED"})
DISPENSED_STEPS = frozenset({"READY", "FILLING", "SHIPPED", "PICKED_UP", "DELIVERED"})
_PLAN_CACHE = 50_000
_UNREACHABLE = "The pharmacy did not acknowledge the order; route it elsewhere."


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


class OrderProgress:
    """Order, fulfillment and fill states of one store's orders at any instant."""

    def __init__(self, store: Store, rates: PharmacyRates) -> None:
        self.store = store
        self.rates = rates  # for orders reaching a pharmacy from now on
        self._demo_rates = rates  # demo orders: the rates the run started with
        self._rates_at: dict[int, PharmacyRates] = {}
        self._plans: dict[int, tuple[float, Plan]] = {}

    def arrived(self, o: int) -> None:
        """Order ``o`` was sent (again) to a pharmacy: its plan follows today's rates."""
        self._rates_at[o] = self.rates
        self._plans.pop(o, None)

    def fulfillment_type(self, pharmacy: Pharmacy) -> str:
        return PICK_UP if PICK_UP in pharmacy.fulfillment_types else MAIL_ORDER

    def plan(self, o: int) -> Plan | None:
        """The plan of an order at its pharmacy (None while it has none)."""
        pharmacy = self.store.pharmacy_of(o)
        if pharmacy is None:
            return None
        placed = self.store.ord_placed[o]
        cached = self._plans.get(o)
        if cached is not None and cached[0] == placed:
            return cached[1]
        rates = self._rates_at.get(o, self._demo_rates)
        plan = plan_for(self.store.seed, o, placed, self.fulfillment_type(pharmacy), rates)
        if rates.eventful:  # the quick path is cheaper to redo than to keep for 300k orders
            if len(self._plans) >= _PLAN_CACHE:
                self._plans.clear()  # a bounded cache: a plan is cheap to draw again
            self._plans[o] = (placed, plan)
        return plan

    def _step(self, o: int, now: float) -> tuple[str, Plan, float] | None:
        """(fulfillment state, plan, placed time) of an order that reached its pharmacy."""
        plan = self.plan(o)
        placed = self.store.ord_placed[o]
        if plan is None or now < placed:
            return None
        elapsed = now - placed
        if plan.error is not None:
            elapsed = min(elapsed, plan.error[2])  # the pharmacy stopped where it failed
        state = plan.steps[0][1]
        for offset, name in plan.steps:
            if elapsed >= offset:
                state = name
        return state, plan, placed

    def _failed(self, o: int, now: float) -> bool:
        plan = self.plan(o)
        return (
            plan is not None
            and plan.error is not None
            and now >= self.store.ord_placed[o] + plan.error[2]
        )

    def order_state_at(self, o: int, now: float) -> str:
        fate = self.store.ord_fate[o]
        if fate:
            return fate
        if self.store.ord_pharmacy[o] < 0:
            return "PENDING" if now - self.store.ord_created[o] < PENDING_SECONDS else "ROUTING"
        step = self._step(o, now)
        if step is None:
            return "PENDING"
        if self._failed(o, now):
            return "ERROR"
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
        state, plan, placed = step
        shipped = state in ("SHIPPED", "DELIVERED")
        minutes = None
        ready_at = None
        if plan.kind == PICK_UP and state in ("SENT", "RECEIVED") and not self._failed(o, now):
            ready = placed + plan.ready_offset
            minutes = max(0, int((ready - now + 59) // 60))
            ready_at = _at(ready)
        return Fulfillment(
            type=plan.kind,
            state=state,
            carrier=plan.carrier if shipped else None,
            tracking_number=plan.tracking_number if shipped else None,
            minutes_until_ready=minutes,
            ready_at=ready_at,
        )

    def order_exceptions(self, o: int, now: float) -> list[dict[str, Any]]:
        """Problems the pharmacy raised on the order so far (resolved ones keep their time)."""
        store = self.store
        if store.ord_fate[o] == "ERROR":  # demo ERROR orders never reached their pharmacy
            unreachable = _at(store.ord_created[o] + PENDING_SECONDS)
            return [_exception("PHARMACY_UNREACHABLE", _UNREACHABLE, unreachable, None)]
        plan = self.plan(o)
        placed = store.ord_placed[o]
        if plan is None or now < placed:
            return []
        if store.ord_fate[o] == "CANCELED":
            canceled = store._ord_canceled.get(o)
            now = min(now, canceled[0]) if canceled else now
        found = []
        if plan.exception is not None:
            kind, message, raised, resolved = plan.exception
            if now >= placed + raised:
                done = _at(placed + resolved) if now >= placed + resolved else None
                found.append(_exception(kind, message, _at(placed + raised), done))
        if plan.error is not None and now >= placed + plan.error[2]:
            kind, message, failed = plan.error
            found.append(_exception(kind, message, _at(placed + failed), None))
        return found

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
        if self.store.ord_fate[o] or self._failed(o, now):
            return None
        step = self._step(o, now)
        if step is None or step[0] not in DISPENSED_STEPS:
            return None
        return _at(step[2] + step[1].steps[2][0])


def _exception(
    kind: str, message: str, created: datetime, resolved: datetime | None
) -> dict[str, Any]:
    return {"type": kind, "message": message, "createdAt": created, "resolvedAt": resolved}
