"""Resolvers of object fields: records read from the column store at the request's instant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLResolveInfo

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.demo import Treatment
from photon_desktop.sandbox.graphql.catalogs import visible_templates
from photon_desktop.sandbox.graphql.context import (
    Context,
    Fil,
    Ord,
    Resolver,
    Rx,
    after_in,
    name_of,
    page_size,
    take,
)
from photon_desktop.sandbox.graphql.queries import orders_matching, rx_matching
from photon_desktop.sandbox.records import PatientRecord, UserRecord
from photon_desktop.sandbox.store import Store


def type_resolvers(store: Store) -> dict[str, dict[str, Resolver]]:
    """Object fields that are not plain attributes, by GraphQL type name."""
    ref = store.ref

    def attr(name: str) -> Resolver:
        return lambda source, _info: getattr(source, name)

    def patient_rx(
        source: PatientRecord,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list[Rx]:
        context: Context = info.context
        context.require(accounts.READ_PRESCRIPTION)
        size = page_size(first)
        handles = after_in(
            store.patient_rx(source.h),
            store.rx_handle(after) if after is not None else None,
            after,
        )
        return [Rx(r) for r in take(rx_matching(store, handles, filter or {}, context), size)]

    def patient_orders(
        source: PatientRecord,
        info: GraphQLResolveInfo,
        after: Any = None,
        filter: dict | None = None,
        first: int | None = None,
    ) -> list[Ord]:
        context: Context = info.context
        context.require(accounts.READ_ORDER)
        size = page_size(first)
        handles = after_in(
            store.patient_orders(source.h),
            store.order_handle(after) if after is not None else None,
            after,
        )
        matching = orders_matching(store, handles, filter or {}, context)
        return [Ord(o) for o in take(matching, size)]

    def allergies(source: PatientRecord, _info: Any) -> list[dict]:
        return source.allergies

    def rx_detail(key: str) -> Resolver:
        return lambda source, _info: store.rx_detail(source.h)[key]

    def diagnoses(source: Rx, _info: Any) -> list[dict]:
        return [
            {"code": code, "name": ref.diagnoses.get(code, f"ICD-10 {code}"), "type": "ICD10"}
            for code in store.rx_detail(source.h)["diagnoses"]
        ]

    def rx_fills(source: Rx, _info: Any) -> list[Fil]:
        return [Fil(f) for f in store.rx_fills(source.h)]

    def order_fulfillment(source: Ord, info: GraphQLResolveInfo) -> Any:
        return store.progress.fulfillment_at(source.h, info.context.ts)

    def fill_treatment(source: Fil, _info: Any) -> Treatment:
        return store.treatment_at(store.fill_treatment[source.h])

    def fill_rx(source: Fil, _info: Any) -> Rx | None:
        r = store.fill_rx[source.h]
        return Rx(r) if r >= 0 else None

    def iso_ts(column: list[float]) -> Resolver:
        return lambda source, _info: datetime.fromtimestamp(column[source.h], tz=UTC)

    def user_name(source: UserRecord, _info: Any) -> dict:
        return name_of(source.first, source.last, title="Dr." if source.npi else None)

    codes = {"codes": attr("codes")}
    return {
        "Patient": {
            "name": lambda s, _i: name_of(s.first, s.last, s.middle, s.title),
            "dateOfBirth": attr("date_of_birth"),
            "externalId": attr("external_id"),
            "medicationHistory": attr("medication_history"),
            "preferredPharmacies": attr("preferred_pharmacies"),
            "allergies": allergies,
            "prescriptions": patient_rx,
            "orders": patient_orders,
        },
        "Prescription": {
            "id": lambda s, _i: store.rx_id(s.h),
            "daysSupply": rx_detail("daysSupply"),
            "diagnoses": diagnoses,
            "dispenseAsWritten": rx_detail("dispenseAsWritten"),
            "dispenseQuantity": rx_detail("dispenseQuantity"),
            "dispenseUnit": rx_detail("dispenseUnit"),
            "instructions": rx_detail("instructions"),
            "notes": rx_detail("notes"),
            "externalId": rx_detail("externalId"),
            "effectiveDate": lambda s, _i: store.rx_dates(s.h)[0],
            "expirationDate": lambda s, _i: store.rx_dates(s.h)[1],
            "fills": rx_fills,
            "patient": lambda s, _i: store.patient(store.rx_patient[s.h]),
            "prescriber": lambda s, _i: store.users_by_id[store.rx_prescriber[s.h]],
            "fillsAllowed": lambda s, _i: store.rx_allowed[s.h],
            "fillsRemaining": lambda s, _i: store.rx_remaining[s.h],
            "state": lambda s, i: store.rx_state_at(s.h, i.context.today),
            "treatment": lambda s, _i: store.rx_treatment_of(s.h),
            "writtenAt": iso_ts(store.rx_written),
        },
        "Order": {
            "id": lambda s, _i: store.order_id(s.h),
            "address": lambda s, _i: store.order_address(s.h),
            "createdAt": iso_ts(store.ord_created),
            "externalId": lambda s, _i: store.order_external_id(s.h),
            "fills": lambda s, _i: [Fil(f) for f in store.order_fills(s.h)],
            "fulfillment": order_fulfillment,
            "patient": lambda s, _i: store.patient(store.ord_patient[s.h]),
            "pharmacy": lambda s, _i: store.pharmacy_of(s.h),
            "state": lambda s, i: store.progress.order_state_at(s.h, i.context.ts),
            "exceptions": lambda s, i: store.progress.order_exceptions(s.h, i.context.ts),
        },
        "Fill": {
            "id": lambda s, _i: store.fill_id(s.h),
            "filledAt": lambda s, i: store.progress.filled_at(s.h, i.context.ts),
            "order": lambda s, _i: Ord(store.fill_order[s.h]),
            "prescription": fill_rx,
            "requestedAt": lambda s, _i: datetime.fromtimestamp(
                store.ord_created[store.fill_order[s.h]], tz=UTC
            ),
            "state": lambda s, i: store.progress.fill_state_at(s.h, i.context.ts),
            "treatment": fill_treatment,
        },
        "OrderFulfillment": {
            "trackingNumber": attr("tracking_number"),
            "minutesUntilReady": attr("minutes_until_ready"),
            "pharmacyEstimatedReadyAt": attr("ready_at"),
        },
        "Medication": {
            **codes,
            "brandName": attr("brand_name"),
            "genericName": attr("generic_name"),
            "concept": lambda _s, _i: "DRUG",
            "manufacturer": lambda _s, _i: None,
        },
        "MedicalEquipment": codes,
        "Pharmacy": {
            "NPI": attr("npi"),
            "NCPDP": attr("ncpdp"),
            "fulfillmentTypes": attr("fulfillment_types"),
        },
        "Organization": {
            "NPI": attr("npi"),
            "type": lambda _s, _i: "PRESCRIBER",
        },
        "Provider": {
            "NPI": attr("npi"),
            "name": user_name,
            "address": lambda _s, _i: store.org.address,
            "fax": lambda _s, _i: store.org.fax,
            "externalId": lambda _s, _i: None,
            "organizations": lambda s, i: i.context.memberships(s.email),
        },
        "User": {
            "name": user_name,
            "address": lambda _s, _i: store.org.address,
            "fax": lambda _s, _i: store.org.fax,
            "externalId": lambda _s, _i: None,
            "signature": lambda _s, _i: None,
            "roles": lambda s, _i: [
                {
                    "id": f"rol_{s.role}",
                    "name": s.role.title(),
                    "description": f"Sandbox {s.role} role",
                }
            ],
            "verificationStatus": lambda s, _i: "VERIFIED" if s.npi else "NOT_APPLICABLE",
        },
        "Catalog": {"templates": lambda s, i: visible_templates(s, i.context)},
        "PrescriptionTemplate": {
            "daysSupply": attr("days_supply"),
            "dispenseAsWritten": attr("dispense_as_written"),
            "dispenseQuantity": attr("dispense_quantity"),
            "dispenseUnit": attr("dispense_unit"),
            "fillsAllowed": attr("fills_allowed"),
            "isPrivate": attr("is_private"),
        },
    }
