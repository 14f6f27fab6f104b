"""The organization in effect, always named in the toolbar, and the switch to another one.

Shown to everyone signed in: the organization's name. A person who belongs to several also gets
a list to choose from (toolbar combo box and the Organization menu, Ctrl+Shift+G). Choosing one:

1. windows with unsent changes are listed in one question first; Cancel keeps everything;
2. nothing is switched while a write is being sent (its answer must reach the form that sent it);
3. ``SignInService.switch_organization`` signs in again for it (silently with its kept refresh
   token, else in the browser, with Cancel and the sign-in link while it waits);
4. on success the workspace renews its services and every view reloads; the forms of the
   previous organization close themselves (unsent prescriptions become its drafts).

A refusal or a cancelled browser sign-in leaves the organization in effect, and every window, as
it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QToolBar,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.common import questions, tasks
from photon_desktop.ui.organizations.memberships import Memberships, memberships_for
from photon_desktop.ui.workspace import Workspace

SHORTCUT = "Ctrl+Shift+G"
MESSAGE_MS = 8000


@runtime_checkable
class UnsentWork(Protocol):
    """A window that may hold typed work not yet sent to Photon."""

    @property
    def unsent_changes(self) -> bool: ...


@runtime_checkable
class Sending(Protocol):
    """A window that may be waiting for Photon's answer to a write."""

    @property
    def busy(self) -> bool: ...


def open_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def with_unsent_changes() -> list[QWidget]:
    return [w for w in open_windows() if isinstance(w, UnsentWork) and w.unsent_changes]


def sending_now() -> list[QWidget]:
    return [w for w in open_windows() if isinstance(w, Sending) and w.busy]


def open_in_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


class OrganizationSwitcher(QWidget):
    """The toolbar piece: name in effect; the list when there is a choice; Cancel while waiting.

    ``message(text)`` says what happened (the window shows it in the status bar); ``switched``
    after the organization changed.
    """

    message = Signal(str)
    switched = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        memberships: Memberships,
        *,
        open_url: Callable[[str], bool] = open_in_browser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("organizationSwitcher")
        self._workspace = workspace
        self._memberships = memberships
        self._open_url = open_url
        self._switch = tasks.Latest(owner=self)
        self.link = ""  # the browser sign-in's address while one waits
        self.last_message = ""

        self.label = QLabel(self)
        self.label.setObjectName("organizationName")
        self.label.setAccessibleName("Organization in effect")
        self.combo = QComboBox(self)
        self.label.setBuddy(self.combo)
        self.combo.setObjectName("organizationChoice")
        self.combo.setAccessibleName("Organization")
        self.combo.setAccessibleDescription(
            "The organization whose patients you see. Choose another to switch."
        )
        self.combo.setToolTip(f"Switch organization ({SHORTCUT})")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._chosen)
        self.copy_button = QPushButton("Copy link", self)
        self.copy_button.setAccessibleName("Copy sign-in link")
        self.copy_button.setAccessibleDescription(
            "Copies the address of the organization's sign-in page, to open in a browser"
        )
        self.copy_button.clicked.connect(self._copy_link)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel switching organization")
        self.cancel_button.setAccessibleDescription(
            "Stops waiting for the browser; the organization stays as it is"
        )
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.setSpacing(6)
        for widget in (self.label, self.combo, self.copy_button, self.cancel_button):
            layout.addWidget(widget)

        self.menu = QMenu("Organi&zation", self)
        self.menu.setAccessibleName("Organization")
        self._menu_group = QActionGroup(self)
        self._menu_group.setExclusive(True)
        self.choose_action = QAction("Switch organization…", self)
        self.choose_action.setShortcut(QKeySequence(SHORTCUT))
        self.choose_action.triggered.connect(self.focus_choice)
        memberships.changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ shown state

    @property
    def switching(self) -> bool:
        return self._switch.busy

    def refresh(self) -> None:
        """Name in effect, and the list when there is a choice (not while a switch runs)."""
        members = self._memberships
        current = members.current_id
        name = members.current_name
        choice = members.can_switch
        # With a choice the list names it (the label is its caption); else the label does.
        self.label.setText(("Organization:" if choice else f"Organization: {name}") if name else "")
        self.label.setToolTip(f"You work in {name} ({current})." if current else "")
        self.combo.blockSignals(True)
        self.combo.clear()
        for org in members.organizations if choice else ():
            self.combo.addItem(org.name, org.id)
        index = self.combo.findData(current)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        busy = self.switching
        self.label.setVisible(bool(name))
        self.combo.setVisible(choice)
        self.combo.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.copy_button.setVisible(busy and bool(self.link))
        self._fill_menu(choice, current, busy)

    def _fill_menu(self, choice: bool, current: str | None, busy: bool) -> None:
        self.menu.clear()
        for action in self._menu_group.actions():
            self._menu_group.removeAction(action)
        self.menu.menuAction().setVisible(choice)
        self.choose_action.setEnabled(choice and not busy)
        if not choice:
            return
        for org in self._memberships.organizations:
            action = QAction(org.name, self.menu)
            action.setCheckable(True)
            action.setChecked(org.id == current)
            action.setEnabled(not busy)
            action.triggered.connect(lambda _on=False, org_id=org.id: self.switch_to(org_id))
            self._menu_group.addAction(action)
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.choose_action)

    def focus_choice(self) -> None:
        """Ctrl+Shift+G: the list, open, with the keyboard in it."""
        if self.combo.isVisible() and self.combo.isEnabled():
            self.combo.setFocus()
            self.combo.showPopup()

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.emit(text)

    # ------------------------------------------------------------------ switching

    def _chosen(self, index: int) -> None:
        organization = self.combo.itemData(index)
        if isinstance(organization, str):
            self.switch_to(organization)

    def switch_to(self, organization_id: str) -> asyncio.Task[None] | None:
        """Start the switch (see the module docstring); None when there is nothing to do."""
        if self.switching or organization_id == self._memberships.current_id:
            self.refresh()
            return None
        task = self._switch.spawn(self._run(organization_id), name="switch-organization")
        task.add_done_callback(lambda _t: self._finished())
        self.refresh()
        return task

    def cancel(self) -> None:
        """Stop waiting for the browser: nothing changes."""
        if self.switching:
            self._switch.cancel()
            self._finished()
            self._say(f"Still working in {self._memberships.current_name}.")

    def _finished(self) -> None:
        self.link = ""
        self.refresh()

    async def _run(self, organization_id: str) -> None:
        members = self._memberships
        before, target = members.current_name, members.name_of(organization_id)
        window = self.window()
        if sending_now():
            await questions.tell(
                window,
                "Switch organization",
                f"A write is still being sent to Photon. Switch to {target} once it is done.",
            )
            return
        unsent = with_unsent_changes()
        if unsent:
            listed = "\n".join(f"• {w.windowTitle()}" for w in unsent)
            go = await questions.ask(
                window,
                "Switch organization?",
                f"Switching to {target} closes these windows with unsent changes:\n\n{listed}\n\n"
                f"Unsent prescriptions are kept as drafts of {before}, to finish when you switch "
                "back; other unsaved changes are discarded.",
                "Switch organization",
            )
            if not go:
                self._say(f"Still working in {before}.")
                return
        self._say(f"Signing in to {target}…")
        service = SignInService(self._workspace.session)
        try:
            browser = await service.switch_organization(
                organization_id, self._open_url, on_link=self._show_link
            )
        except errors.PhotonError as error:
            self._say(f"Still working in {before}: {error}")
            return
        how = " (signed in again in the browser)" if browser else ""
        self._say(f"Now working in {members.name_of(organization_id)}{how}.")
        self.switched.emit(organization_id)

    def _show_link(self, url: str) -> None:
        self.link = url
        self.refresh()
        self._say(
            f"Finish signing in to the organization in your browser, or copy the link. "
            f"Cancel keeps {self._memberships.current_name}."
        )

    def _copy_link(self) -> None:
        if self.link:
            QGuiApplication.clipboard().setText(self.link)
            self._say("Sign-in link copied: open it in your browser.")


def install(
    window: QMainWindow, workspace: Workspace, *, open_url: Callable[[str], bool] = open_in_browser
) -> OrganizationSwitcher:
    """Put the switcher in the window's toolbar (after who is signed in), its menu before Help,
    its shortcut on the window, and its messages in the status bar."""
    switcher = OrganizationSwitcher(
        workspace, memberships_for(workspace), open_url=open_url, parent=window
    )
    toolbar = window.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:
        separators = [a for a in toolbar.actions() if a.isSeparator()]
        if separators:
            toolbar.insertWidget(separators[0], switcher)
        else:
            toolbar.addWidget(switcher)
    bar = window.menuBar()
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_menu is not None:
        bar.insertMenu(help_menu, switcher.menu)
    else:
        bar.addMenu(switcher.menu)
    window.addAction(switcher.choose_action)
    switcher.message.connect(lambda text: window.statusBar().showMessage(text, MESSAGE_MS))
    switcher.refresh()
    return switcher
