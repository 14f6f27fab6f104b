"""Help → "Open log folder" and "Copy diagnostic summary": what a user hands to support.

The folder is the one the log file is written to (the platform's app data folder, ``logs``);
when no file handler is set up, that folder is created so there is still somewhere to look. When
the system cannot open folders (no file manager), the path is copied instead and the user is told.
"""

from __future__ import annotations

from pathlib import Path

import PySide6
from PySide6.QtCore import QObject, QStandardPaths, QUrl, Signal, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QWidget

from photon_desktop.services import diagnostics
from photon_desktop.ui.workspace import Workspace

TOLD_MS = 10_000


def default_log_folder() -> Path:
    """The platform's folder for this app's logs (``AppLocalDataLocation``/logs)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) / "logs"


class Diagnostics(QObject):
    """The two actions, usable from any menu; ``told`` carries what the user should read."""

    told = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget) -> None:
        super().__init__(parent)
        self.workspace = workspace
        diagnostics.collect_problems()  # from now on, even if start-up logging did not
        self.open_folder_action = QAction("Open &log folder", parent)
        self.open_folder_action.triggered.connect(self.open_log_folder)
        self.copy_summary_action = QAction("Copy &diagnostic summary", parent)
        self.copy_summary_action.setToolTip(
            "Versions, environment, sign-in kind and recent errors; no tokens or patient data"
        )
        self.copy_summary_action.triggered.connect(self.copy_summary)

    def install_menu(self, bar: QMenuBar) -> QMenu:
        """Add (or extend) the window's Help menu with the two actions."""
        menu = next(
            (a.menu() for a in bar.actions() if a.menu() and a.text().replace("&", "") == "Help"),
            None,
        )
        if not isinstance(menu, QMenu):
            menu = bar.addMenu("&Help")
        menu.addAction(self.open_folder_action)
        menu.addAction(self.copy_summary_action)
        window = bar.parentWidget()
        if isinstance(window, QMainWindow):
            self.told.connect(lambda text: window.statusBar().showMessage(text, TOLD_MS))
        return menu

    def log_folder(self) -> Path:
        folder = diagnostics.log_folder() or default_log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def open_log_folder(self) -> bool:
        folder = self.log_folder()
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.told.emit(f"Opened {folder}.")
            return True
        QGuiApplication.clipboard().setText(str(folder))
        self.told.emit(f"The folder could not be opened here; its path is copied: {folder}")
        return False

    def summary(self) -> str:
        toolkit = {"Qt": qVersion(), "PySide6": PySide6.__version__}
        if not self.workspace.ready:
            return diagnostics.summary(None, toolkit)
        calls = self.workspace.services.request_log.entries
        return diagnostics.summary(self.workspace.session, toolkit, calls)

    def copy_summary(self) -> str:
        text = self.summary()
        QGuiApplication.clipboard().setText(text)
        self.told.emit("Diagnostic summary copied: paste it into your support request.")
        return text
