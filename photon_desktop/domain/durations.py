"""Durations as people read them, the one formatter for the app: "45 s", "3 min", "1 h 5 min".

At most the two largest units are shown, rounded down (a countdown never claims more time than is
left); anything from two days up reads in days.
"""

from __future__ import annotations

import math

_UNITS = (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1))


def format_duration(seconds: float) -> str:
    """``0`` → "0 s", ``75`` → "1 min 15 s", ``3_720`` → "1 h 2 min", ``200_000`` → "2 d 7 h"."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {seconds!r}")
    left = int(seconds)
    parts: list[str] = []
    for unit, size in _UNITS:
        if left >= size or (unit == "s" and not parts):
            count, left = divmod(left, size)
            if count or not parts:
                parts.append(f"{count} {unit}")
        elif parts:
            break  # "1 h 0 min" reads as "1 h"
        if len(parts) == 2:
            break
    return " ".join(parts)


def format_minutes(minutes: float) -> str:
    """A duration given in minutes (Photon's ``minutesUntilReady``)."""
    return format_duration(minutes * 60)


def in_words(seconds: float) -> str:
    """A wait as a person says it: "7 seconds", "3 minutes", "2 hours", "a day or more"."""
    if seconds < 90:
        n, unit = max(1, round(seconds)), "second"
    elif seconds < 90 * 60:
        n, unit = round(seconds / 60), "minute"
    elif seconds < 24 * 3600:
        n, unit = round(seconds / 3600), "hour"
    else:
        return "a day or more"
    return f"{n} {unit}" + ("" if n == 1 else "s")
