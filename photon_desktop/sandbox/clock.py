"""Simulated time for the sandbox, so order fulfillment can be watched in seconds.

Nothing runs in the background: records compare their timestamps with :meth:`Clock.now` when
read. ``speed`` is simulated seconds per real second (60 = one simulated minute per second).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """A UTC clock that can run faster than real time and be jumped forward."""

    def __init__(self, speed: float = 1.0, *, start: datetime | None = None) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._base_sim = (start or datetime.now(UTC)).astimezone(UTC)
        self._base_real = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        """The simulated time (tz-aware UTC)."""
        with self._lock:
            return self._now_locked()

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on; simulated time never jumps when the speed changes."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            self._rebase()
            self._speed = float(speed)

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward (never backward: records assume time only grows)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._rebase()
            self._base_sim += timedelta(seconds=seconds)

    def _now_locked(self) -> datetime:
        elapsed = (time.monotonic() - self._base_real) * self._speed
        return self._base_sim + timedelta(seconds=elapsed)

    def _rebase(self) -> None:
        self._base_sim = self._now_locked()
        self._base_real = time.monotonic()
