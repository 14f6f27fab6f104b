"""In-memory records of the sandbox's Clinical API, kept as columns with sorted indices.

Records are addressed by *handles* (record numbers per kind). Demo records come first, in the
order ``demo.build_skeleton`` drew them; records created at run time are appended. Ids of demo
records are computed from the handle (``ids.IndexCodec``) so no 700k-entry id table is built at
startup; run-time records get clock-stamped ULIDs kept in a dictionary.

Order and prescription states are never stored as "current": they are derived from timestamps and
the simulated clock when read, so fulfillment advances with no background thread.
"""

from __future__ import annotations

import random
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from photon_desktop.sandbox import demo
from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.demo import DAY, MAIL_ORDER, Pharmacy, Treatment
from photon_desktop.sandbox.ids import IdFactory, RecordIds
from photon_desktop.sandbox.names import NameSearch
from photon_desktop.sandbox.pharmacy import PharmacyRates
from photon_desktop.sandbox.progress import PENDING_SECONDS, OrderProgress
from photon_desktop.sandbox.records import (
    PatientRecord,
    UserRecord,
    demo_org,
    demo_users,
    search_text,
)

PRESCRIPTION_VALID_DAYS = 365
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _epoch_day(timestamp: float) -> int:
    return int(timestamp // DAY)


class Store:
    """All records of one sandbox run; not thread-safe (``ClinicalAPI`` serializes calls)."""

    def __init__(
        self,
        *,
        seed: int,
        patients: int,
        clock: Clock,
        pharmacy: PharmacyRates | None = None,
        organization: int = 0,
        members: dict[str, UserRecord] | None = None,
        reference: demo.Reference | None = None,
    ) -> None:
        """``organization`` picks the demo organization's profile; a second organization of a
        run passes the ``members`` (same user ids) and ``reference`` data of the first."""
        if patients < 0:
            raise ValueError("patients must be >= 0")
        self.seed = seed
        self.clock = clock
        rng = random.Random(f"ids:{seed}")
        self._ids = IdFactory(rng)
        self.org = demo_org(organization, self._ids.base62("org"))
        self.users = members if members is not None else demo_users(self._ids)
        self.users_by_id = {u.id: u for u in self.users.values()}
        self.default_prescriber = next(u.id for u in self.users.values() if u.role == "prescriber")
        self.ref = reference or demo.build_reference(self._ids)
        self._record_ids = RecordIds(self._ids, rng)
        self._created = self._record_ids.created

        start = clock.now()
        self.anchor = start.replace(minute=0, second=0, microsecond=0)
        sk = demo.build_skeleton(seed, patients, self.anchor.timestamp(), self.ref)
        self.n_demo_patients = patients
        self.n_demo_rx = len(sk.rx_written)
        self.n_demo_orders = len(sk.ord_created)

        # Patients: name columns, sort keys and the sorted index.
        self.p_first = sk.first
        self.p_last = sk.last
        self.p_sex = sk.sex
        pairs = list(zip(sk.first, sk.last, strict=True))
        self.p_key: list[tuple[str, str, int]] = [
            (last.lower(), first.lower(), h) for h, (first, last) in enumerate(pairs)
        ]
        self.p_search = [search_text(first, last) for first, last in pairs]
        self.p_order = sorted(range(patients), key=self.p_key.__getitem__)
        self._patients: dict[int, PatientRecord] = {}
        self._rx_start = sk.rx_start
        self._ord_start = sk.ord_start
        self._p_rx_created: dict[int, list[int]] = {}
        self._p_ord_created: dict[int, list[int]] = {}

        # Prescriptions.
        self.rx_patient = sk.rx_patient
        self.rx_written = sk.rx_written
        self.rx_state = sk.rx_state
        self.rx_allowed = sk.rx_allowed
        self.rx_remaining = sk.rx_remaining
        self.rx_treatment = sk.rx_treatment
        self.rx_prescriber: list[str] = [self.default_prescriber] * self.n_demo_rx
        self._rx_detail: dict[int, dict[str, Any]] = {}
        self._rx_dates: dict[int, tuple[date, date]] = {}
        self.rx_order = sorted(range(self.n_demo_rx), key=self.rx_written.__getitem__)
        self.rx_pos = [0] * self.n_demo_rx
        for pos, r in enumerate(self.rx_order):
            self.rx_pos[r] = pos

        # Orders (each demo order has exactly one fill, whose handle equals the order's).
        self.ord_patient = sk.ord_patient
        self.ord_created = sk.ord_created
        self.ord_pharmacy = sk.ord_pharmacy
        self.ord_fate = sk.ord_fate
        self.ord_placed: list[float] = [c + PENDING_SECONDS for c in sk.ord_created]
        self._ord_fills: dict[int, list[int]] = {}
        self._ord_address: dict[int, dict[str, Any]] = {}
        self._ord_canceled: dict[int, tuple[float, str | None]] = {}
        self._routed: set[int] = set()  # demo orders sent to another pharmacy since
        self.ord_order = sorted(range(self.n_demo_orders), key=self.ord_created.__getitem__)
        self.ord_pos = [0] * self.n_demo_orders
        for pos, o in enumerate(self.ord_order):
            self.ord_pos[o] = pos
        self.fill_order: list[int] = list(range(self.n_demo_orders))
        self.fill_rx: list[int] = sk.ord_rx
        self.fill_treatment: list[int] = sk.ord_treatment
        self.progress = OrderProgress(self, pharmacy or PharmacyRates())
        self._names = NameSearch(self.p_order, self.p_key, self.p_search)

    # ------------------------------------------------------------ ids

    def new_id(self, kind: str) -> str:
        """A fresh id for a record kept outside the columns (e.g. ``tmp_`` templates)."""
        return self._ids.at(kind, int(self.clock.now().timestamp() * 1000))

    def patient_id(self, p: int) -> str:
        return self._record_ids.id("pat", p, self.n_demo_patients)

    def rx_id(self, r: int) -> str:
        return self._record_ids.id("rx", r, self.n_demo_rx)

    def order_id(self, o: int) -> str:
        return self._record_ids.id("ord", o, self.n_demo_orders)

    def fill_id(self, f: int) -> str:
        return self._record_ids.id("fil", f, self.n_demo_orders)

    def patient_handle(self, record_id: Any) -> int | None:
        return self._record_ids.handle("pat", record_id, self.n_demo_patients)

    def rx_handle(self, record_id: Any) -> int | None:
        return self._record_ids.handle("rx", record_id, self.n_demo_rx)

    def order_handle(self, record_id: Any) -> int | None:
        return self._record_ids.handle("ord", record_id, self.n_demo_orders)

    def fill_handle(self, record_id: Any) -> int | None:
        return self._record_ids.handle("fil", record_id, self.n_demo_orders)

    def external_handle(self, kind: str, external_id: str) -> int | None:
        """The record of ``kind`` ("pat", "rx", "ord") that already uses this externalId."""
        return self._created[kind].by_external.get(external_id)

    # ------------------------------------------------------------ counts

    def records_with_external_id(self, external_id: str) -> dict[str, Any]:
        """Records carrying ``external_id``, found by scanning what is stored (not an index)."""
        patients = [r.id for r in self._patients.values() if r.external_id == external_id]
        prescriptions = [
            self.rx_id(r) for r, d in self._rx_detail.items() if d.get("externalId") == external_id
        ]
        orders = [
            self.order_id(o)
            for o, e in self._created["ord"].external_of.items()
            if e == external_id
        ]
        return {
            "externalId": external_id,
            "patients": len(patients),
            "prescriptions": len(prescriptions),
            "orders": len(orders),
            "ids": patients + prescriptions + orders,
        }

    @property
    def patient_count(self) -> int:
        return len(self.p_key)

    @property
    def rx_count(self) -> int:
        return len(self.rx_written)

    @property
    def order_count(self) -> int:
        return len(self.ord_created)

    # ------------------------------------------------------------ patients

    def patient(self, p: int) -> PatientRecord:
        record = self._patients.get(p)
        if record is None:
            first, last, sex = self.p_first[p], self.p_last[p], self.p_sex[p]
            d = demo.patient_detail(self.seed, p, first, last, sex, self.ref, self.anchor)
            record = PatientRecord(
                h=p,
                id=self.patient_id(p),
                first=first,
                last=last,
                middle=d["middle"],
                title=None,
                date_of_birth=d["dateOfBirth"],
                sex=sex,
                gender=d["gender"],
                phone=d["phone"],
                email=d["email"],
                address=d["address"],
                allergies=d["allergies"],
                medication_history=d["medicationHistory"],
                preferred_pharmacies=d["preferredPharmacies"],
                external_id=None,
            )
            self._patients[p] = record
        return record

    def patient_page(self, after: int | None, first: int, needle: str | None) -> list[int]:
        """Patients by last name, first name, creation order; optionally name-filtered."""
        return self._names.page(self.p_key[after] if after is not None else None, first, needle)

    def create_patient(self, fields: dict[str, Any]) -> int:
        p = len(self.p_key)
        record_id = self._record_ids.new("pat", p, self.clock.now())
        record = PatientRecord(h=p, id=record_id, **fields)
        self._patients[p] = record
        self.p_first.append(record.first)
        self.p_last.append(record.last)
        self.p_sex.append(record.sex)
        self.p_key.append((record.last.lower(), record.first.lower(), p))
        self.p_search.append(search_text(record.first, record.last, record.middle))
        insort(self.p_order, p, key=self.p_key.__getitem__)
        self._names.changed()
        if record.external_id:
            self._created["pat"].by_external[record.external_id] = p
        return p

    def update_patient(self, p: int, changes: dict[str, Any]) -> None:
        record = self.patient(p)
        old_external = record.external_id
        for key, value in changes.items():
            setattr(record, key, value)
        if {"first", "last", "middle"} & changes.keys():
            pos = bisect_left(self.p_order, self.p_key[p], key=self.p_key.__getitem__)
            del self.p_order[pos]
            self.p_first[p], self.p_last[p] = record.first, record.last
            self.p_key[p] = (record.last.lower(), record.first.lower(), p)
            self.p_search[p] = search_text(record.first, record.last, record.middle)
            insort(self.p_order, p, key=self.p_key.__getitem__)
            self._names.changed()
        if "external_id" in changes and old_external != record.external_id:
            by_external = self._created["pat"].by_external
            if old_external:
                by_external.pop(old_external, None)
            if record.external_id:
                by_external[record.external_id] = p

    def patient_rx(self, p: int) -> list[int]:
        """The patient's prescriptions, newest first."""
        demo_part = (
            range(self._rx_start[p], self._rx_start[p + 1])
            if p < self.n_demo_patients
            else range(0)
        )
        handles = [*demo_part, *self._p_rx_created.get(p, ())]
        handles.reverse()
        return handles

    def patient_orders(self, p: int) -> list[int]:
        """The patient's orders, newest first."""
        demo_part = (
            range(self._ord_start[p], self._ord_start[p + 1])
            if p < self.n_demo_patients
            else range(0)
        )
        handles = [*demo_part, *self._p_ord_created.get(p, ())]
        created = self.ord_created
        handles.sort(key=lambda o: (created[o], o), reverse=True)
        return handles

    # ------------------------------------------------------------ prescriptions

    def rx_dates(self, r: int) -> tuple[date, date]:
        """(effectiveDate, expirationDate)."""
        dates = self._rx_dates.get(r)
        if dates is None:
            effective = demo.day_of(self.rx_written[r])
            dates = (effective, effective + timedelta(days=PRESCRIPTION_VALID_DAYS))
        return dates

    def rx_state_at(self, r: int, today: int) -> str:
        """The prescription's state on epoch day ``today`` (EXPIRED is derived, not stored)."""
        state = self.rx_state[r]
        if state == "ACTIVE":
            dates = self._rx_dates.get(r)
            expiration_day = (
                dates[1].toordinal() - _EPOCH_ORDINAL
                if dates is not None
                else _epoch_day(self.rx_written[r]) + PRESCRIPTION_VALID_DAYS
            )
            if today > expiration_day:
                return "EXPIRED"
        return state

    def expired_written_before(self, today: int) -> float:
        """No prescription written at or after this time can be EXPIRED on ``today``.

        Expiry is effectiveDate + 365 days and effectiveDate is never earlier than the day
        before writing, so only prescriptions written 364+ days ago qualify (one day spare).
        """
        return (today - PRESCRIPTION_VALID_DAYS + 2) * DAY

    def rx_treatment_of(self, r: int) -> Treatment:
        index = self.rx_treatment[r]
        return self.treatment_at(index)

    def treatment_at(self, index: int) -> Treatment:
        meds = self.ref.medications
        if index < len(meds):
            return meds[index]
        return self.ref.equipment[index - len(meds)]

    def treatment_index(self, treatment: Treatment) -> int:
        meds = self.ref.medications
        if treatment.kind == "Medication":
            return meds.index(treatment)
        return len(meds) + self.ref.equipment.index(treatment)

    def rx_detail(self, r: int) -> dict[str, Any]:
        detail = self._rx_detail.get(r)
        if detail is None:
            detail = demo.prescription_detail(self.seed, r, self.rx_treatment_of(r), self.ref)
            self._rx_detail[r] = detail
        return detail

    def rx_fills(self, r: int) -> list[int]:
        """Fills of this prescription (demo: at most one per order, found by scanning orders)."""
        p = self.rx_patient[r]
        out: list[int] = []
        for o in self.patient_orders(p):
            out.extend(f for f in self.order_fills(o) if self.fill_rx[f] == r)
        return out

    def iter_rx(self, after: int | None, *, written_before: float | None = None) -> Iterator[int]:
        """All prescriptions newest first, starting after ``after`` (and before a time)."""
        order = self.rx_order
        start = self.rx_pos[after] - 1 if after is not None else len(order) - 1
        if written_before is not None:
            below = bisect_left(order, written_before, key=self.rx_written.__getitem__) - 1
            start = min(start, below)
        for i in range(start, -1, -1):
            yield order[i]

    def create_prescription(
        self,
        *,
        patient: int,
        treatment: Treatment,
        prescriber: str,
        fills_allowed: int,
        effective: date,
        state: str,
        detail: dict[str, Any],
    ) -> int:
        r = len(self.rx_written)
        self._record_ids.new("rx", r, self.clock.now())
        now = self.clock.now().timestamp()
        self.rx_patient.append(patient)
        self.rx_written.append(now)
        self.rx_state.append(state)
        self.rx_allowed.append(fills_allowed)
        self.rx_remaining.append(fills_allowed)
        self.rx_treatment.append(self.treatment_index(treatment))
        self.rx_prescriber.append(prescriber)
        self._rx_detail[r] = detail
        self._rx_dates[r] = (effective, effective + timedelta(days=PRESCRIPTION_VALID_DAYS))
        self.rx_pos.append(len(self.rx_order))
        self.rx_order.append(r)
        self._p_rx_created.setdefault(patient, []).append(r)
        if detail.get("externalId"):
            self._created["rx"].by_external[detail["externalId"]] = r
        return r

    def cancel_prescription(self, r: int) -> None:
        self.rx_state[r] = "CANCELED"

    # ------------------------------------------------------------ orders and fills

    def order_fills(self, o: int) -> list[int]:
        return self._ord_fills.get(o) or [o]

    def order_address(self, o: int) -> dict[str, Any] | None:
        address = self._ord_address.get(o)
        if address is None and o < self.n_demo_orders:
            address = self.patient(self.ord_patient[o]).address
        return address

    def order_external_id(self, o: int) -> str | None:
        return self._created["ord"].external_of.get(o)

    def pharmacy_of(self, o: int) -> Pharmacy | None:
        index = self.ord_pharmacy[o]
        if index < 0:
            return None
        pharmacy = self.ref.pharmacies[index]
        if (
            o < self.n_demo_orders
            and o not in self._routed
            and MAIL_ORDER not in pharmacy.fulfillment_types
        ):
            # A demo order picked up is at the pharmacy nearest its patient's (demo) city.
            where, _rng = demo.demo_city(self.seed, self.ord_patient[o])
            pharmacy = self.ref.pharmacies[demo.nearest_pick_up(self.ref, where)]
        return pharmacy

    def iter_orders(self, after: int | None) -> Iterator[int]:
        order = self.ord_order
        start = self.ord_pos[after] - 1 if after is not None else len(order) - 1
        for i in range(start, -1, -1):
            yield order[i]

    def create_order(
        self,
        *,
        patient: int,
        pharmacy: int,
        address: dict[str, Any],
        fills: Iterable[tuple[int, int]],
        external_id: str | None,
    ) -> int:
        """A new order; ``fills`` are (prescription handle or -1, treatment index) pairs."""
        o = len(self.ord_created)
        self._record_ids.new("ord", o, self.clock.now())
        now = self.clock.now().timestamp()
        self.ord_patient.append(patient)
        self.ord_created.append(now)
        self.ord_pharmacy.append(pharmacy)
        self.ord_fate.append("")
        self.ord_placed.append(now + PENDING_SECONDS)
        self._ord_address[o] = address
        handles = []
        for r, treatment in fills:
            f = len(self.fill_order)
            self._record_ids.new("fil", f, self.clock.now())
            self.fill_order.append(o)
            self.fill_rx.append(r)
            self.fill_treatment.append(treatment)
            handles.append(f)
            if r >= 0:
                self.rx_remaining[r] -= 1
                if self.rx_remaining[r] == 0:
                    self.rx_state[r] = "DEPLETED"
        self._ord_fills[o] = handles
        self.progress.arrived(o)
        self.ord_pos.append(len(self.ord_order))
        self.ord_order.append(o)
        self._p_ord_created.setdefault(patient, []).append(o)
        if external_id:
            self._created["ord"].by_external[external_id] = o
            self._created["ord"].external_of[o] = external_id
        return o

    def cancel_order(self, o: int, reason: str | None) -> None:
        """Cancel and give the fills back to their prescriptions."""
        self.ord_fate[o] = "CANCELED"
        self._ord_canceled[o] = (self.clock.now().timestamp(), reason)
        for f in self.order_fills(o):
            r = self.fill_rx[f]
            if r >= 0:
                self.rx_remaining[r] += 1
                if self.rx_state[r] == "DEPLETED":
                    self.rx_state[r] = "ACTIVE"

    def route_order(self, o: int, pharmacy: int) -> None:
        """Send to another pharmacy; fulfillment (and a failed order) starts over there now."""
        self.ord_pharmacy[o] = pharmacy
        self._routed.add(o)
        self.ord_placed[o] = self.clock.now().timestamp()
        if self.ord_fate[o] == "ERROR":
            self.ord_fate[o] = ""
        self.progress.arrived(o)
