"""Test doubles, one layer each: a TokenSource and a scripted GraphQL endpoint (MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from photon_desktop.errors import SignInRequired

URL = "https://api.test/graphql"


class FakeTokens:
    """A TokenSource that hands out ``token-<n>``; ``renew`` moves to the next one."""

    def __init__(self, *, renewable: bool = True) -> None:
        self.generation = 1
        self.current = "token-1"
        self.issued = 1
        self.renewals: list[str] = []
        self.renewable = renewable

    async def access_token(self) -> str:
        return self.current

    async def renew(self, rejected: str) -> str:
        self.renewals.append(rejected)
        if not self.renewable:
            raise SignInRequired("Your sign-in has ended. Please sign in again.")
        if rejected == self.current:
            self.issued += 1
            self.current = f"token-{self.issued}"
        return self.current

    def sign_in_again(self) -> None:
        """A new session: new generation and token."""
        self.generation += 1
        self.issued += 1
        self.current = f"token-{self.issued}"


Reply = httpx.Response | Exception
Responder = Callable[[dict[str, Any], httpx.Request], Reply]


def ok(data: dict[str, Any], errors: list[dict[str, Any]] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = errors
    return httpx.Response(200, json=body)


@dataclass
class FakePhoton:
    """Answers by operation name; ``queue`` holds one-shot replies that take precedence."""

    responders: dict[str, Responder] = field(default_factory=dict)
    queue: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    valid_tokens: set[str] | None = None
    authorizations: list[str] = field(default_factory=list)  # as sent (requests are reused)

    def on(self, operation: str, responder: Responder) -> None:
        self.responders[operation] = responder

    def operations(self) -> list[str]:
        return [json.loads(r.content)["operationName"] for r in self.requests]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.authorizations.append(request.headers.get("Authorization", ""))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return httpx.Response(401, json={"errors": [{"errorType": "UnauthorizedException"}]})
        if self.queue:
            reply = self.queue.pop(0)
        else:
            body = json.loads(request.content)
            responder = self.responders.get(body["operationName"])
            if responder is None:
                raise AssertionError(f"unexpected operation {body['operationName']}")
            reply = responder(body.get("variables") or {}, request)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))


class Sleeps:
    """An injectable sleep that records delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


# ------------------------------------------------------------------ JSON records


def name(first: str = "Ada", last: str = "Lovelace") -> dict[str, Any]:
    return {"first": first, "last": last, "full": f"{first} {last}", "middle": None, "title": None}


def address() -> dict[str, Any]:
    return {
        "street1": "1 Main St",
        "street2": None,
        "city": "Springfield",
        "state": "IL",
        "postalCode": "62701",
        "country": "US",
    }


def treatment(id_: str = "med_1", kind: str = "Medication") -> dict[str, Any]:
    return {
        "__typename": kind,
        "id": id_,
        "name": "Amoxicillin 500 mg capsule",
        "description": None,
        "codes": {
            "rxcui": "308191",
            "productNDC": None,
            "packageNDC": None,
            "HCPCS": None,
            "SKU": None,
        },
        "genericName": "amoxicillin",
        "brandName": None,
        "strength": "500 mg",
        "form": "capsule",
        "controlled": False,
        "schedule": None,
        "type": "RX",
    }


def pharmacy(id_: str = "phr_1") -> dict[str, Any]:
    return {
        "id": id_,
        "name": "Corner Pharmacy",
        "NPI": None,
        "NCPDP": None,
        "phone": "+12025550100",
        "fax": None,
        "fulfillmentTypes": ["PICK_UP"],
        "address": address(),
    }


def patient_summary(id_: str = "pat_1", external_id: str | None = None, **kw: Any) -> dict:
    return {
        "id": id_,
        "externalId": external_id,
        "name": kw.get("name", name()),
        "dateOfBirth": "1990-01-31",
        "sex": "FEMALE",
        "gender": None,
        "phone": "+12025550102",
        "email": "ada@example.com",
    }


def prescription(
    id_: str = "rx_1",
    external_id: str | None = None,
    state: str = "ACTIVE",
    patient_id: str = "pat_1",
) -> dict[str, Any]:
    return {
        "id": id_,
        "externalId": external_id,
        "state": state,
        "treatment": treatment(),
        "dispenseQuantity": 30,
        "dispenseUnit": "Capsule",
        "instructions": "1 cap tid",
        "notes": None,
        "fillsAllowed": 1,
        "fillsRemaining": 1,
        "daysSupply": 10,
        "dispenseAsWritten": False,
        "effectiveDate": "2026-01-01",
        "expirationDate": "2027-01-01",
        "writtenAt": "2026-01-01T10:00:00.000Z",
        "patient": {"id": patient_id, "name": name()},
        "prescriber": {
            "id": "usr_1",
            "name": name("Gregory", "House"),
            "email": "house@example.com",
            "NPI": "1234567893",
        },
        "fills": [],
    }


def order(
    id_: str = "ord_1",
    external_id: str | None = None,
    state: str = "PLACED",
    pharmacy_id: str | None = "phr_1",
    patient_id: str = "pat_1",
) -> dict[str, Any]:
    return {
        "id": id_,
        "externalId": external_id,
        "state": state,
        "createdAt": "2026-01-02T10:00:00.000Z",
        "patient": {"id": patient_id, "name": name()},
        "pharmacy": pharmacy(pharmacy_id) if pharmacy_id else None,
        "fulfillment": None,
        "address": address(),
        "fills": [
            {
                "id": "fil_1",
                "state": "SENT",
                "requestedAt": "2026-01-02T10:00:00Z",
                "filledAt": None,
                "treatment": treatment(),
                "prescription": {"id": "rx_1"},
                "order": {"id": id_},
            }
        ],
    }


def patient(id_: str = "pat_1", **kw: Any) -> dict[str, Any]:
    return {
        **patient_summary(id_, kw.get("external_id")),
        "address": address(),
        "allergies": kw.get(
            "allergies",
            [
                {
                    "allergen": {"id": "alg_1", "name": "Penicillin", "rxcui": None},
                    "comment": None,
                    "onset": "2001-05-01",
                }
            ],
        ),
        "medicationHistory": [
            {"active": True, "comment": None, "medication": treatment(), "prescription": None}
        ],
        "preferredPharmacies": kw.get("preferredPharmacies", [pharmacy()]),
        "prescriptions": kw.get("prescriptions", [prescription()]),
        "orders": kw.get("orders", [order()]),
    }
