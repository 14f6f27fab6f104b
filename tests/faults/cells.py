"""What every cell of the fault matrix shares: the operations as the app's screens call them,
the set-up each needs, how a write's effect is read back, and the checks every cell makes."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from auth_fakes import MemoryKeyring
from fault_matrix import READS, RESULTS, STATE_CHANGES, Expected
from keyring.errors import KeyringLocked

from photon_desktop.domain import (
    AddressInput,
    NameInput,
    OrderState,
    PatientInput,
    PrescriptionInput,
    Sex,
)
from photon_desktop.errors import InvalidInput, PhotonError, StateConflict
from photon_desktop.services import Services, new_external_id

PRESCRIBER = "prescriber@sandbox.photon.local"
ADDRESS = AddressInput(street1="350 Hudson St", city="New York", state="NY", postal_code="10014")
OWN_PATIENTS = 10  # the demo data of the sandbox processes the cells kill and restart
KEYRING_TIMEOUT_S = 0.3  # the store's limit on one keyring call (the app's is 5 s)
CLAIMS_FAILURE = re.compile(r"\b(was not|wasn't|could not be|failed to) (saved|sent|changed)\b")


@dataclass
class Cell:
    """What one operation needs: made before the fault, with the fault cleared."""

    s: Services
    external_id: str | None = None  # the record the cell counts
    ids: dict[str, Any] = field(default_factory=dict)


def patient_input(external_id: str | None = None, last: str = "Matrix") -> PatientInput:
    return PatientInput(
        name=NameInput(first="Fault", last=last),
        date_of_birth=date(1979, 5, 17),
        sex=Sex.FEMALE,
        phone="+12025550143",
        email="fault.matrix@example.com",
        address=ADDRESS,
        external_id=external_id,
    )


async def new_patient(cell: Cell) -> str:
    patient = await cell.s.patients.create(patient_input(new_external_id()))
    return patient.id


async def prescription_input(cell: Cell, external_id: str | None) -> PrescriptionInput:
    patient_id = cell.ids.get("patient") or await new_patient(cell)
    cell.ids["patient"] = patient_id
    medication = (await cell.s.catalog.medications("a", first=1)).items[0]
    return PrescriptionInput(
        patient_id, medication.id, 30, "Tablet", 3, "Take one daily", external_id=external_id
    )


async def order_parts(cell: Cell) -> None:
    rx = await cell.s.prescriptions.create(await prescription_input(cell, new_external_id()))
    pharmacies = (await cell.s.catalog.pharmacies(first=2)).items
    cell.ids.update(rx=rx.id, pharmacy=pharmacies[0].id, other_pharmacy=pharmacies[1].id)


async def new_order(cell: Cell) -> None:
    await order_parts(cell)
    order = await cell.s.orders.create(
        cell.ids["patient"], [cell.ids["rx"]], ADDRESS, cell.ids["pharmacy"], cell.external_id
    )
    cell.ids["order"] = order.id


# ------------------------------------------------------------------ operations


async def setup(operation: str, cell: Cell, external_id: str | None = None) -> None:
    """What ``operation`` needs, made with the fault cleared. ``external_id``: the submission id
    to keep (a form's, when its set-up is made again on a new sandbox)."""
    if operation in READS:
        if operation == "detail":
            cell.ids["patient"] = (await cell.s.patients.search(first=1)).items[0].id
        return
    cell.external_id = external_id or new_external_id()
    if operation == "edit patient":
        cell.ids["patient"] = (await cell.s.patients.create(patient_input(cell.external_id))).id
    elif operation == "write prescription":
        cell.ids["rx_input"] = await prescription_input(cell, cell.external_id)
    elif operation == "send order":
        await order_parts(cell)
    elif operation in ("cancel order", "reroute order"):
        await new_order(cell)


async def perform(operation: str, cell: Cell) -> Any:
    """The operation exactly as its screen calls it (the same arguments on every attempt)."""
    s, ids = cell.s, cell.ids
    if operation == "list":
        return await s.patients.search(first=10)
    if operation == "detail":
        return await s.patients.get(ids["patient"])
    if operation == "create patient":
        return await s.patients.create(patient_input(cell.external_id, "Created"))
    if operation == "edit patient":
        return await s.patients.update(ids["patient"], PatientInput(email="edited@example.com"))
    if operation == "write prescription":
        return await s.prescriptions.create(ids["rx_input"])
    if operation == "send order":
        return await s.orders.create(
            ids["patient"], [ids["rx"]], ADDRESS, ids["pharmacy"], cell.external_id
        )
    if operation == "cancel order":
        return await s.orders.cancel(ids["order"], "Patient asked to stop")
    if operation == "reroute order":
        return await s.orders.reroute(ids["order"], ids["other_pharmacy"])
    raise AssertionError(operation)


async def took_effect(operation: str, cell: Cell) -> bool:
    """Whether the sandbox holds the write's effect (read back with the fault cleared)."""
    s, ids = cell.s, cell.ids
    if operation == "edit patient":
        return (await s.patients.get(ids["patient"])).email == "edited@example.com"
    if operation == "cancel order":
        return (await s.orders.get(ids["order"])).state is OrderState.CANCELED
    if operation == "reroute order":
        pharmacy = (await s.orders.get(ids["order"])).pharmacy
        return pharmacy is not None and pharmacy.id == ids["other_pharmacy"]
    return False  # creates are counted by externalId instead


async def recover(operation: str, cell: Cell) -> Any:
    """The same operation again, fault cleared. A cancel already done says so, changing nothing."""
    try:
        return await perform(operation, cell)
    except StateConflict as done:
        if operation != "cancel order" or "already canceled" not in str(done):
            raise
        return done


# ------------------------------------------------------------------ the matrix


@dataclass
class Outcome:
    error: BaseException | None
    result: Any
    effect: bool
    records: int | None
    recovered: Any
    records_after_recovery: int | None
    waits: list[float]
    renewals: int


def records(sandbox: Any, external_id: str | None, kind: str) -> int | None:
    if external_id is None:
        return None
    answer = sandbox.admin("GET", f"records?externalId={external_id}")
    answer.raise_for_status()
    return int(answer.json()[kind])


KIND = {
    "create patient": "patients",
    "edit patient": "patients",
    "write prescription": "prescriptions",
    "send order": "orders",
    "cancel order": "orders",
    "reroute order": "orders",
}


def check(fault: str, operation: str, want: Expected, got: Outcome) -> None:
    write = operation not in READS
    if want.error is None:
        assert got.error is None, f"expected success, got {got.error!r}"
        assert got.result is not None
    else:
        assert isinstance(got.error, PhotonError), f"not a PhotonError: {got.error!r}"
        assert type(got.error) is want.error, f"{type(got.error).__name__}: {got.error}"
        message = str(got.error)
        assert message.strip(), "empty message"
        assert any(w in message.lower() for w in want.words), f"says not what happened: {message}"
        if not (isinstance(got.error, InvalidInput) and got.error.fields):
            assert "marked field" not in message.lower(), message
        if write and saved(operation, got):
            assert not CLAIMS_FAILURE.search(message.lower()), f"claims failure: {message}"
    if write:
        assert saved(operation, got) == want.saved, f"took effect: {not want.saved}"
    if got.records is not None:
        assert got.records <= 1 and got.records_after_recovery == 1, (
            f"records with the submission's externalId: {got.records}, then "
            f"{got.records_after_recovery} after recovery"
        )
    assert got.recovered is not None
    if want.retry_waits:
        assert got.waits == list(want.retry_waits)
    # A rejected token is renewed once, never more; nothing else renews it.
    assert got.renewals == want.renewals, got.renewals


def saved(operation: str, got: Outcome) -> bool:
    """A create took effect when a record carries its externalId; a change when it shows."""
    if operation in STATE_CHANGES or operation == "edit patient":
        return got.effect
    return bool(got.records)


#: Cells that cannot exist (a read commits nothing) are not tests: the table names them instead.


def judge(fault: str, operation: str, want: Expected, got: Outcome) -> None:
    """Check the cell and note its outcome for the printed matrix."""
    seen = "succeeds" if got.error is None else type(got.error).__name__
    if got.error is not None and operation not in READS and saved(operation, got):
        seen += " (saved)"
    try:
        check(fault, operation, want, got)
    except AssertionError as failure:
        RESULTS[(fault, operation)] = f"FAIL {seen}"
        raise AssertionError(f"[{fault} x {operation}] {failure}") from None
    RESULTS[(fault, operation)] = f"PASS {want.describe()}"


class OwnSandbox:
    """A sandbox process only these cells use, kept on one port across kills and restarts."""

    def __init__(self, start: Callable[..., Any]) -> None:
        self._start = start
        self.info = start(patients=OWN_PATIENTS)
        self.port = urlsplit(self.info.issuer).port
        self.codes: list[int] = []

    def kill(self) -> None:
        self.codes.append(self.info.stop(signal.SIGKILL))
        self.info.stderr_text()

    def restart(self) -> Any:
        """A new process on the same port: new signing key, secrets and data."""
        if self.info.process.poll() is None:
            self.codes.append(self.info.stop())
            self.info.stderr_text()
        self.info = self._start("--port", str(self.port), patients=OWN_PATIENTS)
        assert urlsplit(self.info.issuer).port == self.port
        return self.info


class FailingKeyring(MemoryKeyring):
    """Works until ``state`` turns "locked" (every call refused, as a locked Secret Service
    refuses) or "hangs" (every call blocks until ``release``, as an unanswered unlock prompt,
    and is then refused)."""

    def __init__(self) -> None:
        super().__init__()
        self.state = "open"
        self.release = threading.Event()
        self.failed = 0

    def _gate(self) -> None:
        if self.state == "open":
            return
        self.failed += 1
        if self.state == "hangs":
            self.release.wait(30)
        raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._gate()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._gate()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._gate()
        super().delete_password(service, username)
