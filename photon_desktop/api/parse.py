"""JSON answers -> typed models. Anything missing or mistyped becomes ``ResponseError``.

Each parser takes the JSON object of one GraphQL type and a dotted ``where`` path used in the
log message, so support can tell which field was wrong without the user seeing internals.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

from photon_desktop.domain import (
    Address,
    Allergen,
    Catalog,
    DispenseUnit,
    Fill,
    FillState,
    FulfillmentState,
    FulfillmentType,
    Name,
    Order,
    OrderException,
    OrderFulfillment,
    OrderState,
    Organization,
    Page,
    Patient,
    PatientAllergy,
    PatientMedication,
    PatientSummary,
    Pharmacy,
    Prescription,
    PrescriptionState,
    PrescriptionTemplate,
    Provider,
    Sex,
    Treatment,
    TreatmentCodes,
    User,
)
from photon_desktop.errors import ResponseError

log = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

UNREADABLE = (
    "Photon sent an answer the app could not read. Try again; if it keeps happening, "
    "contact support."
)


_ENUM_TOKEN = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def _shown(value: Any) -> str:
    """An unknown enum value for the log: the token itself (a new Photon state is worth
    seeing), but never free text, which could be a patient's details in the wrong field."""
    if isinstance(value, str) and _ENUM_TOKEN.fullmatch(value):
        return repr(value)
    return f"<{type(value).__name__}>"


class _Malformed(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


def parse(parser: Callable[[Any, str], T], value: Any, where: str) -> T:
    """Run ``parser`` and turn any shape problem into ``ResponseError`` (logged with its path)."""
    try:
        return parser(value, where)
    except _Malformed as exc:
        log.warning("malformed answer: %s", exc)
        raise ResponseError(UNREADABLE) from exc


# ------------------------------------------------------------------ primitives


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Malformed(where, f"expected an object, got {type(value).__name__}")
    return value


def _req(obj: Mapping[str, Any], key: str, where: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise _Malformed(f"{where}.{key}", "missing")
    return value


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _req(obj, key, where)
    if not isinstance(value, str):
        raise _Malformed(f"{where}.{key}", "expected a string")
    return value


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise _Malformed(f"{where}.{key}", "expected a string")
    return str(value)


def _num(obj: Mapping[str, Any], key: str, where: str) -> float:
    value = _req(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Malformed(f"{where}.{key}", "expected a number")
    return float(value)


def _int(obj: Mapping[str, Any], key: str, where: str) -> int:
    value = _req(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed(f"{where}.{key}", "expected an integer")
    return value


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key, where)


def _bool(obj: Mapping[str, Any], key: str, where: str) -> bool:
    value = _req(obj, key, where)
    if not isinstance(value, bool):
        raise _Malformed(f"{where}.{key}", "expected true or false")
    return value


def _opt_bool(obj: Mapping[str, Any], key: str, where: str) -> bool | None:
    return None if obj.get(key) is None else _bool(obj, key, where)


def _date_value(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise _Malformed(where, "expected a date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise _Malformed(where, "not a date") from exc


def _date(obj: Mapping[str, Any], key: str, where: str) -> date:
    return _date_value(_req(obj, key, where), f"{where}.{key}")


def _opt_date(obj: Mapping[str, Any], key: str, where: str) -> date | None:
    return None if obj.get(key) is None else _date(obj, key, where)


def _datetime(obj: Mapping[str, Any], key: str, where: str) -> datetime:
    value = _req(obj, key, where)
    if not isinstance(value, str):
        raise _Malformed(f"{where}.{key}", "expected a timestamp")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _Malformed(f"{where}.{key}", "not a timestamp") from exc


def _opt_datetime(obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return None if obj.get(key) is None else _datetime(obj, key, where)


def _enum(kind: type[E], obj: Mapping[str, Any], key: str, where: str) -> E:
    value = _req(obj, key, where)
    try:
        return kind(value)
    except ValueError as exc:
        raise _Malformed(f"{where}.{key}", f"unknown {kind.__name__} {_shown(value)}") from exc


def _list(
    parser: Callable[[Any, str], T], obj: Mapping[str, Any], key: str, where: str
) -> tuple[T, ...]:
    """A list field; null lists and null elements are skipped (the schema allows both)."""
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Malformed(f"{where}.{key}", "expected a list")
    return tuple(
        parser(item, f"{where}.{key}[{i}]") for i, item in enumerate(value) if item is not None
    )


def _opt(parser: Callable[[Any, str], T], obj: Mapping[str, Any], key: str, where: str) -> T | None:
    value = obj.get(key)
    return None if value is None else parser(value, f"{where}.{key}")


# ------------------------------------------------------------------ types


def name(value: Any, where: str) -> Name:
    o = _obj(value, where)
    first = _str(o, "first", where)
    last = _str(o, "last", where)
    full = _opt_str(o, "full", where) or f"{first} {last}"
    return Name(
        first=first,
        last=last,
        full=full,
        middle=_opt_str(o, "middle", where),
        title=_opt_str(o, "title", where),
    )


def address(value: Any, where: str) -> Address:
    o = _obj(value, where)
    return Address(
        street1=_str(o, "street1", where),
        street2=_opt_str(o, "street2", where),
        city=_str(o, "city", where),
        state=_str(o, "state", where),
        postal_code=_str(o, "postalCode", where),
        country=_str(o, "country", where),
        name=_opt(name, o, "name", where),
    )


def treatment_codes(value: Any, where: str) -> TreatmentCodes:
    o = _obj(value, where)
    return TreatmentCodes(
        rxcui=_opt_str(o, "rxcui", where),
        product_ndc=_opt_str(o, "productNDC", where),
        package_ndc=_opt_str(o, "packageNDC", where),
        hcpcs=_opt_str(o, "HCPCS", where),
        sku=_opt_str(o, "SKU", where),
    )


def treatment(value: Any, where: str) -> Treatment:
    o = _obj(value, where)
    kind = _opt_str(o, "__typename", where) or "Medication"
    return Treatment(
        id=_str(o, "id", where),
        name=_str(o, "name", where),
        kind=kind,
        description=_opt_str(o, "description", where),
        codes=_opt(treatment_codes, o, "codes", where),
        generic_name=_opt_str(o, "genericName", where),
        brand_name=_opt_str(o, "brandName", where),
        strength=_opt_str(o, "strength", where),
        form=_opt_str(o, "form", where),
        controlled=_opt_bool(o, "controlled", where),
        schedule=_opt_str(o, "schedule", where),
        type=_opt_str(o, "type", where),
    )


def allergen(value: Any, where: str) -> Allergen:
    o = _obj(value, where)
    return Allergen(
        id=_str(o, "id", where), name=_str(o, "name", where), rxcui=_opt_str(o, "rxcui", where)
    )


def patient_allergy(value: Any, where: str) -> PatientAllergy:
    o = _obj(value, where)
    return PatientAllergy(
        allergen=allergen(_req(o, "allergen", where), f"{where}.allergen"),
        comment=_opt_str(o, "comment", where),
        onset=_opt_date(o, "onset", where),
    )


def _id_of(o: Mapping[str, Any], key: str, where: str) -> str | None:
    ref = o.get(key)
    return None if ref is None else _str(_obj(ref, f"{where}.{key}"), "id", f"{where}.{key}")


def patient_medication(value: Any, where: str) -> PatientMedication:
    o = _obj(value, where)
    return PatientMedication(
        medication=treatment(_req(o, "medication", where), f"{where}.medication"),
        active=_bool(o, "active", where),
        comment=_opt_str(o, "comment", where),
        prescription_id=_id_of(o, "prescription", where),
    )


def _fulfillment_type(value: Any, where: str) -> FulfillmentType:
    try:
        return FulfillmentType(value)
    except ValueError as exc:
        raise _Malformed(where, f"unknown fulfillment type {_shown(value)}") from exc


def pharmacy(value: Any, where: str) -> Pharmacy:
    o = _obj(value, where)
    return Pharmacy(
        id=_str(o, "id", where),
        name=_str(o, "name", where),
        address=_opt(address, o, "address", where),
        phone=_opt_str(o, "phone", where),
        fax=_opt_str(o, "fax", where),
        npi=_opt_str(o, "NPI", where),
        ncpdp=_opt_str(o, "NCPDP", where),
        fulfillment_types=_list(_fulfillment_type, o, "fulfillmentTypes", where),
    )


def patient_summary(value: Any, where: str) -> PatientSummary:
    o = _obj(value, where)
    return PatientSummary(
        id=_str(o, "id", where),
        name=name(_req(o, "name", where), f"{where}.name"),
        date_of_birth=_date(o, "dateOfBirth", where),
        sex=_enum(Sex, o, "sex", where),
        phone=_str(o, "phone", where),
        email=_opt_str(o, "email", where),
        external_id=_opt_str(o, "externalId", where),
        gender=_opt_str(o, "gender", where),
    )


def provider(value: Any, where: str) -> Provider:
    o = _obj(value, where)
    return Provider(
        id=_str(o, "id", where),
        name=name(_req(o, "name", where), f"{where}.name"),
        email=_opt_str(o, "email", where),
        npi=_opt_str(o, "NPI", where),
    )


def fill(value: Any, where: str) -> Fill:
    o = _obj(value, where)
    return Fill(
        id=_str(o, "id", where),
        state=_enum(FillState, o, "state", where),
        requested_at=_datetime(o, "requestedAt", where),
        treatment=_opt(treatment, o, "treatment", where),
        filled_at=_opt_datetime(o, "filledAt", where),
        prescription_id=_id_of(o, "prescription", where),
        order_id=_id_of(o, "order", where),
    )


def _patient_ref(o: Mapping[str, Any], where: str) -> tuple[str, Name | None]:
    ref = _obj(_req(o, "patient", where), f"{where}.patient")
    return _str(ref, "id", f"{where}.patient"), _opt(name, ref, "name", f"{where}.patient")


def prescription(value: Any, where: str) -> Prescription:
    o = _obj(value, where)
    patient_id, patient_name = _patient_ref(o, where)
    return Prescription(
        id=_str(o, "id", where),
        state=_enum(PrescriptionState, o, "state", where),
        treatment=treatment(_req(o, "treatment", where), f"{where}.treatment"),
        dispense_quantity=_num(o, "dispenseQuantity", where),
        dispense_unit=_str(o, "dispenseUnit", where),
        instructions=_str(o, "instructions", where),
        fills_allowed=_int(o, "fillsAllowed", where),
        fills_remaining=_int(o, "fillsRemaining", where),
        effective_date=_date(o, "effectiveDate", where),
        expiration_date=_date(o, "expirationDate", where),
        written_at=_datetime(o, "writtenAt", where),
        patient_id=patient_id,
        patient_name=patient_name,
        prescriber=_opt(provider, o, "prescriber", where),
        days_supply=_opt_int(o, "daysSupply", where),
        dispense_as_written=_opt_bool(o, "dispenseAsWritten", where),
        notes=_opt_str(o, "notes", where),
        external_id=_opt_str(o, "externalId", where),
        fills=_list(fill, o, "fills", where),
    )


def order_fulfillment(value: Any, where: str) -> OrderFulfillment:
    o = _obj(value, where)
    return OrderFulfillment(
        type=_enum(FulfillmentType, o, "type", where),
        state=_enum(FulfillmentState, o, "state", where),
        carrier=_opt_str(o, "carrier", where),
        tracking_number=_opt_str(o, "trackingNumber", where),
        minutes_until_ready=_opt_int(o, "minutesUntilReady", where),
        pharmacy_estimated_ready_at=_opt_datetime(o, "pharmacyEstimatedReadyAt", where),
    )


def order_exception(value: Any, where: str) -> OrderException:
    o = _obj(value, where)
    return OrderException(
        type=_str(o, "type", where),
        message=_opt_str(o, "message", where),
        created_at=_opt_datetime(o, "createdAt", where),
        resolved_at=_opt_datetime(o, "resolvedAt", where),
    )


def order(value: Any, where: str) -> Order:
    o = _obj(value, where)
    patient_id, patient_name = _patient_ref(o, where)
    return Order(
        id=_str(o, "id", where),
        state=_enum(OrderState, o, "state", where),
        created_at=_datetime(o, "createdAt", where),
        patient_id=patient_id,
        patient_name=patient_name,
        pharmacy=_opt(pharmacy, o, "pharmacy", where),
        fulfillment=_opt(order_fulfillment, o, "fulfillment", where),
        address=_opt(address, o, "address", where),
        external_id=_opt_str(o, "externalId", where),
        fills=_list(fill, o, "fills", where),
        exceptions=_list(order_exception, o, "exceptions", where),
    )


def patient(value: Any, where: str, unavailable: Mapping[str, str] | None = None) -> Patient:
    o = _obj(value, where)
    summary = patient_summary(o, where)
    return Patient(
        id=summary.id,
        name=summary.name,
        date_of_birth=summary.date_of_birth,
        sex=summary.sex,
        phone=summary.phone,
        email=summary.email,
        gender=summary.gender,
        external_id=summary.external_id,
        address=_opt(address, o, "address", where),
        allergies=_list(patient_allergy, o, "allergies", where),
        medication_history=_list(patient_medication, o, "medicationHistory", where),
        preferred_pharmacies=_list(pharmacy, o, "preferredPharmacies", where),
        prescriptions=_list(prescription, o, "prescriptions", where),
        orders=_list(order, o, "orders", where),
        unavailable=dict(unavailable or {}),
    )


def prescription_template(value: Any, where: str) -> PrescriptionTemplate:
    o = _obj(value, where)
    quantity = o.get("dispenseQuantity")
    return PrescriptionTemplate(
        id=_str(o, "id", where),
        treatment=treatment(_req(o, "treatment", where), f"{where}.treatment"),
        name=_opt_str(o, "name", where),
        dispense_quantity=None if quantity is None else _num(o, "dispenseQuantity", where),
        dispense_unit=_opt_str(o, "dispenseUnit", where),
        days_supply=_opt_int(o, "daysSupply", where),
        fills_allowed=_opt_int(o, "fillsAllowed", where),
        instructions=_opt_str(o, "instructions", where),
        notes=_opt_str(o, "notes", where),
        dispense_as_written=_opt_bool(o, "dispenseAsWritten", where),
        is_private=bool(_opt_bool(o, "isPrivate", where)),
    )


def catalog(value: Any, where: str) -> Catalog:
    o = _obj(value, where)
    return Catalog(
        id=_str(o, "id", where),
        name=_str(o, "name", where),
        treatments=_list(treatment, o, "treatments", where),
        templates=_list(prescription_template, o, "templates", where),
    )


def dispense_unit(value: Any, where: str) -> DispenseUnit:
    return DispenseUnit(name=_str(_obj(value, where), "name", where))


def organization(value: Any, where: str) -> Organization:
    o = _obj(value, where)
    return Organization(
        id=_str(o, "id", where),
        name=_str(o, "name", where),
        type=_opt_str(o, "type", where),
        npi=_opt_str(o, "NPI", where),
        phone=_opt_str(o, "phone", where),
        email=_opt_str(o, "email", where),
        fax=_opt_str(o, "fax", where),
        address=_opt(address, o, "address", where),
    )


def _role_name(value: Any, where: str) -> str:
    o = _obj(value, where)
    return _opt_str(o, "name", where) or _str(o, "id", where)


def user(value: Any, where: str) -> User:
    o = _obj(value, where)
    return User(
        id=_str(o, "id", where),
        verification_status=_str(o, "verificationStatus", where),
        name=_opt(name, o, "name", where),
        email=_opt_str(o, "email", where),
        npi=_opt_str(o, "npi", where),
        phone=_opt_str(o, "phone", where),
        roles=_list(_role_name, o, "roles", where),
    )


# ------------------------------------------------------------------ answers


def field(data: Any, key: str) -> Any:
    """``data[key]``, where ``data`` is the GraphQL ``data`` object; missing -> ResponseError."""
    return parse(lambda d, w: _req(_obj(d, w), key, w), data, "data")


def field_or_none(data: Any, key: str) -> Any:
    """``data[key]`` or None (a nullable top-level field, e.g. a record that does not exist)."""
    return parse(lambda d, w: _obj(d, w).get(key), data, "data")


def items(parser: Callable[[Any, str], T], data: Any, key: str) -> tuple[T, ...]:
    """A top-level list field of ``data``, parsed item by item."""
    return parse(lambda d, w: _list(parser, _obj(d, w), key, w), data, "data")


def one(parser: Callable[[Any, str], T], data: Any, key: str) -> T:
    """A required top-level object field of ``data``."""
    return parse(lambda d, w: parser(_req(_obj(d, w), key, w), f"{w}.{key}"), data, "data")


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Identified)


def cursor_page(parser: Callable[[Any, str], R], data: Any, key: str, first: int) -> Page[R]:
    """A cursor page: the cursor is the last item's id; a full page means there may be more."""
    found = items(parser, data, key)
    return Page(
        items=found,
        cursor=found[-1].id if found else None,
        has_more=len(found) >= first > 0,
    )
