"""Declared preferences: today's settings files upgrade to the current version, wrong types read
as defaults, and absurd window or splitter sizes never come back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from photon_desktop.ui.common import preferences
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def todays_file(path: Path) -> QSettings:
    """A settings file with the keys and shapes the app wrote before preferences were declared."""
    window = QMainWindow()
    window.setGeometry(10, 10, 900, 600)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(QLabel("a"))
    splitter.addWidget(QLabel("b"))
    splitter.setSizes([300, 500])
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/page", "orders")
    settings.setValue("window/splitter", splitter.saveState())
    settings.setValue("patients/columns", [200, 110, 70, 130, 220, 110, 200])
    settings.setValue("patients/splitter", splitter.saveState())
    settings.setValue("prescriptions/state", "ACTIVE")
    settings.setValue("orders/state", "")
    settings.setValue("app/last_environment", "sandbox")
    settings.sync()
    window.deleteLater()
    splitter.deleteLater()
    return QSettings(str(path), QSettings.Format.IniFormat)


def test_a_file_of_todays_shape_upgrades_and_keeps_its_values(tmp_path: Path) -> None:
    settings = todays_file(tmp_path / "old.ini")
    assert preferences.version(settings) == 1
    assert preferences.upgrade(settings) == 1
    settings.sync()
    again = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    assert preferences.version(again) == preferences.VERSION == 2
    assert preferences.WINDOW_PAGE.get(again) == "orders"
    assert isinstance(preferences.WINDOW_GEOMETRY.get(again), QByteArray)
    assert preferences.list_state_filter("prescriptions").get(again) == "ACTIVE"
    assert not again.contains("orders/state")  # "" meant no filter: now no key
    assert not again.contains("patients/columns")  # widths are fitted now
    assert preferences.LAST_ENVIRONMENT.get(again) == "sandbox"  # kept as it was
    assert preferences.THEME.get(again) == "system"
    assert preferences.upgrade(again) == 2  # idempotent


def test_a_fresh_file_starts_at_the_current_version(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "new.ini"), QSettings.Format.IniFormat)
    assert preferences.upgrade(settings) == preferences.VERSION


def test_wrong_types_and_values_read_as_defaults(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "odd.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/geometry", "not bytes")
    settings.setValue("view/theme", "purple")
    settings.setValue("patients/hidden_columns", "Email")
    assert preferences.WINDOW_GEOMETRY.get(settings) is None
    assert preferences.THEME.get(settings) == "system"
    assert preferences.PATIENTS_HIDDEN_COLUMNS.get(settings) == ["Email"]


def test_an_absurd_window_never_comes_back(widgets: list[QWidget], ui_settings: Any) -> None:
    huge = QMainWindow()
    huge.setGeometry(0, 0, 32_767, 32_767)
    preferences.WINDOW_GEOMETRY.set(huge.saveGeometry())
    huge.deleteLater()
    window = MainWindow(Workspace())
    widgets.append(window)
    width, height = preferences.screen_size(window)
    assert window.width() <= width and window.height() <= height
    window.resize(32_767, 32_767)
    window.save_state()
    assert window.width() <= width
    again = MainWindow(Workspace())
    widgets.append(again)
    assert again.width() <= width and again.height() <= height


def test_an_absurd_splitter_falls_back_to_its_default(
    widgets: list[QWidget], ui_settings: Any
) -> None:
    wide = QSplitter(Qt.Orientation.Horizontal)
    wide.addWidget(QLabel("a"))
    wide.addWidget(QLabel("b"))
    wide.resize(70_000, 100)
    wide.setSizes([60_000, 10_000])
    preferences.PATIENTS_SPLITTER.set(wide.saveState())
    preferences.remember_splitter(wide, preferences.PATIENTS_SPLITTER)  # refused: absurd
    wide.deleteLater()
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(QLabel("a"))
    splitter.addWidget(QLabel("b"))
    widgets.append(splitter)
    splitter.resize(1030, 600)
    preferences.restore_splitter(splitter, preferences.PATIENTS_SPLITTER, [600, 430])
    first, second = splitter.sizes()
    assert 1.2 < first / second < 1.6  # the default 600:430, not the saved 6:1


def test_order_update_keys_are_declared_and_read_back_from_an_ini_file(tmp_path: Path) -> None:
    from photon_desktop.services.notifications import Privacy

    keys = [p.key for p in preferences.DECLARED]
    assert {p.key for p in preferences.ORDER_UPDATES} <= set(keys)
    assert len(keys) == len(set(keys))  # one declaration per key
    path = str(tmp_path / "orders.ini")
    written = QSettings(path, QSettings.Format.IniFormat)
    preferences.ORDERS_POLL_INTERVAL_S.set(120, written)
    preferences.NOTIFY_PRIVACY.set(Privacy.FULL, written)
    preferences.CLOSE_TO_TRAY.set(True, written)
    preferences.WORKLIST_EXPIRY_DAYS.set(9999, written)
    written.sync()
    read = QSettings(path, QSettings.Format.IniFormat)  # every value comes back as text
    assert read.value("notifications/privacy") == "full"
    assert preferences.ORDERS_POLL_INTERVAL_S.get(read) == 120
    assert preferences.NOTIFY_PRIVACY.get(read) is Privacy.FULL
    assert preferences.CLOSE_TO_TRAY.get(read) is True
    assert preferences.WORKLIST_EXPIRY_DAYS.get(read) == 365  # clamped to what the form allows
    assert preferences.NOTIFY_READY.get(read) is True  # absent: the default
