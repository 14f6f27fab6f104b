"""Nothing of a session's secrets or of the patients it saw leaves through what the app writes.

A realistic session against the running sandbox, logged at --verbose level: the app connects with
the organization's M2M client (its secret remembered in the keyring), browses the patient list and
opens patients, then the prescriber signs in (refresh token into the keyring) and an expired
access token is renewed with it; the console runs queries (a patient's name as a variable and as
a literal, one answering with names and dates of birth); a call fails; the patient, prescription
and order lists are saved as CSV through the save dialog; a ticket bundle is exported (with the
environment check, which exchanges the keyring's M2M secret for yet another token).

Every token the token endpoint handed out (access, ID, refresh), the M2M secret and every patient
name and date of birth the UI showed, in each format it showed them, are then searched for in the
ticket bundle, the console history and snippets, the settings file and the log: none may be found.
The CSVs are patient data by design (their save dialog says so) but hold no token or secret. The
search itself is shown to find planted values, and the CSVs do hold the names it looks for.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QWidget
from ui_support import Connection, column, next_emission, until

from photon_desktop import logs
from photon_desktop.auth.profiles import save_profile
from photon_desktop.auth.secret_store import SecretStore, m2m_secret_user, refresh_token_user
from photon_desktop.desktop import QtSettingsStore
from photon_desktop.ui.common.formatting import fmt_birth_date, fmt_date, fmt_phone
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.support.export import PATIENT_DATA_NOTE
from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
TOKEN_KINDS = ("access_token", "id_token", "refresh_token")


def found(needle: str, haystack: str) -> bool:
    """``needle`` as a whole word (names like "Ann" inside "Annotation" do not count)."""
    at = haystack.find(needle)
    while at >= 0:  # str.find, then the word boundaries: a regex per name is too slow for a log
        end = at + len(needle)
        if not (at and _word(haystack[at - 1])) and not (
            end < len(haystack) and _word(haystack[end])
        ):
            return True
        at = haystack.find(needle, at + 1)
    return False


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def leaks(
    haystacks: Mapping[str, str], secrets: Mapping[str, Iterable[str]], details: Iterable[str]
) -> list[str]:
    """Every secret (anywhere, even inside a word) and patient detail (as a word) found, with
    where; any JWT at all counts too (all of Photon's tokens are JWTs)."""
    hits = []
    for where, text in haystacks.items():
        hits += [
            f"{kind} in {where}"
            for kind, values in secrets.items()
            if any(v in text for v in values)
        ]
        if re.search(r"\beyJ[\w-]+\.[\w-]+\.", text):
            hits.append(f"a JWT in {where}")
        hits += [f"{d!r} in {where}" for d in details if found(d, text)]
    return sorted(hits)


class TokenTap:
    """Keeps every token the token endpoint hands this client (an httpx response hook)."""

    def __init__(self) -> None:
        self.values: dict[str, set[str]] = defaultdict(set)

    async def __call__(self, response: httpx.Response) -> None:
        if not response.request.url.path.endswith("/oauth/token"):
            return
        await response.aread()
        if response.status_code == 200:
            answer = response.json()
            for kind in TOKEN_KINDS:
                if answer.get(kind):
                    self.values[kind].add(answer[kind])


class Seen:
    """Every patient name, date of birth and phone number the UI showed, in each format."""

    def __init__(self) -> None:
        self.details: set[str] = set()

    def person(self, first: str, last: str, full: str | None, born: date | None) -> None:
        self.details |= {first, last, full or f"{first} {last}"}
        if born is not None:
            self.details |= {
                born.isoformat(),
                fmt_date(born),
                fmt_birth_date(born),
                born.strftime("%m/%d/%Y"),
            }

    def record(self, patient: Any) -> None:
        n = patient.name
        self.person(n.first, n.last, n.full, patient.date_of_birth)
        if patient.phone:
            self.details |= {patient.phone, fmt_phone(patient.phone)}

    def answer(self, data: Any) -> None:
        """Patients in a console answer (plain JSON)."""
        for p in data["patients"]:
            n = p["name"]
            born = date.fromisoformat(p["dateOfBirth"]) if p.get("dateOfBirth") else None
            self.person(n.get("first") or "", n.get("last") or "", n.get("full"), born)

    def words(self) -> set[str]:
        return {d for d in self.details if len(d) >= 2}


@pytest.fixture
def verbose_log(tmp_path: Path, root_logging: logging.Logger) -> Path:
    """The app's logging as ``--verbose`` sets it up, into tmp; undone afterwards."""
    folder = tmp_path / "logs"
    logs.configure(folder, verbose=True)
    return folder


async def open_patients(window: MainWindow, rows: Iterable[int], seen: Seen) -> None:
    """Select each row of the patient list as a user clicks it; its detail loads."""
    page = window.patients
    for row in rows:
        page.list.table.selectRow(row)
        (patient,) = await next_emission(page.detail.loaded, within=20)
        seen.record(patient)


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_a_realistic_session_leaves_no_secret_and_no_patient_detail_behind(
    arun: Run,
    sandbox: Any,
    widgets: list[QWidget],
    tmp_path: Path,
    ui_settings: Path,
    memory_keyring: MemoryKeyring,
    verbose_log: Path,
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    bundle_path = exports / "ticket.json"

    async def scenario() -> tuple[TokenTap, Seen, Any, list[Any], str]:
        conn = Connection(sandbox, Workspace(), store=SecretStore())  # the (test) OS keyring
        tap = TokenTap()
        conn.http.event_hooks = {"response": [tap]}
        save_profile(conn.environment.key, conn.session.profile, QtSettingsStore())
        seen = Seen()
        try:
            # The organization's M2M client, its secret remembered as Settings does.
            await conn.session.use_m2m(
                sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=True
            )
            window = MainWindow(conn.workspace)
            widgets.append(window)
            conn.workspace.set(conn.environment, conn.session, conn.services)
            window.resize(1280, 800)
            window.show()
            await next_emission(window.patients.first_page_loaded, within=20)
            await open_patients(window, [0, 3], seen)

            # The prescriber signs in; later the API calls the access token expired.
            await conn.as_user("prescriber")
            (patient,) = await next_emission(window.patients.detail.loaded, within=20)
            seen.record(patient)  # the open patient, loaded again for the new sign-in
            await until(lambda: window.patients.list.model.rowCount() > 5, within=20)
            sandbox.fail_next({"kind": "expired_token"})
            await open_patients(window, [1, 7], seen)
            model = window.patients.list.model
            for row in range(model.rowCount()):
                seen.record(model.item(row))
            seen.details |= set(column(model, "Name")) | set(column(model, "Date of birth"))

            # The console: a name as a variable, a name as a literal, an answer full of names.
            assert window.show_page("support")
            support = window.page("support")
            assert isinstance(support, SupportPage)
            console = support.console
            support.tabs.setCurrentWidget(console)
            target = model.item(2)
            console.editor.setPlainText(
                "query Find($name: String) { patients(filter: {name: $name}, first: 3) "
                "{ id name { first last full } dateOfBirth phone email } }"
            )
            console.variables.setPlainText(json.dumps({"name": target.name.last}))
            console.run()
            await until(lambda: console.status.text() == "Done.", within=20)
            assert console.last_answer is not None and console.last_answer.data
            seen.answer(console.last_answer.data)
            console.save_snippet()
            console.editor.setPlainText(
                f"# looking for {target.name.first} born {target.date_of_birth.isoformat()}\n"
                f'query {{ patients(filter: {{name: "{target.name.last}"}}, first: 2) '
                "{ id name { full } dateOfBirth } }"
            )
            console.variables.setPlainText("")
            console.run()
            await until(lambda: console.status.text() == "Done.", within=20)
            seen.answer(console.last_answer.data)
            console.save_snippet()
            sandbox.fail_next({"kind": "status", "status": 500})
            console.run()
            await until(lambda: console.status.text().startswith(("Failed", "Done")), within=30)

            # The three lists as CSV, through the save dialog that says they are patient data.
            export = support.export
            support.tabs.setCurrentWidget(export)
            for kind in ("patients", "prescriptions", "orders"):
                export.kind.setCurrentIndex(export.kind.findData(kind))
                export.state.setCurrentIndex(0)  # any state
                dialog = export.choose_file()
                warnings = [w.text() for w in dialog.findChildren(QLabel)]
                assert PATIENT_DATA_NOTE in warnings
                assert "patient data" in dialog.windowTitle()
                assert "patient data" in PATIENT_DATA_NOTE
                dialog.selectFile(str(exports / f"{kind}.csv"))
                dialog.accept()
                (count,) = await next_emission(export.finished, within=60)
                assert count > 0

            # The ticket bundle: every call of the session and the environment check.
            log_view = support.request_log
            support.tabs.setCurrentWidget(log_view)
            log_view.table.clearSelection()
            log_view.export_ticket(bundle_path)
            (bundle,) = await next_emission(log_view.exported, within=60)
            assert bundle is not None
            QSettings().sync()
            for handler in logging.getLogger().handlers:
                handler.flush()
            listed = [model.item(r) for r in range(model.rowCount())]
            return tap, seen, target, listed, conn.environment.key
        finally:
            await conn.aclose()

    tap, seen, target, listed, env_key = arun(scenario(), timeout=180)

    tokens = tap.values
    assert len(tokens["access_token"]) >= 3  # M2M, the user's, the renewed one
    assert tokens["id_token"] and tokens["refresh_token"]
    kept = set(memory_keyring.entries.values())
    assert sandbox.m2m_client_secret in kept  # the secret and the refresh token were in
    assert kept & tokens["refresh_token"]  # the keyring, so the search is about real values
    service = f"photon-desktop:{env_key}"
    assert (service, m2m_secret_user(sandbox.m2m_client_id)) in memory_keyring.entries
    per_organization = refresh_token_user(sandbox.native_client_id) + ":"  # one per organization
    assert any(
        where == service and user.startswith(per_organization)
        for where, user in memory_keyring.entries
    )
    secrets = {
        "an access token": tokens["access_token"],
        "an ID token": tokens["id_token"],
        "a refresh token": tokens["refresh_token"],
        "the M2M client secret": {sandbox.m2m_client_secret},
        "the sandbox admin key": {sandbox.admin_key},
    }
    details = seen.words()
    assert len(details) > 100  # a page of patients, their details and the console's

    # ------------------------------------------------------------------ what was written
    def read(paths: Iterable[Path]) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)

    bundle_text = bundle_path.read_text(encoding="utf-8")
    settings_text = read(ui_settings.glob("**/*.ini"))
    log_text = read(verbose_log.iterdir())
    csvs = {
        kind: (exports / f"{kind}.csv").read_text("utf-8")
        for kind in ("patients", "prescriptions", "orders")
    }
    assert "console_history" in settings_text and "console_snippets" in settings_text
    assert sandbox.m2m_client_id in settings_text  # the settings file is the real one
    assert " DEBUG " in log_text and " INFO " in log_text
    assert json.loads(bundle_text)["check"]["ok"] is True  # the check used the keyring

    written = {
        "ticket bundle": bundle_text,
        "settings and console history": settings_text,
        "log": log_text,
    }
    assert leaks(written, secrets, details) == []
    assert leaks(csvs, secrets, ()) == []

    # ------------------------------------------------------------------ the search can fail
    name, born = target.name.last, fmt_birth_date(target.date_of_birth)
    token = next(iter(tokens["refresh_token"]))
    planted = {"log": log_text + f"\nrefreshed with {token} for {name}, {born}"}
    hits = set(leaks(planted, secrets, details))
    assert {"a refresh token in log", f"{name!r} in log", f"{born!r} in log"} <= hits
    jwt = next(iter(tokens["id_token"]))
    assert leaks({"bundle": f'{{"x": "{jwt}"}}'}, {}, ()) == ["a JWT in bundle"]
    assert leaks({"log": log_text + "\nnothing planted"}, secrets, details) == []
    # The CSV (patient data by design) holds the names and dates of birth the search uses.
    assert all(found(p.name.last, csvs["patients"]) for p in listed)
    assert all(found(p.date_of_birth.isoformat(), csvs["patients"]) for p in listed)

    # The bundle still serves support: operations, ids, the failure and the check.
    calls = json.loads(bundle_text)["calls"]
    assert {"SearchPatients", "GetPatient", "Find"} <= {c["operation"] for c in calls}
    assert listed[0].id in bundle_text
    assert any(c["status"] == 500 for c in calls)
