"""The ZIP format, the one home for it: five ASCII digits, optionally -1234."""

from __future__ import annotations

import pytest

from photon_desktop.domain.zip_codes import zip5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10001", "10001"),
        ("10001-1234", "10001"),
        ("1000", None),
        ("ABCDE", None),
        ("", None),
        (None, None),
        ("10001\n", None),
        ("\u0661\u0660\u0660\u0660\u0661", None),  # Arabic-Indic digits: \d would take them
        ("\uff10\uff12\uff11\uff11\uff15", None),  # full-width digits
        ("10001-\u0661\u0662\u0663\u0664", None),
    ],
)
def test_zip5_takes_5_or_5_plus_4_ascii_digits(text: str | None, expected: str | None) -> None:
    assert zip5(text) == expected
