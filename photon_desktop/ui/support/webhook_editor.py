"""The dialog that creates or edits a webhook subscription: address, name, the events it gets,
and an optional shared secret (sent once, never shown again or read back)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.services.organization import EVENT_TYPES, Webhook
from photon_desktop.ui.common.problems import error_label, mark, with_problem_line


@dataclass(frozen=True, slots=True)
class WebhookDraft:
    url: str
    name: str  # "" when the field is empty: on an edit, that clears the name
    filters: tuple[str, ...]
    shared_secret: str | None


class WebhookEditor(QDialog):
    """Checks the address before it is sent; server refusals are shown by ``show_problems``,
    each under its field (a problem of no field, or a failed save, above the buttons)."""

    def __init__(self, parent: QWidget, existing: Webhook | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit webhook" if existing else "New webhook")
        self.setAccessibleName(self.windowTitle())
        self.url = QLineEdit(existing.url or "" if existing else "")
        self.url.setPlaceholderText("https://…")
        self.url.setAccessibleName("Address")
        self.name = QLineEdit(existing.name or "" if existing else "")
        self.name.setAccessibleName("Name")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("unchanged" if existing else "optional: signs each delivery")
        self.secret.setAccessibleName("Shared secret")
        self.events = QListWidget()
        self.events.setAccessibleName("Events")
        chosen = set(existing.filters) if existing else set()
        for event in EVENT_TYPES:
            item = QListWidgetItem(event, self.events)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = event in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        #: The fields by the names Photon's input errors use.
        self.fields: dict[str, QWidget] = {
            "url": self.url,
            "name": self.name,
            "sharedSecret": self.secret,
            "filters": self.events,
        }
        titles = {
            "url": "Address:",
            "name": "Name:",
            "sharedSecret": "Shared secret:",
            "filters": "Events (none: all):",
        }
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, widget in self.fields.items():
            box, self.errors[key] = with_problem_line(self, widget, widget.accessibleName())
            form.addRow(titles[key], box)
        self.message = error_label(self, "Webhook")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def set_checked(self, events: set[str]) -> None:
        for row in range(self.events.count()):
            item = self.events.item(row)
            state = Qt.CheckState.Checked if item.text() in events else Qt.CheckState.Unchecked
            item.setCheckState(state)

    def draft(self) -> WebhookDraft:
        checked = tuple(
            self.events.item(r).text()
            for r in range(self.events.count())
            if self.events.item(r).checkState() == Qt.CheckState.Checked
        )
        return WebhookDraft(
            url=self.url.text().strip(),
            name=self.name.text().strip(),
            filters=checked,
            shared_secret=self.secret.text() or None,
        )

    def _accept_if_valid(self) -> None:
        parts = urlsplit(self.url.text().strip())
        if parts.scheme != "https" or not parts.netloc:
            self.show_problems({"url": "Enter an https:// address Photon can deliver to."})
            return
        self.show_problems({})
        self.accept()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each problem under its field; one Photon named no field of this form for, above the
        buttons."""
        mark(self.fields, self.errors, problems)
        self.show_message("\n".join(v for k, v in problems.items() if k not in self.fields))

    def show_message(self, text: str) -> None:
        """Why the last save did not go through (or may not have), above the buttons."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
