"""The fault matrix: faults the sandbox injects x operations a clinic user performs.

A fault *stands* (every matching request gets it) until the test clears it, so each cell shows
what the user is finally told, not what a retry hid. ``FAULTS`` holds each fault: the sandbox's
settings for it, or where else it comes from (the keyring under the session, the sandbox's
process); ``expected`` says what each cell must end in; ``render_table`` prints the outcomes.
The same faults meet the app's widgets: the patients page for the reads (``page_expected``) and
the six write forms for the writes (``form_expected``), printed by ``render_ui_table``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photon_desktop.errors import (
    OfflineError,
    PhotonError,
    RateLimited,
    ResponseError,
    ServerError,
    SignInRequired,
    WriteOutcomeUnknown,
)


@dataclass(frozen=True)
class Fault:
    title: str
    settings: dict  # PUT /admin/faults
    after_commit: bool = False  # the request runs and commits before its answer is spoiled
    once: bool = False  # only the next request gets it: retries and checks see Photon well
    source: str = "sandbox"  # "sandbox" (its settings), "keyring" or "process"


FAULTS: dict[str, Fault] = {
    "latency": Fault("latency spike 0.4 s", {"latency_ms": 400}),
    "500": Fault("HTTP 500", {"error_rate": 1.0, "error_statuses": [500]}),
    "502": Fault("HTTP 502", {"error_rate": 1.0, "error_statuses": [502]}),
    "503": Fault("HTTP 503", {"error_rate": 1.0, "error_statuses": [503]}),
    "429": Fault("429 + Retry-After: 1", {"rate_limit_rate": 1.0, "retry_after": 1}),
    "drop_before": Fault("connection dropped before execution", {"drop_rate": 1.0}),
    "drop_after": Fault(
        "answer dropped after commit", {"drop_after_execute_rate": 1.0}, after_commit=True
    ),
    "error_after": Fault(
        "GraphQL error after commit", {"error_after_execute_rate": 1.0}, after_commit=True
    ),
    "malformed": Fault("malformed JSON", {"malformed_rate": 1.0}),
    "bad_enum": Fault("unknown enum value in the answer", {"bad_enum_after_execute_rate": 1.0}),
    "500 once": Fault(
        "HTTP 500, once", {"fail_next": [{"kind": "status", "status": 500}]}, once=True
    ),
    "429 once": Fault("429, once", {"fail_next": [{"kind": "rate_limit"}]}, once=True),
    "drop_before once": Fault(
        "dropped before execution, once", {"fail_next": [{"kind": "drop"}]}, once=True
    ),
    "drop_after once": Fault(
        "answer dropped after commit, once",
        {"fail_next": [{"kind": "drop_after"}]},
        after_commit=True,
        once=True,
    ),
    "error_after once": Fault(
        "GraphQL error after commit, once",
        {"fail_next": [{"kind": "error_after"}]},
        after_commit=True,
        once=True,
    ),
    "malformed once": Fault(
        "malformed JSON, once", {"fail_next": [{"kind": "malformed"}]}, once=True
    ),
    "bad_enum once": Fault(
        "unknown enum value, once", {"fail_next": [{"kind": "bad_enum_after"}]}, once=True
    ),
    "expired": Fault("token expired mid-session", {"fail_next": [{"kind": "expired_token"}]}),
    "401": Fault("401 that persists", {"fail_next": [{"kind": "expired_token"}] * 4}),
    # The keyring locks (refusing every call) or stops answering after sign-in, and the access
    # token is refused mid-operation, so the renewal's new refresh token cannot be saved.
    "keyring locked": Fault("keyring locked mid-session", {}, source="keyring"),
    "keyring hangs": Fault("keyring hangs mid-session", {}, source="keyring"),
    # A sandbox process of the cells' own: SIGKILLed while the operation's request is in flight
    # (held unexecuted by a ``stall`` fault), then started again on its port for the recovery.
    "killed": Fault(
        "sandbox killed mid-request", {"fail_next": [{"kind": "stall"}]}, source="process"
    ),
    # Between set-up and the operation: a new process on the same port with new signing keys,
    # secrets and data, so the session's tokens are refused and cannot be renewed.
    "restarted": Fault("sandbox restarted on the same port", {}, source="process"),
}

#: (fault, operation) -> the cell's outcome, filled by the test, printed by the conftest.
RESULTS: dict[tuple[str, str], str] = {}

READS = ("list", "detail")
WRITES = ("create patient", "edit patient", "write prescription", "send order")
STATE_CHANGES = ("cancel order", "reroute order")
OPERATIONS = READS + WRITES + STATE_CHANGES


@dataclass(frozen=True)
class Expected:
    """``error`` None: the operation succeeds despite the fault. ``saved``: a write took effect."""

    error: type[PhotonError] | None
    words: tuple[str, ...] = ()  # the message names what happened: one of these, any case
    saved: bool = False
    retry_waits: tuple[float, ...] = ()  # read retries' waits (Retry-After honoured)
    renewals: int = 0  # renewals of the access token the fault causes (never more than one)

    def describe(self) -> str:
        if self.error is None:
            return "succeeds"
        return self.error.__name__ + (" (saved)" if self.saved else "")


CONNECTION = ("connection",)
UNKNOWN = ("may have", "not known", "unknown", "could not check")
UNREADABLE = ("could not read", "could not be read")


def impossible(fault: str, operation: str) -> str | None:
    """Why the cell cannot exist, or None."""
    if FAULTS[fault].after_commit and operation in READS:
        return "n/a: a read commits nothing"
    return None


def expected(fault: str, operation: str) -> Expected:
    """What the user must end with (see the module docstring)."""
    write = operation not in READS
    if FAULTS[fault].once:
        return expected_once(fault.removesuffix(" once"), write)
    if fault == "latency":
        return Expected(None, saved=write)
    if fault in ("expired", "keyring locked", "keyring hangs"):
        # The keyring cells: the new refresh token is kept in memory and the operation goes on.
        return Expected(None, saved=write, renewals=1)
    if fault in ("401", "restarted"):
        # Refused before it runs: nothing saved, and the user is asked to sign in again.
        return Expected(SignInRequired, ("sign in",), renewals=1)
    if fault == "killed":  # the request never ran, and the sandbox's data died with it
        return Expected(WriteOutcomeUnknown if write else OfflineError, CONNECTION)
    if fault == "429":
        # A write is never resent; a read waits as told and gives up after its attempts.
        return Expected(RateLimited, ("too many", "wait"), retry_waits=() if write else (1, 1))
    if fault in ("500", "502", "503"):
        if write:  # the check (a read) fails too: whether it was saved is unknown
            return Expected(WriteOutcomeUnknown, (fault,))
        return Expected(ServerError, (fault,))
    if fault == "drop_before":
        return Expected(WriteOutcomeUnknown if write else OfflineError, CONNECTION)
    if fault == "malformed":
        return Expected(WriteOutcomeUnknown if write else ResponseError, UNREADABLE)
    if fault in ("drop_after", "error_after"):
        return Expected(WriteOutcomeUnknown, UNKNOWN, saved=True)
    if fault == "bad_enum":
        # Every enum in every answer is unknown, the write's check included: an unknown value
        # makes a record unreadable rather than half-shown.
        if write:
            return Expected(WriteOutcomeUnknown, UNREADABLE, saved=True)
        return Expected(ResponseError, UNREADABLE)
    raise AssertionError(f"no expectation for {fault}")


def expected_once(fault: str, write: bool) -> Expected:
    """A fault on one request only: a read's retry gets through; a write is never resent, but
    its check (a read) sees whether it took effect."""
    if not write:
        if fault == "bad_enum":  # not a transport problem: reading again would not help
            return Expected(ResponseError, UNREADABLE)
        return Expected(None, retry_waits=(1,) if fault == "429" else ())
    if fault in ("drop_after", "error_after", "bad_enum"):
        return Expected(None, saved=True)  # the check found the saved record and returned it
    if fault == "429":
        return Expected(RateLimited, ("too many", "wait"))
    if fault == "500":
        return Expected(ServerError, ("500",))
    if fault == "drop_before":  # the check finds nothing, but Photon might still run it
        return Expected(WriteOutcomeUnknown, CONNECTION)
    return Expected(ResponseError, UNREADABLE)


# ------------------------------------------------------------------ the UI's cells

FORMS = WRITES + STATE_CHANGES
#: Faults whose write the form ends showing as saved, made once: nothing refused it, or its
#: answer was lost or spoiled after it committed and the form's check found it.
FORM_SAVES = (
    "latency",
    "drop_after",
    "error_after",
    "bad_enum",
    "expired",
    "keyring locked",
    "keyring hangs",
)


def aimed(fault: str, operation: str) -> dict[str, Any]:
    """The fault's sandbox settings narrowed to one GraphQL operation (a form's own write), so
    the reads around it (the form's look-ups, the check after a lost answer) see Photon well."""
    settings = FAULTS[fault].settings
    if "fail_next" in settings:
        return {"fail_next": [{**f, "operation": operation} for f in settings["fail_next"]]}
    return {**settings, "operations": [operation]}


@dataclass(frozen=True)
class FormExpected:
    """``saved``: the form ends showing its write saved, made once. Otherwise the form shows a
    message naming what happened (one of ``words``), keeps what was typed, and nothing is made
    until the user presses its button again once the fault clears."""

    words: tuple[str, ...] = ()
    saved: bool = False


def form_expected(fault: str) -> FormExpected:
    """What a form shows when ``fault`` spoils its own write (once or standing alike: the form
    never sends a write twice, and the check after a lost answer is a read the fault spares)."""
    base = fault.removesuffix(" once")
    if base in FORM_SAVES:
        return FormExpected(saved=True)
    if base in ("500", "502", "503"):
        return FormExpected((base,))
    if base == "429":
        return FormExpected(("too many", "wait"))
    if base == "drop_before":
        return FormExpected(CONNECTION)
    if base == "malformed":
        return FormExpected(UNREADABLE)
    if base in ("401", "restarted"):
        return FormExpected(("sign in",))
    if base == "killed":  # the connection went with the process: whether it ran is unknown
        return FormExpected(CONNECTION + UNKNOWN)
    raise AssertionError(f"no form expectation for {fault}")


def page_expected(fault: str, operation: str) -> Expected:
    """What the patients page ends showing for a read under ``fault``: the services' outcome
    (``expected``), and for the faults that spoil an answer after the request ran, what they are
    to a read, which commits nothing: an answer lost (dropped) or refused (an error)."""
    if not impossible(fault, operation):
        return expected(fault, operation)
    base = fault.removesuffix(" once")
    if base == "drop_after":  # a lost answer: sent again, as after any dropped connection
        return expected(fault.replace("drop_after", "drop_before"), operation)
    # A GraphQL error is Photon's answer, not a transport problem: a read is not sent again
    # on its own, and F5 or Retry asks again.
    return Expected(ServerError, ("could not complete",))


#: (fault, operation) -> a UI cell's outcome: the patients page for the reads, the forms for
#: the writes; filled by the tests, printed by the conftest.
UI_RESULTS: dict[tuple[str, str], str] = {}


def render_table(results: dict[tuple[str, str], str]) -> str:
    """Rows are faults, columns operations; each cell ``PASS <outcome>`` or ``FAIL ...``."""
    header = ["fault \\ operation", *OPERATIONS]
    rows = [header]
    for key, fault in FAULTS.items():
        row = [fault.title]
        for operation in OPERATIONS:
            reason = impossible(key, operation)
            row.append(reason or results.get((key, operation), "not run"))
        rows.append(row)
    return _table(rows)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def render_ui_table(results: dict[tuple[str, str], str]) -> str:
    """The UI's cells: rows are faults, columns the operations (their page or form)."""
    rows = [["fault \\ operation (its screen)", *OPERATIONS]]
    for key, fault in FAULTS.items():
        rows.append([fault.title, *(results.get((key, op), "not run") for op in OPERATIONS)])
    return _table(rows)
