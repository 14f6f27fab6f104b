"""ZIP → latitude/longitude from the table shipped in the ``zipcodes`` wheel (no network)."""

from __future__ import annotations

import asyncio

import pytest
import zipcodes

from photon_desktop.services import locations


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


ARABIC_INDIC_10001 = "\u0661\u0660\u0660\u0660\u0661"
FULL_WIDTH_02115 = "\uff10\uff12\uff11\uff11\uff15"


@pytest.mark.parametrize("typed", [ARABIC_INDIC_10001, FULL_WIDTH_02115, "1000\u0661"])
def test_zips_in_other_digits_are_malformed_not_looked_up(typed: str) -> None:
    assert locations.place_for_zip(typed) is None
    assert asyncio.run(locations.locate(typed)) is None
    assert locations.zip_problem(typed) == "A ZIP code has 5 digits, or 5+4 like 12345-6789."


def test_the_zip_problem_names_what_is_wrong() -> None:
    assert locations.zip_problem("10001", "NY") is None
    assert locations.zip_problem("10001-1234") is None
    assert locations.zip_problem("00000") == "00000 is not a known US ZIP code."
    assert locations.zip_problem("02115", "NY") == "ZIP 02115 is in MA, not NY."


def test_a_panic_in_the_zip_table_is_an_ordinary_error() -> None:
    """The table's Rust core panics (a BaseException) on such input: it must not reach a worker
    thread or a Qt slot as anything but an Exception."""
    with pytest.raises(locations.LocationError, match="ZIP table failed"):
        locations._table(zipcodes.matching, ARABIC_INDIC_10001)
