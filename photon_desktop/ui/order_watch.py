"""The UI's handle on the order watcher: one per window, following the current environment.

Views read orders through it (``get``, ``read``, ``merge_page``) so the list row, the detail and
the patient page show the same state, and repaint on ``updated``. It tells the watcher when the
user signs out or in, when the window is minimized or restored, when the app is hidden or the
screen locked, and when the network is back (another request got through).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from photon_desktop.domain import Order, OrderState, Page
from photon_desktop.services.order_watcher import (
    FINAL_STATES,
    MINIMIZED,
    SCREEN_LOCKED,
    SIGNED_OUT,
    OrderWatcher,
    WatchSettings,
    WatchState,
    WatchStatus,
)
from photon_desktop.services.screen_lock import ScreenLockWatch, watch_screen_lock
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)

READ_ORDERS = "read:order"
SUSPENDED = "suspended"
Factory = Callable[[Workspace], OrderWatcher]


def default_factory(workspace: Workspace) -> OrderWatcher:
    interval = preferences.ORDERS_POLL_INTERVAL_S.get()
    return OrderWatcher.for_services(workspace.services, WatchSettings(interval=interval))


#: How long after start-up the screen-lock subscription is made (see ``follow_screen_lock``).
SCREEN_LOCK_AFTER_MS = 3000


class OrderWatch(QObject):
    """``updated(WatchUpdate)`` after a round changed records; ``status_changed(WatchState)``."""

    updated = Signal(object)
    status_changed = Signal(object)
    replaced = Signal()  # a new environment: a new watcher, nothing known yet
    #: An order-update setting was just saved, in whichever form (Settings pane or the worklist's
    #: dialog): the one signal the views that depend on those settings follow.
    settings_changed = Signal(object)  # its Preference

    def __init__(
        self,
        workspace: Workspace,
        parent: QObject | None = None,
        *,
        factory: Factory = default_factory,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._factory = factory
        self._watcher: OrderWatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._ui_pauses: set[str] = set()
        self._screen_lock: ScreenLockWatch | None = None
        workspace.environment_changed.connect(self._rebuild)
        workspace.session_changed.connect(self._on_session)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_app_state)

    # ------------------------------------------------------------------ lifecycle

    @property
    def watcher(self) -> OrderWatcher | None:
        return self._watcher

    def start(self) -> None:
        """Start watching the current environment (also done on every environment change)."""
        self._rebuild()

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self._watcher = None

    def _rebuild(self) -> None:
        self.stop()
        if not self._workspace.ready:
            return
        watcher = self._factory(self._workspace)
        self._watcher = watcher
        self._unsubscribe.append(watcher.subscribe(self.updated.emit, self.status_changed.emit))
        activity = self._workspace.services.activity
        self._unsubscribe.append(activity.subscribe(self._on_activity))
        for reason in self._ui_pauses:
            watcher.pause(reason)
        self._on_session()
        self._task = tasks.spawn(watcher.run(), owner=self, name="order-watch")
        self.replaced.emit()

    def _on_session(self) -> None:
        watcher = self._watcher
        if watcher is None:
            return
        session = self._workspace.session
        if session.signed_in and session.has(READ_ORDERS):
            watcher.resume(SIGNED_OUT)
        else:
            watcher.pause(SIGNED_OUT)

    def _on_activity(self, activity: object) -> None:
        if getattr(activity, "online", None) is True and self._watcher is not None:
            self._watcher.network_restored()

    # ------------------------------------------------------------------ what the UI tells it

    def _set_pause(self, reason: str, on: bool) -> None:
        if on:
            self._ui_pauses.add(reason)
        else:
            self._ui_pauses.discard(reason)
        if self._watcher is not None:
            (self._watcher.pause if on else self._watcher.resume)(reason)

    def set_minimized(self, minimized: bool) -> None:
        self._set_pause(MINIMIZED, minimized)

    def set_screen_locked(self, locked: bool) -> None:
        self._set_pause(SCREEN_LOCKED, locked)

    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        # Suspended (mobile-style platforms) or hidden: nobody is looking.
        self._set_pause(SUSPENDED, state is Qt.ApplicationState.ApplicationSuspended)

    def follow_screen_lock(self, after_ms: int = SCREEN_LOCK_AFTER_MS) -> None:
        """Pause while the desktop's screensaver says the screen is locked (D-Bus, Linux).

        Subscribed ``after_ms`` from now: connecting to the session bus (and importing dbus-fast,
        ~35 ms) would otherwise be on the way to the first page, and a lock matters only later.
        """

        async def subscribe() -> None:
            self._screen_lock = await watch_screen_lock(self.set_screen_locked)

        def start() -> None:
            if tasks.loop_running():  # not once the loop has ended (the app is closing)
                tasks.spawn(subscribe(), owner=self.parent(), name="screen-lock")

        QTimer.singleShot(after_ms, self, start)

    def follow_window(self, window: QWidget) -> None:
        """Pause while ``window`` is minimized (an event filter; the window is not changed)."""
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowStateChange and isinstance(watched, QWidget):
            self.set_minimized(watched.isMinimized())
        return False

    def set_interval(self, seconds: int) -> None:
        preferences.ORDERS_POLL_INTERVAL_S.set(seconds)
        if self._watcher is not None:
            self._watcher.set_interval(seconds)

    # ------------------------------------------------------------------ reading

    def get(self, order_id: str) -> Order | None:
        return self._watcher.get(order_id) if self._watcher else None

    def orders(self) -> list[Order]:
        return self._watcher.orders() if self._watcher else []

    def state(self) -> WatchState:
        return self._watcher.state if self._watcher else WatchState(WatchStatus.STOPPED)

    def is_live(self, order_id: str) -> bool:
        return self._watcher.is_live(order_id) if self._watcher else False

    def focus(self, order_id: str) -> Callable[[], None]:
        if self._watcher is None:
            return lambda: None
        return self._watcher.focus(order_id)

    def refresh(self) -> None:
        if self._watcher is not None:
            self._watcher.refresh()

    def refresh_order(self, order_id: str) -> None:
        if self._watcher is not None:
            self._watcher.refresh_order(order_id)

    async def read(self, order_id: str) -> Order:
        """Read one order now (a detail opening, F5) and share the answer with every view."""
        watcher = self._watcher
        started = watcher.now() if watcher else 0.0
        order = await self._workspace.services.orders.get(order_id)
        if watcher is None or watcher is not self._watcher:
            return order
        watcher.merge([order], started)
        return watcher.get(order_id) or order

    def started(self) -> float:
        """Take before a list request whose page goes through ``merge_page``."""
        return self._watcher.now() if self._watcher else 0.0

    def merge_page(self, page: Page[Order], started: float) -> Page[Order]:
        """A list page, with each row as the watcher knows it (newest reading wins)."""
        watcher = self._watcher
        if watcher is None:
            return page
        watcher.merge(page.items, started)
        items = tuple(watcher.get(o.id) or o for o in page.items)
        return Page(items=items, cursor=page.cursor, has_more=page.has_more)

    def describe_live(self, order: Order) -> str:
        """The detail's one-line promise about updates, true to what the watcher does."""
        if order.state in FINAL_STATES:
            return ""
        if order.state is OrderState.ERROR:
            return "Not refreshed automatically while in error: press F5 after you act on it."
        status = self.state().status
        if status is WatchStatus.PAUSED:
            return "Updates paused while the window is minimized or the screen is locked."
        if status is WatchStatus.OFFLINE:
            return "Offline: showing the last known state. Updates resume when Photon answers."
        if status is WatchStatus.BACKING_OFF:
            return "Photon is busy: updates resume shortly. Showing the last known state."
        if status is WatchStatus.SIGNED_OUT:
            return "Signed out: updates stopped."
        if self._watcher is None:
            return ""
        seconds = int(self._watcher.settings.focus_interval)
        return f"Updates live every {seconds} s while this order is open."


class FollowOne:
    """Keeps the order a view shows focused in the watcher (polled faster), one at a time."""

    def __init__(self, watch: OrderWatch) -> None:
        self.watch = watch
        self._id: str | None = None
        self._release: Callable[[], None] | None = None

    def set(self, order_id: str | None) -> None:
        if order_id == self._id:
            return
        if self._release is not None:
            self._release()
        self._id = order_id
        self._release = self.watch.focus(order_id) if order_id else None
