"""US ZIP code → latitude/longitude and distances, offline.

"Pharmacies near the patient" needs a search centre, and Photon's main API takes only coordinates.
The ``zipcodes`` package ships the USPS ZIP table (with centroids) inside the wheel, so nothing is
downloaded at run time and no address leaves the machine. Its first lookup loads the table
(about 0.3 s), so lookups run in a worker thread.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import zipcodes

_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    """The centre of a US ZIP code area."""

    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        return f"{self.zip_code} ({self.city}, {self.state})"


def zip5(text: str | None) -> str | None:
    """The five-digit ZIP of ``12345`` or ``12345-6789``; None for anything else."""
    match = _ZIP.match(text or "")
    return match.group(1) if match else None


def place_for_zip(text: str | None) -> Place | None:
    """The ZIP's centre, or None when it is malformed or not a known US ZIP (blocking)."""
    code = zip5(text)
    if code is None:
        return None
    for row in zipcodes.matching(code):
        try:
            return Place(
                zip_code=code,
                city=str(row.get("city") or "").title(),
                state=str(row.get("state") or ""),
                latitude=float(row["lat"]),
                longitude=float(row["long"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
    return None


async def locate(text: str | None) -> Place | None:
    """``place_for_zip`` without blocking the event loop."""
    if zip5(text) is None:
        return None
    return await asyncio.to_thread(place_for_zip, text)


def miles_between(a: Place, b: Place) -> float:
    """Great-circle distance in miles."""
    return float(zipcodes.haversine(a.longitude, a.latitude, b.longitude, b.latitude))


async def miles_from(centre: Place, zip_codes: list[str]) -> dict[str, float]:
    """Distance from ``centre`` to each ZIP's centre (unknown ZIPs are left out)."""

    def work() -> dict[str, float]:
        found: dict[str, float] = {}
        for code in set(zip_codes):
            place = place_for_zip(code)
            if place is not None:
                found[code] = miles_between(centre, place)
        return found

    return await asyncio.to_thread(work)
