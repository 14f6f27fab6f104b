"""What a client secret is (RFC 6749 App. A.2), as the Settings pane and ``check`` read one."""

from __future__ import annotations

import pytest

from photon_desktop.auth.client_secret import check_client_secret, client_secret


@pytest.mark.parametrize(
    "pasted", ["s3cr3t\n", "s3cr3t\r\n", " s3cr3t", "s3cr3t ", "\ts3cr3t\u00a0", "s3cr3t"]
)
def test_whitespace_around_a_secret_is_never_part_of_it(pasted: str) -> None:
    assert client_secret(pasted) == "s3cr3t"
    assert check_client_secret(pasted, required=True) is None


def test_a_secret_of_only_spaces_is_no_secret() -> None:
    assert check_client_secret("  \n", required=True) == "Enter the client secret."
    assert check_client_secret("  \n", required=False) is None


@pytest.mark.parametrize("inside", ["line\nbreak", "tab\there", "caf\u00e9-secret", "nul\x00"])
def test_what_no_secret_contains_is_refused_with_a_reason(inside: str) -> None:
    problem = check_client_secret(inside, required=False)
    assert problem and "Copy it again" in problem


def test_any_printable_ascii_is_a_secret() -> None:
    # VSCHAR is %x20-7E: punctuation and inner spaces included, whatever the provider's style.
    assert check_client_secret("a b~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", required=True) is None
