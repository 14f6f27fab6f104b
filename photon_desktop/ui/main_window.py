"""The clinic workspace window: a navigation sidebar over stacked pages, a toolbar saying where you
are connected, and the status bar.

Production is unmistakable: a red "PRODUCTION — real patients" banner above the content and
"[PRODUCTION]" in the title. Geometry, window state, the last page and splitter positions are kept
in ``QSettings`` (pages keep their own splitters). ``closeEvent`` cancels every page's tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.ui.common import icons, tasks
from photon_desktop.ui.common.theme import PRODUCTION_BACKGROUND, PRODUCTION_TEXT
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.status import StatusBar
from photon_desktop.ui.workspace import Workspace

APP_TITLE = "Photon Desktop"
PRODUCTION_BANNER = "PRODUCTION — real patients"


@dataclass(slots=True)
class _Page:
    key: str
    title: str
    icon_name: str
    widget: QWidget
    item: QListWidgetItem


class MainWindow(QMainWindow):
    """``add_page(key, title, icon_name, widget)`` adds a page; "patients" is built in.

    ``patients_page_shown`` fires once the patient list's first page of rows has been painted
    (used by ``--smoke``). ``page_changed(key)`` when the user switches pages.
    """

    patients_page_shown = Signal()
    page_changed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._pages: dict[str, _Page] = {}
        self._restoring_page: str | None = None
        self.setObjectName("mainWindow")
        self.setAccessibleName("Photon Desktop")

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setUniformItemSizes(True)
        self.nav.setSpacing(2)
        self.nav.setMinimumWidth(150)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.currentRowChanged.connect(self._on_nav_row)

        self.stack = QStackedWidget(self)
        self.stack.setAccessibleName("Content")

        self.banner = QLabel(PRODUCTION_BANNER, self)
        self.banner.setObjectName("productionBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setAccessibleName("Production warning")
        self.banner.setAccessibleDescription("You are connected to Photon production.")
        self.banner.setStyleSheet(
            f"QLabel#productionBanner {{ background: {PRODUCTION_BACKGROUND};"
            f" color: {PRODUCTION_TEXT}; font-weight: bold; padding: 6px; }}"
        )
        self.banner.setVisible(False)

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(self.banner)
        content_layout.addWidget(self.stack, 1)
        self._content_layout = content_layout

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(content)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([170, 1030])
        self.setCentralWidget(self.splitter)

        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setAccessibleName("Main toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(18, 18))
        self.addToolBar(self.toolbar)
        self.environment_label = QLabel(self)
        self.environment_label.setObjectName("toolbarEnvironment")
        self.environment_label.setAccessibleName("Environment")
        self.environment_label.setContentsMargins(8, 0, 12, 0)
        self.sign_in_label = QLabel(self)
        self.sign_in_label.setAccessibleName("Sign-in state")
        self.sign_in_label.setContentsMargins(0, 0, 12, 0)
        self.toolbar.addWidget(self.environment_label)
        self.toolbar.addWidget(self.sign_in_label)
        self.toolbar.addSeparator()
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setToolTip("Reload the current view (F5)")
        self.refresh_action.triggered.connect(self.refresh_current)
        self.toolbar.addAction(self.refresh_action)
        self.new_patient_action = QAction("New patient", self)
        self.new_patient_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_patient_action.setToolTip("Add a patient (Ctrl+N)")
        self.new_patient_action.triggered.connect(self.new_patient)
        self.toolbar.addAction(self.new_patient_action)
        for action in (self.refresh_action, self.new_patient_action):
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text())
        self.search_action = QAction("Search", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+F"))
        self.search_action.triggered.connect(self.focus_search)
        self.addAction(self.search_action)
        self.settings_action = QAction("Settings", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(lambda: self.show_page("settings"))
        self.addAction(self.settings_action)

        self.status = StatusBar(workspace, self)
        self.setStatusBar(self.status)

        remembered = QSettings().value("window/page")
        # Pages land after construction (the composition root adds them): show it when it does.
        self._restoring_page = remembered if isinstance(remembered, str) and remembered else None
        self.patients = PatientsPage(workspace, self)
        self.patients.first_page_loaded.connect(self._on_patients_painted)
        self.add_page("patients", "Patients", "patients", self.patients)
        self.new_patient_action.setEnabled(self.patients.new_gate.allowed)
        workspace.session_changed.connect(self._update_identity)
        workspace.environment_changed.connect(self._update_identity)
        self._set_icons()
        self._update_identity()
        self.setTabOrder(self.nav, self.stack)
        self._restore()

    # ------------------------------------------------------------------ pages

    def add_page(self, key: str, title: str, icon_name: str, widget: QWidget) -> None:
        """Add a page to the sidebar and stack (the composition root adds the others)."""
        if key in self._pages:
            raise ValueError(f"page {key!r} already added")
        item = QListWidgetItem(icons.icon(icon_name), title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        item.setToolTip(title)
        self.nav.addItem(item)
        self.stack.addWidget(widget)
        self._pages[key] = _Page(key, title, icon_name, widget, item)
        if self._restoring_page == key:
            self._restoring_page = None
            self.show_page(key)
        elif self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def add_notice_bar(self, bar: QWidget) -> None:
        """A strip between the production banner and the pages (order notifications)."""
        self._content_layout.insertWidget(1, bar)

    def page(self, key: str) -> QWidget:
        return self._pages[key].widget

    @property
    def current_key(self) -> str | None:
        widget = self.stack.currentWidget()
        for page in self._pages.values():
            if page.widget is widget:
                return page.key
        return None

    def show_page(self, key: str) -> bool:
        page = self._pages.get(key)
        if page is None:
            return False
        self.nav.setCurrentItem(page.item)
        return True

    def _on_nav_row(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        self.stack.setCurrentWidget(self._pages[key].widget)
        if self._restoring_page is None:
            QSettings().setValue("window/page", key)
        self._update_title()
        self.page_changed.emit(key)

    # ------------------------------------------------------------------ actions

    def refresh_current(self) -> None:
        """F5: pages that can reload implement ``refresh()``."""
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()

    def focus_search(self) -> None:
        widget = self.stack.currentWidget()
        focus = getattr(widget, "focus_search", None)
        if callable(focus):
            focus()
        else:
            self.show_page("patients")
            self.patients.focus_search()

    def new_patient(self) -> None:
        if not self.patients.new_gate.allowed:
            return
        self.show_page("patients")
        self.patients.new_patient()

    # ------------------------------------------------------------------ identity and theme

    def _update_identity(self) -> None:
        ws = self.workspace
        production = ws.ready and ws.environment.is_production
        self.banner.setVisible(production)
        self.new_patient_action.setEnabled(self.patients.new_gate.allowed)
        self.new_patient_action.setToolTip(
            "Add a patient (Ctrl+N)"
            if self.patients.new_gate.allowed
            else self.patients.new_gate.reason()
        )
        if not ws.ready:
            self.environment_label.setText("Not connected")
            self.sign_in_label.setText("")
        else:
            env = ws.environment
            self.environment_label.setText(env.name)
            # No style sheet outside production: a styled label keeps the palette it was polished
            # with, so its text would vanish when the system switches between light and dark.
            self.environment_label.setStyleSheet(
                f"color: {PRODUCTION_TEXT}; background: {PRODUCTION_BACKGROUND};"
                " font-weight: bold; padding: 2px 8px; border-radius: 3px; margin: 0 10px 0 4px;"
                if production
                else ""
            )
            font = self.environment_label.font()
            font.setBold(True)
            self.environment_label.setFont(font)
            session = ws.session
            kind = getattr(session.kind, "value", "none")
            if kind == "m2m":
                self.sign_in_label.setText("Signed in: M2M (backend)")
            elif kind == "user":
                self.sign_in_label.setText(f"Signed in: {session.identity or 'user'}")
            else:
                self.sign_in_label.setText("Not signed in")
        self._update_title()

    def _update_title(self) -> None:
        parts = []
        page = self._pages.get(self.current_key or "")
        if page is not None:
            parts.append(page.title)
        if self.workspace.ready:
            parts.append(self.workspace.environment.name)
        parts.append(APP_TITLE)
        title = " — ".join(parts)
        if self.workspace.ready and self.workspace.environment.is_production:
            title = "[PRODUCTION] " + title
        self.setWindowTitle(title)

    def _set_icons(self) -> None:
        """(Re)colour icons for the current palette (called again when the theme changes)."""
        for page in self._pages.values():
            page.item.setIcon(icons.icon(page.icon_name))
        self.refresh_action.setIcon(icons.icon("refresh"))
        self.new_patient_action.setIcon(icons.icon("add"))
        self.search_action.setIcon(icons.icon("search"))

    def on_theme_changed(self, _dark: bool = False) -> None:
        """Connect ``Theme.changed`` here: icons follow the palette (pages too, if they can)."""
        self._set_icons()
        for page in self._pages.values():
            recolour = getattr(page.widget, "refresh_icons", None)
            if callable(recolour):
                recolour()

    def _on_patients_painted(self) -> None:
        self.patients_page_shown.emit()

    # ------------------------------------------------------------------ remembered state

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        if self._restoring_page is not None:
            QTimer.singleShot(0, self._finish_restore)

    def _finish_restore(self) -> None:
        """The remembered page was never added (this build has no such page): stay put."""
        self._restoring_page = None

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        key = self.current_key
        if key is not None:
            settings.setValue("window/page", key)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window and stop every page's work (plain closeEvent, not @asyncClose)."""
        self.save_state()
        for page in self._pages.values():
            cancel = getattr(page.widget, "cancel_tasks", None)
            if callable(cancel):
                cancel()
        tasks.cancel_all(self)
        super().closeEvent(event)
