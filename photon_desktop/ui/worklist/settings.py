"""The user's settings for order updates: how often, which notifications, how much of the patient
they show, the tray, and the worklist's thresholds. Each change is saved at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.services.notifications import Privacy
from photon_desktop.ui import watch_settings as ws
from photon_desktop.ui.order_watch import OrderWatch

PRIVACY_CHOICES = (
    (Privacy.NONE, "No patient details"),
    (Privacy.INITIALS, "Initials only"),
    (Privacy.FULL, "Full name"),
)


def _spin(setting: ws.Setting[int], low: int, high: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setValue(ws.read(setting))
    box.setAccessibleName(setting.label)
    box.valueChanged.connect(lambda value: ws.write(setting, value))
    return box


def _check(setting: ws.Setting[bool]) -> QCheckBox:
    box = QCheckBox(setting.label)
    box.setChecked(ws.read(setting))
    box.toggled.connect(lambda on: ws.write(setting, on))
    return box


class OrderUpdatesSettings(QWidget):
    def __init__(
        self, watch: OrderWatch, parent: QWidget | None = None, *, tray_available: bool = True
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Order update settings")
        self.interval = _spin(ws.POLL_INTERVAL_S, 10, 3600, " s")
        self.interval.valueChanged.connect(watch.set_interval)
        polling = QFormLayout()
        polling.addRow(ws.POLL_INTERVAL_S.label.removesuffix(" (s)"), self.interval)

        self.kinds = {kind: _check(setting) for kind, setting in ws.KIND_SWITCHES.items()}
        self.privacy = QComboBox()
        self.privacy.setAccessibleName(ws.PRIVACY.label)
        for value, text in PRIVACY_CHOICES:
            self.privacy.addItem(text, value.value)
        self.privacy.setCurrentIndex(self.privacy.findData(ws.read(ws.PRIVACY).value))
        self.privacy.currentIndexChanged.connect(
            lambda _i: ws.write(ws.PRIVACY, Privacy(self.privacy.currentData()))
        )
        notifications = QGroupBox("Notify me about")
        notify_layout = QFormLayout(notifications)
        for box in self.kinds.values():
            notify_layout.addRow(box)
        notify_layout.addRow(ws.PRIVACY.label, self.privacy)

        self.close_to_tray = _check(ws.CLOSE_TO_TRAY)
        if not tray_available:
            self.close_to_tray.setEnabled(False)
            self.close_to_tray.setToolTip("This desktop has no system tray.")
        self.worklist_first = _check(ws.WORKLIST_FIRST)
        self.routing_hours = _spin(ws.ROUTING_HOURS, 1, 720, " h")
        self.ready_days = _spin(ws.READY_DAYS, 1, 60, " days")
        self.expiry_days = _spin(ws.EXPIRY_DAYS, 1, 365, " days")
        worklist = QGroupBox("Needs attention")
        worklist_layout = QFormLayout(worklist)
        worklist_layout.addRow(self.worklist_first)
        worklist_layout.addRow(ws.ROUTING_HOURS.label, self.routing_hours)
        worklist_layout.addRow(ws.READY_DAYS.label, self.ready_days)
        worklist_layout.addRow(ws.EXPIRY_DAYS.label, self.expiry_days)

        layout = QVBoxLayout(self)
        layout.addLayout(polling)
        layout.addWidget(notifications)
        layout.addWidget(self.close_to_tray)
        layout.addWidget(worklist)


class OrderUpdatesDialog(QDialog):
    """The settings as a dialog (opened with ``open()``, never ``exec()``)."""

    def __init__(
        self, watch: OrderWatch, parent: QWidget | None = None, *, tray_available: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Order updates")
        self.form = OrderUpdatesSettings(watch, self, tray_available=tray_available)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
