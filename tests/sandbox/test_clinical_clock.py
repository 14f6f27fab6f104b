"""The simulated clock and what it drives: order fulfillment and prescription expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_clinical_support import PRESCRIBER, START, data, gql, make_api, place_orders, user

from photon_desktop.sandbox.clock import Clock, ManualTime
from photon_desktop.sandbox.graphql import ClinicalAPI


def test_clock_runs_at_its_speed_and_jumps_forward() -> None:
    source = ManualTime()
    clock = Clock(speed=3600, start=START, source=source)
    first = clock.now()
    source.advance(0.02)
    assert first.tzinfo is UTC or first.utcoffset() == timedelta(0)
    assert clock.now() - first == timedelta(seconds=72)  # 20 ms at 3600x
    frozen = Clock(speed=0, start=START)
    frozen.advance(90)
    assert frozen.now() == START + timedelta(seconds=90)
    frozen.set_speed(2.0)
    assert frozen.speed == 2.0 and frozen.now() >= START + timedelta(seconds=90)
    with pytest.raises(ValueError, match="forward"):
        frozen.advance(-1)


ORDER = """query($id: ID!) { order(id: $id) { state pharmacy { fulfillmentTypes }
  fulfillment { type state carrier trackingNumber minutesUntilReady }
  fills { state filledAt } } }"""


def _new_order(api, me, mail: bool) -> str:
    return place_orders(api, 1, mail=mail)[0]


def _walk(api, me, order_id: str, minutes: list[float]) -> list[tuple]:
    seen = []
    for step in minutes:
        api.clock.advance(step * 60)
        o = data(gql(api, me, ORDER, id=order_id))["order"]
        f = o["fulfillment"]
        seen.append((o["state"], f and f["state"], o["fills"][0]["state"]))
    return seen


def test_pick_up_order_advances_with_the_clock() -> None:
    api = make_api(patients=10)
    me = user(api, PRESCRIBER)
    order_id = _new_order(api, me, mail=False)
    assert _walk(api, me, order_id, [0, 1.5, 5, 15, 40]) == [
        ("PENDING", None, "NEW"),
        ("PLACED", "SENT", "SENT"),
        ("PLACED", "RECEIVED", "SENT"),
        ("PLACED", "READY", "SENT"),
        ("COMPLETED", "PICKED_UP", "SENT"),
    ]
    done = data(gql(api, me, ORDER, id=order_id))["order"]
    assert done["fills"][0]["filledAt"] is not None


def test_mail_order_ships_with_tracking_and_is_delivered() -> None:
    api = make_api(patients=10)
    me = user(api, PRESCRIBER)
    order_id = _new_order(api, me, mail=True)
    states = _walk(api, me, order_id, [1.5, 5, 15, 40, 120])
    assert [s[1] for s in states] == ["SENT", "RECEIVED", "FILLING", "SHIPPED", "DELIVERED"]
    assert states[-1][0] == "COMPLETED"
    shipped = data(gql(api, me, ORDER, id=order_id))["order"]["fulfillment"]
    assert shipped["type"] == "MAIL_ORDER" and shipped["carrier"] and shipped["trackingNumber"]


def test_a_completed_order_can_no_longer_be_canceled() -> None:
    api = make_api(patients=10)
    me = user(api, PRESCRIBER)
    order_id = _new_order(api, me, mail=False)
    api.clock.advance(3 * 3600)
    answer = gql(api, me, "mutation($id: ID!) { cancelOrder(id: $id) { state } }", id=order_id)
    assert answer["errors"][0]["errorType"] == "ValidationError"


def test_prescriptions_expire_a_year_after_their_effective_date() -> None:
    api = make_api(patients=10)
    me = user(api, PRESCRIBER)
    ids = data(gql(api, me, "{ patients(first: 1) { id } medications(first: 1) { id } }"))
    rx = data(
        gql(
            api,
            me,
            """mutation($p: ID!, $t: ID!) { createPrescription(patientId: $p,
        treatmentId: $t, dispenseQuantity: 30, dispenseUnit: "Tablet", fillsAllowed: 2,
        instructions: "Daily") { id expirationDate } }""",
            p=ids["patients"][0]["id"],
            t=ids["medications"][0]["id"],
        )
    )["createPrescription"]
    q = "query($id: ID!) { prescription(id: $id) { state } }"
    api.clock.advance(timedelta(days=365).total_seconds())
    assert data(gql(api, me, q, id=rx["id"]))["prescription"]["state"] == "ACTIVE"
    api.clock.advance(timedelta(days=2).total_seconds())
    assert data(gql(api, me, q, id=rx["id"]))["prescription"]["state"] == "EXPIRED"
    expired = data(gql(api, me, "{ prescriptions(first: 100, filter: {state: EXPIRED}) { id } }"))[
        "prescriptions"
    ]
    assert {"id": rx["id"]} in expired


def test_demo_data_has_orders_in_flight_that_finish_as_time_passes() -> None:
    api = ClinicalAPI(
        seed=5, patients=400, clock=Clock(speed=0, start=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    )
    me = user(api, PRESCRIBER)
    q = "{ orders(first: 100, filter: {state: PLACED}) { id } }"
    placed = data(gql(api, me, q))["orders"]
    assert placed
    api.clock.advance(4 * 3600)
    still = {o["id"] for o in data(gql(api, me, q))["orders"]}
    assert not still & {o["id"] for o in placed}


def test_a_canceled_order_stops_where_it_was() -> None:
    api = make_api(patients=10)
    me = user(api, PRESCRIBER)
    order_id = _new_order(api, me, mail=False)
    api.clock.advance(10 * 60)
    data(
        gql(
            api,
            me,
            'mutation($id: ID!) { cancelOrder(id: $id, reason: "moved") { id } }',
            id=order_id,
        )
    )
    assert _walk(api, me, order_id, [0, 120]) == [("CANCELED", "RECEIVED", "CANCELED")] * 2
