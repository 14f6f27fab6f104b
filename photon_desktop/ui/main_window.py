"""The clinic workspace window: a navigation sidebar over stacked pages, a toolbar saying where you
are connected, and the status bar.

Production is unmistakable: a red "PRODUCTION — real patients" banner and "[PRODUCTION]" in the
title. Geometry, window state, the last page, splitters and the colour scheme (View menu) are kept
as ``preferences``, clamped to the screen. ``closeEvent`` cancels every page's tasks.

Two phases, so that a window shows before the app's layers are imported: ``MainWindow()`` builds
the frame from PySide6 and Qt-only modules (sidebar listing the pages, skeleton rows, toolbar,
"Connecting…", View menu, saved geometry and splitter); ``attach(workspace)`` imports and builds
the rest into the same window. ``MainWindow(workspace)`` does both at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
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

from photon_desktop.ui.appearance import scheme_actions, set_scheme
from photon_desktop.ui.common import icons
from photon_desktop.ui.common import window_preferences as preferences
from photon_desktop.ui.common.states import SkeletonRows, stopped_text
from photon_desktop.ui.common.theme import PRODUCTION_BACKGROUND, PRODUCTION_TEXT
from photon_desktop.ui.pages import FRAME_PAGES, Page, StatusTips, TaskOwner

if TYPE_CHECKING:
    from photon_desktop.ui.navigation import UserNavigation
    from photon_desktop.ui.patients.list import PatientsPage
    from photon_desktop.ui.support.diagnostics import Diagnostics
    from photon_desktop.ui.workspace import Workspace

APP_TITLE = "Photon Desktop"
PRODUCTION_BANNER = "PRODUCTION — real patients"
CONNECTING = "Connecting…"


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

    ``navigation.moved``: the user went somewhere (``show_page``, the sidebar, a record opened)
    since the sign-in; the app's own choices of page (``land_on``) do not count.
    """

    patients_page_shown = Signal()
    page_changed = Signal(str)

    def __init__(self, workspace: Workspace | None = None, parent: QWidget | None = None) -> None:
        """Without ``workspace``: the frame only, until ``attach``."""
        super().__init__(parent)
        self._pages: dict[str, _Page] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}  # pages not built yet
        self._when_built: dict[str, list[Callable[[QWidget], None]]] = {}
        self._restoring_page: str | None = None
        self.setObjectName("mainWindow")
        self.setAccessibleName("Photon Desktop")
        self.setWindowTitle(APP_TITLE)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setUniformItemSizes(True)
        self.nav.setSpacing(2)
        self.nav.setMinimumWidth(150)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        for title, icon_name in FRAME_PAGES:
            self.nav.addItem(QListWidgetItem(icons.icon(icon_name), title))
        self.nav.setCurrentRow(0)

        self.stack = QStackedWidget(self)
        self.stack.setAccessibleName("Content")
        self._skeleton: SkeletonRows | None = SkeletonRows(self.stack)  # until ``attach``
        self.stack.addWidget(self._skeleton)

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
        self.splitter.setSizes([150, 1050])
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
        self.environment_label.setText(CONNECTING)
        self.sign_in_label = QLabel(self)
        self.sign_in_label.setAccessibleName("Sign-in state")
        self.sign_in_label.setContentsMargins(0, 0, 12, 0)
        self.toolbar.addWidget(self.environment_label)
        self.toolbar.addWidget(self.sign_in_label)
        self.toolbar.addSeparator()
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setToolTip("Reload the current view (F5)")
        self.refresh_action.setEnabled(False)
        self.toolbar.addAction(self.refresh_action)
        self.new_patient_action = QAction("New patient", self)
        self.new_patient_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_patient_action.setToolTip("Add a patient (Ctrl+N)")
        self.new_patient_action.setEnabled(False)
        self.toolbar.addAction(self.new_patient_action)
        for action in (self.refresh_action, self.new_patient_action):
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text())
        self.search_action = QAction("Search", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+F"))
        self.addAction(self.search_action)
        self.settings_action = QAction("Settings", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.addAction(self.settings_action)
        self.statusBar().showMessage(CONNECTING)
        self._status_tips = StatusTips(self)
        self._build_view_menu()
        self._set_icons()
        preferences.upgrade()
        preferences.restore_main_window(self, self.splitter, [150, 1050])
        if workspace is not None:
            self.attach(workspace)

    def attach(self, workspace: Workspace) -> None:
        """Import and build what needs the workspace into the frame: the pages replace the
        frame's sidebar rows and skeleton, the real status bar replaces "Connecting…"."""
        from photon_desktop.ui.navigation import UserNavigation
        from photon_desktop.ui.patients.list import PatientsPage
        from photon_desktop.ui.prescriptions.launch import install_shortcuts
        from photon_desktop.ui.status import StatusBar
        from photon_desktop.ui.support.diagnostics import Diagnostics

        self.workspace = workspace
        self.navigation: UserNavigation = UserNavigation(workspace, self)
        self.nav.clear()
        self.nav.currentRowChanged.connect(self._on_nav_row)
        self.refresh_action.triggered.connect(self.refresh_current)
        self.new_patient_action.triggered.connect(self.new_patient)
        self.search_action.triggered.connect(self.focus_search)
        self.settings_action.triggered.connect(lambda: self.show_page("settings"))
        # Ctrl+Shift+P / Ctrl+Shift+O: new prescription / order (for the patient shown).
        self.write_actions = install_shortcuts(
            self, workspace, lambda: self.patients.detail.patient
        )
        self.status: StatusBar = StatusBar(workspace, self)
        self.setStatusBar(self.status)

        remembered = preferences.WINDOW_PAGE.get()
        # Pages land after construction (the composition root adds them): show it when it does.
        self._restoring_page = remembered or None
        self.patients: PatientsPage = PatientsPage(workspace, self)
        self.patients.first_page_loaded.connect(self._on_patients_painted)
        self.add_page("patients", "Patients", "patients", self.patients)
        # Support tools: shown to everyone, last in the sidebar; each tool gates itself. Built on
        # the first visit (its console, highlighter and tables cost ~50 ms); the Help menu's
        # actions are there from the start.
        self.add_lazy_page("support", "Support", "support", lambda: _support_page(workspace, self))
        self.diagnostics: Diagnostics = Diagnostics(workspace, self)
        self.help_menu = self.diagnostics.install_menu(self.menuBar())
        self.new_patient_action.setEnabled(self.patients.new_gate.allowed)
        workspace.session_changed.connect(self._update_identity)
        workspace.environment_changed.connect(self._update_identity)
        workspace.availability_changed.connect(self._update_identity)
        self._set_icons()
        self._update_identity()
        self.setTabOrder(self.nav, self.stack)
        if self._skeleton is not None:
            self.stack.removeWidget(self._skeleton)
            self._skeleton.deleteLater()
            self._skeleton = None
        if self._restoring_page is not None:
            QTimer.singleShot(0, self._finish_restore)

    @property
    def attached(self) -> bool:
        return hasattr(self, "workspace")

    # ------------------------------------------------------------------ pages

    def add_page(self, key: str, title: str, icon_name: str, widget: QWidget) -> None:
        """Add a page to the sidebar and stack (the composition root adds the others)."""
        if key in self._pages:
            raise ValueError(f"page {key!r} already added")
        item = QListWidgetItem(icons.icon(icon_name), title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        item.setToolTip(title)
        support = self._pages.get("support")  # Support stays last
        with self.navigation.choosing():
            self.nav.insertItem(self.nav.row(support.item) if support else self.nav.count(), item)
            self.stack.addWidget(widget)
            self._pages[key] = _Page(key, title, icon_name, widget, item)
            if self._restoring_page == key:
                self._restoring_page = None
                self.land_on(key)
            elif self.nav.currentRow() < 0:
                self.nav.setCurrentRow(0)
        from photon_desktop.ui.common.list_detail import ListDetailPage

        if isinstance(widget, ListDetailPage):
            widget.navigated.connect(self.navigation.note)

    def add_lazy_page(
        self, key: str, title: str, icon_name: str, build: Callable[[], QWidget]
    ) -> None:
        """Add a page that is built on its first visit (or first ``page(key)``): start-up
        imports and builds only what the first screen shows."""
        self._builders[key] = build
        self.add_page(key, title, icon_name, QWidget(self.stack))

    def _built(self, key: str) -> _Page:
        page = self._pages[key]
        build = self._builders.get(key)
        if build is not None:  # a builder that fails is kept: the next visit tries again
            placeholder, page.widget = page.widget, build()
            del self._builders[key]
            self.stack.insertWidget(self.stack.indexOf(placeholder), page.widget)
            if self.stack.currentWidget() is placeholder:
                self.stack.setCurrentWidget(page.widget)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            for extend in self._when_built.pop(key, []):
                extend(page.widget)
        return page

    def when_built(self, key: str, extend: Callable[[QWidget], None]) -> None:
        """``extend(widget)`` once page ``key`` (if added) is built: now, or after its builder."""
        if key in self._builders:
            self._when_built.setdefault(key, []).append(extend)
        elif key in self._pages:
            extend(self._pages[key].widget)

    def remove_page(self, key: str) -> None:
        """Take a page out of the sidebar and stack (e.g. "Get started" once connected)."""
        page = self._pages.pop(key, None)
        if page is not None:
            with self.navigation.choosing():
                self.nav.takeItem(self.nav.row(page.item))
                self.stack.removeWidget(page.widget)
            page.widget.deleteLater()

    def add_notice_bar(self, bar: QWidget) -> None:
        """A strip between the production banner and the pages (order notifications)."""
        self._content_layout.insertWidget(1, bar)

    def page(self, key: str) -> QWidget:
        return self._built(key).widget

    @property
    def current_key(self) -> str | None:
        widget = self.stack.currentWidget()
        for page in self._pages.values():
            if page.widget is widget:
                return page.key
        return None

    def show_page(self, key: str) -> bool:
        """The user goes to ``key`` (a click, a shortcut, a link): this counts as navigating."""
        page = self._pages.get(key)
        if page is None:
            return False
        self.navigation.note()
        self.nav.setCurrentItem(page.item)
        return True

    def land_on(self, key: str) -> bool:
        """The app picks the page (after a connect or a sign-in): not the user navigating, so
        the worklist may still take its place."""
        page = self._pages.get(key)
        if page is None:
            return False
        with self.navigation.choosing():
            self.nav.setCurrentItem(page.item)
        return True

    def _on_nav_row(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        self.navigation.note()  # the sidebar, by mouse or keyboard (the app's moves are landings)
        key = item.data(Qt.ItemDataRole.UserRole)
        self.stack.setCurrentWidget(self._built(key).widget)
        if self._restoring_page is None:
            preferences.WINDOW_PAGE.set(key)
        self._update_title()
        self._update_refresh()
        self.page_changed.emit(key)

    # ------------------------------------------------------------------ actions

    def _current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def refresh_current(self) -> None:
        """F5 on a page that can reload."""
        page = self._current_page()
        if page is not None and page.can_refresh():
            page.refresh()

    def _update_refresh(self) -> None:
        page = self._current_page()
        can = page is not None and page.can_refresh()
        stopped = self.workspace.ready and self.workspace.unavailable
        can = can and not stopped
        self.refresh_action.setEnabled(can)
        self.refresh_action.setToolTip(
            "Reload the current view (F5)"
            if can
            else "Nothing to reload: connect to Photon first"
            if not self.workspace.ready
            else stopped_text("nothing to reload")
            if stopped
            else "This page has nothing to reload"
        )

    def focus_search(self) -> None:
        page = self._current_page()
        if page is None or not page.focus_search():
            self.show_page("patients")
            self.patients.focus_search()

    # ------------------------------------------------------------------ view menu

    def _build_view_menu(self) -> None:
        self.view_menu = self.menuBar().addMenu("&View")
        self.view_menu.setAccessibleName("View")
        self.theme_actions = scheme_actions(self.view_menu.addMenu("&Appearance"), self)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.refresh_action)

    def set_theme(self, key: str) -> None:
        """Light, dark, or follow the system ("system"); remembered for the next start."""
        set_scheme(self.theme_actions, key)

    def new_patient(self) -> None:
        if not self.patients.new_gate.allowed:
            return
        self.show_page("patients")
        self.patients.new_patient()

    # ------------------------------------------------------------------ identity and theme

    def _update_identity(self) -> None:
        self._update_refresh()
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
            from photon_desktop.ui.status import toolbar_sign_in  # imported by ``attach``

            self.sign_in_label.setText(toolbar_sign_in(ws))
            self.sign_in_label.setToolTip(ws.unavailable)
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
            if isinstance(page.widget, Page):
                page.widget.refresh_icons()

    def _on_patients_painted(self) -> None:
        self.patients_page_shown.emit()

    # ------------------------------------------------------------------ remembered state

    def _finish_restore(self) -> None:
        """The remembered page was never added (this build has no such page): stay put."""
        self._restoring_page = None

    def save_state(self) -> None:
        preferences.remember_main_window(self, self.splitter, self.current_key)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window and stop every page's work (plain closeEvent, not @asyncClose)."""
        self.save_state()
        for page in self._pages.values():
            if isinstance(page.widget, TaskOwner):
                page.widget.cancel_tasks()
        from photon_desktop.ui.common import tasks  # here: asyncio (~25 ms) is not the frame's

        tasks.cancel_all(self)
        super().closeEvent(event)


def _support_page(workspace: Workspace, window: MainWindow) -> QWidget:
    from photon_desktop.ui.support.page import SupportPage

    return SupportPage(workspace, window)
