"""What to tell the user when orders change, and the port a notification goes out through.

``OrderNotifier`` turns the watcher's changes into notices: one per changed order, filtered by
the user's per-kind switches, worded at the chosen privacy level (initials by default), and
grouped into ONE notice when a round brings many (a reconnect after a night offline must not
bring a storm). Each notice goes to the first port that delivers it: the platform's notification
service (``DesktopNotifierPort``), then the UI's tray message, then an in-app banner.
No Qt here: the UI supplies its ports.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from photon_desktop.domain import Name, Order
from photon_desktop.services.order_changes import (
    ChangeKind,
    OrderChange,
)
from photon_desktop.services.worklist import problem_label

if TYPE_CHECKING:
    from desktop_notifier import DesktopNotifier

log = logging.getLogger(__name__)

#: A round with more changes than this is told as one grouped notice.
GROUP_ABOVE = 3
RETRY_AFTER_FAILURE_S = 300.0
APP_NAME = "Photon Desktop"


class Privacy(Enum):
    """How much of the patient a notification shows (it may appear on a locked screen)."""

    NONE = "none"
    INITIALS = "initials"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class NotifyPrefs:
    kinds: frozenset[ChangeKind] = frozenset(ChangeKind)
    privacy: Privacy = Privacy.INITIALS
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification. ``order_id`` is what a click opens (None: several orders, the worklist)."""

    title: str
    body: str
    order_id: str | None = None
    kind: ChangeKind | None = None
    critical: bool = False
    order_ids: tuple[str, ...] = field(default=())


class NotificationPort(Protocol):
    """Somewhere a notice can be shown. ``show`` returns False when it could not deliver it."""

    name: str

    async def show(self, notice: Notice, on_click: Callable[[], None]) -> bool: ...


def patient_label(name: Name | None, privacy: Privacy) -> str:
    """ "A patient", "A. L." or the full name, as the privacy setting allows."""
    if name is None or privacy is Privacy.NONE:
        return "A patient"
    if privacy is Privacy.FULL:
        return name.full
    initials = [p[0].upper() + "." for p in (name.first, name.last) if p]
    return " ".join(initials) or "A patient"


STATE_TITLES = {
    "ROUTING": "Order waiting for a pharmacy",
    "PENDING": "Order pending",
    "PLACED": "Order placed",
    "COMPLETED": "Order completed",
    "CANCELED": "Order canceled",
    "ERROR": "Order error",
}


def _pharmacy(order: Order) -> str:
    return f" at {order.pharmacy.name}" if order.pharmacy else ""


def describe(change: OrderChange, privacy: Privacy) -> Notice:
    """The notice for one change, worded by its most important kind."""
    order, kind = change.order, change.primary
    who = patient_label(order.patient_name, privacy)
    if kind is ChangeKind.ERROR:
        problems = [e.message or e.type for e in order.exceptions if e.resolved_at is None]
        reason = problems[0] if problems else "It needs your attention."
        return Notice("Order error", f"{who}: {reason}", order.id, kind, critical=True)
    if kind is ChangeKind.EXCEPTION:
        problem = change.new_exceptions[0]
        label = problem_label(problem.type)
        text = f"{label}: {problem.message}" if problem.message else label
        return Notice("Problem with an order", f"{who}: {text}", order.id, kind, critical=True)
    if kind is ChangeKind.SHIPPED:
        f = order.fulfillment
        carrier = (f.carrier if f else None) or "The carrier"
        tracking = f.tracking_number if f else None
        detail = f"{carrier}, tracking {tracking}" if tracking else carrier
        return Notice("Order shipped", f"{who}: {detail}", order.id, kind)
    if kind is ChangeKind.READY:
        return Notice("Ready for pickup", f"{who}{_pharmacy(order)}", order.id, kind)
    title = STATE_TITLES.get(order.state.value, "Order updated")
    return Notice(title, f"{who}{_pharmacy(order)}", order.id, kind)


SUMMARY_WORDS = {
    ChangeKind.ERROR: ("error", "errors"),
    ChangeKind.EXCEPTION: ("problem", "problems"),
    ChangeKind.SHIPPED: ("shipped", "shipped"),
    ChangeKind.READY: ("ready for pickup", "ready for pickup"),
    ChangeKind.STATE: ("other change", "other changes"),
}


def group(notices: Sequence[Notice]) -> Notice:
    """Several notices as one: "5 orders changed" with a count per kind."""
    counts = Counter(n.kind for n in notices)
    parts = []
    for kind, (one, many) in SUMMARY_WORDS.items():
        if counts[kind]:
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    return Notice(
        f"{len(notices)} orders changed",
        ", ".join(parts) + ". Open the worklist to see them.",
        None,
        None,
        critical=any(n.critical for n in notices),
        order_ids=tuple(n.order_id for n in notices if n.order_id),
    )


class OrderNotifier:
    """Policy and delivery: ``await announce(changes)`` after each watcher round."""

    def __init__(
        self,
        ports: Sequence[NotificationPort],
        prefs: Callable[[], NotifyPrefs],
        on_open: Callable[[str | None], None],
    ) -> None:
        self.ports = list(ports)
        self._prefs = prefs
        self._on_open = on_open
        self._told: set[tuple[object, ...]] = set()
        self._lock = asyncio.Lock()
        self.delivered: list[tuple[str, Notice]] = []  # (port name, notice), newest last

    def notices(self, changes: Sequence[OrderChange]) -> list[Notice]:
        """What to say about one round's changes (after switches, privacy and grouping)."""
        prefs = self._prefs()
        if prefs.paused:
            return []
        fresh: list[Notice] = []
        for change in changes:
            kept = change.kinds & prefs.kinds  # e.g. "ready" off, state changes on
            if not kept:
                continue
            key = _change_key(change)
            if key in self._told:
                continue
            self._told.add(key)
            narrowed = OrderChange(change.order, change.previous, kept, change.new_exceptions)
            fresh.append(describe(narrowed, prefs.privacy))
        if len(fresh) > GROUP_ABOVE:
            return [group(fresh)]
        return fresh

    async def announce(self, changes: Sequence[OrderChange]) -> list[Notice]:
        async with self._lock:
            sent = []
            for notice in self.notices(changes):
                if await self._deliver(notice):
                    sent.append(notice)
            return sent

    async def _deliver(self, notice: Notice) -> bool:
        def clicked() -> None:
            self._on_open(notice.order_id)

        for port in self.ports:
            try:
                if await port.show(notice, clicked):
                    self.delivered.append((port.name, notice))
                    return True
            except Exception:  # a broken port must not lose the notice: try the next one
                log.warning("notification port %s failed", port.name, exc_info=True)
        log.warning("no notification port could show a notice")
        return False


def _change_key(change: OrderChange) -> tuple[object, ...]:
    o = change.order
    return (
        o.id,
        o.state,
        o.fulfillment.state if o.fulfillment else None,
        tuple(sorted((e.type, str(e.created_at)) for e in change.new_exceptions)),
    )


class _FailedDeliveries(logging.Filter):
    """desktop-notifier does not raise when a notice cannot be delivered: it logs "Notification
    failed" as a warning with the whole traceback, for every notice. This keeps the reason for
    the port, which says it once in one line, and drops that record; any other passes."""

    LOGGER = "desktop_notifier.backends.base"

    def __init__(self) -> None:
        super().__init__()
        self.reason: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "Notification failed" or not record.exc_info:
            return True
        error = record.exc_info[1]
        self.reason = f"{type(error).__name__}: {error}" if error else "unknown error"
        return False


_FAILED = _FailedDeliveries()


class DesktopNotifierPort:
    """The platform's notification service through ``desktop-notifier``.

    On Linux that is org.freedesktop.Notifications over D-Bus (dbus-fast, on the running asyncio
    loop); on macOS the Notification Center, on Windows toasts. The library logs instead of
    raising when delivery fails, so success is taken from its ``on_dispatched`` callback; a
    failure is logged once, in one line, until a notice gets through again. The library and its
    platform backend (~50 ms of imports and set-up) are loaded with the first notice, not while
    the window is built: no notice comes before the first page.
    """

    name = "desktop"

    def __init__(self, app_name: str = APP_NAME, icon: Path | None = None, timeout: float = 5.0):
        self._app_name = app_name
        self._icon = icon
        self._notifier: DesktopNotifier | None = None
        self._timeout = timeout
        self._retry_at = 0.0  # after a failure, other ports are used for a while
        self._unavailable = False  # said so in the log

    def _service(self) -> DesktopNotifier:
        if self._notifier is None:
            from desktop_notifier import DesktopNotifier, Icon

            # The library logs each notification's text at debug level: patient details stay out.
            logging.getLogger("desktop_notifier").setLevel(logging.INFO)
            failures = logging.getLogger(_FailedDeliveries.LOGGER)
            if _FAILED not in failures.filters:
                failures.addFilter(_FAILED)
            self._notifier = DesktopNotifier(
                app_name=self._app_name, app_icon=Icon(path=self._icon) if self._icon else None
            )
        return self._notifier

    async def show(self, notice: Notice, on_click: Callable[[], None]) -> bool:
        from desktop_notifier import Urgency

        if time.monotonic() < self._retry_at:
            return False
        dispatched = asyncio.Event()
        _FAILED.reason = None
        reason = "no answer"
        try:
            await asyncio.wait_for(
                self._service().send(
                    title=notice.title,
                    message=notice.body,
                    urgency=Urgency.Critical if notice.critical else Urgency.Normal,
                    on_dispatched=dispatched.set,
                    on_clicked=on_click,
                ),
                self._timeout,
            )
        except (TimeoutError, OSError, RuntimeError) as error:
            reason = str(error) or type(error).__name__
            dispatched.clear()
        if dispatched.is_set():
            if self._unavailable:
                log.info("desktop notifications work again")
            self._unavailable = False
            return True
        # No notification service (e.g. no D-Bus session): other ports for a while.
        self._retry_at = time.monotonic() + RETRY_AFTER_FAILURE_S
        reason = _FAILED.reason or reason
        if not self._unavailable:
            self._unavailable = True
            log.info(
                "desktop notifications unavailable (%s); notices are shown in the app instead",
                reason,
            )
        else:
            log.debug("desktop notifications still unavailable (%s)", reason)
        return False
