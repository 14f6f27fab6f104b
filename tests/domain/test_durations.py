"""One duration formatter: the two largest units, rounded down."""

from __future__ import annotations

import math

import pytest

from photon_desktop.domain.durations import format_duration, format_minutes


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59.9, "59 s"),
        (60, "1 min"),
        (75, "1 min 15 s"),
        (3600, "1 h"),
        (3605, "1 h"),
        (3720, "1 h 2 min"),
        (86_399, "23 h 59 min"),
        (200_000, "2 d 7 h"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_minutes_and_nonsense() -> None:
    assert format_minutes(25) == "25 min"
    for bad in (-1, math.inf, math.nan):
        with pytest.raises(ValueError):
            format_duration(bad)
