"""An ERROR order (its pharmacy never acknowledged it) is routed to another pharmacy, as its
exception tells the user to do: it starts over there and the problem is gone."""

from __future__ import annotations

from typing import Any

from test_clinical_support import PRESCRIBER, data, gql, make_api, user


def route(api: Any, me: Any, order_id: str, pharmacy_id: str, fields: str) -> dict[str, Any]:
    """``routeOrder``'s answer (``fields`` of the order) for sending the order elsewhere."""
    return data(
        gql(
            api,
            me,
            "mutation($id: ID!, $ph: ID!) { routeOrder(id: $id, pharmacyId: $ph) "
            f"{{ {fields} }} }}",
            id=order_id,
            ph=pharmacy_id,
        )
    )["routeOrder"]


def test_an_error_order_can_be_routed_elsewhere_and_starts_over() -> None:
    api = make_api(patients=200)
    me = user(api, PRESCRIBER)
    failed = data(
        gql(
            api,
            me,
            "{ orders(first: 1, filter: {state: ERROR}) { id pharmacy { id } "
            "exceptions { type resolvedAt } } }",
        )
    )["orders"][0]
    assert failed["exceptions"][0]["type"] == "PHARMACY_UNREACHABLE"
    pharmacies = data(gql(api, me, "{ pharmacies(first: 5) { id } }"))["pharmacies"]
    other = next(p["id"] for p in pharmacies if p["id"] != failed["pharmacy"]["id"])
    moved = route(api, me, failed["id"], other, "state pharmacy { id } exceptions { type }")
    assert moved == {"state": "PLACED", "pharmacy": {"id": other}, "exceptions": []}


def test_a_demo_order_picked_up_near_its_patient_stays_where_it_is_routed() -> None:
    """Demo pick-up orders are at the pharmacy nearest their patient; one routed elsewhere is
    then at the pharmacy it was routed to, however far."""
    api = make_api(patients=200)
    me = user(api, PRESCRIBER)
    failed = [
        o
        for o in data(
            gql(
                api,
                me,
                "{ orders(first: 20, filter: {state: ERROR}) "
                "{ id pharmacy { id fulfillmentTypes } } }",
            )
        )["orders"]
        if o["pharmacy"]["fulfillmentTypes"] == ["PICK_UP"]
    ]
    assert failed, "no demo order in error is picked up"
    order = failed[0]
    national = data(gql(api, me, "{ pharmacies(first: 3) { id } }"))["pharmacies"]
    elsewhere = next(p["id"] for p in national if p["id"] != order["pharmacy"]["id"])
    routed = route(api, me, order["id"], elsewhere, "pharmacy { id }")
    again = data(
        gql(api, me, "query($id: ID!) { order(id: $id) { pharmacy { id } } }", id=order["id"])
    )
    assert routed["pharmacy"]["id"] == again["order"]["pharmacy"]["id"] == elsewhere
