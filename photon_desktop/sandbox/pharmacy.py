"""What a pharmacy does with an order: its steps, exceptions, errors, shipping and pick-up wait.

When an order reaches its pharmacy, its *plan* is drawn from a generator seeded by the run's seed,
the order and the time it arrived, with the rates in force at that moment, so the same seed
gives the same events on every run and changing the rates affects only orders that arrive
afterwards. Nothing runs in the background: :mod:`progress` reads the plan against the order
clock.

- ``exception_rate``: the pharmacy raises an exception after receiving the order (out of stock,
  prior authorization, ...); fulfillment pauses until it is resolved, 30 minutes to 6 hours later.
- ``error_rate``: the order fails at the pharmacy (``ERROR``) with an unresolved exception;
  routing it to another pharmacy starts over there.
- ``pickup_wait_days``: a pick-up order waits at READY for up to this many days before the
  patient collects it (0: one hour after it is ready, the quick demo default).
- Mail orders ship with a carrier and a tracking number in that carrier's format.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass
from typing import Any

from photon_desktop.sandbox.demo import PICK_UP

Steps = tuple[tuple[float, str], ...]

# (seconds after the order reached the pharmacy, fulfillment state). With clock speed 60, a
# pick-up order walks SENT -> PICKED_UP in one real minute.
PICK_UP_STEPS: Steps = (
    (0.0, "SENT"),
    (300.0, "RECEIVED"),
    (1200.0, "READY"),
    (3600.0, "PICKED_UP"),
)
MAIL_STEPS: Steps = (
    (0.0, "SENT"),
    (300.0, "RECEIVED"),
    (1200.0, "FILLING"),
    (3600.0, "SHIPPED"),
    (10800.0, "DELIVERED"),
)
CARRIERS = ("UPS", "USPS", "FedEx")
EXCEPTIONS = (
    ("OOS", "The medication is out of stock; the pharmacy is ordering it."),
    ("BACKORDERED", "The medication is backordered with the wholesaler."),
    ("PA_REQUIRED", "The insurer requires a prior authorization."),
    ("REFILL_TOO_SOON", "The insurer says it is too soon to refill."),
    ("HIGH_COPAY", "The patient's copay is high; the pharmacy is checking with the patient."),
    ("NOT_COVERED", "The medication is not covered by the patient's plan."),
    ("RX_CLARIFICATION", "The pharmacist needs the prescriber to clarify the prescription."),
)
ERRORS = (
    ("PHARMACY_UNREACHABLE", "The pharmacy did not acknowledge the order; route it elsewhere."),
    ("ORDER_ERROR", "The pharmacy could not process the order; route it elsewhere."),
    ("DEMOGRAPHIC_MISMATCH", "The patient's details do not match the pharmacy's records."),
)
MAX_PICKUP_WAIT_DAYS = 60.0


@dataclass(frozen=True, slots=True)
class PharmacyRates:
    """How often pharmacies raise exceptions and errors, and how long pick-ups wait."""

    exception_rate: float = 0.0
    error_rate: float = 0.0
    pickup_wait_days: float = 0.0

    def __post_init__(self) -> None:
        for name in ("exception_rate", "error_rate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.exception_rate + self.error_rate > 1.0:
            raise ValueError("exception_rate + error_rate must be at most 1")
        days = self.pickup_wait_days
        if isinstance(days, bool) or not isinstance(days, int | float):
            raise ValueError("pickup_wait_days must be a number")
        if not (math.isfinite(days) and 0.0 <= days <= MAX_PICKUP_WAIT_DAYS):
            raise ValueError(f"pickup_wait_days must be between 0 and {MAX_PICKUP_WAIT_DAYS:g}")

    @classmethod
    def from_dict(cls, raw: Any) -> PharmacyRates:
        if not isinstance(raw, dict):
            raise ValueError("send a JSON object of pharmacy rates")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown pharmacy settings: {', '.join(sorted(unknown))}")
        return cls(**raw)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def eventful(self) -> bool:
        return bool(self.exception_rate or self.error_rate or self.pickup_wait_days)


@dataclass(frozen=True, slots=True)
class Plan:
    """One order's life at one pharmacy, as offsets in seconds from its arrival."""

    kind: str  # PICK_UP or MAIL_ORDER
    steps: Steps  # already shifted past a resolved exception
    carrier: str | None
    tracking_number: str | None
    exception: tuple[str, str, float, float] | None = None  # type, message, raised, resolved
    error: tuple[str, str, float] | None = None  # type, message, at

    @property
    def ready_offset(self) -> float:
        return self.steps[2][0]


def plan_for(seed: int, order: int, placed: float, kind: str, rates: PharmacyRates) -> Plan:
    """The plan of ``order`` arriving at a pharmacy at ``placed`` (deterministic)."""
    steps = PICK_UP_STEPS if kind == PICK_UP else MAIL_STEPS
    if not rates.eventful:  # the common, quick path: no generator, the fixed demo timeline
        carrier = CARRIERS[order % len(CARRIERS)]
        number = (order * 2_654_435_761 + seed) % 10**16
        return Plan(kind, steps, *_mail(kind, carrier, number))
    rng = random.Random(f"pharmacy:{seed}:{order}:{placed!r}")
    roll = rng.random()
    carrier = rng.choice(CARRIERS)
    mail = _mail(kind, carrier, rng.getrandbits(64))
    if kind == PICK_UP and rates.pickup_wait_days:
        wait = rng.uniform(3600.0, max(3600.0, rates.pickup_wait_days * 86_400))
        steps = (*steps[:3], (steps[2][0] + wait, steps[3][1]))
    if roll < rates.error_rate:
        kind_of, message = rng.choice(ERRORS)
        return Plan(kind, steps, *mail, error=(kind_of, message, rng.uniform(60.0, 3000.0)))
    if roll < rates.error_rate + rates.exception_rate:
        kind_of, message = rng.choice(EXCEPTIONS)
        raised = rng.uniform(300.0, 1100.0)  # after RECEIVED, before the medication is ready
        delay = rng.uniform(1800.0, 6 * 3600.0)
        shifted = tuple((t + delay if t > raised else t, name) for t, name in steps)
        return Plan(kind, shifted, *mail, exception=(kind_of, message, raised, raised + delay))
    return Plan(kind, steps, *mail)


def _mail(kind: str, carrier: str, number: int) -> tuple[str | None, str | None]:
    """(carrier, tracking number in that carrier's format) for a mail order."""
    if kind == PICK_UP:
        return None, None
    if carrier == "UPS":
        return carrier, f"1Z{number % 16**6:06X}{number % 10**10:010d}"
    if carrier == "USPS":
        return carrier, f"9400{number % 10**18:018d}"
    return carrier, f"{number % 10**12:012d}"
