"""How values read on screen: dates in the user's locale with four-digit years, ages beside dates
of birth, one address and phone format everywhere."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale

from photon_desktop.domain import Address
from photon_desktop.domain.prescription_rules import parse_quantity
from photon_desktop.ui.common.formatting import (
    age,
    code_label,
    fmt_address,
    fmt_birth_date,
    fmt_count,
    fmt_date,
    fmt_datetime,
    fmt_day,
    fmt_local_date,
    fmt_phone,
    fmt_quantity,
)


@pytest.fixture
def locale_named() -> Iterator[object]:
    previous = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(previous)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("C", "9/1/1942"), ("en_US", "9/1/1942"), ("en_GB", "01/09/1942"), ("de_DE", "01.09.1942")],
)
def test_dates_follow_the_locale_with_four_digit_years(
    locale_named: object, name: str, shown: str
) -> None:
    locale_named(name)  # type: ignore[operator]
    assert fmt_date(date(1942, 9, 1)) == shown


@pytest.mark.parametrize(("name", "shown"), [("en_US", "Dec 1, 2026"), ("de_DE", "Dez. 1, 2026")])
def test_a_date_in_a_sentence_writes_its_month_without_a_padded_day(
    locale_named: object, name: str, shown: str
) -> None:
    """The same everywhere a sentence names a day (review, new order, patient chooser), and as
    the date pickers show it."""
    locale_named(name)  # type: ignore[operator]
    assert fmt_day(date(2026, 12, 1)) == shown


def test_times_are_local_and_in_the_locale(locale_named: object) -> None:
    locale_named("en_GB")  # type: ignore[operator]
    moment = datetime(2026, 11, 30, 15, 46, tzinfo=UTC).astimezone()
    assert fmt_datetime(moment).startswith("30/11/2026 ")
    assert fmt_datetime(None) == "—"


@pytest.fixture
def in_los_angeles() -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def test_a_list_date_is_the_day_in_the_computers_time_zone(
    locale_named: object, in_los_angeles: None
) -> None:
    """An order created at 03:00 UTC on Dec 1 was created on Nov 30 in Los Angeles."""
    locale_named("en_US")  # type: ignore[operator]
    assert fmt_local_date(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "11/30/2026"
    assert fmt_local_date(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "12/1/2026"
    assert fmt_local_date(None) == "—"


def test_age_beside_the_date_of_birth() -> None:
    today = date(2026, 11, 30)
    assert age(date(1942, 12, 1), today) == 83  # the birthday is tomorrow
    assert age(date(1942, 11, 30), today) == 84
    assert fmt_birth_date(date(1942, 9, 1), today) == "9/1/1942 (84 y)"
    assert fmt_birth_date(date(2026, 5, 31), today) == "5/31/2026 (5 mo)"
    assert fmt_birth_date(None) == "—"


def test_addresses_phones_and_codes() -> None:
    address = Address(
        street1="1 Helix Way", city="Boston", state="MA", postal_code="02115", country="US"
    )
    assert fmt_address(address) == "1 Helix Way\nBoston, MA 02115"
    assert fmt_address(address, one_line=True) == "1 Helix Way, Boston, MA 02115"
    assert fmt_phone("+14155550121") == "(415) 555-0121"
    assert code_label("REFILL_TOO_SOON") == "Refill too soon"


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        (30.0, "30"),
        (2.5, "2.5"),
        (1.234567891, "1.234567891"),
        (1234567.0, "1234567"),
        (0.00001, "0.00001"),
        (1e16, "10000000000000000"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_a_quantity_reads_exactly_in_plain_digits(quantity: float, shown: str) -> None:
    assert fmt_quantity(quantity) == shown
    if quantity <= 100_000:  # within the prescription rules: the text reads back as the same value
        assert parse_quantity(shown) == quantity


def test_a_count_takes_the_plural_only_when_it_is_not_one() -> None:
    assert [fmt_count(n, "refill") for n in (0, 1, 2)] == ["0 refills", "1 refill", "2 refills"]
