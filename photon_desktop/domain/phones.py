"""Phone numbers, the one home for them: what Photon accepts and how US clinic staff read them.

Photon's ``AWSPhone`` takes US numbers (10 digits, optional leading 1) and E.164 numbers. Parsing is
the ``phonenumbers`` library's (Google's libphonenumber metadata), so ``0123456789`` — possible
in length but no real US number — is refused rather than sent as ``+10123456789``. Digits other
than ASCII 0-9 (Arabic-Indic, full-width…) and letters (vanity numbers) are refused: the server
would refuse them too, and a number a pharmacist cannot dial back is worse than none.
"""

from __future__ import annotations

import re

import phonenumbers

US_EXAMPLE = "(202) 555-0102"
#: Photon refuses E.164 numbers shorter than this (country code included), e.g. +4312000.
MIN_E164_DIGITS = 8
#: What a typed number may contain besides ASCII digits.
_ALLOWED = re.compile(r"^\+?[0-9 ().\-]+$")


class InvalidPhone(ValueError):
    """The text is not a number Photon accepts; ``str()`` says why, in a user's words."""


def normalize(text: str) -> str:
    """``(415) 555-0121`` → ``+14155550121``; ``+44 20 7123 4567`` → ``+442071234567``.

    Raises ``InvalidPhone`` with a message fit to show under the field.
    """
    value = text.strip()
    if not value:
        raise InvalidPhone("Enter a phone number.")
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in value):
        raise InvalidPhone("Type the number with the digits 0-9.")
    if not _ALLOWED.match(value):
        if _extension(value):
            raise InvalidPhone("Photon keeps no extension: enter the number without it.")
        raise InvalidPhone(f"Use digits only, e.g. {US_EXAMPLE}.")
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(f"A US phone number has 10 digits, e.g. {US_EXAMPLE}.") from None
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 1:
            raise InvalidPhone(f"This is not a valid US phone number, e.g. {US_EXAMPLE}.")
        raise InvalidPhone("This is not a valid international number (+ country code, number).")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(e164) - 1 < MIN_E164_DIGITS:  # a short number valid at home that Photon refuses
        raise InvalidPhone("Photon takes international numbers of 8 digits or more, with + first.")
    return e164


def _extension(value: str) -> bool:
    """``value`` is a number with an extension ("x12", "ext. 12", ";ext=12"), as the library
    reads extensions."""
    try:
        return bool(phonenumbers.parse(value, "US").extension)
    except phonenumbers.NumberParseException:
        return False


def normalize_or_none(text: str) -> str | None:
    try:
        return normalize(text)
    except InvalidPhone:
        return None


def display(value: str | None) -> str:
    """How a stored number reads: US as ``(415) 555-0121``, others ``+44 20 7123 4567``.

    Anything that does not parse is shown as stored (never hidden); nothing shows as "—".
    """
    if not value:
        return "—"
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def same_number(a: str | None, b: str | None) -> bool:
    """Whether two typed or stored numbers dial the same phone."""
    if not a or not b:
        return False
    first, second = normalize_or_none(a), normalize_or_none(b)
    return first is not None and first == second
