"""The sandbox's one clock: simulated time for the demo data, real time for sign-in.

Everything in a run that reads time reads it from one :class:`Clock`, so a test can hand the run
a :class:`ManualTime` and move time forward instead of sleeping:

- :meth:`Clock.now` is the *order clock*: simulated time that can run faster than real time
  (``speed`` simulated seconds per real second) and be jumped forward, so order fulfillment can
  be watched in seconds. Nothing runs in the background: records compare their timestamps with it
  when read.
- :meth:`Clock.wall` (token ``iat``/``exp``) and :meth:`Clock.monotonic` (lifetimes of sign-in
  pages, authorization codes and refresh tokens) follow the time source at normal speed: a
  client checks a token's times against its own clock, so they must never be simulated.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class TimeSource(Protocol):
    """Where a clock's real time comes from."""

    def time(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...


class SystemTime:
    """The machine's clocks."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualTime:
    """A time source that moves only when told to: deterministic runs and tests."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._wall = time.time() if start is None else start
        self._elapsed = 0.0

    def time(self) -> float:
        with self._lock:
            return self._wall + self._elapsed

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("time only moves forward, by a finite amount")
        with self._lock:
            self._elapsed += seconds


def finite(value: float, name: str, *, limit: float) -> float:
    """``value`` if it is a finite number in ``[0, limit]``, else ``ValueError``."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    if not 0 <= value <= limit:
        raise ValueError(f"{name} must be between 0 and {limit:g}")
    return value


# Far enough for any demo (a century), near enough that datetime arithmetic never overflows.
MAX_ADVANCE_S = 100 * 365.25 * 86_400
MAX_SPEED = 1_000_000.0
_LAST_YEAR = 9000


class Clock:
    """A UTC order clock that can run faster than real time and be jumped forward."""

    def __init__(
        self,
        speed: float = 1.0,
        *,
        start: datetime | None = None,
        source: TimeSource | None = None,
    ) -> None:
        speed = finite(speed, "speed", limit=MAX_SPEED)
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.source: TimeSource = source or SystemTime()
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._base_sim = (start or datetime.fromtimestamp(self.source.time(), UTC)).astimezone(UTC)
        self._base_real = self.source.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        """The simulated time (tz-aware UTC)."""
        with self._lock:
            return self._now_locked()

    def wall(self) -> float:
        """Real seconds since the epoch (token times)."""
        return self.source.time()

    def monotonic(self) -> float:
        """Real seconds on a clock that never goes back (lifetimes)."""
        return self.source.monotonic()

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on; simulated time never jumps when the speed changes."""
        speed = finite(speed, "speed", limit=MAX_SPEED)
        with self._lock:
            self._rebase()
            self._speed = float(speed)

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward (never backward: records assume time only grows)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        step = timedelta(seconds=finite(seconds, "advance_seconds", limit=MAX_ADVANCE_S))
        with self._lock:
            self._rebase()
            if self._base_sim.year + step.days // 365 >= _LAST_YEAR:
                raise ValueError(f"the clock cannot go past the year {_LAST_YEAR}")
            self._base_sim += step

    def _now_locked(self) -> datetime:
        elapsed = (self.source.monotonic() - self._base_real) * self._speed
        return self._base_sim + timedelta(seconds=elapsed)

    def _rebase(self) -> None:
        self._base_sim = self._now_locked()
        self._base_real = self.source.monotonic()
