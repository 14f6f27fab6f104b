"""The ``Query`` fields: lists with cursor paging and filters, single records, reference data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import GraphQLResolveInfo

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.demo import Treatment, haversine_miles
from photon_desktop.sandbox.graphql.context import (
    Context,
    Fil,
    Ord,
    Resolver,
    Rx,
    after_cursor,
    after_in,
    current_user,
    cursor_page,
    page_size,
    take,
)
from photon_desktop.sandbox.graphql.errors import InputErrors, SandboxError, not_found
from photon_desktop.sandbox.records import PatientRecord, UserRecord
from photon_desktop.sandbox.store import Store

PHARMACY_DEFAULT_PAGE = 100


def query_resolvers(store: Store) -> dict[str, Resolver]:
    """The resolvers of the ``Query`` fields the sandbox serves."""
    ref = store.ref

    def me(_root: None, info: GraphQLResolveInfo) -> UserRecord:
        return current_user(info.context)

    def organization(_root: None, info: GraphQLResolveInfo) -> Any:
        return store.org

    def organizations(_root: None, info: GraphQLResolveInfo) -> list:
        context: Context = info.context
        email = context.principal.user_email
        return context.memberships(email) if email else [store.org]

    def patients(
        _root: None,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list:
        info.context.require(accounts.READ_PATIENT)
        size = page_size(first)
        cursor = after_cursor(store.patient_handle, after, "a patient id")
        needle = ((filter or {}).get("name") or "").strip()
        return [store.patient(p) for p in store.patient_page(cursor, size, needle or None)]

    def patient(_root: None, info: GraphQLResolveInfo, id: str) -> PatientRecord:
        info.context.require(accounts.READ_PATIENT)
        p = store.patient_handle(id)
        if p is None:
            raise not_found("Patient", id)
        return store.patient(p)

    def prescriptions(
        _root: None,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list[Rx]:
        context: Context = info.context
        context.require(accounts.READ_PRESCRIPTION)
        size = page_size(first)
        f = filter or {}
        cursor = after_cursor(store.rx_handle, after, "a prescription id")
        if f.get("patientId") is not None:
            p = store.patient_handle(f["patientId"])
            if p is None:
                return []
            candidates: Iterable[int] = after_in(store.patient_rx(p), cursor, after)
        elif f.get("state") == "EXPIRED":  # skip the (many) recent ones: a year of rows
            candidates = store.iter_rx(
                cursor, written_before=store.expired_written_before(context.today)
            )
        else:
            candidates = store.iter_rx(cursor)
        return [Rx(r) for r in take(rx_matching(store, candidates, f, context), size)]

    def prescription(_root: None, info: GraphQLResolveInfo, id: str) -> Rx:
        info.context.require(accounts.READ_PRESCRIPTION)
        r = store.rx_handle(id)
        if r is None:
            raise not_found("Prescription", id)
        return Rx(r)

    def orders(
        _root: None,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list[Ord]:
        context: Context = info.context
        context.require(accounts.READ_ORDER)
        size = page_size(first)
        f = filter or {}
        cursor = after_cursor(store.order_handle, after, "an order id")
        if f.get("patientId") is not None:
            p = store.patient_handle(f["patientId"])
            if p is None:
                return []
            candidates: Iterable[int] = after_in(store.patient_orders(p), cursor, after)
        else:
            candidates = store.iter_orders(cursor)
        return [Ord(o) for o in take(orders_matching(store, candidates, f, context), size)]

    def order(_root: None, info: GraphQLResolveInfo, id: str) -> Ord:
        info.context.require(accounts.READ_ORDER)
        o = store.order_handle(id)
        if o is None:
            raise not_found("Order", id)
        return Ord(o)

    def fill(_root: None, info: GraphQLResolveInfo, id: str) -> Fil:
        info.context.require(accounts.READ_ORDER)
        f = store.fill_handle(id)
        if f is None:
            raise not_found("Fill", id)
        return Fil(f)

    def pharmacies(
        _root: None,
        info: GraphQLResolveInfo,
        after: int | None = None,
        first: int | None = None,
        location: dict | None = None,
        name: str | None = None,
        type: str | None = None,
    ) -> list:
        size = page_size(first, PHARMACY_DEFAULT_PAGE)
        if after is not None and after < 0:
            raise InputErrors([("after", "after must be >= 0")])
        found = list(ref.pharmacies)
        if name:
            needle = name.strip().lower()
            found = [ph for ph in found if needle in ph.name.lower()]
        if type:
            found = [ph for ph in found if type in ph.fulfillment_types]
        if location:
            lat, lon, radius = (
                location.get("latitude"),
                location.get("longitude"),
                location.get("radius"),
            )
            problems = []
            if lat is None or not -90 <= lat <= 90:
                problems.append(("location.latitude", "latitude must be between -90 and 90"))
            if lon is None or not -180 <= lon <= 180:
                problems.append(("location.longitude", "longitude must be between -180 and 180"))
            if radius is not None and radius <= 0:
                problems.append(("location.radius", "radius must be a positive number of miles"))
            if problems:
                raise InputErrors(problems)
            assert lat is not None and lon is not None
            limit = radius if radius is not None else 25
            with_distance = [
                (haversine_miles(lat, lon, ph.latitude, ph.longitude), n, ph)
                for n, ph in enumerate(found)
            ]
            found = [ph for d, _, ph in sorted(with_distance) if d <= limit]
        start = after or 0
        return found[start : start + size]

    def pharmacy(_root: None, info: GraphQLResolveInfo, id: str) -> Any:
        found = ref.pharmacies_by_id.get(id)
        if found is None:
            raise not_found("Pharmacy", id)
        return found

    def medications(
        _root: None,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list:
        size = page_size(first)
        f = filter or {}
        if f.get("product") is not None or f.get("package") is not None:
            raise SandboxError(
                "Unsupported",
                "medications(filter: {product/package}) is not supported by the sandbox",
            )
        drug = f.get("drug") or {}
        found: list[Treatment] = ref.medications
        if drug.get("name"):
            needle = drug["name"].strip().lower()
            found = [m for m in found if needle in m.search]
        if drug.get("code"):
            code = drug["code"].strip()
            found = [
                m
                for m in found
                if code in (m.codes["rxcui"], m.codes["productNDC"], m.codes["packageNDC"])
            ]
        return cursor_page(found, after, size)

    def medical_equipment(
        _root: None,
        info: GraphQLResolveInfo,
        after: Any = None,
        first: int | None = None,
        name: str | None = None,
    ) -> list:
        size = page_size(first)
        found = ref.equipment
        if name:
            needle = name.strip().lower()
            found = [t for t in found if needle in t.search]
        return cursor_page(found, after, size)

    def allergens(_root: None, info: GraphQLResolveInfo, filter: dict | None = None) -> list:
        needle = ((filter or {}).get("name") or "").strip().lower()
        return [a for a in ref.allergens if needle in a["name"].lower()]

    def dispense_units(_root: None, info: GraphQLResolveInfo) -> list:
        return [{"name": unit} for unit in ref.dispense_units]

    def catalogs(_root: None, info: GraphQLResolveInfo) -> list:
        return ref.catalogs

    def catalog(_root: None, info: GraphQLResolveInfo, id: str | None = None) -> Any:
        found = next((c for c in ref.catalogs if c.id == id), None)
        if found is None:
            raise not_found("Catalog", id)
        return found

    return {
        "me": me,
        "organization": organization,
        "organizations": organizations,
        "patients": patients,
        "patient": patient,
        "prescriptions": prescriptions,
        "prescription": prescription,
        "orders": orders,
        "order": order,
        "fill": fill,
        "pharmacies": pharmacies,
        "pharmacy": pharmacy,
        "medications": medications,
        "medicalEquipment": medical_equipment,
        "allergens": allergens,
        "dispenseUnits": dispense_units,
        "catalogs": catalogs,
        "catalog": catalog,
    }


def rx_matching(store: Store, handles: Iterable[int], f: dict, context: Context) -> Iterator[int]:
    state = f.get("state")
    prescriber = f.get("prescriberId")
    needle = (f.get("patientName") or "").strip().lower()
    search, rx_patient = store.p_search, store.rx_patient
    for r in handles:
        if state is not None and store.rx_state_at(r, context.today) != state:
            continue
        if prescriber is not None and store.rx_prescriber[r] != prescriber:
            continue
        if needle and needle not in search[rx_patient[r]]:
            continue
        yield r


def orders_matching(
    store: Store, handles: Iterable[int], f: dict, context: Context
) -> Iterator[int]:
    state = f.get("state")
    needle = (f.get("patientName") or "").strip().lower()
    search, ord_patient = store.p_search, store.ord_patient
    now = context.ts
    for o in handles:
        if state is not None and store.progress.order_state_at(o, now) != state:
            continue
        if needle and needle not in search[ord_patient[o]]:
            continue
        yield o
