"""The patient form's checks match the server's, and the search box's grammar."""

from __future__ import annotations

from datetime import date

import pytest

from photon_desktop.domain import Name, PatientSummary, Sex
from photon_desktop.ui.patients import checks
from photon_desktop.ui.patients.search import PatientQuery

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1984-03-27", None),
        ("03/27/1984", None),
        ("1899-12-31", "before 1900"),
        ("2026-12-01", "future"),
        ("27.03.1984", "YYYY-MM-DD"),
        ("02/29/1981", "There is no such date as 02/29/1981."),  # 1981 was no leap year
        ("1984-13-01", "There is no such date as 1984-13-01."),
        ("02/29/1984", None),
        ("", "Enter"),
    ],
)
def test_date_of_birth(typed: str, problem: str | None) -> None:
    found = checks.birth_date_problem(typed, TODAY)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("rosalind@example.com", True),
        ("r.franklin+lab@kings.ac.uk", True),
        ("rosalínd@example.com", False),  # accented local part: AWSEmail refuses it
        ("rosalind@exámple.com", False),
        ("not-an-email", False),
        ("a@b", False),
        ("", True),  # optional
    ],
)
def test_email_as_the_server_checks_it(typed: str, ok: bool) -> None:
    assert (checks.email_problem(typed) is None) is ok


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("02115", True), ("02115-1234", True), ("2115", False), ("٠٢١١٥", False), ("0211S", False)],
)
def test_zip_takes_ascii_digits_only(typed: str, ok: bool) -> None:
    assert (checks.zip_problem(typed) is None) is ok


@pytest.mark.parametrize("name", ["Ada\tLovelace", "Ada\nLovelace", "Ada\x00", "Ada\u2028"])
def test_names_refuse_control_characters(name: str) -> None:
    assert "control" in (checks.name_problem(name, required=True, what="first name") or "")
    assert checks.name_problem("Zoë O'Brien-Núñez 李", required=True, what="first name") is None


def test_phone_refuses_what_the_server_refuses() -> None:
    assert checks.phone_problem("(415) 555-0121") is None
    assert checks.phone_problem("0123456789") is not None
    assert checks.phone_problem("٤١٥٥٥٥٠١٢١") is not None


def summary(dob: date, phone: str = "+14155550121") -> PatientSummary:
    return PatientSummary(
        id="pat_1",
        name=Name(first="Ada", last="Smith", full="Ada Smith"),
        date_of_birth=dob,
        sex=Sex.FEMALE,
        phone=phone,
    )


@pytest.mark.parametrize(
    ("typed", "name", "dob", "phone"),
    [
        ("Smith", "Smith", None, None),
        ("Smith 1942-09-01", "Smith", date(1942, 9, 1), None),
        ("Ada  Smith 09/01/1942", "Ada Smith", date(1942, 9, 1), None),
        ("Smith (415) 555-0121", "Smith", None, "+14155550121"),
        ("Smith 415-555-0121", "Smith", None, "+14155550121"),
        ("1942-09-01", None, date(1942, 9, 1), None),
        ("", None, None, None),
    ],
)
def test_search_grammar(typed: str, name: str | None, dob: date | None, phone: str | None) -> None:
    query = PatientQuery.parse(typed)
    assert (query.name, query.date_of_birth, query.phone) == (name, dob, phone)


def test_a_query_matches_by_name_words_dob_and_phone() -> None:
    born = date(1942, 9, 1)
    assert PatientQuery.parse("smith 09/01/1942").matches(summary(born))
    assert not PatientQuery.parse("smith 09/02/1942").matches(summary(born))
    assert PatientQuery.parse("ada smith (415) 555-0121").matches(summary(born))
    assert not PatientQuery.parse("Smith 415-555-0199").matches(summary(born))
    assert not PatientQuery.parse("Jones").matches(summary(born))
