"""How values read on screen, one home for each: dates in the user's locale (``QLocale``, four-digit
years), ages, enum labels, quantities, addresses and phone numbers (``domain.phones``).

Dates are formatted from ``date``/``datetime`` objects, never by slicing ISO strings. The "C"
locale (no locale chosen, as on a bare server) reads as US English: Photon is a US service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from photon_desktop.domain import phones

DASH = "—"


class _Address(Protocol):
    @property
    def street1(self) -> str: ...
    @property
    def street2(self) -> str | None: ...
    @property
    def city(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def postal_code(self) -> str: ...


def locale() -> QLocale:
    current = QLocale()
    if current.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return current


#: The date pickers' display format too (``QDateEdit.setDisplayFormat``).
DAY_PATTERN = "MMM d, yyyy"


def _date_pattern(loc: QLocale) -> str:
    """The locale's short date with a four-digit year (``M/d/yy`` → ``M/d/yyyy``)."""
    pattern = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return pattern


def fmt_date(value: date | None) -> str:
    if value is None:
        return DASH
    loc = locale()
    return loc.toString(QDate(value.year, value.month, value.day), _date_pattern(loc))


def fmt_day(value: date) -> str:
    """A date in a sentence, its month written out (``Dec 1, 2026``): the form the date pickers
    show, unambiguous where ``12/01`` is not."""
    return locale().toString(QDate(value.year, value.month, value.day), DAY_PATTERN)


def _local(value: datetime) -> datetime:
    try:
        return value.astimezone() if value.tzinfo else value
    except (OverflowError, ValueError):  # e.g. 0001-01-01 UTC west of Greenwich: show it as sent
        return value


def fmt_local_date(value: datetime | None) -> str:
    """The day ``value`` falls on in the computer's time zone: a list's date column, as narrow
    as the other lists' dates (the record's detail gives the time)."""
    return DASH if value is None else fmt_date(_local(value).date())


def fmt_datetime(value: datetime | None) -> str:
    """In the computer's time zone, in the user's locale."""
    if value is None:
        return DASH
    local = _local(value)
    loc = locale()
    moment = QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
    )
    pattern = f"{_date_pattern(loc)} {loc.timeFormat(QLocale.FormatType.ShortFormat)}"
    return loc.toString(moment, pattern)


def age(born: date, today: date | None = None) -> int:
    today = today or date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def fmt_birth_date(born: date | None, today: date | None = None) -> str:
    """``8/10/2020 (6 y)``: the date of birth with the age a clinician checks it against."""
    if born is None:
        return DASH
    years = age(born, today)
    if years < 2:
        today = today or date.today()
        months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
        return f"{fmt_date(born)} ({max(0, months)} mo)"
    return f"{fmt_date(born)} ({years} y)"


def enum_label(value: Enum | None) -> str:
    """``PICKED_UP`` → "Picked up"."""
    if value is None:
        return DASH
    return code_label(str(value.value))


def code_label(code: str) -> str:
    """Server codes such as ``REFILL_TOO_SOON`` → "Refill too soon"."""
    return code.replace("_", " ").capitalize() if code else DASH


def fmt_phone(value: str | None) -> str:
    return phones.display(value)


def fmt_quantity(quantity: float) -> str:
    """The exact quantity in plain digits ("1.234567891", "1234567", never "1.23457e+06"): what
    is shown is what is sent, and text put back in a quantity field reads as the same number."""
    text = format(Decimal(repr(quantity)), "f")  # repr: the shortest text that round-trips
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_count(count: int, noun: str) -> str:
    """ "1 refill", "0 refills", "2 refills": the plural only when the count is not 1."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def text_or_dash(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text or DASH


def fmt_address(address: _Address | None, *, one_line: bool = False) -> str:
    """Street lines, then "City, ST 12345"; ``one_line`` joins them with commas (table cells)."""
    if address is None:
        return DASH
    lines = [p for p in (address.street1, address.street2) if p]
    lines.append(f"{address.city}, {address.state} {address.postal_code}")
    return (", " if one_line else "\n").join(lines)


def fmt_until(value: datetime, now: datetime | None = None) -> str:
    """A coming moment: the time alone when it is today, else the date too ("until 16:21" would
    be read as today when it is tomorrow)."""
    local = value.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    if local.date() != today:
        return fmt_datetime(local)
    loc = locale()
    return loc.toString(
        QTime(local.hour, local.minute, local.second),
        loc.timeFormat(QLocale.FormatType.ShortFormat),
    )
