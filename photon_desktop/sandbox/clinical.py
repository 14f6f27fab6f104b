"""The sandbox's Clinical API: ``POST /graphql`` executed with graphql-core against the contract.

The HTTP half (``server``) verifies the token, builds a :class:`~accounts.Principal` and calls
:meth:`ClinicalAPI.execute`; everything after that lives here: permissions (``scopes.md``),
AppSync-shaped errors, input validation, resolvers over :class:`store.Store`.

Error items look like AppSync's: ``{message, path, locations, errorType, errorInfo}`` and never
``extensions``. ``errorType`` is one of ``Unauthorized``, ``NotFound``, ``ValidationError``
(``errorInfo.field`` names the argument, e.g. ``address.postalCode``, one item per bad field),
``BadRequest``, ``Unsupported`` and ``GraphQLError`` (a document that does not parse/validate).

Paging: ``first`` defaults to 25; values above 100 (or below 1) are a ``ValidationError`` on
``first`` rather than silently clamped, so a client bug shows up in tests.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    VariableNode,
    build_schema,
    execute,
    parse,
    validate,
)

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.demo import Treatment, haversine_miles
from photon_desktop.sandbox.store import PatientRecord, Store, UserRecord, full_name

log = logging.getLogger(__name__)

DEFAULT_PAGE = 25
MAX_PAGE = 100
PHARMACY_DEFAULT_PAGE = 100
_DOCUMENT_CACHE_SIZE = 512

# ---------------------------------------------------------------- errors


class SandboxError(Exception):
    """An execution error with an AppSync ``errorType``."""

    def __init__(self, error_type: str, message: str, info: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.info = info


class InputErrors(Exception):
    """One or more bad arguments; becomes one ``ValidationError`` item per field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class InvalidScalar(ValueError):
    """A value an AWS scalar rejects (raised while variables are coerced)."""


def unauthorized(message: str) -> SandboxError:
    return SandboxError("Unauthorized", message)


def not_found(what: str, record_id: Any) -> SandboxError:
    return SandboxError("NotFound", f"{what} {record_id} was not found", {"id": record_id})


# ---------------------------------------------------------------- AWS scalars

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$"
)


def parse_aws_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidScalar("AWSDate must be a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidScalar(f"{value} is not a real calendar date") from None


def parse_aws_email(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
        raise InvalidScalar("AWSEmail must be an e-mail address like name@example.com")
    return value


def parse_aws_phone(value: Any) -> str:
    """NANP numbers (10 digits, optional leading 1) or E.164; returned in E.164 form."""
    if not isinstance(value, str) or not _PHONE_CHARS.match(value.strip()):
        raise InvalidScalar("AWSPhone must be a phone number such as +12025550102")
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if digits.startswith("1") and len(digits) != 11:
            raise InvalidScalar("A +1 phone number has 10 digits after the country code")
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise InvalidScalar("An international phone number has 8 to 15 digits")
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise InvalidScalar("A US phone number has 10 digits (area code + number)")
    return "+1" + digits


def parse_aws_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise InvalidScalar("AWSDateTime must look like 2025-01-31T12:00:00.000Z")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidScalar(f"{value} is not a real date-time") from None


def serialize_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def serialize_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def _install_scalars(schema: GraphQLSchema) -> None:
    scalars: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
        "AWSDate": (parse_aws_date, serialize_date),
        "AWSDateTime": (parse_aws_datetime, serialize_datetime),
        "AWSEmail": (parse_aws_email, str),
        "AWSPhone": (parse_aws_phone, str),
    }
    for name, (parse_fn, serialize_fn) in scalars.items():
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        scalar.coerce_input_value = parse_fn  # type: ignore[method-assign]
        scalar.parse_value = parse_fn  # type: ignore[method-assign,assignment]
        scalar.coerce_output_value = serialize_fn  # type: ignore[method-assign]
        scalar.serialize = serialize_fn  # type: ignore[method-assign,assignment]


# ---------------------------------------------------------------- graph sources


@dataclass(slots=True, frozen=True)
class Rx:
    h: int


@dataclass(slots=True, frozen=True)
class Ord:
    h: int


@dataclass(slots=True, frozen=True)
class Fil:
    h: int


@dataclass(slots=True)
class Context:
    """Per-request state; ``now`` is read once so every field sees the same instant."""

    principal: Principal
    now: datetime
    api: ClinicalAPI
    today: int = field(init=False)

    def __post_init__(self) -> None:
        self.today = int(self.now.timestamp() // 86_400)

    @property
    def ts(self) -> float:
        return self.now.timestamp()

    def require(self, permission: str) -> None:
        if permission not in self.principal.permissions:
            raise unauthorized(
                f"Not authorized: this operation requires the {permission} permission"
            )


Resolver = Callable[..., Any]


def _name(
    first: str, last: str, middle: str | None = None, title: str | None = None
) -> dict[str, Any]:
    return {
        "first": first,
        "last": last,
        "middle": middle,
        "title": title,
        "full": full_name(first, last, middle, title),
    }


def _page_size(first: Any, default: int = DEFAULT_PAGE) -> int:
    if first is None:
        return default
    if first < 1 or first > MAX_PAGE:
        raise InputErrors([("first", f"first must be between 1 and {MAX_PAGE}")])
    return first


def _take(handles: Iterable[int], n: int) -> list[int]:
    out = []
    for h in handles:
        out.append(h)
        if len(out) == n:
            break
    return out


def _cursor(handle: Callable[[str], int | None], after: Any, what: str) -> int | None:
    """The record ``after`` names (None: from the start); an unknown id is an input error."""
    if after is None:
        return None
    found = handle(after)
    if found is None:
        raise InputErrors([("after", f"after {after} is not {what}")])
    return found


def _after_in(handles: list[int], after: int | None, after_id: Any) -> list[int]:
    """The part of a (small, sorted) list that follows the cursor."""
    if after_id is None:
        return handles
    if after is None or after not in handles:
        raise InputErrors([("after", f"after {after_id} is not an item of this list")])
    return handles[handles.index(after) + 1 :]


_US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


class ClinicalAPI:
    """The GraphQL half of the sandbox. Thread-safe: one request executes at a time."""

    def __init__(self, *, seed: int = 1, patients: int = 200, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.store = Store(seed=seed, patients=patients, clock=self.clock)
        self.org_id = self.store.org.id
        self.org_name = self.store.org.name
        text = resources.files("photon_desktop").joinpath("schema.graphql").read_text("utf-8")
        self.schema = build_schema(text)
        _install_scalars(self.schema)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        self._lock = threading.Lock()
        self._mutations: Counter[str] = Counter()
        self._bind()

    # ------------------------------------------------------------ public

    def user_id(self, email: str) -> str:
        """The ``usr_`` id of a demo user (``KeyError`` for anyone else)."""
        return self.store.users[email.strip().lower()].id

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "patients": self.store.patient_count,
                "prescriptions": self.store.rx_count,
                "orders": self.store.order_count,
                "mutations": dict(self._mutations),
            }

    def execute(self, body: dict, principal: Principal) -> dict:
        """Run one GraphQL request body; never raises for bad client input."""
        if not isinstance(body, dict):
            return _request_error("The request body must be a JSON object")
        query = body.get("query")
        variables = body.get("variables")
        operation = body.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return _request_error("The request has no GraphQL query")
        if variables is not None and not isinstance(variables, dict):
            return _request_error("variables must be a JSON object")
        if operation is not None and not isinstance(operation, str):
            return _request_error("operationName must be a string")
        if principal.org_id and principal.org_id != self.org_id:
            return {
                "data": None,
                "errors": [
                    {
                        "message": "Not authorized: the token belongs to another organization",
                        "path": None,
                        "locations": None,
                        "errorType": "Unauthorized",
                        "errorInfo": None,
                    }
                ],
            }
        document = self._document(query)
        if isinstance(document, list):
            return {"data": None, "errors": [_graphql_error(e) for e in document]}
        with self._lock:
            context = Context(principal=principal, now=self.clock.now(), api=self)
            try:
                result = execute(
                    self.schema,
                    document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation,
                )
            except RecursionError:
                return _request_error("variables are nested too deeply")
        assert not hasattr(result, "__await__")
        answer: dict[str, Any] = {"data": result.data}  # type: ignore[union-attr]
        errors = result.errors  # type: ignore[union-attr]
        if errors:
            arguments = _variable_arguments(document) if answer["data"] is None else {}
            answer["errors"] = [item for e in errors for item in _format_error(e, arguments)]
        return answer

    # ------------------------------------------------------------ documents

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        """Parse and validate once per distinct query text (LRU)."""
        with self._lock:
            cached = self._documents.get(query)
            if cached is not None:
                self._documents.move_to_end(query)
                return cached
        document: DocumentNode | list[GraphQLError]
        try:
            parsed = parse(query)
            problems = validate(self.schema, parsed)
        except GraphQLError as error:
            document = [error]
        except RecursionError:
            document = [GraphQLError("The query is nested too deeply")]
        else:
            document = problems or parsed
        with self._lock:
            self._documents[query] = document
            if len(self._documents) > _DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        return document

    # ------------------------------------------------------------ binding

    def _bind(self) -> None:
        """Attach resolvers; every other Query/Mutation field answers ``Unsupported``."""
        query = self.schema.query_type
        mutation = self.schema.mutation_type
        assert query is not None and mutation is not None
        for root, table in (
            (query, self._query_resolvers()),
            (mutation, self._mutation_resolvers()),
        ):
            for name, gql_field in root.fields.items():
                gql_field.resolve = table.get(name) or _unsupported(name)
        for type_name, resolvers in self._type_resolvers().items():
            gql_type = self.schema.type_map[type_name]
            assert isinstance(gql_type, GraphQLObjectType)
            for name, resolver in resolvers.items():
                gql_type.fields[name].resolve = resolver
        treatment = self.schema.type_map["Treatment"]
        assert isinstance(treatment, GraphQLInterfaceType)
        treatment.resolve_type = lambda value, _info, _type: value.kind

    # ------------------------------------------------------------ queries

    def _query_resolvers(self) -> dict[str, Resolver]:
        store = self.store
        ref = store.ref

        def me(_root: None, info: GraphQLResolveInfo) -> UserRecord:
            return _current_user(info.context)

        def organization(_root: None, info: GraphQLResolveInfo) -> Any:
            return store.org

        def patients(
            _root: None,
            info: GraphQLResolveInfo,
            after: Any = None,
            filter: dict | None = None,
            first: int | None = None,
        ) -> list:
            info.context.require(accounts.READ_PATIENT)
            size = _page_size(first)
            cursor = _cursor(store.patient_handle, after, "a patient id")
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
            size = _page_size(first)
            f = filter or {}
            cursor = _cursor(store.rx_handle, after, "a prescription id")
            if f.get("patientId") is not None:
                p = store.patient_handle(f["patientId"])
                if p is None:
                    return []
                candidates: Iterable[int] = _after_in(store.patient_rx(p), cursor, after)
            elif f.get("state") == "EXPIRED":  # skip the (many) recent ones: a year of rows
                candidates = store.iter_rx(
                    cursor, written_before=store.expired_written_before(context.today)
                )
            else:
                candidates = store.iter_rx(cursor)
            return [Rx(r) for r in _take(self._rx_matching(candidates, f, context), size)]

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
            size = _page_size(first)
            f = filter or {}
            cursor = _cursor(store.order_handle, after, "an order id")
            if f.get("patientId") is not None:
                p = store.patient_handle(f["patientId"])
                if p is None:
                    return []
                candidates: Iterable[int] = _after_in(store.patient_orders(p), cursor, after)
            else:
                candidates = store.iter_orders(cursor)
            return [Ord(o) for o in _take(self._orders_matching(candidates, f, context), size)]

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
            size = _page_size(first, PHARMACY_DEFAULT_PAGE)
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
                    problems.append(
                        ("location.longitude", "longitude must be between -180 and 180")
                    )
                if radius is not None and radius <= 0:
                    problems.append(
                        ("location.radius", "radius must be a positive number of miles")
                    )
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
            size = _page_size(first)
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
            return _cursor_page(found, after, size)

        def medical_equipment(
            _root: None,
            info: GraphQLResolveInfo,
            after: Any = None,
            first: int | None = None,
            name: str | None = None,
        ) -> list:
            size = _page_size(first)
            found = ref.equipment
            if name:
                needle = name.strip().lower()
                found = [t for t in found if needle in t.search]
            return _cursor_page(found, after, size)

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

    def _rx_matching(self, handles: Iterable[int], f: dict, context: Context) -> Iterator[int]:
        store = self.store
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

    def _orders_matching(self, handles: Iterable[int], f: dict, context: Context) -> Iterator[int]:
        store = self.store
        state = f.get("state")
        needle = (f.get("patientName") or "").strip().lower()
        search, ord_patient = store.p_search, store.ord_patient
        now = context.ts
        for o in handles:
            if state is not None and store.order_state_at(o, now) != state:
                continue
            if needle and needle not in search[ord_patient[o]]:
                continue
            yield o

    # ------------------------------------------------------------ object fields

    def _type_resolvers(self) -> dict[str, dict[str, Resolver]]:
        store = self.store
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
            size = _page_size(first)
            handles = _after_in(
                store.patient_rx(source.h),
                store.rx_handle(after) if after is not None else None,
                after,
            )
            return [Rx(r) for r in _take(self._rx_matching(handles, filter or {}, context), size)]

        def patient_orders(
            source: PatientRecord,
            info: GraphQLResolveInfo,
            after: Any = None,
            filter: dict | None = None,
            first: int | None = None,
        ) -> list[Ord]:
            context: Context = info.context
            context.require(accounts.READ_ORDER)
            size = _page_size(first)
            handles = _after_in(
                store.patient_orders(source.h),
                store.order_handle(after) if after is not None else None,
                after,
            )
            matching = self._orders_matching(handles, filter or {}, context)
            return [Ord(o) for o in _take(matching, size)]

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
            return store.fulfillment_at(source.h, info.context.ts)

        def fill_treatment(source: Fil, _info: Any) -> Treatment:
            return store.treatment_at(store.fill_treatment[source.h])

        def fill_rx(source: Fil, _info: Any) -> Rx | None:
            r = store.fill_rx[source.h]
            return Rx(r) if r >= 0 else None

        def iso_ts(column: list[float]) -> Resolver:
            return lambda source, _info: datetime.fromtimestamp(column[source.h], tz=UTC)

        def user_name(source: UserRecord, _info: Any) -> dict:
            return _name(source.first, source.last, title="Dr." if source.npi else None)

        codes = {"codes": attr("codes")}
        return {
            "Patient": {
                "name": lambda s, _i: _name(s.first, s.last, s.middle, s.title),
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
                "state": lambda s, i: store.order_state_at(s.h, i.context.ts),
                "exceptions": lambda s, _i: store.order_exceptions(s.h),
            },
            "Fill": {
                "id": lambda s, _i: store.fill_id(s.h),
                "filledAt": lambda s, i: store.filled_at(s.h, i.context.ts),
                "order": lambda s, _i: Ord(store.fill_order[s.h]),
                "prescription": fill_rx,
                "requestedAt": lambda s, _i: datetime.fromtimestamp(
                    store.ord_created[store.fill_order[s.h]], tz=UTC
                ),
                "state": lambda s, i: store.fill_state_at(s.h, i.context.ts),
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
                "organizations": lambda _s, _i: [store.org],
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
            "PrescriptionTemplate": {
                "daysSupply": attr("days_supply"),
                "dispenseAsWritten": attr("dispense_as_written"),
                "dispenseQuantity": attr("dispense_quantity"),
                "dispenseUnit": attr("dispense_unit"),
                "fillsAllowed": attr("fills_allowed"),
                "isPrivate": attr("is_private"),
            },
        }

    # ------------------------------------------------------------ mutations

    def _mutation_resolvers(self) -> dict[str, Resolver]:
        names = (
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
        table: dict[str, Resolver] = {}
        for name in names:
            table[name] = self._counted(name, getattr(self, f"_m_{_snake(name)}"))
        return table

    def _counted(self, name: str, fn: Resolver) -> Resolver:
        def resolve(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            result = fn(info.context, **args)
            self._mutations[name] += 1
            return result

        return resolve

    # -- patients

    def _patient_fields(
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
            out["address"] = self._address(args["address"], "address", problems)
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

    def _address(
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
            _name(name["first"], name["last"], name.get("middle"), name.get("title"))
            if name
            else None
        )
        return clean

    def _m_create_patient(self, context: Context, **args: Any) -> PatientRecord:
        context.require(accounts.WRITE_PATIENT)
        fields = self._patient_fields(context, args)
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
        fields = self._patient_fields(context, args, p=p)
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
        user = _current_user(context)
        if user.npi is None:
            raise unauthorized(f"{operation} requires a prescriber with an NPI")
        return user

    def _rx_plan(
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
        quantity = args.get("dispenseQuantity")
        if quantity is None or quantity <= 0:
            bad("dispenseQuantity", "dispenseQuantity must be greater than 0")
        units = {u.lower(): u for u in ref.dispense_units}
        unit = units.get((args.get("dispenseUnit") or "").strip().lower())
        if unit is None:
            bad("dispenseUnit", "dispenseUnit must be one of dispenseUnits")
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
            bad("refillsAllowed", "refillsAllowed must equal fillsAllowed - 1 when both are given")
        days = args.get("daysSupply")
        if days is not None and days < 1:
            bad("daysSupply", "daysSupply must be at least 1")
        instructions = (args.get("instructions") or "").strip()
        if not instructions:
            bad("instructions", "instructions must not be empty")
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
            "fills_allowed": fills,
            "effective": effective,
            "detail": {
                "dispenseQuantity": quantity,
                "dispenseUnit": unit,
                "daysSupply": days,
                "instructions": instructions,
                "notes": (args.get("notes") or "").strip() or None,
                "dispenseAsWritten": bool(args.get("dispenseAsWritten")),
                "diagnoses": diagnoses,
                "externalId": external,
            },
        }

    def _save_rx(self, plan: dict[str, Any], prescriber: UserRecord) -> Rx:
        return Rx(self.store.create_prescription(prescriber=prescriber.id, state="ACTIVE", **plan))

    def _m_create_prescription(self, context: Context, **args: Any) -> Rx:
        prescriber = self._require_prescriber(context, "createPrescription")
        problems: list[tuple[str, str]] = []
        plan = self._rx_plan(context, args, "", problems, set())
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
            plans.append(self._rx_plan(context, item, f"prescriptions[{n}].", problems, seen))
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

    def _m_create_order(
        self,
        context: Context,
        address: dict,
        fills: list,
        patientId: str,
        externalId: str | None = None,
        pharmacyId: str | None = None,
    ) -> Ord:
        context.require(accounts.WRITE_ORDER)
        store, ref = self.store, self.store.ref
        problems: list[tuple[str, str]] = []
        p = store.patient_handle(patientId)
        if p is None:
            problems.append(("patientId", f"Patient {patientId} was not found"))
        clean_address = self._address(address, "address", problems)
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
        return Ord(
            store.create_order(
                patient=p,
                pharmacy=pharmacy,
                address=clean_address,
                fills=planned,
                external_id=external,
            )
        )

    def _order_or_404(self, order_id: Any) -> int:
        o = self.store.order_handle(order_id)
        if o is None:
            raise not_found("Order", order_id)
        return o

    def _m_cancel_order(self, context: Context, id: str, reason: str | None = None) -> Ord:
        context.require(accounts.WRITE_ORDER)
        o = self._order_or_404(id)
        state = self.store.order_state_at(o, context.ts)
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
        state = store.order_state_at(o, context.ts)
        # An ERROR order (its pharmacy never answered) is rerouted to another pharmacy.
        if state not in ("ROUTING", "PLACED", "PENDING", "ERROR"):
            raise InputErrors([("id", f"A {state} order cannot be routed")])
        if store.pharmacy_of(o) is found:
            raise InputErrors([("pharmacyId", "the order is already at this pharmacy")])
        store.route_order(o, store.ref.pharmacies.index(found))
        return Ord(o)


# ---------------------------------------------------------------- helpers


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _current_user(context: Context) -> UserRecord:
    email = context.principal.user_email
    if email is None:
        raise unauthorized("me requires a signed-in user")
    user = context.api.store.users.get(email.strip().lower())
    if user is None:
        raise unauthorized(f"{email} is not a user of this organization")
    return user


def _cursor_page(items: list, after: Any, size: int) -> list:
    start = 0
    if after is not None:
        index = next((n for n, item in enumerate(items) if item.id == after), None)
        if index is None:
            raise InputErrors([("after", f"after {after} is not an item of this list")])
        start = index + 1
    return items[start : start + size]


def _unsupported(name: str) -> Resolver:
    def resolve(*_args: Any, **_kwargs: Any) -> Any:
        raise SandboxError("Unsupported", f"{name} is not supported by the sandbox")

    return resolve


def _locations(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]


def _request_error(message: str) -> dict:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "path": None,
                "locations": None,
                "errorType": "BadRequest",
                "errorInfo": None,
            }
        ],
    }


def _graphql_error(error: GraphQLError) -> dict:
    original = error.original_error
    if isinstance(original, InvalidScalar):  # a bad literal: Expected value of type 'AWS...'
        return {
            "message": error.message,
            "path": error.path,
            "locations": _locations(error),
            "errorType": "ValidationError",
            "errorInfo": None,
        }
    return {
        "message": error.message,
        "path": error.path,
        "locations": _locations(error),
        "errorType": "GraphQLError",
        "errorInfo": None,
    }


_VARIABLE_ERROR = re.compile(
    r"^Variable '\$(\w+)' has invalid value(?: at ([^:]+))?: (.*)$", re.DOTALL
)
_MISSING_FIELD = re.compile(r"to include required field '(\w+)'")


def _variable_arguments(document: DocumentNode) -> dict[str, str]:
    """Which argument each variable feeds, e.g. ``{"zip": "address.postalCode"}``.

    Lets a variable that fails coercion be reported under the argument a form knows about.
    """
    found: dict[str, str] = {}

    def walk_value(node: Any, path: str) -> None:
        if isinstance(node, VariableNode):
            found.setdefault(node.name.value, path)
        elif isinstance(node, ObjectValueNode):
            for object_field in node.fields:
                walk_value(object_field.value, f"{path}.{object_field.name.value}")
        elif isinstance(node, ListValueNode):
            for n, value in enumerate(node.values):
                walk_value(value, f"{path}[{n}]")

    def walk(selections: Any) -> None:
        for selection in selections or ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    walk_value(argument.value, argument.name.value)
            if getattr(selection, "selection_set", None) is not None:
                walk(selection.selection_set.selections)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set.selections)
    return found


def _format_error(error: GraphQLError, arguments: dict[str, str] | None = None) -> list[dict]:
    original = error.original_error
    base = {"path": error.path, "locations": _locations(error)}
    if isinstance(original, InputErrors):
        return [
            {
                "message": message,
                **base,
                "errorType": "ValidationError",
                "errorInfo": {"field": name},
            }
            for name, message in original.problems
        ]
    if isinstance(original, SandboxError):
        return [
            {
                "message": original.message,
                **base,
                "errorType": original.error_type,
                "errorInfo": original.info,
            }
        ]
    match = _VARIABLE_ERROR.match(error.message)
    if match:  # variables that fail coercion: name the argument so a form can mark it
        var, at, detail = match.groups()
        path = (arguments or {}).get(var, var) + (at or "")
        missing = _MISSING_FIELD.search(detail)
        if missing:
            path += "." + missing.group(1)
        inner = getattr(original, "original_error", None)
        message = f"{path}: {inner}" if isinstance(inner, InvalidScalar) else error.message
        return [
            {
                "message": message,
                **base,
                "errorType": "ValidationError",
                "errorInfo": {"field": path},
            }
        ]
    if original is not None:
        log.error("sandbox resolver failed", exc_info=original)
        return [
            {
                "message": "Internal sandbox error",
                **base,
                "errorType": "InternalFailure",
                "errorInfo": None,
            }
        ]
    return [_graphql_error(error)]
