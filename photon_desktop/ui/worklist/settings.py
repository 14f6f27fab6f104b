"""The user's settings for order updates: how often, which notifications, how much of the patient
they show, the tray, and the worklist's thresholds. Each change is saved at once and announced
with ``OrderWatch.settings_changed``, so it applies at once wherever it was made."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QShowEvent
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
from photon_desktop.ui.common import preferences as prefs
from photon_desktop.ui.common.preferences import Preference
from photon_desktop.ui.order_watch import OrderWatch

PRIVACY_CHOICES = (
    (Privacy.NONE, "No patient details"),
    (Privacy.INITIALS, "Initials only"),
    (Privacy.FULL, "Full name"),
)


def _spin(setting: Preference[int], suffix: str) -> QSpinBox:
    box = QSpinBox()
    low, high = setting.bounds or (0, 10**6)
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setValue(setting.get())
    box.setAccessibleName(setting.doc)
    box.valueChanged.connect(lambda value: setting.set(value))
    return box


def _check(setting: Preference[bool]) -> QCheckBox:
    box = QCheckBox(setting.doc)
    box.setChecked(setting.get())
    box.toggled.connect(lambda on: setting.set(on))
    return box


class OrderUpdatesSettings(QWidget):
    """Shown in the Settings pane and in the worklist's dialog: each shows the stored values
    whenever it is shown, so a change made in one is there in the other."""

    def __init__(
        self, watch: OrderWatch, parent: QWidget | None = None, *, tray_available: bool = True
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Order update settings")
        self.interval = _spin(prefs.ORDERS_POLL_INTERVAL_S, " s")
        self.interval.valueChanged.connect(watch.set_interval)
        polling = QFormLayout()
        polling.addRow(prefs.ORDERS_POLL_INTERVAL_S.doc, self.interval)

        self.kinds = {kind: _check(setting) for kind, setting in prefs.NOTIFY_KINDS.items()}
        self.privacy = QComboBox()
        self.privacy.setAccessibleName(prefs.NOTIFY_PRIVACY.doc)
        for value, text in PRIVACY_CHOICES:
            self.privacy.addItem(text, value.value)
        self.privacy.setCurrentIndex(self.privacy.findData(prefs.NOTIFY_PRIVACY.get().value))
        self.privacy.currentIndexChanged.connect(
            lambda _i: prefs.NOTIFY_PRIVACY.set(Privacy(self.privacy.currentData()))
        )
        notifications = QGroupBox("Notify me about")
        notify_layout = QFormLayout(notifications)
        for box in self.kinds.values():
            notify_layout.addRow(box)
        notify_layout.addRow(prefs.NOTIFY_PRIVACY.doc, self.privacy)

        self.close_to_tray = _check(prefs.CLOSE_TO_TRAY)
        if not tray_available:
            self.close_to_tray.setEnabled(False)
            self.close_to_tray.setToolTip("This desktop has no system tray.")
        self.worklist_first = _check(prefs.WORKLIST_FIRST)
        self.routing_hours = _spin(prefs.WORKLIST_ROUTING_HOURS, " h")
        self.ready_days = _spin(prefs.WORKLIST_READY_DAYS, " days")
        self.expiry_days = _spin(prefs.WORKLIST_EXPIRY_DAYS, " days")
        worklist = QGroupBox("Needs attention")
        worklist_layout = QFormLayout(worklist)
        worklist_layout.addRow(self.worklist_first)
        worklist_layout.addRow(prefs.WORKLIST_ROUTING_HOURS.doc, self.routing_hours)
        worklist_layout.addRow(prefs.WORKLIST_READY_DAYS.doc, self.ready_days)
        worklist_layout.addRow(prefs.WORKLIST_EXPIRY_DAYS.doc, self.expiry_days)

        self._spins = {
            self.interval: prefs.ORDERS_POLL_INTERVAL_S,
            self.routing_hours: prefs.WORKLIST_ROUTING_HOURS,
            self.ready_days: prefs.WORKLIST_READY_DAYS,
            self.expiry_days: prefs.WORKLIST_EXPIRY_DAYS,
        }
        self._checks = {
            **{box: prefs.NOTIFY_KINDS[kind] for kind, box in self.kinds.items()},
            self.close_to_tray: prefs.CLOSE_TO_TRAY,
            self.worklist_first: prefs.WORKLIST_FIRST,
        }

        # After each control has saved its key (connected first), everyone who follows is told.
        for spin, setting in self._spins.items():
            spin.valueChanged.connect(lambda _v, s=setting: watch.settings_changed.emit(s))
        for box, switch in self._checks.items():
            box.toggled.connect(lambda _on, s=switch: watch.settings_changed.emit(s))
        self.privacy.currentIndexChanged.connect(
            lambda _i: watch.settings_changed.emit(prefs.NOTIFY_PRIVACY)
        )

        layout = QVBoxLayout(self)
        layout.addLayout(polling)
        layout.addWidget(notifications)
        layout.addWidget(self.close_to_tray)
        layout.addWidget(worklist)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        for spin, setting in self._spins.items():
            with QSignalBlocker(spin):
                spin.setValue(setting.get())
        for box, switch in self._checks.items():
            with QSignalBlocker(box):
                box.setChecked(switch.get())
        with QSignalBlocker(self.privacy):
            self.privacy.setCurrentIndex(self.privacy.findData(prefs.NOTIFY_PRIVACY.get().value))


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
