"""Nothing of the session's secrets or of the patients seen leaves through the support tools.

A signed-in user (real RS256 tokens, a refresh token) reads patients, opens one, runs console
queries with a patient's name as a variable and as a literal, and meets a failing call; then the
ticket bundle, the console history/snippets (the QSettings file) and a CSV are written. The bundle
and the settings must hold no token, secret, patient name or date of birth; the CSV holds them
(it is patient data by design), which proves the search would find them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from ui_support import Connection, next_emission, until

from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def found(needle: str, haystack: str) -> bool:
    """``needle`` as a whole word (names like "Ann" inside "Annotation" do not count)."""
    return re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", haystack) is not None


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_bundle_and_history_hold_no_secret_and_no_patient_detail(
    arun: Run,
    sandbox: Any,
    widgets: list[QWidget],
    tmp_path: Path,
    ui_settings: Path,
    memory_keyring: Any,
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("prescriber")
            page = SupportPage(conn.workspace)
            page.resize(1100, 700)
            page.show()
            widgets.append(page)
            services = conn.services

            seen = (await services.patients.search(None, first=25)).items
            detail = await services.patients.get(seen[0].id)
            target = seen[1]
            await services.prescriptions.list(patient_name=target.name.last, first=5)
            console = page.console
            console.editor.setPlainText(
                "query Find($name: String) { patients(filter: {name: $name}, first: 3) "
                "{ id name { first last } dateOfBirth phone email } }"
            )
            console.variables.setPlainText(json.dumps({"name": target.name.last}))
            console.run()
            await until(lambda: console.status.text() == "Done.")
            console.save_snippet()
            console.editor.setPlainText(
                f"# looking for {detail.name.first}\n"
                f'query {{ patients(filter: {{name: "{detail.name.last}"}}, first: 2) '
                "{ id name { full } } }"
            )
            console.variables.setPlainText("")
            console.run()
            await until(lambda: console.status.text() == "Done.")
            console.save_snippet()
            sandbox.fail_next({"kind": "status", "status": 500})
            console.run()
            await until(lambda: console.status.text().startswith(("Failed", "Done")))

            bundle_path = tmp_path / "ticket.json"
            page.request_log.table.clearSelection()
            page.request_log.export_ticket(bundle_path)
            assert (await next_emission(page.request_log.exported, within=40))[0] is not None
            csv_path = tmp_path / "patients.csv"
            page.export.export(csv_path)
            await next_emission(page.export.finished, within=30)
            QSettings().sync()

            secrets = {
                "access token": await conn.session.access_token(),
                "refresh token": conn.session._refresh,
                "client secret": sandbox.m2m_client_secret,
                "admin key": sandbox.admin_key,
            }
            assert all(secrets.values())
            people = [*seen, detail]
            details = {p.name.first for p in people} | {p.name.last for p in people}
            details |= {p.date_of_birth.isoformat() for p in people}
            details |= {p.date_of_birth.strftime("%m/%d/%Y") for p in people}
            details |= {p.phone for p in people}
            bundle = bundle_path.read_text(encoding="utf-8")
            settings = "".join(
                f.read_text(encoding="utf-8", errors="replace")
                for f in ui_settings.rglob("*.ini")  # noqa: ASYNC240
            )
            assert "console_history" in settings and "console_snippets" in settings
            csv_text = csv_path.read_text(encoding="utf-8")
            for what, value in secrets.items():
                assert value not in bundle, what
                assert value not in settings, what
            leaked = sorted(d for d in details if found(d, bundle) or found(d, settings))
            assert leaked == []
            # The search can find them: the CSV (patient data by design) holds every one.
            assert all(found(p.name.last, csv_text) for p in seen)
            assert all(found(p.date_of_birth.isoformat(), csv_text) for p in seen)
            # The bundle still serves support: operations, ids and the failure.
            calls = json.loads(bundle)["calls"]
            operations = {c["operation"] for c in calls}
            assert {"SearchPatients", "GetPatient", "Find"} <= operations
            assert seen[0].id in bundle
            assert any(c["status"] == 500 for c in calls)
        finally:
            await conn.aclose()

    arun(scenario(), timeout=60)
