"""Switching organization in the composed app, with real tokens from the bundled sandbox.

The demo prescriber works at two practices with different patients. After a switch no patient of
the first practice is left anywhere: not in any widget's text, item model, menu or tooltip, not in
the request log, not in any service cache reachable from the app. Unsent work is asked about
first (Cancel keeps everything), and switching back is silent with the kept refresh token.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from app_support import signed_out_on_the_bundled_sandbox
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)
from ui_support import FormBrowser, until

from photon_desktop.desktop import Desktop
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.orders.new_order import MAIL, NewOrderWindow
from photon_desktop.ui.organizations.switcher import OrganizationSwitcher
from photon_desktop.ui.prescriptions.drafts import DraftStore, drafts_for, owner_of
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form

Run = Callable[..., Any]
PRESCRIBER = "prescriber@sandbox.photon.local"
ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.StatusTipRole,
)


class SystemBrowser(QObject):
    """The system browser as Qt reaches it (``QDesktopServices``): the person signs in there."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._browser = FormBrowser(PRESCRIBER)

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.urls.append(text)
        self._browser.open(text)


@pytest.fixture
def system_browser() -> Iterator[SystemBrowser]:
    browser = SystemBrowser()
    QDesktopServices.setUrlHandler("http", browser, "open")
    yield browser
    QDesktopServices.unsetUrlHandler("http")


# ---------------------------------------------------------------------------- looking everywhere


def columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount private: one column
        return 1


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> Iterator[str]:
    parent = parent or QModelIndex()
    width = columns(model, parent)
    for column in range(width):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
    for row in range(model.rowCount(parent)):
        for column in range(width):
            index = model.index(row, column, parent)
            for role in ROLES:
                value = model.data(index, role)
                if value is not None:
                    yield str(value)
            if column == 0 and model.rowCount(index) > 0:
                yield from model_texts(model, index)


def widget_texts(widget: QWidget) -> Iterator[str]:
    yield from (widget.windowTitle(), widget.toolTip(), widget.statusTip(), widget.whatsThis())
    yield from (widget.accessibleName(), widget.accessibleDescription())
    if isinstance(widget, QLabel | QAbstractButton):
        yield widget.text()
    if isinstance(widget, QLineEdit):
        yield from (widget.text(), widget.placeholderText())
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        yield widget.toPlainText()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QTabBar):
        yield from (widget.tabText(i) for i in range(widget.count()))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        yield from model_texts(widget.model())
    for action in widget.actions():
        yield from (action.text(), action.toolTip(), action.statusTip())


def texts_in(widget: QWidget) -> str:
    return "\n".join(t for w in [widget, *widget.findChildren(QWidget)] for t in widget_texts(w))


def on_screen() -> str:
    """Every text of every widget that exists now (shown or not)."""
    return "\n".join(t for w in QApplication.allWidgets() for t in widget_texts(w) if t)


_SKIP = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)


def reachable_strings(root: object, depth: int = 25, kept: tuple[type, ...] = ()) -> Iterator[str]:
    """Strings held by ``root``'s Python object graph and Qt object tree (caches, logs, records,
    the Python side of models, views and stores), not the network stack's internals nor what
    is ``kept`` on purpose."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, level = stack.pop()
        if id(obj) in seen or level > depth:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
            continue
        module = type(obj).__module__
        if module.startswith(("httpx", "httpcore", "h11", "anyio", "ssl", "asyncio", "qasync")):
            continue
        if isinstance(obj, dict):
            children: list[object] = [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            children = list(obj)
        elif isinstance(obj, _SKIP + kept):
            children = []
        else:
            children = list(getattr(obj, "__dict__", {}).values())
            if isinstance(obj, QObject):  # what Qt owns too (watchers, stores, models)
                children.extend(obj.children())
            for cls in type(obj).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if isinstance(slot, str) and hasattr(obj, slot):
                        children.append(getattr(obj, slot))
            if hasattr(obj, "__getitem__") and hasattr(obj, "items") and callable(obj.items):
                try:
                    children.extend(v for pair in obj.items() for v in pair)
                except Exception:
                    pass
        stack.extend((child, level + 1) for child in children)


async def patient_names(desktop: Desktop) -> dict[str, str]:
    """The practice's patients as the API lists them to the current token (id -> full name)."""
    session = desktop.workspace.session
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            desktop.workspace.environment.graphql_url,
            json={"query": "{ patients(first: 100) { id name { full } } }"},
            headers={"Authorization": f"Bearer {await session.access_token()}"},
        )
    answer.raise_for_status()
    return {p["id"]: p["name"]["full"] for p in answer.json()["data"]["patients"]}


async def question(title: str) -> QMessageBox:
    def shown() -> QMessageBox | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title
            ),
            None,
        )

    await until(lambda: shown() is not None)
    box = shown()
    assert box is not None
    return box


def press(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


# ---------------------------------------------------------------------------- the walk


def test_after_a_switch_nothing_of_the_first_practice_remains_and_back_is_silent(
    isolated: MemoryKeyring, arun: Run, system_browser: SystemBrowser
) -> None:
    async def scenario() -> None:
        async with signed_out_on_the_bundled_sandbox() as (desktop, window):
            await walk(desktop, window, system_browser)

    arun(scenario(), timeout=120)


async def walk(desktop: Desktop, window: MainWindow, browser: SystemBrowser) -> None:
    ws = desktop.workspace
    await ws.session.sign_in_with_browser(FormBrowser(PRESCRIBER).open, give_up_after=20)
    first = ws.session.organization_id
    assert first is not None
    switcher = window.findChild(OrganizationSwitcher)
    assert switcher is not None
    combo = switcher.combo
    await until(lambda: combo.isVisibleTo(window) and combo.count() == 2)
    assert (
        combo.accessibleName() == "Organization" and combo.focusPolicy() != Qt.FocusPolicy.NoFocus
    )
    names = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    second = next(o for o in names if o != first)
    assert names[second] == "Sandbox Pediatrics" and combo.currentData() == first
    assert window.windowTitle().endswith(f" — {names[first]}")
    assert window.windowTitle().count("Local sandbox") == 1  # named once, not again at the end
    assert window.status.organization.text() == names[first]

    # The first practice on every page: its patients, one patient's chart, its orders.
    first_patients = await patient_names(desktop)
    window.show_page("patients")
    await until(lambda: any(n in on_screen() for n in first_patients.values()))
    patient_id, patient_name = next(iter(first_patients.items()))
    window.patients.detail.load(patient_id)
    await until(lambda: patient_name in texts_in(window.patients.detail))
    window.show_page("orders")
    orders = window.page("orders")
    assert isinstance(orders, OrdersPage)
    await until(lambda: orders.list.table.model() is not None)
    await until(lambda: orders.list.table.model().rowCount() > 0)
    # The looks below can see the first practice's patients where the app keeps them now.
    assert any(entry.operation == "SearchPatients" for entry in ws.services.request_log.entries)
    assert patient_id in "\n".join(str(entry) for entry in ws.services.request_log.entries)
    assert patient_name in "\n".join(reachable_strings((desktop, window)))
    # A prescription typed and not sent.
    form = open_prescription_form(ws, patient_id, patient_name, window)
    assert form is not None
    form.editors[0].instructions.setPlainText("Take 1 tablet by mouth once daily")
    await until(lambda: form.unsent_changes)

    # Cancel at the question: everything stays as it was, and no browser opens.
    task = switcher.switch_to(second)
    assert task is not None
    box = await question("Switch organization?")
    assert form.windowTitle() in box.text() and "Sandbox Pediatrics" in box.text()
    press(box, "Cancel")
    await task
    assert ws.session.organization_id == first and form.isVisible() and form.unsent_changes
    assert browser.urls == [] and combo.currentData() == first
    assert patient_name in on_screen()

    # Switch: asked again, then the browser signs in to the second practice.
    task = switcher.switch_to(second)
    assert task is not None
    press(await question("Switch organization?"), "Switch organization")
    await task
    assert len(browser.urls) == 1 and f"organization={second}" in browser.urls[0]
    assert ws.session.organization_id == second
    assert drafts_for(ws).forms == {}  # the first practice's form closed
    assert not any(isinstance(w, PrescriptionForm) for w in QApplication.topLevelWidgets())
    second_patients = await patient_names(desktop)
    assert not set(first_patients.values()) & set(second_patients.values())
    await until(lambda: any(n in on_screen() for n in second_patients.values()))
    window.show_page("patients")
    await until(lambda: any(n in on_screen() for n in second_patients.values()))
    await until(lambda: combo.currentData() == second)
    assert window.windowTitle().endswith(" — Sandbox Pediatrics")
    assert window.status.organization.text() == "Sandbox Pediatrics"

    # Nothing of the first practice anywhere.
    window.show_page("orders")
    await asyncio.sleep(0.5)  # let every page's reload land before looking
    screen = on_screen()
    log = "\n".join(str(entry) for entry in ws.services.request_log.entries)
    # The first practice's unsent prescription is its draft, kept for it on purpose (offered only
    # there: checked below); nothing else may hold its patients.
    held = "\n".join(reachable_strings((desktop, window), kept=(DraftStore,)))
    for name in first_patients.values():
        assert name not in screen, f"{name} of the first practice is still shown"
        assert name not in log, f"{name} of the first practice is in the request log"
        assert name not in held, f"{name} of the first practice is still held by the app"
    for patient in first_patients:
        assert patient not in screen and patient not in log
    # Its unsent prescription was kept as its draft, offered only there.
    assert drafts_for(ws).of(owner_of(ws)) == []

    # Back, silently: the kept refresh token, no browser.
    task = switcher.switch_to(first)
    assert task is not None
    await task
    assert len(browser.urls) == 1 and ws.session.organization_id == first
    window.show_page("patients")
    await until(lambda: any(n in on_screen() for n in first_patients.values()))
    (draft,) = drafts_for(ws).of(owner_of(ws))
    assert draft.patient_id == patient_id
    assert draft.reason == "The Photon organization changed, so the form closed without sending."
    for name in second_patients.values():
        assert name not in "\n".join(str(e) for e in ws.services.request_log.entries)


def test_a_new_order_with_choices_asks_before_a_switch_and_closes_after_it(
    isolated: MemoryKeyring, arun: Run, system_browser: SystemBrowser
) -> None:
    async def scenario() -> None:
        async with signed_out_on_the_bundled_sandbox() as (desktop, window):
            ws = desktop.workspace
            await ws.session.sign_in_with_browser(FormBrowser(PRESCRIBER).open, give_up_after=20)
            first = ws.session.organization_id
            switcher = window.findChild(OrganizationSwitcher)
            assert switcher is not None and first is not None
            await until(lambda: switcher.combo.count() == 2)
            second = next(
                switcher.combo.itemData(i)
                for i in range(switcher.combo.count())
                if switcher.combo.itemData(i) != first
            )
            patient_id = next(iter(await patient_names(desktop)))
            order = open_new_order(ws, patient_id, parent=window)
            assert order is not None
            await until(lambda: order.mail_picker is not None and order.how_key != "", 20)
            assert not order.unsent_changes  # as loaded: nothing chosen yet
            order.mail_radio.setChecked(True)
            order.address.edits["street2"].setText("Apt 7")
            assert order.unsent_changes

            # Cancel at the question: the window stays with its choices.
            task = switcher.switch_to(second)
            assert task is not None
            box = await question("Switch organization?")
            assert order.windowTitle() in box.text()
            press(box, "Cancel")
            await task
            assert ws.session.organization_id == first and order.isVisible()
            assert order.how_key == MAIL and order.address.edits["street2"].text() == "Apt 7"

            # Switch: the window closes (its patient belongs to the first practice).
            task = switcher.switch_to(second)
            assert task is not None
            press(await question("Switch organization?"), "Switch organization")
            await task
            assert ws.session.organization_id == second
            await until(
                lambda: (
                    not any(
                        isinstance(w, NewOrderWindow) and w.isVisible()
                        for w in QApplication.topLevelWidgets()
                    )
                )
            )

    arun(scenario(), timeout=120)
