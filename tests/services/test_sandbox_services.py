"""Every service method against the running sandbox over HTTP, on a qasync loop as in the app.

Faults come from the sandbox's admin queue (``fail_next``) so each test is exact. Assertions are
what a user would notice: the right records, the right error and message, no duplicate writes
(counted in the sandbox's stats), reads that recover.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date
from typing import Any

import httpx
import pytest
from sandbox_tokens import ClientCredentialsTokens, StaticTokens

from photon_desktop.api.client import create_http_client
from photon_desktop.api.retry import RetryPolicy
from photon_desktop.domain import (
    AddressInput,
    FulfillmentType,
    NameInput,
    OrderState,
    PatientInput,
    PrescriptionInput,
    PrescriptionState,
    Sex,
)
from photon_desktop.errors import (
    InvalidInput,
    NotFound,
    OfflineError,
    PermissionMissing,
    RateLimited,
    ResponseError,
    ServerError,
    SignInRequired,
    StateConflict,
    WriteOutcomeUnknown,
)
from photon_desktop.sandbox.demo import load
from photon_desktop.services import Services, locations
from photon_desktop.ui.orders.pharmacy_picker import DEFAULT_RADIUS

PRESCRIBER = "prescriber@sandbox.photon.local"
SUPPORT = "support@sandbox.photon.local"
ADDRESS = AddressInput(street1="350 Hudson St", city="New York", state="NY", postal_code="10014")
DROP = {"kind": "drop"}
DROP_AFTER = {"kind": "drop_after"}
MALFORMED = {"kind": "malformed"}


class Sleeps:
    """Recorded, not slept: retries stay fast and the waits can be checked."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


def m2m(sandbox: Any, http: httpx.AsyncClient) -> ClientCredentialsTokens:
    return ClientCredentialsTokens(
        http, sandbox.token_url, sandbox.m2m_client_id, sandbox.m2m_client_secret,
        sandbox.audience,
    )  # fmt: skip


def services(sandbox: Any, http: httpx.AsyncClient, tokens: Any = None, **retry: Any) -> Services:
    policy = RetryPolicy(sleep=retry.pop("sleep", Sleeps()), **retry)
    return Services(http, sandbox.graphql_url, tokens or m2m(sandbox, http), retry=policy)


def counts(sandbox: Any) -> dict[str, int]:
    stats = sandbox.stats()
    clinical = stats["clinical"]
    return {
        "patients": clinical["patients"],
        "prescriptions": clinical["prescriptions"],
        "orders": clinical["orders"],
        "graphql": sum(stats["graphql_requests"].values()),
        "tokens": sum(stats["token_requests"].values()),
    }


def new_patient(last: str) -> PatientInput:
    return PatientInput(
        name=NameInput(first="Test", last=last),
        date_of_birth=date(1984, 3, 9),
        sex=Sex.FEMALE,
        phone="+12025550143",
        email="test.patient@example.com",
        address=ADDRESS,
    )


async def active_prescription(s: Services) -> tuple[str, str]:
    """(patient id, prescription id) of an ACTIVE prescription with fills left."""
    page = await s.prescriptions.list(state=PrescriptionState.ACTIVE, first=50)
    rx = next(p for p in page.items if p.fills_remaining > 0)
    return rx.patient_id, rx.id


# ------------------------------------------------------------------ patients


def test_patient_search_pages_and_filters_by_name(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        first = await s.patients.search(first=10)
        second = await s.patients.search(after=first.cursor, first=10)
        last_name = first.items[0].name.last
        named = await s.patients.search(last_name, first=50)
        return first, second, last_name, named

    first, second, last_name, named = on_qt(scenario)
    assert len(first.items) == 10 and first.has_more and first.cursor == first.items[-1].id
    assert not {p.id for p in first.items} & {p.id for p in second.items}
    assert named.items and all(last_name.lower() in p.name.full.lower() for p in named.items)


def test_patient_detail_is_exactly_one_request(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        _, rx_id = await active_prescription(s)
        rx = await s.prescriptions.get(rx_id)
        before = counts(sandbox)["graphql"]
        patient = await s.patients.get(rx.patient_id)
        return rx, patient, counts(sandbox)["graphql"] - before

    rx, patient, requests = on_qt(scenario)
    assert requests == 1
    assert patient.id == rx.patient_id
    assert rx.id in {p.id for p in patient.prescriptions}
    assert patient.unavailable == {}


def test_create_update_and_invalid_input(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        created = await s.patients.create(new_patient("Createtest"))
        updated = await s.patients.update(created.id, PatientInput(email="moved@example.com"))
        again = await s.patients.get(created.id)
        with pytest.raises(InvalidInput) as invalid:
            await s.patients.update(created.id, PatientInput(email="not-an-email"))
        with pytest.raises(InvalidInput) as no_name:
            await s.patients.update(created.id, PatientInput(name=NameInput(first="", last="X")))
        return created, updated, again, invalid.value, no_name.value

    created, updated, again, invalid, no_name = on_qt(scenario)
    assert list(no_name.fields) == ["name.first"]
    assert created.name.full == "Test Createtest" and created.external_id.startswith("pd-")
    assert updated.email == again.email == "moved@example.com"
    assert again.phone == created.phone  # untouched fields stay
    assert invalid.fields == {"email": "Enter an e-mail address like name@example.com."}
    assert no_name.fields == {"name.first": "First name must not be empty."}
    assert "Check the marked fields" in str(invalid)


def test_remove_allergy_and_preferred_pharmacy(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        page = await s.patients.search(first=100)
        for summary in page.items:
            patient = await s.patients.get(summary.id)
            if patient.allergies and patient.preferred_pharmacies:
                break
        else:
            raise AssertionError("no seeded patient has allergies and preferred pharmacies")
        allergen = patient.allergies[0].allergen.id
        pharmacy = patient.preferred_pharmacies[0].id
        after_allergy = await s.patients.remove_allergy(patient.id, allergen)
        after_pharmacy = await s.patients.remove_preferred_pharmacy(patient.id, pharmacy)
        return allergen, pharmacy, after_allergy, after_pharmacy, await s.patients.get(patient.id)

    allergen, pharmacy, after_allergy, after_pharmacy, reloaded = on_qt(scenario)
    assert allergen not in {a.allergen.id for a in after_allergy.allergies}
    assert pharmacy not in {p.id for p in after_pharmacy.preferred_pharmacies}
    assert allergen not in {a.allergen.id for a in reloaded.allergies}


def test_every_demo_city_has_pick_up_pharmacies_within_the_pickers_default_radius(
    sandbox, on_qt
) -> None:
    """Wherever the demo puts a patient, "pharmacies near" finds somewhere to pick up from."""

    async def scenario(http):
        s = services(sandbox, http)
        nearest: dict[str, float] = {}
        for city in load("cities"):
            centre = await locations.locate(city["postalCode"])
            assert centre is not None
            found = await s.catalog.pharmacies(
                latitude=centre.latitude,
                longitude=centre.longitude,
                radius_miles=DEFAULT_RADIUS,
                fulfillment=FulfillmentType.PICK_UP,
                first=5,
            )
            zips = [p.address.postal_code for p in found.items if p.address]
            miles = await locations.miles_from(centre, zips)
            nearest[f"{city['city']}, {city['state']}"] = min(miles.values(), default=math.inf)
        return nearest

    nearest = on_qt(scenario)
    assert len(nearest) == 82
    assert {city: miles for city, miles in nearest.items() if miles > 10} == {}


def test_demo_orders_picked_up_are_at_a_pharmacy_near_their_patient(fresh_sandbox, on_qt) -> None:
    """On a sandbox of its own: the shared one's orders are rerouted and added to by other tests
    (a routed order stays where it was sent, wherever that is)."""
    demo = fresh_sandbox()

    async def scenario(http):
        s = services(demo, http)
        orders = (await s.orders.list(first=100)).items
        picked_up = [
            o
            for o in orders
            if o.pharmacy and o.pharmacy.fulfillment_types == (FulfillmentType.PICK_UP,)
        ]
        miles = []
        for order in picked_up:
            assert order.address is not None and order.pharmacy.address is not None
            home = await locations.locate(order.address.postal_code)
            assert home is not None
            pharmacy_zip = order.pharmacy.address.postal_code
            miles.append((await locations.miles_from(home, [pharmacy_zip]))[pharmacy_zip])
        return len(orders), miles

    count, miles = on_qt(scenario)
    assert count == 100 and len(miles) > 50  # most demo orders are picked up
    assert max(miles) <= 10


def test_unknown_patient_is_not_found(sandbox, on_qt) -> None:
    async def scenario(http):
        with pytest.raises(NotFound) as caught:
            await services(sandbox, http).patients.get("pat_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
        return caught.value

    assert "not found" in str(on_qt(scenario))


# ------------------------------------------------------------------ prescriptions


def test_prescription_list_filters_and_detail(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        active = await s.prescriptions.list(state=PrescriptionState.ACTIVE, first=20)
        patient_id = active.items[0].patient_id
        mine = await s.prescriptions.list(patient_id=patient_id, first=50)
        detail = await s.prescriptions.get(active.items[0].id)
        return active, patient_id, mine, detail

    active, patient_id, mine, detail = on_qt(scenario)
    assert active.items and all(p.state is PrescriptionState.ACTIVE for p in active.items)
    assert mine.items and all(p.patient_id == patient_id for p in mine.items)
    assert detail.id == active.items[0].id and detail.treatment.name


def test_prescriber_creates_one_and_several_and_cancels(sandbox, on_qt) -> None:
    token = sandbox.user_token(PRESCRIBER)

    async def scenario(http):
        s = services(sandbox, http, StaticTokens(token))
        patient_id, _ = await active_prescription(s)
        medication = (await s.catalog.medications("a")).items[0]
        unit = (await s.catalog.dispense_units())[0].name
        item = PrescriptionInput(patient_id, medication.id, 30, unit, 2, "Take one daily")
        before = counts(sandbox)["prescriptions"]
        one = await s.prescriptions.create(item)
        many = await s.prescriptions.create_many([item, item])
        canceled = await s.prescriptions.cancel(one.id)
        return before, one, many, canceled

    before, one, many, canceled = on_qt(scenario)
    assert counts(sandbox)["prescriptions"] == before + 3
    assert one.state is PrescriptionState.ACTIVE and one.instructions == "Take one daily"
    assert len(many) == 2 and len({p.external_id for p in many}) == 2
    assert canceled.id == one.id and canceled.state is PrescriptionState.CANCELED


def test_m2m_cannot_write_prescriptions(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, _ = await active_prescription(s)
        item = PrescriptionInput(patient_id, "med_x", 30, "Tablet", 1, "Take one")
        with pytest.raises(PermissionMissing) as caught:
            await s.prescriptions.create(item)
        return caught.value

    error = on_qt(scenario)
    assert error.permission == "write:prescription"
    assert "write:prescription" in str(error)


# ------------------------------------------------------------------ orders


def test_order_lifecycle_create_reroute_cancel(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, rx_id = await active_prescription(s)
        pharmacies = (await s.catalog.pharmacies(first=2)).items
        before = counts(sandbox)["orders"]
        order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacies[0].id)
        rerouted = await s.orders.reroute(order.id, pharmacies[1].id)
        canceled = await s.orders.cancel(order.id, "Patient asked to stop")
        listed = await s.orders.list(patient_id=patient_id, first=50)
        detail = await s.orders.get(order.id)
        return before, order, rerouted, canceled, listed, detail, pharmacies

    before, order, rerouted, canceled, listed, detail, pharmacies = on_qt(scenario)
    assert counts(sandbox)["orders"] == before + 1
    assert order.external_id.startswith("pd-") and order.fills
    assert rerouted.pharmacy is not None and rerouted.pharmacy.id == pharmacies[1].id
    assert canceled.state is OrderState.CANCELED and detail.state is OrderState.CANCELED
    assert order.id in {o.id for o in listed.items}


def test_cancelling_a_cancelled_order_says_so(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id)
        await s.orders.cancel(order.id)
        with pytest.raises(StateConflict) as twice:
            await s.orders.cancel(order.id)
        with pytest.raises(StateConflict) as moved:
            await s.orders.reroute(order.id, pharmacy.id)
        return twice.value, moved.value

    twice, moved = on_qt(scenario)
    assert str(twice) == "This order was already canceled; nothing was changed."
    assert "marked fields" not in str(twice)
    assert str(moved) == (
        "This order was canceled, so it can no longer be sent to another pharmacy."
    )


def test_order_list_by_state(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        recent = await s.orders.list(first=50)
        state = recent.items[-1].state  # a state that exists now (the demo clock moves orders on)
        return state, await s.orders.list(state=state, first=10)

    state, page = on_qt(scenario)
    assert page.items and all(o.state is state for o in page.items)


# ------------------------------------------------------------------ catalog


def test_reference_data_and_session_cache(sandbox, on_qt) -> None:
    token = sandbox.user_token(PRESCRIBER)

    async def scenario(http):
        s = services(sandbox, http)
        results = {
            "medications": await s.catalog.medications("amox"),
            "equipment": await s.catalog.medical_equipment("lancet"),
            "allergens": await s.catalog.allergens(),
            "penicillin": await s.catalog.allergens("penicillin"),
            "units": await s.catalog.dispense_units(),
            "catalogs": await s.catalog.catalogs(),
            "organization": await s.catalog.organization(),
            "by_name": await s.catalog.pharmacies(name="Walgreens", first=5),
            "mail": await s.catalog.pharmacies(fulfillment=FulfillmentType.MAIL_ORDER),
            "near": await s.catalog.pharmacies(latitude=40.75, longitude=-73.99, radius_miles=5),
        }
        first_page = await s.catalog.pharmacies(first=3)
        results["next"] = await s.catalog.pharmacies(after=int(first_page.cursor), first=3)
        results["first_page"] = first_page
        before = counts(sandbox)["graphql"]
        await s.catalog.catalogs()
        await s.catalog.dispense_units()
        await s.catalog.allergens()
        results["cached_requests"] = counts(sandbox)["graphql"] - before
        results["me"] = await services(sandbox, http, StaticTokens(token)).catalog.me()
        with pytest.raises(PermissionMissing):
            await s.catalog.me()  # an M2M token has no user
        return results

    r = on_qt(scenario)
    assert r["medications"].items and all(t.kind == "Medication" for t in r["medications"].items)
    assert any("amox" in t.name.lower() for t in r["medications"].items)
    assert r["equipment"].items and all(t.kind == "MedicalEquipment" for t in r["equipment"].items)
    assert [a.name for a in r["penicillin"]] == ["Penicillin"]
    assert len(r["allergens"]) > len(r["penicillin"])
    assert "Tablet" in {u.name for u in r["units"]}
    assert r["catalogs"] and r["catalogs"][0].treatments
    assert r["organization"].id == sandbox.org_id
    assert all("walgreens" in p.name.lower() for p in r["by_name"].items)
    assert all(FulfillmentType.MAIL_ORDER in p.fulfillment_types for p in r["mail"].items)
    assert r["near"].items
    assert not {p.id for p in r["first_page"].items} & {p.id for p in r["next"].items}
    assert r["cached_requests"] == 0
    assert r["me"].email == PRESCRIBER


# ------------------------------------------------------------------ faults: reads


@pytest.mark.parametrize("status", [500, 502, 503])
def test_reads_recover_from_server_errors(sandbox, on_qt, status: int) -> None:
    sandbox.fail_next({"kind": "status", "status": status}, {"kind": "status", "status": status})

    async def scenario(http):
        sleeps = Sleeps()
        s = services(sandbox, http, sleep=sleeps)
        return await s.patients.search(first=5), sleeps.delays, s.request_log.entries

    page, delays, entries = on_qt(scenario)
    assert len(page.items) == 5
    assert len(delays) == 2
    assert [e.status for e in entries[-3:]] == [status, status, 200]


def test_reads_give_up_with_a_server_error_after_three_attempts(sandbox, on_qt) -> None:
    sandbox.fail_next(*[{"kind": "status", "status": 503}] * 3)

    async def scenario(http):
        with pytest.raises(ServerError) as caught:
            await services(sandbox, http).catalog.medications("a")
        return caught.value

    error = on_qt(scenario)
    assert error.status == 503 and "Try again in a moment" in str(error)


def test_429_waits_as_told_then_recovers(sandbox, on_qt) -> None:
    sandbox.fail_next({"kind": "rate_limit", "retry_after": 2})

    async def scenario(http):
        sleeps = Sleeps()
        page = await services(sandbox, http, sleep=sleeps).orders.list(first=3)
        return page, sleeps.delays

    page, delays = on_qt(scenario)
    assert len(page.items) == 3 and delays == [2.0]


def test_429_repeated_tells_the_user_how_long_to_wait(sandbox, on_qt) -> None:
    sandbox.fail_next(*[{"kind": "rate_limit", "retry_after": 7}] * 3)

    async def scenario(http):
        with pytest.raises(RateLimited) as caught:
            await services(sandbox, http).orders.list(first=3)
        return caught.value

    error = on_qt(scenario)
    assert error.retry_after == 7 and "Wait 7 seconds" in str(error)


def test_reads_recover_from_dropped_connections_and_malformed_json(sandbox, on_qt) -> None:
    sandbox.fail_next(DROP, MALFORMED)

    async def scenario(http):
        s = services(sandbox, http)
        return await s.prescriptions.list(first=4), [e.error for e in s.request_log.entries]

    page, errors = on_qt(scenario)
    assert len(page.items) == 4
    assert errors[0].startswith("OfflineError") and errors[1].startswith("ResponseError")


def test_malformed_answers_surface_as_response_errors(sandbox, on_qt) -> None:
    sandbox.fail_next(MALFORMED, MALFORMED, MALFORMED)

    async def scenario(http):
        with pytest.raises(ResponseError) as caught:
            await services(sandbox, http).catalog.allergens("pen")
        return caught.value

    assert "could not read" in str(on_qt(scenario))


def test_latency_within_timeout_is_fine_beyond_it_is_offline(sandbox, on_qt) -> None:
    sandbox.set_faults(latency_ms=1500)

    async def scenario(http):
        slow_ok = await services(sandbox, http).catalog.dispense_units()
        impatient = httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.3))
        async with impatient:
            with pytest.raises(OfflineError) as caught:
                await services(sandbox, impatient, attempts=1).catalog.allergens("pen")
        return slow_ok, caught.value

    units, error = on_qt(scenario)
    assert units and "did not answer in time" in str(error)


# ------------------------------------------------------------------ faults: writes


def test_lost_order_answer_returns_the_saved_order_without_a_duplicate(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        before = counts(sandbox)
        sandbox.fail_next(DROP_AFTER)
        order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id)
        return before, order, s.request_log.entries

    before, order, entries = on_qt(scenario)
    after = counts(sandbox)
    assert after["orders"] == before["orders"] + 1  # saved once, not twice
    assert sum(e.operation == "CreateOrder" for e in entries) == 1
    assert order.external_id and order.state is not OrderState.ERROR


def test_write_whose_connection_dropped_is_unknown_and_can_be_sent_again(sandbox, on_qt) -> None:
    """The connection drops before Photon runs the write: the check finds nothing, but from the
    app's side that is no proof (Photon might still run it), so it never says "not sent"."""

    async def scenario(http):
        s = services(sandbox, http)
        before = counts(sandbox)["patients"]
        sandbox.fail_next(DROP)
        with pytest.raises(WriteOutcomeUnknown) as caught:
            await s.patients.create(new_patient("Droptest"))
        unchanged = counts(sandbox)["patients"]
        created = await s.patients.create(new_patient("Droptest"))  # the user sends again
        return before, unchanged, caught.value, created

    before, unchanged, error, created = on_qt(scenario)
    assert unchanged == before
    assert str(error).startswith("The connection to Photon was lost")
    assert "not in Photon when the app checked, but Photon may still save it" in str(error)
    assert counts(sandbox)["patients"] == before + 1 and created.name.last == "Droptest"


def test_write_that_lands_after_its_timeout_and_check_is_unknown_then_found(sandbox, on_qt) -> None:
    """Photon is slower than the client's read timeout: the check right after finds nothing and
    the record is saved later. The app says the outcome is unknown (not "not sent"), and sending
    the same submission again returns the saved record instead of making a second one."""

    async def scenario(http):
        impatient = create_http_client(timeout=httpx.Timeout(5.0, read=0.3))
        async with impatient:
            s = services(sandbox, impatient, attempts=1)
            before = counts(sandbox)["patients"]
            sandbox.set_faults(latency_ms=1500, operations=["CreatePatient"])
            data = new_patient("Latecommit")
            with pytest.raises(WriteOutcomeUnknown) as caught:
                await s.patients.create(data)
            at_error = counts(sandbox)["patients"]
            for _ in range(100):  # Photon saves it once its delay is over
                if counts(sandbox)["patients"] > before:
                    break
                await asyncio.sleep(0.05)
            sandbox.reset_faults()
            again = await s.patients.create(data)  # "try again" in the same form
            operations = [e.operation for e in s.request_log.entries]
            return before, at_error, caught.value, again, operations

    before, at_error, error, again, operations = on_qt(scenario)
    assert at_error == before  # not saved when the app checked
    assert "did not answer in time" in str(error) and "may still save it" in str(error)
    assert "Check " in str(error)
    assert counts(sandbox)["patients"] == before + 1  # saved once, by the first send
    assert again.name.last == "Latecommit" and again.external_id.startswith("pd-")
    assert operations.count("CreatePatient") == 2  # the resend was refused as already used


def test_server_error_on_create_is_checked_not_resent(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        before = counts(sandbox)["patients"]
        sandbox.fail_next({"kind": "status", "status": 502})
        with pytest.raises(ServerError):
            await s.patients.create(new_patient("Fivehundred"))
        return before, [e.operation for e in s.request_log.entries]

    before, operations = on_qt(scenario)
    assert counts(sandbox)["patients"] == before
    assert operations == ["CreatePatient", "SearchPatients"]


def test_lost_patient_create_is_found_by_external_id(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        before = counts(sandbox)["patients"]
        sandbox.fail_next(DROP_AFTER)
        patient = await s.patients.create(new_patient("Lostanswer"))
        return before, patient

    before, patient = on_qt(scenario)
    assert counts(sandbox)["patients"] == before + 1
    assert patient.name.last == "Lostanswer" and patient.external_id.startswith("pd-")


def test_lost_prescription_answer_is_found(sandbox, on_qt) -> None:
    token = sandbox.user_token(PRESCRIBER)

    async def scenario(http):
        s = services(sandbox, http, StaticTokens(token))
        patient_id, _ = await active_prescription(s)
        medication = (await s.catalog.medications("a")).items[0]
        item = PrescriptionInput(patient_id, medication.id, 10, "Tablet", 1, "Take one")
        before = counts(sandbox)["prescriptions"]
        sandbox.fail_next(DROP_AFTER)
        return before, await s.prescriptions.create(item)

    before, rx = on_qt(scenario)
    assert counts(sandbox)["prescriptions"] == before + 1 and rx.instructions == "Take one"


def test_lost_cancel_is_confirmed_by_the_order_state(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        order = await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id)
        sandbox.fail_next({"kind": "status", "status": 500})
        with pytest.raises(ServerError):  # 500 before executing: not canceled, so it says so
            await s.orders.cancel(order.id)
        sandbox.fail_next(DROP_AFTER)
        return await s.orders.cancel(order.id, "Duplicate")

    assert on_qt(scenario).state is OrderState.CANCELED


def test_failed_check_reports_unknown_outcome(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        patient_id, rx_id = await active_prescription(s)
        pharmacy = (await s.catalog.pharmacies(first=1)).items[0]
        before = counts(sandbox)["orders"]
        sandbox.fail_next(DROP_AFTER, DROP, DROP, DROP)  # the write, then every check attempt
        with pytest.raises(WriteOutcomeUnknown) as caught:
            await s.orders.create(patient_id, [rx_id], ADDRESS, pharmacy.id)
        return before, caught.value

    before, error = on_qt(scenario)
    assert counts(sandbox)["orders"] == before + 1
    assert str(error).startswith("The connection to Photon was lost before its answer arrived")
    assert "could not check" in str(error) and "Check the patient's orders" in str(error)


# ------------------------------------------------------------------ tokens and sessions


def test_token_expiring_mid_session_is_renewed_once(fresh_sandbox, on_qt) -> None:
    short = fresh_sandbox("--token-ttl", "1", patients=20)

    async def scenario(http):
        statuses: list[int] = []

        async def seen(response: httpx.Response) -> None:
            if response.url.path.endswith("/graphql"):
                statuses.append(response.status_code)

        http.event_hooks["response"].append(seen)
        tokens = m2m(short, http)
        s = services(short, http, tokens)
        first = await s.patients.search(first=3)
        await asyncio.sleep(2.2)  # the token's real expiry passes
        second = await s.patients.search(first=3)
        return first, second, tokens.token_requests, statuses

    first, second, token_requests, statuses = on_qt(scenario)
    assert first.items == second.items
    assert token_requests == 2
    assert statuses == [200, 401, 200]  # one 401, renewed once, retried once


def test_rejected_session_asks_to_sign_in_again(sandbox, on_qt) -> None:
    async def scenario(http):
        with pytest.raises(SignInRequired) as caught:
            await services(sandbox, http, StaticTokens("not-a-token")).patients.search()
        return caught.value

    assert str(on_qt(scenario)) == "Your sign-in has ended. Please sign in again."


def test_read_only_user_gets_a_named_permission_error(sandbox, on_qt) -> None:
    token = sandbox.user_token(SUPPORT)

    async def scenario(http):
        s = services(sandbox, http, StaticTokens(token))
        patient = (await s.patients.search(first=1)).items[0]
        with pytest.raises(PermissionMissing) as caught:
            await s.patients.update(patient.id, PatientInput(email="x@example.com"))
        return caught.value

    assert on_qt(scenario).permission == "write:patient"


def test_200_calls_with_one_m2m_token_make_one_token_request(sandbox, on_qt) -> None:
    """With the auth layer's real ``Session`` (M2M), not a test TokenSource."""
    import keyring.backends.fail

    from photon_desktop.auth.environments import LOCAL_SANDBOX
    from photon_desktop.auth.secret_store import SecretStore
    from photon_desktop.auth.session import Session

    environment = LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )
    before = counts(sandbox)["tokens"]

    async def scenario(http):
        session = Session(environment, http, SecretStore(keyring.backends.fail.Keyring()))
        await session.use_m2m(sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=False)
        s = services(sandbox, http, session)
        for i in range(20):
            await asyncio.gather(*(s.catalog.allergens(f"a{i}{j}") for j in range(10)))
        return s.request_log.entries

    entries = on_qt(scenario)
    assert len(entries) == 200 and all(e.status == 200 for e in entries)
    assert counts(sandbox)["tokens"] - before == 1


def test_cancelled_call_leaves_the_pool_and_counter_healthy(sandbox, on_qt) -> None:
    async def scenario(http):
        s = services(sandbox, http)
        await s.catalog.organization()  # token fetched, connection pooled
        sandbox.set_faults(latency_ms=1500)
        started = asyncio.Event()
        s.activity.subscribe(lambda a: started.set() if a.in_flight else None)
        task = asyncio.create_task(s.patients.search(first=2))
        await started.wait()
        await asyncio.sleep(0.1)  # the request is on the wire, its answer 1.5 s away
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        in_flight = s.activity.in_flight
        sandbox.reset_faults()
        page = await s.patients.search(first=2)
        return in_flight, page, s.request_log.entries[-2].error

    in_flight, page, cancelled = on_qt(scenario)
    assert in_flight == 0 and len(page.items) == 2 and cancelled == "cancelled"
