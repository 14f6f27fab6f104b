"""The ``Mutation`` fields: check everything first (``validation``), then write once.

A mutation writes only after all its arguments passed, so a failed request leaves no trace; the
per-name counter in ``/admin/stats`` counts only mutations that wrote.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from graphql import GraphQLResolveInfo

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.graphql.catalogs import CatalogEdits
from photon_desktop.sandbox.graphql.context import Context, Ord, Resolver, Rx, current_user
from photon_desktop.sandbox.graphql.errors import InputErrors, not_found, unauthorized
from photon_desktop.sandbox.graphql.validation import Validator
from photon_desktop.sandbox.records import PatientRecord, UserRecord
from photon_desktop.sandbox.store import Store

NAMES = (
    "createPatient",
    "updatePatient",
    "removePatientAllergy",
    "removePatientPreferredPharmacy",
    "createPrescription",
    "createPrescriptions",
    "cancelPrescription",
    "createOrder",
    "cancelOrder",
    "routeOrder",
)


class Mutations:
    """The mutation resolvers over one store; ``counts`` holds how many of each wrote."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.check = Validator(store)
        self.counts: Counter[str] = Counter()

    def resolvers(self) -> dict[str, Resolver]:
        own = {name: getattr(self, f"_m_{_snake(name)}") for name in NAMES}
        table = {**own, **CatalogEdits(self.store).resolvers()}
        return {name: self._counted(name, fn) for name, fn in table.items()}

    def _counted(self, name: str, fn: Resolver) -> Resolver:
        def resolve(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            result = fn(info.context, **args)
            self.counts[name] += 1
            return result

        return resolve

    # -- patients

    def _m_create_patient(self, context: Context, **args: Any) -> PatientRecord:
        context.require(accounts.WRITE_PATIENT)
        fields = self.check.patient_fields(context, args)
        defaults: dict[str, Any] = {
            "middle": None,
            "title": None,
            "gender": None,
            "email": None,
            "address": None,
            "allergies": [],
            "medication_history": [],
            "preferred_pharmacies": [],
            "external_id": None,
        }
        p = self.store.create_patient({**defaults, **fields})
        return self.store.patient(p)

    def _patient_or_404(self, patient_id: Any) -> int:
        p = self.store.patient_handle(patient_id)
        if p is None:
            raise not_found("Patient", patient_id)
        return p

    def _m_update_patient(self, context: Context, id: str, **args: Any) -> PatientRecord:
        context.require(accounts.WRITE_PATIENT)
        p = self._patient_or_404(id)
        fields = self.check.patient_fields(context, args, p=p)
        self.store.update_patient(p, fields)
        return self.store.patient(p)

    def _m_remove_patient_allergy(
        self, context: Context, allergenId: str, id: str
    ) -> PatientRecord:
        context.require(accounts.WRITE_PATIENT)
        record = self.store.patient(self._patient_or_404(id))
        kept = [a for a in record.allergies if a["allergen"]["id"] != allergenId]
        if len(kept) == len(record.allergies):
            raise InputErrors([("allergenId", f"The patient has no allergy {allergenId}")])
        self.store.update_patient(record.h, {"allergies": kept})
        return record

    def _m_remove_patient_preferred_pharmacy(
        self, context: Context, patientId: str, pharmacyId: str
    ) -> PatientRecord:
        context.require(accounts.WRITE_PATIENT)
        record = self.store.patient(self._patient_or_404(patientId))
        kept = [ph for ph in record.preferred_pharmacies if ph.id != pharmacyId]
        if len(kept) == len(record.preferred_pharmacies):
            raise InputErrors(
                [("pharmacyId", f"Pharmacy {pharmacyId} is not a preferred pharmacy")]
            )
        self.store.update_patient(record.h, {"preferred_pharmacies": kept})
        return record

    # -- prescriptions

    def _require_prescriber(self, context: Context, operation: str) -> UserRecord:
        context.require(accounts.WRITE_PRESCRIPTION)
        if not context.principal.is_user:
            raise unauthorized(f"{operation} requires a signed-in prescriber (user token)")
        user = current_user(context)
        if user.npi is None:
            raise unauthorized(f"{operation} requires a prescriber with an NPI")
        return user

    def _save_rx(self, plan: dict[str, Any], prescriber: UserRecord) -> Rx:
        return Rx(self.store.create_prescription(prescriber=prescriber.id, state="ACTIVE", **plan))

    def _m_create_prescription(self, context: Context, **args: Any) -> Rx:
        prescriber = self._require_prescriber(context, "createPrescription")
        problems: list[tuple[str, str]] = []
        plan = self.check.rx_plan(context, args, "", problems, set())
        if problems:
            raise InputErrors(problems)
        return self._save_rx(plan, prescriber)

    def _m_create_prescriptions(self, context: Context, prescriptions: list) -> list[Rx]:
        prescriber = self._require_prescriber(context, "createPrescriptions")
        problems: list[tuple[str, str]] = []
        if not prescriptions:
            raise InputErrors([("prescriptions", "prescriptions must not be empty")])
        seen: set[str] = set()
        plans = []
        for n, item in enumerate(prescriptions):
            if item is None:
                problems.append((f"prescriptions[{n}]", "a prescription must not be null"))
                continue
            plans.append(self.check.rx_plan(context, item, f"prescriptions[{n}].", problems, seen))
        if problems:
            raise InputErrors(problems)
        return [self._save_rx(plan, prescriber) for plan in plans]

    def _m_cancel_prescription(self, context: Context, id: str) -> Rx:
        context.require(accounts.WRITE_PRESCRIPTION)
        r = self.store.rx_handle(id)
        if r is None:
            raise not_found("Prescription", id)
        state = self.store.rx_state_at(r, context.today)
        if state not in ("ACTIVE", "DRAFT"):
            raise InputErrors([("id", f"A {state} prescription cannot be canceled")])
        self.store.cancel_prescription(r)
        return Rx(r)

    # -- orders

    def _m_create_order(self, context: Context, **args: Any) -> Ord:
        context.require(accounts.WRITE_ORDER)
        return Ord(self.store.create_order(**self.check.order_plan(context, **args)))

    def _order_or_404(self, order_id: Any) -> int:
        o = self.store.order_handle(order_id)
        if o is None:
            raise not_found("Order", order_id)
        return o

    def _m_cancel_order(self, context: Context, id: str, reason: str | None = None) -> Ord:
        context.require(accounts.WRITE_ORDER)
        o = self._order_or_404(id)
        state = self.store.progress.order_state_at(o, context.ts)
        if state in ("COMPLETED", "CANCELED"):
            raise InputErrors([("id", f"A {state} order cannot be canceled")])
        self.store.cancel_order(o, reason)
        return Ord(o)

    def _m_route_order(self, context: Context, id: str, pharmacyId: str) -> Ord:
        context.require(accounts.WRITE_ORDER)
        store = self.store
        o = self._order_or_404(id)
        found = store.ref.pharmacies_by_id.get(pharmacyId)
        if found is None:
            raise InputErrors([("pharmacyId", f"Pharmacy {pharmacyId} was not found")])
        state = store.progress.order_state_at(o, context.ts)
        if state not in ("ROUTING", "PLACED", "PENDING", "ERROR"):
            raise InputErrors([("id", f"A {state} order cannot be routed")])
        if store.pharmacy_of(o) is found:
            raise InputErrors([("pharmacyId", "the order is already at this pharmacy")])
        store.route_order(o, store.ref.pharmacies.index(found))
        return Ord(o)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
