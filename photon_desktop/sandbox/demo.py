"""Deterministic demo data: reference lists from ``data/*.json`` and seeded patient records.

Startup must stay well under 5 s at 100,000 patients, so only what list queries need is drawn up
front (names, sex, how many prescriptions/orders, their dates, states and links); everything shown
only on a detail screen (address, phone, allergies, a prescription's directions...) is drawn from a
per-record RNG the first time it is read. Each per-record RNG is seeded from ``(seed, kind, n)``,
so the same seed gives the same records whatever order they are read in.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from photon_desktop.sandbox.accounts import DEMO_USERS
from photon_desktop.sandbox.ids import IdFactory

DAY = 86_400.0
MAIL_ORDER = "MAIL_ORDER"
PICK_UP = "PICK_UP"


@cache
def load(name: str) -> Any:
    """One curated list from ``photon_desktop/sandbox/data/<name>.json`` (read once)."""
    text = (
        resources.files("photon_desktop.sandbox")
        .joinpath("data", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


@dataclass(slots=True)
class Treatment:
    """A Medication or MedicalEquipment row; ``kind`` picks the GraphQL type."""

    id: str
    kind: str  # "Medication" | "MedicalEquipment"
    name: str
    description: str | None
    codes: dict[str, str | None]
    generic_name: str | None = None
    brand_name: str | None = None
    strength: str | None = None
    form: str | None = None
    type: str | None = None
    controlled: bool = False
    schedule: str | None = None
    dispense_unit: str = "Each"
    dispense_quantity: float = 1.0
    days_supply: int | None = None
    instructions: str = "Use as directed"
    search: str = ""


@dataclass(slots=True)
class Pharmacy:
    id: str
    name: str
    address: dict[str, Any]
    phone: str
    fax: str | None
    npi: str
    ncpdp: str
    fulfillment_types: list[str]
    latitude: float
    longitude: float


@dataclass(slots=True)
class Template:
    id: str
    name: str
    treatment: Treatment
    dispense_quantity: float
    dispense_unit: str
    days_supply: int | None
    fills_allowed: int
    instructions: str
    notes: str | None = None
    dispense_as_written: bool = False
    is_private: bool = False
    author: str | None = None  # e-mail of the user who alone sees a private template


@dataclass(slots=True)
class Catalog:
    id: str
    name: str
    treatments: list[Treatment]
    templates: list[Template] = field(default_factory=list)


@dataclass(slots=True)
class Reference:
    """Everything that is the same for every patient: formulary, pharmacies, allergens..."""

    medications: list[Treatment]
    equipment: list[Treatment]
    treatments_by_id: dict[str, Treatment]
    pharmacies: list[Pharmacy]
    pharmacies_by_id: dict[str, Pharmacy]
    allergens: list[dict[str, Any]]
    allergens_by_id: dict[str, dict[str, Any]]
    dispense_units: list[str]
    catalogs: list[Catalog]
    diagnoses: dict[str, str]
    us_states: frozenset[str]
    # Demo city (index into cities.json) -> its nearest pick-up pharmacy, filled as asked.
    nearest: dict[int, int] = field(default_factory=dict)


def build_reference(ids: IdFactory) -> Reference:
    """Reference data with seeded ids (the order of draws is part of the determinism)."""
    meds: list[Treatment] = []
    for row in load("medications"):
        meds.append(
            Treatment(
                id=ids.demo("med"),
                kind="Medication",
                name=row["name"],
                description=f"{row['brandName']} ({row['genericName']})"
                if row["brandName"]
                else None,
                codes={
                    "rxcui": row["rxcui"],
                    "productNDC": row["productNDC"],
                    "packageNDC": row["packageNDC"],
                    "HCPCS": None,
                    "SKU": None,
                },
                generic_name=row["genericName"],
                brand_name=row["brandName"],
                strength=row["strength"],
                form=row["form"],
                type=row["type"],
                controlled=row["controlled"],
                schedule=row["schedule"],
                dispense_unit=row["dispenseUnit"],
                dispense_quantity=float(row["dispenseQuantity"]),
                days_supply=row["daysSupply"],
                instructions=row["instructions"],
                search=" ".join(
                    s for s in (row["name"], row["genericName"], row["brandName"] or "") if s
                ).lower(),
            )
        )
    equipment = [
        Treatment(
            id=ids.demo("med"),
            kind="MedicalEquipment",
            name=row["name"],
            description=row["description"],
            codes={
                "HCPCS": row["HCPCS"],
                "SKU": row["SKU"],
                "rxcui": None,
                "productNDC": None,
                "packageNDC": None,
            },
            search=row["name"].lower(),
        )
        for row in load("medical_equipment")
    ]
    pharmacies = [_pharmacy(ids, n, row) for n, row in enumerate(load("pharmacies"))]
    allergens = [
        {"id": ids.demo("alg"), "name": a["name"], "rxcui": a["rxcui"]} for a in load("allergens")
    ]
    rng = random.Random(f"catalog:{ids.base62('cat', 4)}")
    formulary = meds[:45] + equipment[:6]
    catalog = Catalog(
        id=ids.demo("cat"), name="Sandbox Family Medicine formulary", treatments=formulary
    )
    # Organization-wide templates, and private ones that only their author (the demo prescriber)
    # sees, in both catalogs.
    for n, med in enumerate(rng.sample(meds[:45], 12)):
        catalog.templates.append(_template(ids, med, rng, private=n % 4 == 3))
    urgent = Catalog(
        id=ids.demo("cat"),
        name="Urgent care short courses",
        treatments=[m for m in meds if (m.days_supply or 30) <= 10],
    )
    for n, med in enumerate(urgent.treatments[:4]):
        urgent.templates.append(_template(ids, med, rng, private=n == 3))
    # Pick-up pharmacies in the demo cities the national list is far from (the first within 10
    # miles of every city), so "pharmacies near the patient" finds some for every demo patient.
    # Their ids are drawn last: every other demo id stays what it was before they came.
    national = len(pharmacies)
    pharmacies += [
        _pharmacy(ids, national + n, row) for n, row in enumerate(load("local_pharmacies"))
    ]
    treatments = {t.id: t for t in (*meds, *equipment)}
    return Reference(
        medications=meds,
        equipment=equipment,
        treatments_by_id=treatments,
        pharmacies=pharmacies,
        pharmacies_by_id={p.id: p for p in pharmacies},
        allergens=allergens,
        allergens_by_id={a["id"]: a for a in allergens},
        dispense_units=list(load("dispense_units")),
        catalogs=[catalog, urgent],
        diagnoses={d["code"]: d["name"] for d in load("diagnoses")},
        us_states=frozenset(load("us_states")),
    )


def _template(ids: IdFactory, med: Treatment, rng: random.Random, *, private: bool) -> Template:
    return Template(
        id=ids.demo("tmp"),
        name=f"{med.generic_name} {med.strength}, {med.days_supply or 30} day"
        + (" (my default)" if private else ""),
        treatment=med,
        dispense_quantity=med.dispense_quantity,
        dispense_unit=med.dispense_unit,
        days_supply=med.days_supply,
        fills_allowed=rng.choice((1, 1, 2, 4, 6)),
        instructions=med.instructions,
        is_private=private,
        author=DEMO_USERS[0].email if private else None,
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in statute miles."""
    r = 3958.7613
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------- the eager skeleton


@dataclass(slots=True)
class Skeleton:
    """Column lists of the demo records, drawn at startup (indexes are record numbers)."""

    first: list[str]
    last: list[str]
    sex: list[str]
    rx_start: list[int]  # patient p owns demo prescriptions rx_start[p] .. rx_start[p+1]-1
    ord_start: list[int]
    rx_patient: list[int]
    rx_written: list[float]
    rx_state: list[str]
    rx_allowed: list[int]
    rx_remaining: list[int]
    rx_treatment: list[int]
    ord_patient: list[int]
    ord_created: list[float]
    ord_pharmacy: list[int]
    ord_fate: list[str]  # "" | "CANCELED" | "ERROR"
    ord_rx: list[int]  # the one demo fill's prescription, or -1 for an OTC item
    ord_treatment: list[int]


def _pharmacy(ids: IdFactory, n: int, row: dict[str, Any]) -> Pharmacy:
    """Demo pharmacy ``n`` from a row of ``pharmacies.json`` or ``local_pharmacies.json``."""
    return Pharmacy(
        id=ids.demo("phr"),
        name=row["name"],
        address={
            "street1": row["street1"],
            "street2": None,
            "city": row["city"],
            "state": row["state"],
            "postalCode": row["postalCode"],
            "country": "US",
            "name": None,
        },
        phone=row["phone"],
        fax=row["phone"][:-4] + f"{(int(row['phone'][-4:]) + 50) % 10000:04d}",
        npi=f"1{1_000_000_00 + n * 7_654_321 % 900_000_000:09d}"[:10],
        ncpdp=f"{5_600_000 + n * 1_237:07d}",
        fulfillment_types=list(row["fulfillmentTypes"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
    )


RX_COUNTS = (0, 1, 2, 3, 4)
RX_WEIGHTS = (18, 30, 27, 15, 10)
ORDER_COUNTS = (0, 1, 2, 3)
ORDER_WEIGHTS = (35, 35, 20, 10)


def build_skeleton(seed: int, patients: int, anchor: float, ref: Reference) -> Skeleton:
    """Draw the list-level facts of every demo record from one RNG."""
    rng = random.Random(f"skeleton:{seed}")
    names = load("names")
    female, male = names["first_names_female"], names["first_names_male"]
    lasts = names["last_names"]
    sexes = rng.choices(("FEMALE", "MALE", "UNKNOWN"), (49, 49, 2), k=patients)
    pick_f = rng.choices(female, k=patients)
    pick_m = rng.choices(male, k=patients)
    first = [
        f if s == "FEMALE" else m if s == "MALE" else (f if i % 2 else m)
        for i, (s, f, m) in enumerate(zip(sexes, pick_f, pick_m, strict=True))
    ]
    last = rng.choices(lasts, k=patients)
    n_rx = rng.choices(RX_COUNTS, RX_WEIGHTS, k=patients)
    n_ord = rng.choices(ORDER_COUNTS, ORDER_WEIGHTS, k=patients)

    sk = Skeleton(first, last, sexes, [0], [0], [], [], [], [], [], [], [], [], [], [], [], [])
    n_meds = len(ref.medications)
    rx_only = [i for i, m in enumerate(ref.medications) if m.type == "RX"]
    otc = [i for i, m in enumerate(ref.medications) if m.type == "OTC"]
    n_pharm = len(load("pharmacies"))  # orders go to the national list, as they always have
    rand = rng.random
    randrange = rng.randrange
    allowed_choices = (1, 1, 2, 3, 4, 6, 12)
    for p in range(patients):
        # Prescriptions, oldest first, written within the last ~400 days.
        base = len(sk.rx_written)
        k = n_rx[p]
        times = sorted(anchor - rand() * 400 * DAY for _ in range(k))
        for t in times:
            allowed = allowed_choices[randrange(7)]
            sk.rx_patient.append(p)
            sk.rx_written.append(t)
            sk.rx_allowed.append(allowed)
            sk.rx_remaining.append(allowed)
            sk.rx_treatment.append(
                rx_only[randrange(len(rx_only))] if rand() < 0.93 else randrange(n_meds)
            )
            roll = rand()
            sk.rx_state.append("CANCELED" if roll < 0.05 else "DRAFT" if roll < 0.08 else "ACTIVE")
        # Orders: mostly fills of this patient's active prescriptions; a few are recent.
        for _ in range(n_ord[p]):
            candidates = [
                r
                for r in range(base, base + k)
                if sk.rx_state[r] == "ACTIVE" and sk.rx_remaining[r] > 0
            ]
            roll = rand()
            fate = "CANCELED" if roll < 0.06 else "ERROR" if roll < 0.08 else ""
            if candidates:
                r = candidates[randrange(len(candidates))]
                created = sk.rx_written[r] + rand() * max(anchor - sk.rx_written[r], 60.0)
                treatment = sk.rx_treatment[r]
                if fate != "CANCELED":
                    sk.rx_remaining[r] -= 1
                    if sk.rx_remaining[r] == 0:
                        sk.rx_state[r] = "DEPLETED"
            else:
                r = -1
                created = anchor - rand() * 365 * DAY
                treatment = otc[randrange(len(otc))]
            if rand() < 0.06:  # a handful of orders still moving when the sandbox starts
                created = anchor - rand() * 3 * 3600
            pharmacy = -1 if (fate == "" and rand() < 0.04) else randrange(n_pharm)
            sk.ord_patient.append(p)
            sk.ord_created.append(created)
            sk.ord_pharmacy.append(pharmacy)
            sk.ord_fate.append(fate)
            sk.ord_rx.append(r)
            sk.ord_treatment.append(treatment)
        sk.rx_start.append(len(sk.rx_written))
        sk.ord_start.append(len(sk.ord_created))
    return sk


# ---------------------------------------------------------------- lazy details

AREA_CODES = ("212", "213", "312", "415", "512", "602", "617", "702", "206", "303", "404", "503")
MAIL_DOMAINS = ("example.com", "example.org", "example.net")


def demo_city(seed: int, p: int) -> tuple[int, random.Random]:
    """Demo patient ``p``'s city (an index into ``cities.json``), and the patient's RNG after
    drawing it (``patient_detail`` draws the rest of the patient from it)."""
    rng = random.Random(f"patient:{seed}:{p}")
    return rng.randrange(len(load("cities"))), rng


def nearest_pick_up(ref: Reference, where: int) -> int:
    """The pick-up pharmacy (an index into ``ref.pharmacies``) nearest demo city ``where``."""
    found = ref.nearest.get(where)
    if found is None:
        city = load("cities")[where]
        _miles, found = min(
            (haversine_miles(city["latitude"], city["longitude"], ph.latitude, ph.longitude), n)
            for n, ph in enumerate(ref.pharmacies)
            if PICK_UP in ph.fulfillment_types
        )
        ref.nearest[where] = found
    return found


def patient_detail(
    seed: int, p: int, first: str, last: str, sex: str, ref: Reference, anchor: datetime
) -> dict[str, Any]:
    """Address, contacts, allergies, history and pharmacies of demo patient ``p``."""
    where, rng = demo_city(seed, p)
    city = load("cities")[where]
    streets = load("streets")
    age_days = rng.randrange(365 * 2, 365 * 92)
    dob = anchor.date() - timedelta(days=age_days)
    gender = {"FEMALE": "Female", "MALE": "Male"}.get(sex, "Non-binary")
    if rng.random() < 0.02:
        gender = "Non-binary"
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    allergies = [
        {
            "allergen": a,
            "comment": rng.choice((None, "Rash", "Hives", "Anaphylaxis", "GI upset")),
            "onset": (dob + timedelta(days=rng.randrange(365, max(366, age_days)))).isoformat()
            if rng.random() < 0.5
            else None,
        }
        for a in rng.sample(ref.allergens, rng.choices((0, 1, 2), (60, 30, 10))[0])
    ]
    history = [
        {"medication": m, "active": rng.random() < 0.6, "comment": None, "prescription": None}
        for m in rng.sample(ref.medications, rng.choices((0, 1, 2, 3), (50, 25, 15, 10))[0])
    ]
    preferred = [ref.pharmacies[nearest_pick_up(ref, where)]] if rng.random() < 0.7 else []
    if rng.random() < 0.15:
        preferred.append(
            rng.choice([ph for ph in ref.pharmacies if MAIL_ORDER in ph.fulfillment_types])
        )
    return {
        "middle": None,  # the name search index is built before details exist
        "dateOfBirth": dob,
        "gender": gender,
        "phone": f"+1{rng.choice(AREA_CODES)}55501{rng.randrange(100):02d}",
        "email": f"{local}{rng.randrange(10, 99)}@{rng.choice(MAIL_DOMAINS)}"
        if rng.random() < 0.85
        else None,
        "address": {
            "street1": f"{rng.randrange(1, 9999)} {rng.choice(streets)}",
            "street2": f"Apt {rng.randrange(1, 40)}{rng.choice('ABCD')}"
            if rng.random() < 0.2
            else None,
            "city": city["city"],
            "state": city["state"],
            "postalCode": city["postalCode"],
            "country": "US",
            "name": None,
        },
        "allergies": allergies,
        "medicationHistory": history,
        "preferredPharmacies": preferred,
        "externalId": None,
    }


NOTES = (
    None,
    None,
    None,
    "Patient prefers generic.",
    "Please call patient when ready.",
    "Counsel on side effects.",
)


def prescription_detail(seed: int, r: int, treatment: Treatment, ref: Reference) -> dict[str, Any]:
    """Directions, quantity and diagnoses of demo prescription ``r``."""
    rng = random.Random(f"rx:{seed}:{r}")
    codes = list(ref.diagnoses)
    return {
        "dispenseQuantity": treatment.dispense_quantity,
        "dispenseUnit": treatment.dispense_unit,
        "daysSupply": treatment.days_supply,
        "instructions": treatment.instructions,
        "notes": rng.choice(NOTES),
        "dispenseAsWritten": rng.random() < 0.1,
        "diagnoses": [codes[rng.randrange(len(codes))]] if rng.random() < 0.6 else [],
        "externalId": None,
    }


def day_of(timestamp: float) -> date:
    """The UTC calendar day of an epoch timestamp."""
    return datetime.fromtimestamp(timestamp, tz=UTC).date()
