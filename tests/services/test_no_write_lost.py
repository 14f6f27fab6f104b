"""No write lost, none doubled: every write against the real sandbox, with its answer spoiled.

``Spoil`` is an httpx transport that forwards each request to the sandbox over HTTP (so the write
really commits) and then, for the named operation, replaces the answer the app receives: a
dropped connection, a GraphQL error, a record with an enum value the app does not know, or a 502.
Whatever the app was told, afterwards exactly one record exists (counted in the sandbox's
``/admin/stats`` or read back through its GraphQL API) and the service returned it. Resending
after "outcome unknown" (the write and every check spoiled) finds the saved record instead of
creating a second one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sandbox_tokens import StaticTokens
from test_sandbox_services import (
    ADDRESS,
    PRESCRIBER,
    active_prescription,
    counts,
    new_patient,
    services,
)

from photon_desktop.domain import OrderState, PrescriptionInput
from photon_desktop.errors import StateConflict, WriteOutcomeUnknown
from photon_desktop.services import Services

Spoiler = Callable[[dict[str, Any]], httpx.Response | Exception]


def dropped(_: dict[str, Any]) -> Exception:
    return httpx.RemoteProtocolError("Server disconnected without sending a response.")


def graphql_error(_: dict[str, Any]) -> httpx.Response:
    body = {"data": None, "errors": [{"message": "Internal failure", "errorType": "Internal"}]}
    return httpx.Response(200, json=body)


def unknown_enum(answer: dict[str, Any]) -> httpx.Response:
    """The real answer with each returned record's ``state`` (or a patient's ``sex``) unknown."""
    for record in answer["data"].values():
        for item in record if isinstance(record, list) else [record]:
            item["state" if "state" in item else "sex"] = "ON_HOLD"
    return httpx.Response(200, json=answer)


def bad_gateway(_: dict[str, Any]) -> httpx.Response:
    return httpx.Response(502, content=b"<html>502 Bad Gateway</html>")


FAULTS = {
    "dropped": dropped,
    "graphql_error": graphql_error,
    "unknown_enum": unknown_enum,
    "502": bad_gateway,
}


class Spoil(httpx.AsyncBaseTransport):
    """Sends every request to the sandbox; spoils the answers of the operations in ``plan``."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.plan: dict[str, list[Spoiler]] = {}
        self.sent: list[str] = []

    def spoil(self, operation: str, *spoilers: Spoiler) -> None:
        self.plan.setdefault(operation, []).extend(spoilers)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = None
        if request.url.path.endswith("/graphql"):
            operation = json.loads(request.content).get("operationName")
            self.sent.append(operation)
        response = await self._inner.handle_async_request(request)
        queue = self.plan.get(operation or "")
        if not queue or response.status_code != 200:
            return response
        await response.aread()
        await response.aclose()
        replacement = queue.pop(0)(response.json())
        if isinstance(replacement, Exception):
            raise replacement
        return replacement

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
def app(sandbox: Any, on_qt: Any) -> Callable[..., Any]:
    """``app(scenario, prescriber=False)``: run ``scenario(s, spoil)`` over a spoiling client."""

    def runner(scenario: Callable[[Services, Spoil], Awaitable[Any]], prescriber: bool = False):
        spoil = Spoil()
        token = StaticTokens(sandbox.user_token(PRESCRIBER)) if prescriber else None

        async def main(http: httpx.AsyncClient) -> Any:
            return await scenario(services(sandbox, http, token), spoil)

        return on_qt(main, transport=spoil)

    return runner


async def prescription_input(s: Services, note: str) -> PrescriptionInput:
    """For a new patient, so the shared sandbox's demo patients keep their prescription lists."""
    patient_id = (await s.patients.create(new_patient("Rxholder"))).id
    medication = (await s.catalog.medications("a")).items[0]
    return PrescriptionInput(patient_id, medication.id, 30, "Tablet", 1, f"Take one {note}")


# ------------------------------------------------------------------ creates


@pytest.mark.parametrize("fault", FAULTS)
def test_create_patient(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        before = counts(sandbox)["patients"]
        spoil.spoil("CreatePatient", FAULTS[fault])
        created = await s.patients.create(new_patient(f"Spoiled{fault.title()}"))
        return before, created, spoil.sent.count("CreatePatient")

    before, created, sends = app(scenario)
    assert counts(sandbox)["patients"] == before + 1 and sends == 1
    assert created.name.last.startswith("Spoiled") and created.external_id.startswith("pd-")


@pytest.mark.parametrize("fault", FAULTS)
def test_create_prescription(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        item = await prescription_input(s, fault)
        before = counts(sandbox)["prescriptions"]
        spoil.spoil("CreatePrescription", FAULTS[fault])
        return before, await s.prescriptions.create(item), spoil.sent.count("CreatePrescription")

    before, rx, sends = app(scenario, prescriber=True)
    assert counts(sandbox)["prescriptions"] == before + 1 and sends == 1
    assert rx.instructions.endswith(fault)


@pytest.mark.parametrize("fault", FAULTS)
def test_create_prescriptions_in_one_request(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        item = await prescription_input(s, f"batch {fault}")
        before = counts(sandbox)["prescriptions"]
        spoil.spoil("CreatePrescriptions", FAULTS[fault])
        created = await s.prescriptions.create_many([item, item])
        return before, created, spoil.sent.count("CreatePrescriptions")

    before, created, sends = app(scenario, prescriber=True)
    assert counts(sandbox)["prescriptions"] == before + 2 and sends == 1
    assert len({rx.id for rx in created}) == 2


@pytest.mark.parametrize("fault", FAULTS)
def test_create_order(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        before = counts(sandbox)["orders"]
        spoil.spoil("CreateOrder", FAULTS[fault])
        order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id)
        listed = await s.orders.list(patient_id=patient_id, first=100)
        mine = [o for o in listed.items if o.external_id == order.external_id]
        return before, order, mine, spoil.sent.count("CreateOrder")

    before, order, mine, sends = app(scenario)
    assert counts(sandbox)["orders"] == before + 1 and sends == 1
    assert [o.id for o in mine] == [order.id]


@pytest.mark.parametrize("fault", FAULTS)
def test_update_patient(sandbox: Any, app: Any, fault: str) -> None:
    from photon_desktop.domain import PatientInput

    async def scenario(s: Services, spoil: Spoil) -> Any:
        created = await s.patients.create(new_patient("Updated"))
        before = counts(sandbox)["patients"]
        spoil.spoil("UpdatePatient", FAULTS[fault])
        change = PatientInput(email=f"{fault.replace('_', '.')}@example.com")
        updated = await s.patients.update(created.id, change)
        return before, change, updated, await s.patients.get(created.id)

    before, change, updated, reloaded = app(scenario)
    assert counts(sandbox)["patients"] == before
    assert updated.email == reloaded.email == change.email


# ------------------------------------------------------------------ changes of state


async def new_order(s: Services) -> tuple[Any, list[Any]]:
    patient_id, rx_id = await active_prescription(s)
    pharmacies = list((await s.catalog.pharmacies(first=2)).items)
    return await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacies[0].id), pharmacies


@pytest.mark.parametrize("fault", FAULTS)
def test_cancel_order(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        order, _ = await new_order(s)
        before = counts(sandbox)["orders"]
        spoil.spoil("CancelOrder", FAULTS[fault])
        canceled = await s.orders.cancel(order.id, "Patient asked to stop")
        return before, order, canceled, await s.orders.get(order.id)

    before, order, canceled, reloaded = app(scenario)
    assert counts(sandbox)["orders"] == before
    assert canceled.id == order.id and canceled.state is OrderState.CANCELED
    assert reloaded.state is OrderState.CANCELED


@pytest.mark.parametrize("fault", FAULTS)
def test_reroute_order(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        order, pharmacies = await new_order(s)
        before = counts(sandbox)["orders"]
        spoil.spoil("RouteOrder", FAULTS[fault])
        rerouted = await s.orders.reroute(order.id, pharmacies[1].id)
        sends = spoil.sent.count("RouteOrder")
        return before, pharmacies, rerouted, await s.orders.get(order.id), sends

    before, pharmacies, rerouted, reloaded, sends = app(scenario)
    assert counts(sandbox)["orders"] == before and sends == 1
    assert rerouted.pharmacy is not None and rerouted.pharmacy.id == pharmacies[1].id
    assert reloaded.pharmacy is not None and reloaded.pharmacy.id == pharmacies[1].id


@pytest.mark.parametrize("fault", FAULTS)
def test_remove_allergy(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        page = await s.patients.search(first=100)
        for summary in page.items:
            patient = await s.patients.get(summary.id)
            if patient.allergies:
                break
        else:
            raise AssertionError("no seeded patient has allergies left")
        allergen = patient.allergies[0].allergen.id
        spoil.spoil("RemovePatientAllergy", FAULTS[fault])
        after = await s.patients.remove_allergy(patient.id, allergen)
        return allergen, after, await s.patients.get(patient.id)

    allergen, after, reloaded = app(scenario)
    assert allergen not in {a.allergen.id for a in after.allergies}
    assert allergen not in {a.allergen.id for a in reloaded.allergies}


@pytest.mark.parametrize("fault", FAULTS)
def test_remove_preferred_pharmacy(sandbox: Any, app: Any, fault: str) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        page = await s.patients.search(first=100)
        for summary in reversed(page.items):
            patient = await s.patients.get(summary.id)
            if patient.preferred_pharmacies:
                break
        else:
            raise AssertionError("no seeded patient has preferred pharmacies left")
        pharmacy = patient.preferred_pharmacies[0].id
        spoil.spoil("RemovePatientPreferredPharmacy", FAULTS[fault])
        after = await s.patients.remove_preferred_pharmacy(patient.id, pharmacy)
        return pharmacy, after, await s.patients.get(patient.id)

    pharmacy, after, reloaded = app(scenario)
    assert pharmacy not in {p.id for p in after.preferred_pharmacies}
    assert pharmacy not in {p.id for p in reloaded.preferred_pharmacies}


@pytest.mark.parametrize("fault", FAULTS)
def test_cancel_prescription(sandbox: Any, app: Any, fault: str) -> None:
    from photon_desktop.domain import PrescriptionState

    async def scenario(s: Services, spoil: Spoil) -> Any:
        rx = await s.prescriptions.create(await prescription_input(s, f"cancel {fault}"))
        before = counts(sandbox)["prescriptions"]
        spoil.spoil("CancelPrescription", FAULTS[fault])
        canceled = await s.prescriptions.cancel(rx.id)
        return before, rx, canceled, await s.prescriptions.get(rx.id)

    before, rx, canceled, reloaded = app(scenario, prescriber=True)
    assert counts(sandbox)["prescriptions"] == before
    assert canceled.id == rx.id and canceled.state is PrescriptionState.CANCELED
    assert reloaded.state is PrescriptionState.CANCELED


# ------------------------------------------------------------------ resend after "outcome unknown"


def test_resending_a_patient_after_outcome_unknown_returns_the_saved_one(
    sandbox: Any, app: Any
) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        data = new_patient("Resentpatient")
        before = counts(sandbox)["patients"]
        spoil.spoil("CreatePatient", dropped)
        spoil.spoil("SearchPatients", dropped, dropped, dropped)  # every check attempt
        with pytest.raises(WriteOutcomeUnknown) as unknown:
            await s.patients.create(data)
        again = await s.patients.create(data)  # "try again", same form, same content
        return before, unknown.value, again, spoil.sent.count("CreatePatient")

    before, unknown, again, sends = app(scenario)
    assert str(unknown).startswith("The connection to Photon was lost")
    assert counts(sandbox)["patients"] == before + 1 and sends == 2
    assert again.name.last == "Resentpatient"


def test_resending_with_the_forms_own_external_id_returns_the_saved_order(
    sandbox: Any, app: Any
) -> None:
    from photon_desktop.services import new_external_id

    async def scenario(s: Services, spoil: Spoil) -> Any:
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        submission = new_external_id()  # the form's, once
        before = counts(sandbox)["orders"]
        spoil.spoil("CreateOrder", bad_gateway)
        spoil.spoil("ListOrders", bad_gateway, bad_gateway, bad_gateway)
        with pytest.raises(WriteOutcomeUnknown) as unknown:
            await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id, submission)
        again = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id, submission)
        return before, unknown.value, again, submission

    before, unknown, again, submission = app(scenario)
    assert str(unknown).startswith("Photon had a problem answering (error 502)")
    assert counts(sandbox)["orders"] == before + 1
    assert again.external_id == submission


def test_resending_a_prescription_after_outcome_unknown_returns_the_saved_one(
    sandbox: Any, app: Any
) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        item = await prescription_input(s, "resent")
        before = counts(sandbox)["prescriptions"]
        spoil.spoil("CreatePrescription", graphql_error)
        spoil.spoil("ListPrescriptions", dropped, dropped, dropped)
        with pytest.raises(WriteOutcomeUnknown) as unknown:
            await s.prescriptions.create(item)
        again = await s.prescriptions.create(item)
        return before, unknown.value, again

    before, unknown, again = app(scenario, prescriber=True)
    assert str(unknown).startswith("Photon reported an error while saving the prescription")
    assert counts(sandbox)["prescriptions"] == before + 1
    assert again.instructions == "Take one resent"


def test_resending_a_cancel_after_outcome_unknown_says_it_was_already_cancelled(
    sandbox: Any, app: Any
) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        order, _ = await new_order(s)
        spoil.spoil("CancelOrder", dropped)
        spoil.spoil("GetOrder", dropped, dropped, dropped)
        with pytest.raises(WriteOutcomeUnknown):
            await s.orders.cancel(order.id)
        with pytest.raises(StateConflict) as again:
            await s.orders.cancel(order.id)
        return again.value, await s.orders.get(order.id)

    again, reloaded = app(scenario)
    assert str(again) == "This order was already canceled; nothing was changed."
    assert reloaded.state is OrderState.CANCELED


def test_resending_a_reroute_after_outcome_unknown_returns_the_routed_order(
    sandbox: Any, app: Any
) -> None:
    async def scenario(s: Services, spoil: Spoil) -> Any:
        order, pharmacies = await new_order(s)
        spoil.spoil("RouteOrder", bad_gateway)
        spoil.spoil("GetOrder", bad_gateway, bad_gateway, bad_gateway)
        with pytest.raises(WriteOutcomeUnknown):
            await s.orders.reroute(order.id, pharmacies[1].id)
        return pharmacies, await s.orders.reroute(order.id, pharmacies[1].id)

    pharmacies, again = app(scenario)
    assert again.pharmacy is not None and again.pharmacy.id == pharmacies[1].id
