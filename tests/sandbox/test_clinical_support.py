"""Shared helpers for the in-process Clinical API tests (no tests of its own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.graphql import ClinicalAPI

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PRESCRIBER = "prescriber@sandbox.photon.local"
STAFF = "staff@sandbox.photon.local"
SUPPORT = "support@sandbox.photon.local"


def make_api(patients: int = 60, seed: int = 7) -> ClinicalAPI:
    """A small sandbox on a frozen clock (speed 0): time moves only through ``advance``."""
    return ClinicalAPI(seed=seed, patients=patients, clock=Clock(speed=0, start=START))


def user(api: ClinicalAPI, email: str) -> Principal:
    demo_user = accounts.demo_user(email)
    assert demo_user is not None
    return Principal(
        subject=f"auth0|{email}",
        client_id=accounts.NATIVE_CLIENT_ID,
        org_id=api.org_id,
        permissions=frozenset(demo_user.permissions),
        user_email=email,
    )


def m2m(api: ClinicalAPI, permissions: tuple[str, ...] = accounts.M2M_PERMISSIONS) -> Principal:
    return Principal(
        subject=f"{accounts.M2M_CLIENT_ID}@clients",
        client_id=accounts.M2M_CLIENT_ID,
        org_id=api.org_id,
        permissions=frozenset(permissions),
    )


def gql(api: ClinicalAPI, principal: Principal, query: str, **variables: Any) -> dict:
    return api.execute({"query": query, "variables": variables}, principal)


def data(answer: dict) -> Any:
    """The ``data`` of an answer that must have no errors."""
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def error_types(answer: dict) -> list[str]:
    return [e["errorType"] for e in answer.get("errors", [])]


def fields(answer: dict) -> set[str]:
    return {(e.get("errorInfo") or {}).get("field") for e in answer.get("errors", [])}
