"""Settings: where to connect and with which credentials, per environment.

The pane edits one environment at a time. Non-secret fields go to the settings store, the M2M
client secret only to the OS keyring, and "Test connection" runs a client-credentials exchange
without touching the session. Everything goes through one small ``CredentialsBackend``
(``services.credentials.CredentialsService`` in the app), so no view builds an HTTP client.

Nothing typed is lost: each environment keeps its draft in memory while the user switches between
them, and a failed test or save leaves every field as it was.

Over 500 lines because it is one form: its fields, per-environment drafts, validation marks and
the four actions share the same widgets. What each field accepts (``checks.form_problems``) and
what the pane needs of the service (``backend.CredentialsBackend``) live beside it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.services.credentials import (
    BUILT_IN,
    Environment,
    EnvironmentKind,
    Profile,
    client_secret,
    environment_for,
)
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.common.validated_field import ValidatedField
from photon_desktop.ui.settings.backend import CredentialsBackend
from photon_desktop.ui.settings.checks import (
    describe_error,
    describe_grant,
    form_problems,
    parse_ports,
)

# ----------------------------------------------------------------------------- widgets


_STYLE = """
QLabel#productionBanner {
    background: #b71c1c; color: white; font-weight: bold; padding: 8px 12px; border-radius: 4px;
}
QFrame#environmentBox[production="true"] { border: 3px solid #b71c1c; border-radius: 6px; }
QLabel#result { border: none; border-left: 4px solid palette(mid); padding: 6px 10px; }
QLabel#result[ok="true"] { border-left-color: #2e7d32; background: rgba(46, 125, 50, 0.12); }
QLabel#result[ok="false"] { border-left-color: #d32f2f; background: rgba(211, 47, 47, 0.12); }
QLabel#keyringNotice {
    border: none; border-left: 4px solid #ef6c00; background: rgba(239, 108, 0, 0.12);
    padding: 6px 10px;
}
"""


class SettingsPane(QWidget):
    """Edit, test and forget the credentials of each environment.

    Signals: ``saved(env_key)`` after the non-secret settings and the secret were stored;
    ``connect_requested(env_key)`` when the user asks to use these credentials now (after saving).
    """

    saved = Signal(str)
    connect_requested = Signal(str)
    busy_changed = Signal(bool)  # a test, save or forget started (True) or ended (False)

    def __init__(
        self,
        backend: CredentialsBackend,
        *,
        environments: Sequence[Environment] = BUILT_IN,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Settings")
        self.setStyleSheet(_STYLE)
        self._backend = backend
        self._environments = {env.key: env for env in environments}
        self._drafts: dict[str, dict[str, str]] = {}
        self._loaded_key: str | None = None
        self._busy = False
        self._secret_loads = tasks.Latest(owner=self)
        self._test_run = tasks.Latest(owner=self)
        self._local_stopped = ""

        self._build()
        if current is None:  # the environment the user looked at last time
            current = preferences.SETTINGS_ENVIRONMENT.get()
        start = current if current in self._environments else next(iter(self._environments))
        self.environment_combo.setCurrentIndex(self.environment_combo.findData(start))
        self._show_environment(start)
        self.environment_combo.currentIndexChanged.connect(self._on_environment_picked)
        self.show_keyring_notice()

    def add_section(self, section: QWidget) -> None:
        """A feature's own settings (e.g. order updates), below the environment."""
        section.setParent(self)
        self._sections.addWidget(section)

    def set_environment(self, environment: Environment) -> None:
        """Replace the endpoints of one environment (e.g. the local sandbox once it runs)."""
        self._environments[environment.key] = environment
        if self._loaded_key == environment.key:
            self._drafts[environment.key] = self._draft()
            self._show_environment(environment.key)

    def set_local_sandbox_stopped(self, reason: str) -> None:
        """The bundled sandbox stopped (``reason``) or runs again (""): say so, not its address."""
        self._local_stopped = reason
        if self._loaded_key is not None:
            self._drafts[self._loaded_key] = self._draft()
            self._show_environment(self._loaded_key)

    def cancel_tasks(self) -> None:
        """Stop this pane's background work (from the window's ``closeEvent``)."""
        tasks.cancel_all(self)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.environment_combo = QComboBox(self)
        self.environment_combo.setAccessibleName("Environment")
        for env in self._environments.values():
            self.environment_combo.addItem(env.name, env.key)

        self.production_banner = QLabel(
            "PRODUCTION — these credentials act on real patients, real prescriptions and real "
            "pharmacies.",
            self,
        )
        self.production_banner.setObjectName("productionBanner")
        self.production_banner.setWordWrap(True)
        self.production_banner.setAccessibleName("Production warning")
        self.production_banner.setVisible(False)

        self.endpoints_label = QLabel(self)
        self.endpoints_label.setWordWrap(True)
        self.endpoints_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.endpoints_label.setAccessibleName("Environment addresses")

        self.issuer = self._text_field("Sign-in address (issuer)", "https://auth.example.com/")
        self.audience = self._text_field("API audience", "https://api.example.com")
        self.graphql_url = self._text_field("GraphQL address", "https://api.example.com/graphql")
        self.api_scopes = self._text_field(
            "API scopes", "empty: Photon's six permissions (custom) or none"
        )
        self.resource = self._text_field("API resource (RFC 8707)", "https://api.example.com")

        self.client_id = self._text_field("M2M client ID", "32 letters and digits")
        self.client_secret = self._text_field("M2M client secret", "from the Photon dashboard")
        self.client_secret.editor.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.editor.setClearButtonEnabled(False)
        self.show_secret = QToolButton(self)
        self.show_secret.setText("Show")
        self.show_secret.setCheckable(True)
        self.show_secret.setAccessibleName("Show client secret")
        self.show_secret.toggled.connect(self._toggle_secret)
        self.client_secret.add_trailing(self.show_secret)

        self.native_client_id = self._text_field("Desktop sign-in client ID", "public, no secret")
        self.organization_id = self._text_field("Organization ID (optional)", "org_…")

        self.port_ephemeral = QRadioButton("Any free port (recommended)", self)
        self.port_ephemeral.setAccessibleName("Sign-in callback: any free port")
        self.port_fixed = QRadioButton("Only these ports:", self)
        self.port_fixed.setAccessibleName("Sign-in callback: fixed ports")
        self._port_group = QButtonGroup(self)
        self._port_group.addButton(self.port_ephemeral)
        self._port_group.addButton(self.port_fixed)
        self.port_ephemeral.setChecked(True)
        self.ports = self._text_field("Fixed callback ports", "e.g. 8765, 8766")
        self.ports.setEnabled(False)
        self.port_fixed.toggled.connect(self._on_port_policy)
        ports_box = QWidget(self)
        ports_layout = QVBoxLayout(ports_box)
        ports_layout.setContentsMargins(0, 0, 0, 0)
        ports_layout.addWidget(self.port_ephemeral)
        fixed_row = QHBoxLayout()
        fixed_row.addWidget(self.port_fixed, 0, Qt.AlignmentFlag.AlignTop)
        fixed_row.addWidget(self.ports, 1)
        ports_layout.addLayout(fixed_row)

        self.keyring_notice = QLabel(self)
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setWordWrap(True)
        self.keyring_notice.setAccessibleName("Keyring notice")
        self.keyring_notice.setVisible(False)
        self.keyring_status = QLabel(self)
        self.keyring_status.setWordWrap(True)
        self.keyring_status.setAccessibleName("Where secrets are kept")
        self.keyring_status.setVisible(False)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._form = form
        form.addRow(self._label("&Environment:", self.environment_combo), self.environment_combo)
        form.addRow(self.endpoints_label)
        form.addRow(self._label("Sign-in address:", self.issuer), self.issuer)
        form.addRow(self._label("API audience:", self.audience), self.audience)
        form.addRow(self._label("GraphQL address:", self.graphql_url), self.graphql_url)
        form.addRow(self._label("API scopes:", self.api_scopes), self.api_scopes)
        form.addRow(self._label("API resource:", self.resource), self.resource)
        form.addRow(self._section("Organization credentials (machine to machine)"))
        form.addRow(self._label("Client &ID:", self.client_id), self.client_id)
        form.addRow(self._label("Client se&cret:", self.client_secret), self.client_secret)
        form.addRow(self._section("Signing in as a person"))
        native = self._label("&Desktop client ID:", self.native_client_id)
        form.addRow(native, self.native_client_id)
        form.addRow(self._label("&Organization ID:", self.organization_id), self.organization_id)
        form.addRow(self._label("Callback port:", self.port_ephemeral), ports_box)

        self.test_button = QPushButton("Test connection", self)
        self.test_button.setAccessibleName("Test connection")
        self.test_button.setToolTip("Ask Photon for a token with these credentials (Ctrl+T)")
        self.test_button.clicked.connect(self.test_connection)
        self.cancel_test_button = QPushButton("Cancel test", self)
        self.cancel_test_button.setAccessibleName("Cancel connection test")
        self.cancel_test_button.setToolTip("Stop waiting for Photon's answer (Esc)")
        self.cancel_test_button.clicked.connect(self.cancel_test)
        self.cancel_test_button.setVisible(False)
        self.save_button = QPushButton("Save", self)
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setToolTip("Save these settings (Ctrl+S); the secret goes to the keyring")
        self.save_button.clicked.connect(self.save)
        self.connect_button = QPushButton("Save and connect", self)
        self.connect_button.setAccessibleName("Save and connect with these credentials")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_now)
        self.forget_button = QPushButton("Forget credentials…", self)
        self.forget_button.setAccessibleName("Forget credentials")
        self.forget_button.setToolTip("Delete this environment's secrets from the keyring")
        self.forget_button.clicked.connect(self.forget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.cancel_test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.connect_button)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Working")
        self.progress.setVisible(False)
        self.result = QLabel(self)
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName("Connection test result")
        self.result.setVisible(False)

        self.environment_box = QFrame(self)
        self.environment_box.setObjectName("environmentBox")
        box_layout = QVBoxLayout(self.environment_box)
        box_layout.addWidget(self.production_banner)
        box_layout.addLayout(form)
        box_layout.addWidget(self.keyring_notice)
        box_layout.addWidget(self.keyring_status)
        box_layout.addLayout(buttons)
        box_layout.addWidget(self.progress)
        box_layout.addWidget(self.result)
        box_layout.addStretch(1)

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(16, 16, 16, 16)
        title = QLabel("<h2>Settings</h2>", content)
        title.setAccessibleName("Settings")
        content_layout.addWidget(title)
        content_layout.addWidget(self.environment_box)
        self._sections = content_layout  # other features add their settings below
        content.setMaximumWidth(820)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAccessibleName("Settings")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence("Ctrl+T"), self, self.test_connection)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel_test)
        self._escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._escape.setEnabled(False)  # Esc is the pane's only while a test runs

        order = [
            self.environment_combo, self.issuer.editor, self.audience.editor,
            self.graphql_url.editor, self.api_scopes.editor, self.resource.editor,
            self.client_id.editor, self.client_secret.editor, self.show_secret,
            self.native_client_id.editor, self.organization_id.editor, self.port_ephemeral,
            self.port_fixed, self.ports.editor, self.test_button, self.cancel_test_button,
            self.forget_button, self.save_button, self.connect_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

    def _text_field(self, name: str, placeholder: str) -> ValidatedField[QLineEdit]:
        edit = QLineEdit()
        edit.setClearButtonEnabled(True)
        edit.returnPressed.connect(self._press_default)
        return ValidatedField(name, edit, self, placeholder=placeholder)

    def _press_default(self) -> None:
        """Enter in a field does what the default button says: ``setDefault`` alone acts only
        inside a QDialog, and this pane is a page of the main window."""
        self.connect_button.click()  # nothing while disabled (a test or save runs)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        """A form label aligned with the first line of its field (errors appear below it)."""
        label = QLabel(text, self)
        label.setBuddy(buddy.editor if isinstance(buddy, ValidatedField) else buddy)
        label.setContentsMargins(0, 4, 0, 0)
        return label

    def _section(self, text: str) -> QLabel:
        label = QLabel(f"<b>{text}</b>", self)
        label.setContentsMargins(0, 10, 0, 0)
        return label

    # ------------------------------------------------------------------ environment switching

    @property
    def env_key(self) -> str:
        return str(self.environment_combo.currentData())

    def _fields(self) -> dict[str, ValidatedField[QLineEdit]]:
        return {
            "issuer": self.issuer,
            "audience": self.audience,
            "graphql_url": self.graphql_url,
            "api_scopes": self.api_scopes,
            "resource": self.resource,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "native_client_id": self.native_client_id,
            "organization_id": self.organization_id,
            "ports": self.ports,
        }

    def _draft(self) -> dict[str, str]:
        draft = {name: f.editor.text() for name, f in self._fields().items()}
        draft["fixed"] = "1" if self.port_fixed.isChecked() else ""
        return draft

    def _on_environment_picked(self, _index: int) -> None:
        preferences.SETTINGS_ENVIRONMENT.set(self.env_key)
        if self._loaded_key is not None:
            self._drafts[self._loaded_key] = self._draft()
        self._show_environment(self.env_key)

    def _show_environment(self, key: str) -> None:
        env = self._environments[key]
        self._loaded_key = key
        draft = self._drafts.get(key)
        if draft is None:
            saved = self._backend.load(key)
            draft = {
                "issuer": saved.issuer,
                "audience": saved.audience,
                "graphql_url": saved.graphql_url,
                "api_scopes": saved.api_scopes,
                "resource": saved.resource,
                "client_id": saved.m2m_client_id,
                "client_secret": "",
                "native_client_id": saved.native_client_id,
                "organization_id": saved.organization_id,
                "ports": ", ".join(str(p) for p in saved.fixed_ports),
                "fixed": "1" if saved.fixed_ports else "",
            }
            if saved.m2m_client_id:
                self._secret_loads.spawn(self._load_secret(key, saved.m2m_client_id))
        for name, f in self._fields().items():
            f.set_value(draft[name])
            f.set_error(None)
        (self.port_fixed if draft["fixed"] else self.port_ephemeral).setChecked(True)
        self._on_port_policy(bool(draft["fixed"]))

        editable = env.kind in (EnvironmentKind.CUSTOM, EnvironmentKind.LOCAL)
        for f in (self.issuer, self.audience, self.graphql_url, self.api_scopes, self.resource):
            f.setVisible(editable)
            label = self._form.labelForField(f)
            if label is not None:
                label.setVisible(editable)
        if env.kind is EnvironmentKind.LOCAL and self._local_stopped:
            self.endpoints_label.setText(
                f"{self._local_stopped} “Save and connect” starts a fresh one (leave the "
                "addresses empty), or enter those of another photon-sandbox."
            )
        elif env.kind is EnvironmentKind.LOCAL and env.issuer:
            self.endpoints_label.setText(
                f"The local sandbox is running at {env.issuer} — leave the addresses empty to "
                "use it, or enter those of another photon-sandbox."
            )
        elif env.kind is EnvironmentKind.LOCAL:
            self.endpoints_label.setText(
                "The app can start a local sandbox with demo data itself; leave the addresses "
                "empty for that, or enter those of a running photon-sandbox."
            )
        elif env.kind is EnvironmentKind.CUSTOM:
            self.endpoints_label.setText("Enter the addresses of your Photon deployment.")
        else:
            self.endpoints_label.setText(f"Sign-in: {env.issuer}\nAPI: {env.graphql_url}")
        production = env.is_production
        self.production_banner.setVisible(production)
        self.environment_box.setProperty("production", production)
        self.environment_box.style().unpolish(self.environment_box)
        self.environment_box.style().polish(self.environment_box)
        self.connect_button.setText(
            "Save and connect to Production" if production else "Save and connect"
        )
        self.result.setVisible(False)

    async def _load_secret(self, key: str, client_id: str) -> None:
        try:
            secret = await self._backend.load_secret(key, client_id)
        except errors.PhotonError as exc:
            self._set_keyring_notice(str(exc))
            return
        self.show_keyring_notice()  # the first keyring call has probed the store
        # Only fill an untouched field of the environment still shown.
        if secret and self._loaded_key == key and not self.client_secret.editor.text():
            self.client_secret.editor.setText(secret)

    def _toggle_secret(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.client_secret.editor.setEchoMode(mode)
        self.show_secret.setText("Hide" if shown else "Show")
        self.show_secret.setAccessibleName("Hide client secret" if shown else "Show client secret")

    def _on_port_policy(self, fixed: bool) -> None:
        self.ports.setEnabled(fixed)
        if not fixed:
            self.ports.set_error(None)

    def show_keyring_notice(self) -> None:
        """Say where secrets are kept, as the keyring probe found it (called again once it has)."""
        self._set_keyring_notice(self._backend.keyring_notice)

    def _set_keyring_notice(self, notice: str | None) -> None:
        self.keyring_notice.setText(notice or "")
        self.keyring_notice.setVisible(bool(notice))
        secure = not notice and self._backend.keyring_usable
        self.keyring_status.setText(
            f"Secrets are kept in the system keyring ({self._backend.keyring_backend})."
            if secure
            else ""
        )
        self.keyring_status.setVisible(secure)

    # ------------------------------------------------------------------ validation

    def _bundled_local(self) -> bool:
        """The local environment with no addresses typed: the sandbox the app starts itself."""
        env = self._environments[self.env_key]
        return env.kind is EnvironmentKind.LOCAL and not any(
            f.value() for f in (self.issuer, self.audience, self.graphql_url, self.client_id)
        )

    def _validate(self, *, need_secret: bool) -> bool:
        """Mark every bad field; True when all are fine. Nothing is sent before this passes."""
        env = self._environments[self.env_key]
        fields = self._fields()
        values = {name: f.value() for name, f in fields.items()}
        values["client_secret"] = self._secret()
        problems = {
            fields[name]: message
            for name, message in form_problems(
                env.kind,
                env.issuer,
                values,
                need_secret=need_secret,
                fixed_ports=self.port_fixed.isChecked(),
            ).items()
        }
        first_bad: ValidatedField[QLineEdit] | None = None
        for f, message in problems.items():
            f.set_error(message)
            if message and first_bad is None:
                first_bad = f
        if first_bad is not None:
            first_bad.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self._show_result(False, "Fix the marked fields first.")
            return False
        return True

    def environment(self) -> Environment:
        """The environment shown, with the typed addresses for Custom (and a custom Local)."""
        env = self._environments[self.env_key]
        issuer = self.issuer.value()
        if env.kind in (EnvironmentKind.CUSTOM, EnvironmentKind.LOCAL) and issuer:
            # The issuer as typed: discovery says how the provider spells it (trailing "/").
            env = env.with_endpoints(
                issuer=issuer, audience=self.audience.value(), graphql_url=self.graphql_url.value()
            )
        return environment_for(env, self.profile())

    def m2m_credentials(self) -> tuple[str, str]:
        """The client ID and secret (read on ``connect_requested``)."""
        return self.client_id.value(), self._secret()

    def _secret(self) -> str:
        """The secret in the field, without a pasted newline or spaces around it."""
        return client_secret(self.client_secret.editor.text())

    def profile(self) -> Profile:
        ports = parse_ports(self.ports.value())[0] if self.port_fixed.isChecked() else ()
        return Profile(
            m2m_client_id=self.client_id.value(),
            native_client_id=self.native_client_id.value(),
            organization_id=self.organization_id.value(),
            fixed_ports=ports,
            issuer=self.issuer.value(),
            audience=self.audience.value(),
            graphql_url=self.graphql_url.value(),
            api_scopes=" ".join(self.api_scopes.value().replace(",", " ").split()),
            resource=self.resource.value(),
        )

    # ------------------------------------------------------------------ actions

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for button in (self.test_button, self.save_button, self.connect_button, self.forget_button):
            button.setEnabled(not busy)
        self.environment_combo.setEnabled(not busy)
        self.busy_changed.emit(busy)

    def _show_result(self, ok: bool | None, text: str) -> None:
        """``ok``: green (True), red (False) or neither (None: nothing succeeded or failed)."""
        self.result.setProperty("ok", ok)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.setText(text)
        self.result.updateGeometry()
        self.result.setAccessibleDescription(text)
        self.result.setVisible(True)

    def test_connection(self) -> None:
        """Validate, then run the client-credentials exchange off the UI's critical path."""
        if self._busy or not self._validate(need_secret=True):
            return
        self._testing(True)
        self._show_result(True, "Asking Photon for a token…")
        self._test_run.spawn(self._test(self.environment(), *self.m2m_credentials()))

    def cancel_test(self) -> None:
        """Stop a running test (a slow provider can take 45 s to give up); the fields stay."""
        if not self._test_run.busy:
            return
        self._test_run.cancel()
        self._testing(False)
        self._show_result(None, "Test cancelled.")

    def _testing(self, running: bool) -> None:
        """Busy, with Cancel test (and Esc) offered only while a test runs; focus follows."""
        moving = (self.test_button if running else self.cancel_test_button).hasFocus()
        self._set_busy(running)
        self.cancel_test_button.setVisible(running)
        self._escape.setEnabled(running)
        if moving:
            (self.cancel_test_button if running else self.test_button).setFocus()

    async def _test(self, env: Environment, client_id: str, secret: str) -> None:
        try:
            info = await self._backend.test(env, client_id, secret)
        except Exception as exc:  # every failure becomes a message; the fields stay as typed
            heading, text = describe_error(exc)
            self._show_result(False, f"{heading}. {text}")
        else:
            self._show_result(True, describe_grant(env.name, info))
        finally:  # however it ends (cancelled too), unless a newer test has started since
            if self._test_run.task is asyncio.current_task():
                self._testing(False)

    def save(self) -> None:
        """Store the settings (secret to the keyring) and emit ``saved``."""
        if self._busy or not self._validate(need_secret=False):
            return
        self._set_busy(True)
        tasks.spawn(self._save(self.env_key, connect=False), owner=self)

    def connect_now(self) -> None:
        """Save, then ask the composition root to use these credentials now (the bundled
        sandbox needs none: the app has its demo pair)."""
        if self._busy or not self._validate(need_secret=not self._bundled_local()):
            return
        self._set_busy(True)
        tasks.spawn(self._save(self.env_key, connect=True), owner=self)

    async def _save(self, key: str, *, connect: bool) -> None:
        profile = self.profile()
        secret = self._secret()
        try:
            self._backend.save(key, profile)
            kept = True
            if secret and profile.m2m_client_id:
                kept = await self._backend.store_secret(key, profile.m2m_client_id, secret)
        except Exception as exc:
            _heading, text = describe_error(exc)
            self._show_result(False, f"Could not save. {text}")
            return
        finally:
            self._set_busy(False)
        self._drafts.pop(key, None)
        if not kept:
            self.show_keyring_notice()
            if not self.keyring_notice.isVisible():
                self._set_keyring_notice(
                    "No secure keyring is available: the client secret is kept for this "
                    "session only, and you will be asked for it again next time."
                )
        self._show_result(
            True,
            "Saved." if kept else "Saved; the client secret is kept for this session only.",
        )
        self.saved.emit(key)
        if connect:
            self.connect_requested.emit(key)

    def forget(self) -> None:
        """Ask for confirmation (non-blocking), then delete the environment's keyring entries."""
        if self._busy:
            return
        env = self._environments[self.env_key]
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Forget credentials",
            f"Delete the client secret and any saved sign-in for {env.name} from this computer's "
            "keyring?\n\nYou will need to enter the secret or sign in again.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete = box.addButton("Forget", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAccessibleName("Confirm forgetting credentials")
        self.confirmation = box

        def finished(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is delete:
                self._set_busy(True)
                tasks.spawn(self._forget(env.key), owner=self)
            box.deleteLater()

        box.finished.connect(finished)
        box.open()

    confirmation: QMessageBox | None = None

    async def _forget(self, key: str) -> None:
        try:
            await self._backend.forget(key, [self.client_id.value()])
        except Exception as exc:
            _heading, text = describe_error(exc)
            self._show_result(False, f"Could not delete the credentials. {text}")
            return
        finally:
            self._set_busy(False)
        self._drafts.pop(key, None)
        if self._loaded_key == key:
            self.client_secret.editor.clear()
        self._show_result(True, "The credentials were removed from this computer.")
