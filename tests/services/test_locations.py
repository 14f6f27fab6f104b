"""ZIP → latitude/longitude from the table shipped in the ``zipcodes`` wheel (no network)."""

from __future__ import annotations

import asyncio

import pytest

from photon_desktop.services import locations


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10001", "10001"), (" 10001-1234 ", "10001"), ("1000", None), ("ABCDE", None), ("", None)],
)
def test_zip5_accepts_5_and_5_plus_4_digits(text: str, expected: str | None) -> None:
    assert locations.zip5(text) == expected


def test_a_known_zip_has_its_centre_and_state() -> None:
    place = locations.place_for_zip("94110-1234")
    assert place is not None
    assert (place.zip_code, place.state, place.city) == ("94110", "CA", "San Francisco")
    assert 37.6 < place.latitude < 37.9 and -122.5 < place.longitude < -122.3
    assert place.label == "94110 (San Francisco, CA)"


def test_unknown_or_malformed_zips_have_no_place() -> None:
    assert locations.place_for_zip("00000") is None
    assert locations.place_for_zip("not a zip") is None
    assert asyncio.run(locations.locate("00000")) is None


def test_distances_in_miles() -> None:
    new_york = locations.place_for_zip("10001")
    los_angeles = locations.place_for_zip("90012")
    assert new_york is not None and los_angeles is not None
    assert 2400 < locations.miles_between(new_york, los_angeles) < 2500
    assert locations.miles_between(new_york, new_york) == pytest.approx(0.0, abs=1e-6)
    found = asyncio.run(locations.miles_from(new_york, ["11215", "00000", "10001"]))
    assert set(found) == {"11215", "10001"} and 3 < found["11215"] < 10
