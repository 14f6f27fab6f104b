"""The session inspector: the environment, every endpoint and the sign-in as support needs to
see them, with a live countdown to the access token's expiry.

The token's header and claims are shown decoded and marked "not verified locally" (the API checks
the signature). Copying the raw access token is an explicit action behind a warning; the refresh
token and secrets are never shown, only whether a refresh token is held and where it is kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain.durations import format_duration
from photon_desktop.services.session_inspector import (
    SessionReport,
    copyable_access_token,
    inspect_session,
)
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import fmt_datetime
from photon_desktop.ui.common.questions import answer
from photon_desktop.ui.workspace import Workspace

COPY_WARNING = (
    "Anyone holding this access token can act as you in Photon until it expires. Paste it only "
    "where you must (never in a ticket, chat or e-mail). Copy it?"
)


class SessionInspector(QWidget):
    """A read-only report of the workspace's session, re-read whenever the session changes."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Session inspector")
        self.workspace = workspace
        self.report: SessionReport | None = None
        self._reading = tasks.Latest(owner=self)
        self.values: dict[str, QLabel] = {}
        form_host = QWidget()
        self.form = QFormLayout(form_host)
        for key, title in (
            ("environment", "Environment"),
            ("kind", "Token kind"),
            ("subject", "Subject"),
            ("organization", "Organization"),
            ("requested", "Requested scopes"),
            ("granted", "Granted scopes"),
            ("permissions", "Permissions"),
            ("issued", "Issued"),
            ("expires", "Expires"),
            ("countdown", "Time left"),
            ("refresh", "Refresh token"),
        ):
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(title)
            self.values[key] = value
            self.form.addRow(title + ":", value)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.endpoints_box = QGroupBox("Endpoints")
        self.endpoints = QFormLayout(self.endpoints_box)
        self.jwt_title = QLabel("Access token, decoded — not verified locally (the API checks it)")
        self.jwt = QPlainTextEdit(readOnly=True)
        self.jwt.setFont(mono)
        self.jwt.setAccessibleName("Decoded access token")
        self.jwt.setMinimumHeight(180)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.reload_button = QPushButton("Reload")
        self.reload_button.clicked.connect(self.reload)
        self.copy_button = QPushButton("Copy access token…")
        self.copy_button.setToolTip("Copies the raw access token after a warning")
        self.copy_button.clicked.connect(self.copy_token)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(form_host)
        column.addWidget(self.endpoints_box)
        column.addWidget(self.jwt_title)
        column.addWidget(self.jwt, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        workspace.session_changed.connect(self.reload)
        workspace.environment_changed.connect(self.reload)

    # ------------------------------------------------------------------ reading

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.clock.start()
        self.reload()

    def hideEvent(self, event: object) -> None:
        super().hideEvent(event)  # type: ignore[arg-type]
        self.clock.stop()

    def reload(self) -> None:
        """Read the session again (discovery may be asked once per session); hidden, nothing is
        read until the tab is shown."""
        if not self.workspace.ready or not tasks.loop_running() or not self.isVisible():
            return
        self.status.setText("Reading the session…")
        self._reading.spawn(self._read(), name="inspect-session")

    async def _read(self) -> None:
        report = await inspect_session(self.workspace.session)
        self.show_report(report)

    def show_report(self, report: SessionReport) -> None:
        self.report = report
        v = self.values
        v["environment"].setText(report.environment)
        while self.endpoints.rowCount():
            self.endpoints.removeRow(0)
        for what, url in report.endpoints:
            value = QLabel(url)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.endpoints.addRow(what + ":", value)
        if report.endpoints_problem:
            self.endpoints.addRow(QLabel(report.endpoints_problem))
        v["kind"].setText(report.token_kind)
        v["subject"].setText(report.subject or "—")
        v["organization"].setText(report.organization or "—")
        v["requested"].setText(" ".join(report.requested_scopes) or "none asked (the default)")
        v["granted"].setText(" ".join(report.granted_scopes) or "none stated in the token")
        if report.permissions_known:
            v["permissions"].setText(", ".join(report.permissions) or "none")
        else:
            v["permissions"].setText("not stated by the token: the API decides each call")
        v["issued"].setText(fmt_datetime(report.issued_at) if report.issued_at else "—")
        v["expires"].setText(fmt_datetime(report.expires_at) if report.expires_at else "—")
        if report.refresh_present:
            since = report.refresh_received_at
            when = f", received {fmt_datetime(since)}" if since else ""
            v["refresh"].setText(
                f"present{when}; kept in the keyring ({report.keyring_backend}); never shown"
            )
        else:
            v["refresh"].setText(f"none (keyring: {report.keyring_backend})")
        self.jwt.setPlainText(
            "Header:\n"
            + json.dumps(report.header, indent=2, sort_keys=True, default=str)
            + "\n\nClaims:\n"
            + json.dumps(report.claims, indent=2, sort_keys=True, default=str)
            if report.claims or report.header
            else "No access token (or an opaque one that cannot be decoded)."
        )
        self.copy_button.setEnabled(bool(report.claims or report.header))
        self.status.setText("")
        self.tick()

    def endpoint_rows(self) -> list[tuple[str, str]]:
        """The endpoints as shown: (what, URL) per row."""
        rows = []
        for row in range(self.endpoints.rowCount()):
            label = self.endpoints.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.endpoints.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None:
                continue
            title, value = label.widget(), field.widget()
            assert isinstance(title, QLabel) and isinstance(value, QLabel)
            rows.append((title.text().rstrip(":"), value.text()))
        return rows

    def tick(self, now: datetime | None = None) -> None:
        """Update the countdown (every second while shown)."""
        left = self.report.seconds_left(now or datetime.now(UTC)) if self.report else None
        label = self.values["countdown"]
        if left is None:
            label.setText("—")
        elif left <= 0:
            label.setText("expired (renewed on the next call)")
        else:
            label.setText(format_duration(left))

    # ------------------------------------------------------------------ copying

    def copy_token(self) -> None:
        tasks.spawn(self._copy_after_warning(), owner=self, name="copy-token")

    def warning_box(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Copy access token",
            COPY_WARNING,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("copy-token-warning")
        box.addButton("Copy token", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box

    async def _copy_after_warning(self) -> None:
        box = self.warning_box()
        clicked = await answer(box)
        if clicked is None or box.buttonRole(clicked) is not QMessageBox.ButtonRole.AcceptRole:
            self.status.setText("Not copied.")
            return
        token = copyable_access_token(self.workspace.session)
        if token is None:
            self.status.setText("There is no access token to copy.")
            return
        QGuiApplication.clipboard().setText(token)
        self.status.setText("Access token copied. Clear your clipboard when done.")

    def cancel_tasks(self) -> None:
        tasks.cancel_all(self)
