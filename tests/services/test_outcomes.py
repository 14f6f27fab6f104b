"""Lost writes are checked, never resent (scripted endpoint; the sandbox tests cover it live)."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from api_fakes import URL, FakePhoton, FakeTokens, Sleeps, ok, order, patient

from photon_desktop.api.retry import RetryPolicy
from photon_desktop.domain import AddressInput, NameInput, PatientInput, Sex
from photon_desktop.errors import (
    InvalidInput,
    OfflineError,
    PermissionMissing,
    PhotonError,
    ServerError,
    WriteOutcomeUnknown,
)
from photon_desktop.services import Services

ADDRESS = AddressInput(street1="1 Main St", city="Springfield", state="IL", postal_code="62701")


def services(photon: FakePhoton) -> Services:
    return Services(photon.client(), URL, FakeTokens(), retry=RetryPolicy(sleep=Sleeps()))


def sent_external_id(photon: FakePhoton, operation: str) -> str:
    for request in photon.requests:
        body = json.loads(request.content)
        if body["operationName"] == operation:
            return body["variables"]["externalId"]
    raise AssertionError(f"{operation} was not sent")


def test_lost_order_answer_that_was_saved_returns_the_saved_order(run) -> None:
    photon = FakePhoton(queue=[httpx.ReadTimeout("answer lost")])
    photon.on(
        "ListOrders",
        lambda v, r: ok({"orders": [order("ord_9", sent_external_id(photon, "CreateOrder"))]}),
    )
    photon.on(
        "GetOrder",
        lambda v, r: ok({"order": order("ord_9", sent_external_id(photon, "CreateOrder"))}),
    )
    result = run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS, "phr_1"))
    assert result.id == "ord_9"
    # Sent once, then checked; the order found is read whole (list rows carry no fills).
    assert photon.operations() == ["CreateOrder", "ListOrders", "GetOrder"]
    assert sent_external_id(photon, "CreateOrder").startswith("pd-")
    filter_ = json.loads(photon.requests[1].content)["variables"]["filter"]
    assert filter_ == {"patientId": "pat_1"}


def test_lost_order_answer_that_was_not_saved_raises_the_original_error(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(502)])
    photon.on("ListOrders", lambda v, r: ok({"orders": [order("ord_1", "someone-else")]}))
    with pytest.raises(ServerError) as caught:
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS, external_id="mine"))
    assert caught.value.status == 502
    assert photon.operations().count("CreateOrder") == 1


@pytest.mark.parametrize(
    ("lost", "said"),
    [
        (httpx.ReadTimeout("no answer"), "Photon did not answer in time"),
        (httpx.RemoteProtocolError("dropped"), "The connection to Photon was lost"),
        (httpx.Response(504), "Photon had a problem answering (error 504)"),
    ],
)
def test_no_answer_and_nothing_found_is_unknown_not_a_failure(run, lost, said: str) -> None:
    """Photon may still be running a write whose answer never came: a check that finds nothing
    proves nothing yet, so the user is told to check, not that it was not sent."""
    photon = FakePhoton(queue=[lost])
    photon.on("ListOrders", lambda v, r: ok({"orders": [order("ord_1", "someone-else")]}))
    with pytest.raises(WriteOutcomeUnknown) as caught:
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS, external_id="mine"))
    message = str(caught.value)
    assert message.startswith(said)
    assert "may still save it. Check the patient's orders before sending it again." in message
    assert photon.operations() == ["CreateOrder", "ListOrders"]


def test_failed_check_reports_that_the_outcome_is_unknown(run) -> None:
    photon = FakePhoton(
        queue=[httpx.RemoteProtocolError("dropped")] + [httpx.ConnectError("x")] * 3
    )
    with pytest.raises(WriteOutcomeUnknown, match="Check the patient's orders"):
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS))
    assert photon.operations().count("CreateOrder") == 1


def test_refused_write_is_not_checked(run) -> None:
    photon = FakePhoton(queue=[httpx.ConnectError("refused")])
    with pytest.raises(OfflineError, match="could not be reached"):
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS))
    assert photon.operations() == ["CreateOrder"]


def test_lost_cancel_checks_the_order_state(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(500)])
    photon.on("GetOrder", lambda v, r: ok({"order": order(state="CANCELED")}))
    result = run(services(photon).orders.cancel("ord_1", "duplicate"))
    assert result.state.value == "CANCELED"
    assert photon.operations() == ["CancelOrder", "GetOrder"]


def test_lost_patient_create_is_found_by_name_then_external_id(run) -> None:
    def search(variables: dict, request: httpx.Request) -> httpx.Response:
        external_id = sent_external_id(photon, "CreatePatient")
        return ok({"patients": [patient("pat_7", external_id=external_id)]})

    photon = FakePhoton(queue=[httpx.ReadError("dropped")])
    photon.on("SearchPatients", search)
    photon.on("GetPatient", lambda v, r: ok({"patient": patient(v["id"])}))
    data = PatientInput(
        name=NameInput("Ada", "Lovelace"),
        date_of_birth=date(1990, 1, 31),
        sex=Sex.FEMALE,
        phone="+12025550102",
    )
    result = run(services(photon).patients.create(data))
    assert result.id == "pat_7"
    assert photon.operations() == ["CreatePatient", "SearchPatients", "GetPatient"]
    search_vars = json.loads(photon.requests[1].content)["variables"]
    assert search_vars["name"] == "Lovelace"


def test_patient_create_without_required_fields_is_refused_before_sending(run) -> None:
    photon = FakePhoton()
    with pytest.raises(InvalidInput) as caught:
        run(services(photon).patients.create(PatientInput(phone="+12025550102")))
    assert set(caught.value.fields) == {"name", "dateOfBirth", "sex"}
    assert photon.requests == []


def test_patient_detail_is_one_request_and_hides_unreadable_parts(run) -> None:
    denied = {
        "message": "Missing permission read:prescription",
        "errorType": "Unauthorized",
        "path": ["patient", "prescriptions"],
    }
    photon = FakePhoton()
    photon.on("GetPatient", lambda v, r: ok({"patient": patient(prescriptions=None)}, [denied]))
    result = run(services(photon).patients.get("pat_1"))
    assert len(photon.requests) == 1
    assert result.prescriptions == () and len(result.orders) == 1
    assert "read:prescription" in result.unavailable["prescriptions"]


def test_patient_detail_without_read_patient_is_a_permission_error(run) -> None:
    denied = {"message": "needs read:patient", "errorType": "Unauthorized", "path": ["patient"]}
    photon = FakePhoton()
    photon.on("GetPatient", lambda v, r: ok({"patient": None}, [denied]))
    with pytest.raises(PermissionMissing) as caught:
        run(services(photon).patients.get("pat_1"))
    assert caught.value.permission == "read:patient"


def test_lost_batch_with_only_some_saved_says_so(run) -> None:
    from api_fakes import prescription

    from photon_desktop.domain import PrescriptionInput

    def listing(variables: dict, request: httpx.Request) -> httpx.Response:
        sent = json.loads(photon.requests[0].content)["variables"]["prescriptions"]
        return ok({"prescriptions": [prescription("rx_5", sent[0]["externalId"])]})

    photon = FakePhoton(queue=[httpx.RemoteProtocolError("dropped")])
    photon.on("ListPrescriptions", listing)
    item = PrescriptionInput("pat_1", "med_1", 30, "Tablet", 1, "Take one")
    with pytest.raises(WriteOutcomeUnknown, match="only 1 of them were saved"):
        run(services(photon).prescriptions.create_many([item, item]))
    assert photon.operations().count("CreatePrescriptions") == 1


def test_aclose_leaves_the_injected_client_open(run) -> None:
    photon = FakePhoton()
    photon.on("DispenseUnits", lambda v, r: ok({"dispenseUnits": [{"name": "Tablet"}]}))
    http = photon.client()

    async def scenario() -> bool:
        s = Services(http, URL, FakeTokens())
        await s.catalog.dispense_units()
        await s.aclose()
        await s.catalog.dispense_units()  # cache dropped: asks again
        closed = http.is_closed
        await http.aclose()
        return closed

    assert run(scenario()) is False
    assert photon.operations() == ["DispenseUnits", "DispenseUnits"]


def test_a_graphql_error_on_a_write_is_checked_and_the_saved_record_returned(run) -> None:
    photon = FakePhoton(queue=[ok({"createOrder": None}, [{"message": "boom"}])])
    photon.on(
        "ListOrders",
        lambda v, r: ok({"orders": [order("ord_3", sent_external_id(photon, "CreateOrder"))]}),
    )
    photon.on(
        "GetOrder",
        lambda v, r: ok({"order": order("ord_3", sent_external_id(photon, "CreateOrder"))}),
    )
    result = run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS, "phr_1"))
    assert result.id == "ord_3"
    assert photon.operations() == ["CreateOrder", "ListOrders", "GetOrder"]


@pytest.mark.parametrize(
    ("status", "refusal"),
    [(401, "SignInRequired"), (403, "PermissionMissing"), (429, "RateLimited")],
)
def test_definite_refusals_are_not_checked(run, status: int, refusal: str) -> None:
    photon = FakePhoton(queue=[httpx.Response(status)] * 2)
    with pytest.raises(PhotonError) as caught:
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS))
    assert type(caught.value).__name__ == refusal
    assert "ListOrders" not in photon.operations()


def test_a_resend_of_the_same_content_reuses_the_external_id_until_settled(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(502)])
    photon.on("ListOrders", lambda v, r: ok({"orders": []}))
    photon.on("CreateOrder", lambda v, r: ok({"createOrder": order("ord_4", v["externalId"])}))
    s = services(photon)
    with pytest.raises(ServerError):  # checked: not saved
        run(s.orders.create("pat_1", ["rx_1"], ADDRESS, "phr_1"))
    first = sent_external_id(photon, "CreateOrder")
    run(s.orders.create("pat_1", ["rx_1"], ADDRESS, "phr_1"))  # "try again": same id
    run(s.orders.create("pat_1", ["rx_1"], ADDRESS, "phr_1"))  # a new order: a new id
    sent = [
        json.loads(r.content)["variables"]["externalId"]
        for r in photon.requests
        if json.loads(r.content)["operationName"] == "CreateOrder"
    ]
    assert sent[0] == sent[1] == first and sent[2] != first


def test_the_callers_external_id_is_sent_as_given(run) -> None:
    photon = FakePhoton()
    photon.on("CreateOrder", lambda v, r: ok({"createOrder": order("ord_5", v["externalId"])}))
    result = run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS, None, "form-7"))
    assert result.external_id == sent_external_id(photon, "CreateOrder") == "form-7"


def test_outcome_unknown_names_what_happened(run) -> None:
    photon = FakePhoton(queue=[httpx.Response(503)] + [httpx.ConnectError("x")] * 3)
    with pytest.raises(WriteOutcomeUnknown) as caught:
        run(services(photon).orders.create("pat_1", ["rx_1"], ADDRESS))
    message = str(caught.value)
    assert message.startswith("Photon had a problem answering (error 503) while saving the order")
    assert "connection" not in message
