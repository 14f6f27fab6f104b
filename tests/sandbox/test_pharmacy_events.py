"""Pharmacy events on the order clock: exceptions, errors, shipping, pick-up waits; seeded."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from test_clinical_support import PRESCRIBER, START, data, gql, place_orders, user

from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.graphql import ClinicalAPI
from photon_desktop.sandbox.pharmacy import ERRORS, EXCEPTIONS, PharmacyRates

ORDER = """query($id: ID!) { order(id: $id) { state pharmacy { id }
  fulfillment { type state carrier trackingNumber }
  exceptions { type message createdAt resolvedAt } fills { filledAt } } }"""
TRACKING = {"UPS": r"1Z[0-9A-F]{6}\d{10}", "USPS": r"9400\d{18}", "FedEx": r"\d{12}"}
HOUR = 3600.0


def make(seed: int = 7, **rates: float) -> ClinicalAPI:
    return ClinicalAPI(
        seed=seed, patients=10, clock=Clock(speed=0, start=START), pharmacy=PharmacyRates(**rates)
    )


def read(api: ClinicalAPI, order_id: str) -> dict:
    return data(gql(api, user(api, PRESCRIBER), ORDER, id=order_id))["order"]


def test_an_exception_pauses_fulfillment_until_it_is_resolved() -> None:
    api = make(exception_rate=1.0)
    [order_id] = place_orders(api, 1, mail=False)
    api.clock.advance(60 + 1100)  # placed, and past the latest moment an exception is raised
    paused = read(api, order_id)
    [exception] = paused["exceptions"]
    assert exception["type"] in {kind for kind, _ in EXCEPTIONS}
    assert exception["message"] and exception["resolvedAt"] is None
    api.clock.advance(HOUR)  # a plain order would be READY or PICKED_UP by now
    assert read(api, order_id)["fulfillment"]["state"] == "RECEIVED"
    assert read(api, order_id)["state"] == "PLACED"
    api.clock.advance(7 * HOUR)
    done = read(api, order_id)
    assert done["exceptions"][0]["resolvedAt"] > done["exceptions"][0]["createdAt"]
    assert (done["state"], done["fulfillment"]["state"]) == ("COMPLETED", "PICKED_UP")


def test_an_error_fails_the_order_and_routing_it_elsewhere_starts_over() -> None:
    api = make(error_rate=1.0)
    [order_id] = place_orders(api, 1, mail=False)
    api.clock.advance(60 + 3000)
    failed = read(api, order_id)
    assert failed["state"] == "ERROR"
    [error] = failed["exceptions"]
    assert error["type"] in {kind for kind, _ in ERRORS} and error["resolvedAt"] is None
    assert failed["fills"][0]["filledAt"] is None

    api.set_pharmacy_rates({})
    me = user(api, PRESCRIBER)
    other = next(
        p["id"]
        for p in data(gql(api, me, "{ pharmacies { id fulfillmentTypes } }"))["pharmacies"]
        if p["fulfillmentTypes"] != ["MAIL_ORDER"] and p["id"] != failed["pharmacy"]["id"]
    )
    route = "mutation($id: ID!, $ph: ID!) { routeOrder(id: $id, pharmacyId: $ph) { state } }"
    assert "errors" not in gql(api, me, route, id=order_id, ph=other)
    api.clock.advance(2 * HOUR)
    rerouted = read(api, order_id)
    assert (rerouted["state"], rerouted["exceptions"]) == ("COMPLETED", [])


def test_mail_orders_ship_with_a_carrier_and_its_kind_of_tracking_number() -> None:
    api = make(exception_rate=0.2)
    orders = place_orders(api, 12, mail=True)
    api.clock.advance(60 + 8 * HOUR)
    shipped = [read(api, o)["fulfillment"] for o in orders]
    assert {f["state"] for f in shipped} <= {"SHIPPED", "DELIVERED"}
    for f in shipped:
        assert re.fullmatch(TRACKING[f["carrier"]], f["trackingNumber"]), f
    assert len({f["carrier"] for f in shipped}) > 1


def test_pick_ups_can_wait_ready_for_days() -> None:
    api = make(pickup_wait_days=5)
    orders = place_orders(api, 20, mail=False)
    api.clock.advance(60 + 2 * 24 * HOUR)
    after_two_days = [read(api, o)["fulfillment"]["state"] for o in orders]
    assert "READY" in after_two_days and "PICKED_UP" in after_two_days
    api.clock.advance(3 * 24 * HOUR + HOUR)
    assert {read(api, o)["state"] for o in orders} == {"COMPLETED"}


def _history(seed: int) -> list[tuple]:
    api = make(seed=seed, exception_rate=0.3, error_rate=0.2, pickup_wait_days=2)
    orders = place_orders(api, 20, mail=False)
    api.clock.advance(60 + 12 * HOUR)
    return [
        (o["state"], o["fulfillment"] and o["fulfillment"]["state"], str(o["exceptions"]))
        for o in (read(api, order_id) for order_id in orders)
    ]


def test_the_events_are_the_same_for_the_same_seed_and_follow_the_rates() -> None:
    first = _history(seed=7)
    assert _history(seed=7) == first
    assert _history(seed=8) != first
    states = [state for state, _, _ in first]
    assert "ERROR" in states and states.count("ERROR") < len(states)
    assert any("resolvedAt" in e and "ERROR" != s for s, _, e in first if e != "[]")


def test_new_rates_apply_to_orders_that_arrive_afterwards() -> None:
    api = make()
    [before] = place_orders(api, 1, mail=False)
    assert api.set_pharmacy_rates({"exception_rate": 1.0})["exception_rate"] == 1.0
    [after] = place_orders(api, 1, mail=False)
    api.clock.advance(60 + 1100)
    assert read(api, before)["exceptions"] == []
    assert len(read(api, after)["exceptions"]) == 1


@pytest.mark.parametrize(
    "raw",
    [
        {"error_rate": 2},
        {"exception_rate": 0.7, "error_rate": 0.5},
        {"pickup_wait_days": -1},
        {"pickup_wait_days": float("inf")},
        {"exception_rate": "often"},
        {"bogus": 1},
        [],
    ],
)
def test_bad_rates_are_refused(raw) -> None:
    with pytest.raises(ValueError):
        PharmacyRates.from_dict(raw)


def test_rates_come_from_the_cli_and_change_through_admin(fresh_sandbox) -> None:
    running = fresh_sandbox("--exception-rate", "0.25", "--pickup-wait-days", "3")
    assert running.admin("GET", "pharmacy").json() == {
        "exception_rate": 0.25,
        "error_rate": 0.0,
        "pickup_wait_days": 3.0,
    }
    assert running.admin("PUT", "pharmacy", {"error_rate": 1.5}).status_code == 400
    changed = running.admin("PUT", "pharmacy", {"error_rate": 0.1})
    assert changed.status_code == 200
    assert changed.json() == {"exception_rate": 0.0, "error_rate": 0.1, "pickup_wait_days": 0.0}


def test_the_cli_refuses_impossible_rates() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "photon_desktop.sandbox", "--pharmacy-error-rate", "2"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"error_rate must be between 0 and 1" in done.stderr
