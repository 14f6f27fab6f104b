"""Tokens, secrets and patient details never reach log output or the request log in clear."""

from __future__ import annotations

import logging

import pytest

from photon_desktop import redact


def test_variables_keep_ids_and_paging_and_mask_patient_details() -> None:
    variables = {
        "id": "pat_1",
        "patientId": "pat_1",
        "name": {"first": "Ada", "last": "Lovelace"},
        "dateOfBirth": "1990-01-31",
        "phone": "+12025550102",
        "email": "ada@example.com",
        "address": {"street1": "1 Main St", "postalCode": "62701", "state": "IL"},
        "instructions": "Take one daily",
        "fills": [{"prescriptionId": "rx_1"}],
        "filter": {"patientName": "Love", "state": "ACTIVE"},
        "first": 25,
        "after": "pat_0",
        "location": {"latitude": 40.1, "longitude": -88.2, "radius": 5},
    }
    out = redact.redact_variables(variables)
    assert out["id"] == out["patientId"] == "pat_1"
    assert out["name"] == {"first": "***", "last": "***"}
    assert out["dateOfBirth"] == out["phone"] == out["email"] == out["instructions"] == "***"
    assert out["address"] == {"street1": "***", "postalCode": "***", "state": "***"}
    assert out["fills"] == [{"prescriptionId": "rx_1"}]
    assert out["filter"] == {"patientName": "***", "state": "ACTIVE"}
    assert out["first"] == 25 and out["after"] == "pat_0"
    assert out["location"] == {"latitude": "***", "longitude": "***", "radius": 5}
    assert variables["name"] == {"first": "Ada", "last": "Lovelace"}  # input untouched


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here", "eyJhbGciOiJSUzI1NiJ9"),
        ('{"client_secret": "s3cr3t-value", "x": 1}', "s3cr3t-value"),
        ("POST /token client_secret=s3cr3t-value&grant_type=x", "s3cr3t-value"),
        ("callback?code=AUTHCODE123&state=abc", "AUTHCODE123"),
        ("refresh_token=rt-123456 stored", "rt-123456"),
        ("mail ada@example.com failed", "ada@example.com"),
        ("phone +1 202-555-0102 invalid", "555-0102"),
        ("phone (202) 555 0102 invalid", "555 0102"),
    ],
)
def test_text_redaction(text: str, secret: str) -> None:
    assert secret not in redact.redact_text(text)


def test_ids_and_plain_text_survive() -> None:
    text = "GetPatient pat_01H8 took 120 ms (status 200)"
    assert redact.redact_text(text) == text


def test_installed_filter_redacts_records_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = caplog.handler
    redact.install([handler])
    redact.install([handler])
    assert sum(isinstance(f, redact.RedactingFilter) for f in handler.filters) == 1
    redact.add_secret("Lovelace-Secret-Name")
    logger = logging.getLogger("photon_desktop.test")
    with caplog.at_level(logging.INFO):
        logger.info("patient %s phone %s", "Lovelace-Secret-Name", "+12025550102")
        try:
            raise ValueError("bad client_secret=hunter2hunter2")
        except ValueError:
            logger.exception("failed")
    assert "Lovelace-Secret-Name" not in caplog.text
    assert "5550102" not in caplog.text
    assert "hunter2hunter2" not in caplog.text
    assert "ValueError" in caplog.text  # the traceback itself is kept
