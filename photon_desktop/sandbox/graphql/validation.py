"""Checks of mutation arguments: every bad field is reported at once, nothing is half-written.

Each check returns what :class:`~photon_desktop.sandbox.store.Store` needs to write, or raises
:class:`~photon_desktop.sandbox.graphql.errors.InputErrors` naming every bad argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from photon_desktop.sandbox.graphql.context import Context, name_of
from photon_desktop.sandbox.graphql.errors import InputErrors
from photon_desktop.sandbox.store import Store

_US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


class Validator:
    """Argument checks against the current records (ids exist, externalIds are unique)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def patient_fields(
        self, context: Context, args: dict[str, Any], p: int | None = None
    ) -> dict[str, Any]:
        """Validate patient arguments; return ``PatientRecord`` field values to set."""
        ref = self.store.ref
        problems: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        if "name" in args and args["name"] is not None:
            name = args["name"]
            for part in ("first", "last"):
                if not name[part].strip():
                    problems.append((f"name.{part}", f"name.{part} must not be empty"))
            out.update(
                first=name["first"].strip(),
                last=name["last"].strip(),
                middle=(name.get("middle") or "").strip() or None,
                title=(name.get("title") or "").strip() or None,
            )
        if args.get("dateOfBirth") is not None:
            dob: date = args["dateOfBirth"]
            if dob > context.now.date():
                problems.append(("dateOfBirth", "dateOfBirth cannot be in the future"))
            elif dob.year < 1900:
                problems.append(("dateOfBirth", "dateOfBirth must be after 1900-01-01"))
            out["date_of_birth"] = dob
        # A null name, dateOfBirth, phone or sex means "unchanged": the record needs them.
        for key in ("phone", "sex"):
            if args.get(key) is not None:
                out[key] = args[key]
        for key, target in (("email", "email"), ("gender", "gender")):
            if key in args:
                out[target] = (args[key] or "").strip() or None
        if "externalId" in args:
            external = (args["externalId"] or "").strip() or None
            if external is not None:
                owner = self.store.external_handle("pat", external)
                if owner is not None and owner != p:
                    problems.append(
                        ("externalId", f"externalId {external} is already used by another patient")
                    )
            out["external_id"] = external
        if args.get("address") is not None:
            out["address"] = self.address(args["address"], "address", problems)
        elif "address" in args:
            out["address"] = None
        if "allergies" in args:
            allergy_list = []
            for n, item in enumerate(args["allergies"] or []):
                if item is None:
                    continue
                allergen = ref.allergens_by_id.get(item["allergenId"])
                if allergen is None:
                    problems.append(
                        (
                            f"allergies[{n}].allergenId",
                            f"Allergen {item['allergenId']} was not found",
                        )
                    )
                    continue
                onset = item.get("onset")
                if onset is not None and onset > context.now.date():
                    problems.append((f"allergies[{n}].onset", "onset cannot be in the future"))
                allergy_list.append(
                    {"allergen": allergen, "comment": item.get("comment"), "onset": onset}
                )
            out["allergies"] = allergy_list
        if "medicationHistory" in args:
            history = []
            for n, item in enumerate(args["medicationHistory"] or []):
                if item is None:
                    continue
                med = ref.treatments_by_id.get(item["medicationId"])
                if med is None or med.kind != "Medication":
                    problems.append(
                        (
                            f"medicationHistory[{n}].medicationId",
                            f"Medication {item['medicationId']} was not found",
                        )
                    )
                    continue
                history.append(
                    {
                        "medication": med,
                        "active": item["active"],
                        "comment": item.get("comment"),
                        "prescription": None,
                    }
                )
            out["medication_history"] = history
        if "preferredPharmacies" in args:
            chosen = []
            for n, pharmacy_id in enumerate(args["preferredPharmacies"] or []):
                if pharmacy_id is None:
                    continue
                found = ref.pharmacies_by_id.get(pharmacy_id)
                if found is None:
                    problems.append(
                        (f"preferredPharmacies[{n}]", f"Pharmacy {pharmacy_id} was not found")
                    )
                elif found not in chosen:
                    chosen.append(found)
            out["preferred_pharmacies"] = chosen
        if problems:
            raise InputErrors(problems)
        return out

    def address(
        self, address: dict[str, Any], prefix: str, problems: list[tuple[str, str]]
    ) -> dict[str, Any]:
        clean = {
            key: (address.get(key) or "").strip() or None
            for key in ("street1", "street2", "city", "state", "postalCode", "country")
        }
        for key in ("street1", "city"):
            if not clean[key]:
                problems.append((f"{prefix}.{key}", f"{key} must not be empty"))
        country = (clean["country"] or "").upper()
        if country in ("US", "USA", "UNITED STATES"):
            clean["country"] = "US"
        else:
            problems.append((f"{prefix}.country", "Only US addresses are supported (country US)"))
        state = (clean["state"] or "").upper()
        if state not in self.store.ref.us_states:
            problems.append((f"{prefix}.state", "state must be a US state code such as NY"))
        clean["state"] = state
        if not _US_ZIP.match(clean["postalCode"] or ""):
            problems.append(
                (f"{prefix}.postalCode", "postalCode must be a ZIP code (12345 or 12345-6789)")
            )
        name = address.get("name")
        clean["name"] = (
            name_of(name["first"], name["last"], name.get("middle"), name.get("title"))
            if name
            else None
        )
        return clean

    def dispensing(
        self, args: dict[str, Any], bad: Callable[[str, str], None], *, required: bool
    ) -> dict[str, Any]:
        """The dispensing arguments prescriptions and templates share, checked.

        In: GraphQL names; out: the store's names, the unit spelled as ``dispenseUnits`` lists
        it. ``required``: every one must be given (else only those in ``args`` are checked).
        """
        out: dict[str, Any] = {}

        def given(*names: str) -> bool:
            return required or any(name in args for name in names)

        if given("dispenseQuantity"):
            quantity = args.get("dispenseQuantity")
            if quantity is None or quantity <= 0:
                bad("dispenseQuantity", "dispenseQuantity must be greater than 0")
            out["dispense_quantity"] = quantity
        if given("dispenseUnit"):
            units = {u.lower(): u for u in self.store.ref.dispense_units}
            unit = units.get((args.get("dispenseUnit") or "").strip().lower())
            if unit is None:
                bad("dispenseUnit", "dispenseUnit must be one of dispenseUnits")
            out["dispense_unit"] = unit
        if given("fillsAllowed", "refillsAllowed"):
            fills, refills = args.get("fillsAllowed"), args.get("refillsAllowed")
            if fills is None and refills is None:
                bad("fillsAllowed", "fillsAllowed (or the legacy refillsAllowed) is required")
            elif fills is None:
                assert refills is not None
                if refills < 0:
                    bad("refillsAllowed", "refillsAllowed must be 0 or more")
                fills = refills + 1
            elif fills < 1:
                bad("fillsAllowed", "fillsAllowed must be at least 1")
            elif refills is not None and refills + 1 != fills:
                bad(
                    "refillsAllowed",
                    "refillsAllowed must equal fillsAllowed - 1 when both are given",
                )
            out["fills_allowed"] = fills
        if given("daysSupply"):
            days = args.get("daysSupply")
            if days is not None and days < 1:
                bad("daysSupply", "daysSupply must be at least 1")
            out["days_supply"] = days
        if given("instructions"):
            instructions = (args.get("instructions") or "").strip()
            if not instructions:
                bad("instructions", "instructions must not be empty")
            out["instructions"] = instructions
        return out

    def rx_plan(
        self,
        context: Context,
        args: dict[str, Any],
        prefix: str,
        problems: list[tuple[str, str]],
        batch_external: set[str],
    ) -> dict[str, Any]:
        """Validate one prescription's arguments; returns what ``Store`` needs."""
        store, ref = self.store, self.store.ref

        def bad(name: str, message: str) -> None:
            problems.append((prefix + name, message))

        p = store.patient_handle(args.get("patientId"))
        if p is None:
            bad("patientId", f"Patient {args.get('patientId')} was not found")
        treatment = ref.treatments_by_id.get(args.get("treatmentId"))  # type: ignore[arg-type]
        if treatment is None:
            bad("treatmentId", f"Treatment {args.get('treatmentId')} was not found")
        dispensing = self.dispensing(args, bad, required=True)
        effective = args.get("effectiveDate") or context.now.date()
        if effective < context.now.date() - timedelta(days=1):
            bad("effectiveDate", "effectiveDate cannot be in the past")
        diagnoses = []
        for n, code in enumerate(args.get("diagnoses") or []):
            if code is None:
                continue
            code = code.strip().upper()
            if not _ICD10.match(code):
                bad(f"diagnoses[{n}]", f"{code} is not an ICD-10 code")
            diagnoses.append(code)
        external = (args.get("externalId") or "").strip() or None
        if external is not None:
            if store.external_handle("rx", external) is not None or external in batch_external:
                bad("externalId", f"externalId {external} is already used by another prescription")
            batch_external.add(external)
        return {
            "patient": p,
            "treatment": treatment,
            "fills_allowed": dispensing.get("fills_allowed"),
            "effective": effective,
            "detail": {
                "dispenseQuantity": dispensing.get("dispense_quantity"),
                "dispenseUnit": dispensing.get("dispense_unit"),
                "daysSupply": dispensing.get("days_supply"),
                "instructions": dispensing.get("instructions"),
                "notes": (args.get("notes") or "").strip() or None,
                "dispenseAsWritten": bool(args.get("dispenseAsWritten")),
                "diagnoses": diagnoses,
                "externalId": external,
            },
        }

    def order_plan(
        self,
        context: Context,
        address: dict,
        fills: list,
        patientId: str,
        externalId: str | None = None,
        pharmacyId: str | None = None,
    ) -> dict[str, Any]:
        """Validate ``createOrder``'s arguments; returns what ``Store.create_order`` needs."""
        store, ref = self.store, self.store.ref
        problems: list[tuple[str, str]] = []
        p = store.patient_handle(patientId)
        if p is None:
            problems.append(("patientId", f"Patient {patientId} was not found"))
        clean_address = self.address(address, "address", problems)
        pharmacy = -1
        if pharmacyId is not None:
            found = ref.pharmacies_by_id.get(pharmacyId)
            if found is None:
                problems.append(("pharmacyId", f"Pharmacy {pharmacyId} was not found"))
            else:
                pharmacy = ref.pharmacies.index(found)
        external = (externalId or "").strip() or None
        if external is not None and store.external_handle("ord", external) is not None:
            problems.append(
                ("externalId", f"externalId {external} is already used by another order")
            )
        if not fills:
            problems.append(("fills", "an order needs at least one fill"))
        planned: list[tuple[int, int]] = []
        for n, item in enumerate(fills or []):
            rx_id, treatment_id = item.get("prescriptionId"), item.get("treatmentId")
            if rx_id is None and treatment_id is None:
                problems.append((f"fills[{n}]", "a fill needs a prescriptionId or a treatmentId"))
                continue
            if rx_id is not None:
                r = store.rx_handle(rx_id)
                if r is None:
                    problems.append(
                        (f"fills[{n}].prescriptionId", f"Prescription {rx_id} was not found")
                    )
                    continue
                state = store.rx_state_at(r, context.today)
                if p is not None and store.rx_patient[r] != p:
                    problems.append(
                        (
                            f"fills[{n}].prescriptionId",
                            "the prescription belongs to another patient",
                        )
                    )
                elif state != "ACTIVE":
                    problems.append(
                        (f"fills[{n}].prescriptionId", f"a {state} prescription cannot be ordered")
                    )
                elif store.rx_remaining[r] - sum(1 for q, _ in planned if q == r) <= 0:
                    problems.append(
                        (f"fills[{n}].prescriptionId", "the prescription has no fills remaining")
                    )
                treatment_index = store.rx_treatment[r]
                if treatment_id is not None and (store.rx_treatment_of(r).id != treatment_id):
                    problems.append(
                        (f"fills[{n}].treatmentId", "treatmentId does not match the prescription")
                    )
                planned.append((r, treatment_index))
            else:
                treatment = ref.treatments_by_id.get(treatment_id)
                if treatment is None:
                    problems.append(
                        (f"fills[{n}].treatmentId", f"Treatment {treatment_id} was not found")
                    )
                    continue
                if treatment.type == "RX":
                    problems.append(
                        (f"fills[{n}].prescriptionId", f"{treatment.name} needs a prescription")
                    )
                planned.append((-1, store.treatment_index(treatment)))
        if problems:
            raise InputErrors(problems)
        assert p is not None
        return {
            "patient": p,
            "pharmacy": pharmacy,
            "address": clean_address,
            "fills": planned,
            "external_id": external,
        }
