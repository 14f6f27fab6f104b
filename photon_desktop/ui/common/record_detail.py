"""One record loaded by id: an elided title, a state badge, a gated action bar, a notice line and
the body a feature fills (patients, prescriptions and orders share it).

A newer ``load`` supersedes an older one (stale answers never show). Without the read permission
the view says why instead of showing an error. A failed refresh keeps what is shown and says so
on the notice line. A renewed token does not reload; another sign-in (maybe another organization)
or a change of permission does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.action_bar import ActionBar
from photon_desktop.ui.common.elided_label import ElidedLabel
from photon_desktop.ui.common.field_grid import FieldGrid
from photon_desktop.ui.common.rows_table import RowsModel
from photon_desktop.ui.common.scrolling import scroll_page
from photon_desktop.ui.common.states import StateView, stopped_text
from photon_desktop.ui.workspace import Workspace

T = TypeVar("T")
log = logging.getLogger(__name__)

NOT_CONNECTED = "Not connected to Photon. Connect in Settings or try the local sandbox."


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class RecordDetail(QWidget, Generic[T]):
    """Subclasses set ``kind`` and implement ``_fetch(id)`` and ``_render(record)``.

    ``loaded(record)`` fires after each render.
    """

    loaded = Signal(object)
    kind = "record"

    def __init__(self, workspace: Workspace, permission: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._workspace = workspace
        self._permission = permission
        self._loads = tasks.Latest(owner=self)
        self.record_id: str | None = None
        self.record: T | None = None
        self._signed_in_as = self._sign_in()
        self._was_allowed = self._allowed()

        self.title = ElidedLabel("", self)
        self.title.setObjectName(f"{self.kind}Title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName(f"{self.kind.capitalize()} title")
        self.badge = QLabel(self)
        self.badge.setObjectName("stateBadge")
        self.badge.setAccessibleName("State")
        self.badge.setStyleSheet(
            "QLabel#stateBadge { border: 1px solid palette(mid); border-radius: 9px;"
            " padding: 2px 10px; font-weight: bold; }"
        )
        self.badge.setVisible(False)
        self.action_bar = ActionBar(workspace, self)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title, 1)
        header.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.action_bar, 0, Qt.AlignmentFlag.AlignTop)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.setVisible(False)

        self.body = QWidget(self)
        scroll = scroll_page(self.body, self)  # its scroll bar always there: see ``scrolling``
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName(f"{self.kind.capitalize()} details")
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(scroll)
        self._content = scroll

        self.header = QWidget(self)
        self.header.setLayout(header)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 12, 12, 12)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self._show_state(lambda: self.state.show_empty(self._nothing_text()))
        workspace.session_changed.connect(self._on_session_changed)
        workspace.environment_changed.connect(self.clear)
        workspace.availability_changed.connect(self._on_availability)

    def focus_content(self) -> None:
        """Enter in the list moves the keyboard here. Not a focus proxy: Qt's Tab stops at a
        widget with one wherever the focus chain left it, and setTabOrder cannot move it (its
        own policy is NoFocus), so a page's tab order could never put its filters first."""
        self._content.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def loading(self) -> bool:
        """A record is being fetched (shown as "Loading…", or behind the record shown)."""
        return self._loads.busy

    # -- subclass hooks

    async def _fetch(self, record_id: str) -> T:
        raise NotImplementedError

    def _render(self, record: T) -> None:
        raise NotImplementedError

    def _nothing_text(self) -> str:
        return f"Select {article(self.kind)} {self.kind} in the list to see its details."

    # -- states

    def _sign_in(self) -> int | None:
        ws = self._workspace
        return ws.session.generation if ws.ready else None

    def _allowed(self) -> bool:
        ws = self._workspace
        return ws.ready and not ws.unavailable and ws.session.has(self._permission)

    def _stopped(self) -> bool:
        return self._workspace.ready and bool(self._workspace.unavailable)

    def _why_not(self) -> str:
        if not self._workspace.ready:
            return NOT_CONNECTED
        return self._workspace.session.why_not(self._permission)

    def _show_state(self, show: Callable[[], None]) -> None:
        self.header.setVisible(False)
        self.notice.setVisible(False)
        show()
        self.stack.setCurrentWidget(self.state)

    # -- loading

    def load(self, record_id: str) -> None:
        """Show the record ``record_id`` (a newer call supersedes an older one)."""
        self.record_id = record_id
        if self._stopped():
            self._show_stopped()
            return
        if not self._allowed():
            self._loads.cancel()
            self._show_state(lambda: self.state.show_message(self._why_not()))
            return
        if not tasks.loop_running():
            return  # the app is shutting down: nothing could load it
        if self.record is None or self._id_of(self.record) != record_id:
            # The record shown before is no longer "the one shown": actions that follow it
            # (a new prescription for the patient shown) must not reach it while another
            # record loads, or after that one failed to load.
            self.record = None
            self._show_state(lambda: self.state.show_loading(f"Loading {self.kind}…"))
        self._loads.spawn(self._load(record_id), name=f"{self.kind}-detail")

    def refresh(self) -> None:
        """Reload the record shown (F5); keeps the current content visible meanwhile."""
        if self.record_id is not None:
            self.load(self.record_id)

    def clear(self) -> None:
        self._loads.cancel()
        self.record_id = None
        self.record = None
        self._show_state(lambda: self.state.show_empty(self._nothing_text()))
        self._forget_shown()

    def _forget_shown(self) -> None:
        """Empty what the last record filled in: after a switch of environment or organization
        nothing of it may linger in hidden widgets (or reach a screen reader)."""
        self.title.setText("")
        self.badge.clear()
        for grid in self.findChildren(FieldGrid):
            for label in grid.values:
                grid.set(label, "")
        for model in self.findChildren(RowsModel):
            model.set_rows(())

    def cancel_tasks(self) -> None:
        self._loads.cancel()

    def _show_stopped(self) -> None:
        """Its server stopped: what was shown is gone with it (the record stays chosen)."""
        self._loads.cancel()
        self.record = None
        self._show_state(lambda: self.state.show_stopped(stopped_text(f"no {self.kind} to show")))

    def _on_availability(self) -> None:
        if self._stopped():
            self._show_stopped()
        elif self.record_id is not None:
            self.load(self.record_id)
        else:
            self.clear()

    def note(self, text: str) -> None:
        """A line above the record (a failed refresh, a write in progress); "" hides it."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_record(self, record: T) -> None:
        """Render ``record`` (after a load, or the record a save returned)."""
        self.record = record
        self.record_id = self._id_of(record)
        self._render(record)
        self.note("")
        self.header.setVisible(True)
        self.stack.setCurrentWidget(self._content)
        self.loaded.emit(record)

    @staticmethod
    def _id_of(record: Any) -> str:
        return str(record.id)

    def _on_session_changed(self) -> None:
        signed_in_as, allowed = self._sign_in(), self._allowed()
        changed = signed_in_as != self._signed_in_as or allowed != self._was_allowed
        self._signed_in_as, self._was_allowed = signed_in_as, allowed
        # Nothing shown (a failed load) is loaded again; a load still out answers by itself.
        failed = self.record is None and not self._loads.busy
        if self.record_id is not None and (changed or failed):
            self.load(self.record_id)

    async def _load(self, record_id: str) -> None:
        try:
            record = await self._fetch(record_id)
        except errors.PermissionMissing:
            self._show_state(lambda: self.state.show_message(self._why_not()))
            return
        except errors.NotFound:
            self.record = None
            missing = f"This {self.kind} does not exist or is not visible to your organization."
            self._show_state(lambda: self.state.show_empty(missing))
            return
        except errors.PhotonError as exc:
            if self.record is not None and self._id_of(self.record) == record_id:
                self._refresh_failed(exc)  # keep what is shown
                return
            message = f"Could not load the {self.kind}: {exc}"
            self._show_state(lambda: self.state.show_error(message, retry=self.refresh))
            return
        try:
            self.show_record(record)
        except Exception:  # a record the view cannot draw must not leave it "Loading…" forever
            log.exception("could not show %s %s", self.kind, record_id)
            self.record = None
            message = (
                f"This {self.kind} could not be shown: Photon sent a value the app cannot display."
            )
            self._show_state(lambda: self.state.show_error(message, retry=self.refresh))

    def _refresh_failed(self, error: errors.PhotonError) -> None:
        """Hook: a refresh failed while a record is shown (default: keep it, say so)."""
        self.note(f"Could not refresh: {error} Showing what was loaded before.")
