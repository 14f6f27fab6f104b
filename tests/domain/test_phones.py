"""Phone numbers: what Photon accepts (US and E.164), what it refuses, how staff read them."""

from __future__ import annotations

import pytest

from photon_desktop.domain import phones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(415) 555-0121", "+14155550121"),
        ("415.555.0121", "+14155550121"),
        ("1-415-555-0121", "+14155550121"),
        ("+1 212 555 0119", "+12125550119"),
        ("+44 20 7123 4567", "+442071234567"),
    ],
)
def test_accepted_numbers_are_stored_as_e164(typed: str, stored: str) -> None:
    assert phones.normalize(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0123456789",  # ten digits, but no US number starts with 0
        "415555012",  # nine digits
        "٤١٥٥٥٥٠١٢١",  # Arabic-Indic digits
        "\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff12\uff11",  # full-width digits
        "1-800-FLOWERS",  # letters
        "+999123456789",  # no such country
        "",
        "   ",
    ],
)
def test_refused_numbers_say_why(typed: str) -> None:
    with pytest.raises(phones.InvalidPhone) as refused:
        phones.normalize(typed)
    assert str(refused.value)
    assert phones.normalize_or_none(typed) is None


@pytest.mark.parametrize(
    "typed", ["(415) 555-0121 x12", "415-555-0121 ext. 4", "+14155550121;ext=9"]
)
def test_an_extension_is_named_as_the_reason(typed: str) -> None:
    with pytest.raises(phones.InvalidPhone, match="Photon keeps no extension"):
        phones.normalize(typed)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+14155550121", "(415) 555-0121"),
        ("4155550121", "(415) 555-0121"),
        ("415-555-0121", "(415) 555-0121"),
        ("+442071234567", "+44 20 7123 4567"),
        ("555", "555"),  # not a number: shown as stored, never hidden
        ("", "—"),
        (None, "—"),
    ],
)
def test_display(stored: str | None, shown: str) -> None:
    assert phones.display(stored) == shown


def test_same_number_compares_what_is_dialled() -> None:
    assert phones.same_number("(415) 555-0121", "+14155550121")
    assert not phones.same_number("(415) 555-0121", "+14155550122")
    assert not phones.same_number("", "+14155550121")
