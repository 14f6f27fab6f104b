"""Every form rule of the app under generated input: it never raises, it answers None or a
sentence the user can act on, and what it accepts the sandbox (which checks as Photon does)
accepts too, so a field the form passes is never refused by the server for its shape.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from profiles import fuzz

from photon_desktop.domain import phones
from photon_desktop.domain.prescription_rules import (
    ICD10,
    MAX_DAYS_SUPPLY,
    MAX_QUANTITY,
    parse_days_supply,
    parse_diagnoses,
    parse_quantity,
)
from photon_desktop.sandbox.graphql.errors import InvalidScalar
from photon_desktop.sandbox.graphql.scalars import parse_aws_date, parse_aws_email, parse_aws_phone
from photon_desktop.services import locations
from photon_desktop.ui.patients import checks as patient
from photon_desktop.ui.patients.checks import US_STATES
from photon_desktop.ui.settings import checks as settings_checks

#: Any text, including control characters, other scripts' digits and lone surrogates' neighbours.
ANY = st.text(max_size=40)
PHONE_LIKE = st.one_of(
    ANY,
    st.text(alphabet="0123456789 +-().\u0661\u0662\uff13\u00b2", max_size=20),
    st.from_regex(r"\(?[2-9][0-9]{2}\)? ?[2-9][0-9]{2}-[0-9]{4}", fullmatch=True),
    st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True),
    st.from_regex(r"\+[2-9][0-9]{4,7}", fullmatch=True),  # short numbers valid in their country
)
#: ASCII digits and ones only ``str.isdigit`` calls digits: superscript, Arabic-Indic, full-width.
OTHER_DIGITS = "0123456789\u00b2\u0661\uff13"


def sentence(message: Any) -> None:
    """A problem the user can act on: a non-empty sentence."""
    assert isinstance(message, str) and message.strip(), repr(message)
    assert message.rstrip()[-1] in ".?", message


def accepted_by_sandbox(parse: Any, value: str) -> None:
    try:
        parse(value)
    except InvalidScalar as refused:
        pytest.fail(f"the form accepts {value!r}; the server refuses it: {refused}")


# ------------------------------------------------------------------ phones (domain/phones.py)


@fuzz()
@given(PHONE_LIKE)
@example("+4312000")  # valid in Austria, too short for Photon: found by the thorough profile
def test_a_phone_the_app_accepts_is_one_photon_accepts(text: str) -> None:
    try:
        number = phones.normalize(text)
    except phones.InvalidPhone as refused:
        sentence(str(refused))
        assert patient.phone_problem(text) == str(refused)
        return
    assert number.startswith("+") and number[1:].isascii() and number[1:].isdigit()
    assert phones.normalize(number) == number  # stable: a stored number stays valid
    assert phones.normalize(phones.display(number)) == number  # what staff read dials back
    assert phones.same_number(text, number)
    assert patient.phone_problem(text) is None
    accepted_by_sandbox(parse_aws_phone, number)


# ------------------------------------------------------------------ the patient form's rules


@fuzz()
@given(ANY, st.booleans())
def test_name_and_text_rules_refuse_control_characters_only(text: str, required: bool) -> None:
    for problem in (
        patient.name_problem(text, required=required, what="first name"),
        patient.text_problem(text, "city"),
    ):
        if problem is not None:
            sentence(problem)
    controls = any(ch in text for ch in "\t\n\r\x00\x1b\u2028\u2029")
    if controls:
        assert patient.text_problem(text, "city") is not None
    if text and not controls and text.isprintable():
        assert patient.name_problem(text, required=required, what="first name") is None


@fuzz()
@given(st.one_of(ANY, st.emails(), st.emails().map(str.upper)))
def test_an_email_the_form_accepts_is_one_photon_accepts(text: str) -> None:
    problem = patient.email_problem(text)
    if problem is not None:
        sentence(problem)
    elif text:
        accepted_by_sandbox(parse_aws_email, text)


@fuzz()
@given(
    st.one_of(
        ANY,
        st.dates().map(str),
        st.dates().map(lambda d: d.strftime("%m/%d/%Y")),
        st.text(alphabet="0123456789-/\u0661\u0662", max_size=12),
    )
)
def test_a_birth_date_the_form_accepts_is_one_photon_accepts(text: str) -> None:
    today = date(2026, 6, 1)
    problem = patient.birth_date_problem(text, today=today)
    if problem is not None:
        sentence(problem)
        return
    born = patient.birth_date(text)
    assert born is not None and patient.EARLIEST_BIRTH <= born <= today
    accepted_by_sandbox(parse_aws_date, born.isoformat())


@fuzz()
@given(st.one_of(ANY, st.from_regex(r"[0-9]{5}(-[0-9]{4})?", fullmatch=True)))
def test_zip_rule_takes_ascii_5_or_5_plus_4_digits_only(text: str) -> None:
    problem = patient.zip_problem(text)
    well_formed = (
        text.isascii()
        and len(text) in (5, 10)
        and text[:5].isdigit()
        and (len(text) == 5 or (text[5] == "-" and text[6:].isdigit()))
    )
    assert (problem is None) == well_formed, (text, problem)
    if problem is not None:
        sentence(problem)


# ------------------------------------------------------------------ the prescription card's rules


@fuzz()
@given(st.one_of(ANY, st.floats().map(str), st.decimals().map(str), st.integers().map(str)))
def test_quantity_is_a_finite_number_above_zero_or_a_clear_problem(text: str) -> None:
    quantity = parse_quantity(text)
    if quantity is not None:
        assert 0 < quantity <= MAX_QUANTITY and text.isascii() and "," not in text


@fuzz()
@given(st.one_of(ANY, st.integers(-10, 5000).map(str), st.text(alphabet=OTHER_DIGITS, max_size=5)))
def test_days_supply_is_a_whole_number_in_range_or_a_clear_problem(text: str) -> None:
    days, ok = parse_days_supply(text)
    if not ok:
        assert days is None
    elif text.strip():
        assert days is not None and 1 <= days <= MAX_DAYS_SUPPLY
        assert str(days) == text.strip().lstrip("0")
    else:
        assert days is None  # left empty: optional


@fuzz()
@given(
    st.lists(
        st.one_of(ANY, st.from_regex(r"[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?", fullmatch=True)),
        max_size=5,
    ).map(", ".join)
)
def test_diagnoses_split_into_icd10_codes_and_the_rest(text: str) -> None:
    codes, bad = parse_diagnoses(text)
    assert all(ICD10.match(code) for code in codes)
    assert not any(ICD10.match(entry) for entry in bad)
    assert len(set(codes)) == len(codes)  # each code once
    assert parse_diagnoses(", ".join(codes)) == (codes, [])  # what is sent reads back the same


# ------------------------------------------------------------------ the order's address (widget)


ZIPS = st.sampled_from(["10014", "94105", "60601", "73301", "00501", "99950", "12345-6789"])


ADDRESSES = st.fixed_dictionaries(
    {
        "street1": ANY,
        "city": ANY,
        "state": st.one_of(
            st.sampled_from(US_STATES), st.sampled_from(US_STATES).map(str.lower), ANY
        ),
        "zip": st.one_of(ZIPS, ANY),
    }
)


def test_order_address_box_gives_an_address_in_its_zips_state_or_marks_the_fields(
    qtbot: Any,
) -> None:
    from photon_desktop.ui.orders.address_box import AddressBox

    box = AddressBox("Ship to")  # one box, typed into again and again as a user would
    qtbot.addWidget(box)

    @fuzz(examples=40)
    @given(ADDRESSES)
    def typed(values: dict[str, str]) -> None:
        for key, value in values.items():
            box.edits[key].setText(value)
        address = box.value()
        shown = [label.text() for label in box.errors.values() if label.text()]
        if address is None:
            assert shown, "refused without saying why"
            for text in shown:
                sentence(text)
            return
        assert not shown
        place = locations.place_for_zip(address.postal_code)
        assert place is not None and place.state == address.state
        assert address.street1 and address.city and address.street1 == address.street1.strip()

    typed()


# ------------------------------------------------------------------ Settings


@fuzz()
@given(ANY, st.booleans())
def test_settings_checks_answer_none_or_a_sentence(text: str, required: bool) -> None:
    for problem in (
        settings_checks.check_client_id(text, required=required),
        settings_checks.check_org_id(text),
        settings_checks.check_url(text, required=required, what="sign-in address"),
    ):
        if problem is not None:
            sentence(problem)


@fuzz()
@given(
    st.one_of(ANY, st.from_regex(r"https?://[a-z0-9.\[\]:]{1,30}(:[0-9]{1,6})?/?", fullmatch=True))
)
def test_an_accepted_url_is_https_or_loopback_http(text: str) -> None:
    assume(text.strip())
    if settings_checks.check_url(text, required=True, what="sign-in address") is None:
        from urllib.parse import urlsplit

        parts = urlsplit(text.strip())
        assert parts.scheme in ("https", "http") and parts.hostname
        if parts.scheme == "http":
            assert parts.hostname == "localhost" or parts.hostname.startswith(("127.", "::1"))


@fuzz()
@given(
    st.one_of(
        ANY,
        st.lists(st.integers(0, 70000).map(str), max_size=4).map(", ".join),
        st.text(alphabet=OTHER_DIGITS + " ,", max_size=8),
    )
)
def test_ports_are_all_in_range_or_none_with_a_reason(text: str) -> None:
    ports, problem = settings_checks.parse_ports(text)
    if problem is None:
        assert ports and all(
            settings_checks.PORT_MIN <= p <= settings_checks.PORT_MAX for p in ports
        )
        assert len(set(ports)) == len(ports)
    else:
        assert ports == ()
        sentence(problem)
