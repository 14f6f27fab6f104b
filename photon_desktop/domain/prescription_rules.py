"""The field rules a prescription follows, for every form that writes one (the prescription form
and the template editor), so a template can never hold what a prescription would refuse.

Rules (Photon's prescribe form, plus ICD-10 diagnoses): a treatment; quantity > 0 and at most
``MAX_QUANTITY``, plain digits with a point for decimals; a dispense unit from Photon's list;
refills 0 to 11 (sent as ``fillsAllowed``, refills + 1); days supply blank or a whole number
from 1 to 3650; instructions required; "do not fill before" not in the past; diagnoses as ICD-10
codes such as ``E11.9``. Problems are keyed by field name; ``SERVER_FIELDS`` maps Photon's
argument names onto the same keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

MAX_REFILLS = 11
MAX_DAYS_SUPPLY = 3650
#: Photon documents no upper limit (``dispenseQuantity: Float!``, checked only for > 0). The
#: largest real quantities are liquids in mL (a month of home parenteral nutrition is some
#: 60000 mL): 100000 leaves room for those and still stops a pasted number or a run of zeros.
MAX_QUANTITY = 100_000
#: Digits with at most one decimal point, nothing else: Python's ``float`` also takes "1e9",
#: "1_000", "inf" and other scripts' digits, none of which a pharmacist reads as a quantity.
_QUANTITY = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")

TREATMENT_MISSING = "Choose a treatment from the search results."
QUANTITY_BAD = "Enter a quantity greater than 0 in digits, with a point for decimals (e.g. 2.5)."
QUANTITY_COMMA = "Write the quantity without a comma: 1000 for a thousand, 2.5 for two and a half."
QUANTITY_TOO_LARGE = f"A quantity is at most {MAX_QUANTITY}."
UNIT_MISSING = "Choose the unit the quantity is dispensed in."
DAYS_BAD = f"Days supply is a whole number of days, from 1 to {MAX_DAYS_SUPPLY}."
INSTRUCTIONS_MISSING = "Write the instructions for the patient."
REFILLS_BAD = f"Refills are 0 to {MAX_REFILLS}."
DATE_PAST = "The date cannot be in the past."

#: Photon's argument names (as ``InvalidInput.fields`` report them) → form field keys.
SERVER_FIELDS = {
    "treatmentId": "treatment",
    "dispenseQuantity": "quantity",
    "dispenseUnit": "unit",
    "fillsAllowed": "refills",
    "refillsAllowed": "refills",
    "daysSupply": "days_supply",
    "dispenseAsWritten": "dispense_as_written",
    "instructions": "instructions",
    "notes": "notes",
    "effectiveDate": "not_before",
    "diagnoses": "diagnoses",
    "name": "name",
}


@dataclass(frozen=True, slots=True)
class DispensingText:
    """What a user entered in the dispensing fields, as entered."""

    quantity: str
    unit: str | None
    refills: int
    days_supply: str
    instructions: str
    notes: str = ""
    dispense_as_written: bool = False


@dataclass(frozen=True, slots=True)
class Dispensing:
    """Dispensing values that passed the rules, in Photon's terms."""

    dispense_quantity: float
    dispense_unit: str
    fills_allowed: int
    days_supply: int | None
    instructions: str
    notes: str | None
    dispense_as_written: bool

    @property
    def refills(self) -> int:
        return self.fills_allowed - 1


def check_quantity(text: str) -> tuple[float | None, str | None]:
    """(quantity, None) or (None, the problem). A comma is refused, never guessed: "1,000" is a
    thousand to one reader and one to another."""
    text = text.strip()
    if "," in text:
        return None, QUANTITY_COMMA
    if not _QUANTITY.fullmatch(text) or float(text) <= 0:
        return None, QUANTITY_BAD
    value = float(text)
    return (value, None) if value <= MAX_QUANTITY else (None, QUANTITY_TOO_LARGE)


def parse_quantity(text: str) -> float | None:
    """The quantity ``check_quantity`` accepts, or None."""
    return check_quantity(text)[0]


def parse_days_supply(text: str) -> tuple[int | None, bool]:
    """(days, ok): blank is (None, True). ASCII digits only: "²" is a digit to ``str.isdigit``
    but not to ``int``."""
    text = text.strip()
    if not text:
        return None, True
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_DAYS_SUPPLY:
        return int(text), True
    return None, False


def refills_from_fills(fills_allowed: int | None) -> int:
    """The refills a stored ``fillsAllowed`` means, within what a form can show."""
    return max(0, min(MAX_REFILLS, (fills_allowed or 1) - 1))


def parse_diagnoses(text: str) -> tuple[tuple[str, ...], list[str]]:
    """(codes, bad entries) from "E11.9, I10" (commas, semicolons or spaces between codes)."""
    codes: list[str] = []
    bad: list[str] = []
    for raw in re.split(r"[,;\s]+", text.strip()):
        if not raw:
            continue
        code = raw.upper()
        (codes if ICD10.match(code) else bad).append(code)
    return tuple(dict.fromkeys(codes)), bad


def diagnoses_problem(bad: list[str]) -> str:
    return f"Not an ICD-10 code: {', '.join(bad)}. Codes look like E11.9 or I10."


def check_not_before(day: date, today: date) -> str | None:
    return DATE_PAST if day < today else None


def check_dispensing(entered: DispensingText) -> tuple[Dispensing | None, dict[str, str]]:
    """The checked values (None if any rule fails) and the problems by field key."""
    problems: dict[str, str] = {}
    quantity, quantity_problem = check_quantity(entered.quantity)
    if quantity_problem is not None:
        problems["quantity"] = quantity_problem
    unit = (entered.unit or "").strip()
    if not unit:
        problems["unit"] = UNIT_MISSING
    if not 0 <= entered.refills <= MAX_REFILLS:
        problems["refills"] = REFILLS_BAD
    days, days_ok = parse_days_supply(entered.days_supply)
    if not days_ok:
        problems["days_supply"] = DAYS_BAD
    instructions = entered.instructions.strip()
    if not instructions:
        problems["instructions"] = INSTRUCTIONS_MISSING
    if problems or quantity is None:
        return None, problems
    return (
        Dispensing(
            dispense_quantity=quantity,
            dispense_unit=unit,
            fills_allowed=entered.refills + 1,
            days_supply=days,
            instructions=instructions,
            notes=entered.notes.strip() or None,
            dispense_as_written=entered.dispense_as_written,
        ),
        problems,
    )


def server_field(name: str) -> str | None:
    """The form field key for a Photon argument name (``diagnoses[2]`` → ``diagnoses``)."""
    return SERVER_FIELDS.get(re.sub(r"\[\d+\]$", "", name))


_ITEM = re.compile(r"^prescriptions\[(\d+)\]\.(.+)$")


def per_prescription(
    fields: Mapping[str, str], count: int
) -> tuple[dict[int, dict[str, str]], list[str]]:
    """Photon's problems with a batch of ``count`` prescriptions (``prescriptions[1].quantity``),
    by prescription and argument, and those that name none of them."""
    per_card: dict[int, dict[str, str]] = {}
    general: list[str] = []
    for name, message in fields.items():
        match = _ITEM.match(name)
        if match and int(match.group(1)) < count:
            per_card.setdefault(int(match.group(1)), {})[match.group(2)] = message
        else:
            general.append(message)
    return per_card, general
