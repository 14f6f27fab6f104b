"""The session inspector against the sandbox, for each demo user's real sign-in and for M2M.

It shows the environment, the discovered endpoints, the token's subject, organization, scopes and
permissions (compared with the access token itself), a countdown, and the decoded token marked
not verified locally. The refresh token and the M2M secret appear in no text of the widget tree;
copying the access token happens only after the warning is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget
from support_screens import SHOTS, all_texts, shoot
from ui_support import Connection, until

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


async def open_inspector(conn: Connection, widgets: list[QWidget]) -> SupportPage:
    page = SupportPage(conn.workspace)
    widgets.append(page)
    page.resize(1100, 900)
    page.show()
    page.tabs.setCurrentWidget(page.session)
    inspector = page.session
    await until(lambda: inspector.report is not None and inspector.status.text() == "")
    return page


@pytest.mark.parametrize("role", ["prescriber", "staff", "support"])
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_inspector_shows_each_demo_user_and_never_the_refresh_token(
    arun: Run, sandbox: Any, widgets: list[QWidget], role: str
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user(role)
            page = await open_inspector(conn, widgets)
            inspector = page.session
            token = conn.session.current_access_token()
            assert token is not None
            claims = jwt.decode(token, options={"verify_signature": False})
            values = {k: label.text() for k, label in inspector.values.items()}
            assert values["kind"].startswith("User")
            assert values["subject"] == claims["sub"]
            assert values["organization"] == conn.session.organization_id
            assert values["permissions"] == ", ".join(sorted(claims["permissions"]))
            assert "offline_access" in values["requested"]
            endpoints = dict(inspector.endpoint_rows())
            assert endpoints["Token"] == sandbox.token_url
            assert endpoints["GraphQL"] == sandbox.graphql_url
            assert endpoints["Endpoints from"] == "OpenID discovery"
            assert endpoints["Signing keys (JWKS)"].startswith(sandbox.base_url)
            assert values["refresh"].startswith("present, received")
            assert "MemoryKeyring" in values["refresh"] or "keyring" in values["refresh"]
            assert "not verified locally" in inspector.jwt_title.text()
            assert f'"sub": "{claims["sub"]}"' in inspector.jwt.toPlainText()
            assert '"alg": "RS256"' in inspector.jwt.toPlainText()
            left = inspector.report.seconds_left()  # type: ignore[union-attr]
            assert left is not None and 0 < left <= claims["exp"] - claims["iat"]

            stored = list(conn.session._store.backend.entries.values())  # type: ignore[union-attr]
            assert stored, "the sign-in kept a refresh token in the keyring"
            texts = all_texts(page)
            for secret in stored:
                assert secret not in texts
            assert token not in texts  # the raw access token only through the copy action
        finally:
            await conn.aclose()

    arun(scenario())


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_m2m_session_countdown_and_copy_behind_a_warning(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = await open_inspector(conn, widgets)
            inspector = page.session
            report = inspector.report
            assert report is not None and report.expires_at is not None
            assert inspector.values["kind"].text().startswith("Machine")
            assert inspector.values["refresh"].text().startswith("none")
            inspector.tick(report.expires_at - timedelta(seconds=75))
            assert inspector.values["countdown"].text() == "1 min 15 s"
            inspector.tick(report.expires_at + timedelta(seconds=1))
            assert inspector.values["countdown"].text().startswith("expired")
            assert sandbox.m2m_client_secret not in all_texts(page)

            QGuiApplication.clipboard().setText("before")
            for accept in (False, True):
                inspector.copy_button.click()
                await until(lambda: inspector.findChild(QMessageBox, "copy-token-warning"))
                box = inspector.findChild(QMessageBox, "copy-token-warning")
                assert "act as you" in box.text()
                wanted = [
                    b for b in box.buttons()
                    if (box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole) == accept
                ]  # fmt: skip
                wanted[0].click()
                await until(lambda: inspector.status.text() != "")
                if not accept:
                    assert QGuiApplication.clipboard().text() == "before"
                    assert inspector.status.text() == "Not copied."
                inspector.status.setText("")
                await until(lambda: not inspector.findChild(QMessageBox, "copy-token-warning"))
            assert QGuiApplication.clipboard().text() == conn.session.current_access_token()
        finally:
            QGuiApplication.clipboard().clear()
            await conn.aclose()

    arun(scenario())


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_inspector_screenshots(
    arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("prescriber")
            page = await open_inspector(conn, widgets)
            shoot(page, f"session-{scheme}")
        finally:
            await conn.aclose()

    arun(scenario())
