"""When a read may be sent again, and how long to wait first.

Reads retry on network errors, 5xx, 429 and undecodable bodies (a truncated or garbled answer is
a transport problem too) with exponential backoff and jitter, honouring ``Retry-After`` up to a
cap. Writes never come through here: a lost write is checked, not resent.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from photon_desktop.errors import (
    OfflineError,
    PhotonError,
    RateLimited,
    ResponseError,
    ServerError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` counts the first try; ``sleep`` and ``random`` are injectable for tests."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    random: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int, error: PhotonError) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up and raise."""
        if attempt >= self.attempts:
            return None
        if isinstance(error, RateLimited):
            if error.retry_after is None:
                return self._backoff(attempt)
            if error.retry_after > self.max_retry_after:
                return None  # a long wait is the user's call, not a frozen spinner
            return max(0.0, error.retry_after)
        if isinstance(error, OfflineError | ServerError | ResponseError):
            return self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling * (0.5 + self.random() / 2)


NO_RETRY = RetryPolicy(attempts=1)
