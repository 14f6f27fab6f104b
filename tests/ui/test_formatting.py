"""How values read on screen: US phone numbers the way clinic staff write them."""

from __future__ import annotations

import pytest

from photon_desktop.ui.common.records import fmt_phone


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+14155550121", "(415) 555-0121"),
        ("4155550121", "(415) 555-0121"),
        ("415-555-0121", "(415) 555-0121"),
        ("+442071234567", "+442071234567"),  # not a NANP number: left as Photon stores it
        ("555", "555"),
        ("", "—"),
        (None, "—"),
    ],
)
def test_phone_numbers(stored: str | None, shown: str) -> None:
    assert fmt_phone(stored) == shown
