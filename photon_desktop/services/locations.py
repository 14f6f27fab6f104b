"""US ZIP code → latitude/longitude and distances, offline.

"Pharmacies near the patient" needs a search centre, and Photon's main API takes only coordinates.
The ``zipcodes`` package ships the USPS ZIP table (with centroids) inside the wheel, so nothing is
downloaded at run time and no address leaves the machine. Its first lookup loads the table
(about 0.3 s), so lookups run in a worker thread.

The package's core is Rust: on input it does not expect it panics with ``PanicException``, a
``BaseException``. Every call into it goes through ``_table``, which turns that into
``LocationError``, an ordinary exception: uncaught in a Qt slot it would print a traceback, and in
a worker thread it would end the thread (qasync's workers catch ``Exception`` only) and the
lookup's answer would never come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zipcodes

from photon_desktop.domain.zip_codes import FORMAT_PROBLEM, zip5


class LocationError(Exception):
    """The offline ZIP table failed on a lookup; ``str()`` says which."""


def _table(call: Callable[..., Any], *args: object) -> Any:
    """Call into ``zipcodes``, its panics (``BaseException``) raised as ``LocationError``."""
    try:
        return call(*args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise LocationError(f"The offline ZIP table failed: {exc}") from exc


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


def place_for_zip(text: str | None) -> Place | None:
    """The ZIP's centre, or None when it is malformed or not a known US ZIP (blocking).

    Raises ``LocationError`` when the table fails."""
    code = zip5((text or "").strip())
    if code is None:
        return None
    for row in _table(zipcodes.matching, code):
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


def zip_problem(text: str, state: str | None = None) -> str | None:
    """What is wrong with a typed ZIP (and, given ``state``, that it lies in it), in a person's
    words; None when it is a known US ZIP (blocking, like ``place_for_zip``)."""
    if zip5(text) is None:
        return FORMAT_PROBLEM
    try:
        place = place_for_zip(text)
    except LocationError as exc:
        return f"Could not check the ZIP code: {exc}"
    if place is None:
        return f"{text} is not a known US ZIP code."
    if state and place.state != state:
        return f"ZIP {text} is in {place.state}, not {state}."
    return None


async def load_table() -> None:
    """Load the ZIP table in a worker thread (~0.25 s, once), so that a check made later on the
    UI thread (a form's Save, an address's review) does not wait for it."""
    await asyncio.to_thread(_table, zipcodes.matching, "00000")


async def locate(text: str | None) -> Place | None:
    """``place_for_zip`` without blocking the event loop."""
    if zip5((text or "").strip()) is None:
        return None
    return await asyncio.to_thread(place_for_zip, text)


def miles_between(a: Place, b: Place) -> float:
    """Great-circle distance in miles."""
    return float(_table(zipcodes.haversine, a.longitude, a.latitude, b.longitude, b.latitude))


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
