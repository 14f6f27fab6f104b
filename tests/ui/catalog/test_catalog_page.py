"""The Catalog page against a private sandbox, signed in as the demo prescriber through /authorize:
catalogs and their treatments, a medication found in Photon and added, a removal that is
confirmed (and not sent when cancelled), a refusal shown as a permission message, and the added
treatment first in the prescription form's search. Screenshots light and dark."""

from __future__ import annotations

from typing import Any

from formulary_support import shot
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from ui_support import Connection, settle, until
from write_support import answer, pick_first, signed_in, writes

from photon_desktop.services.treatment_search import CATALOG, search_treatments
from photon_desktop.ui.catalog.page import CatalogPage
from photon_desktop.ui.common.theme import Theme


def names(page: CatalogPage) -> list[str]:
    return [page.model.item(r).name for r in range(page.model.rowCount())]


def select(page: CatalogPage, name: str) -> None:
    row = names(page).index(name)
    page.treatments.selectRow(row)


async def opened(conn: Connection, widgets: list[QWidget]) -> CatalogPage:
    page = CatalogPage(conn.workspace)
    widgets.append(page)
    page.resize(1100, 620)
    page.show()
    await until(lambda: page.chooser.count() == 2 and page.model.rowCount() > 0)
    return page


def test_a_medication_is_added_then_removed_after_confirming(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            assert page.chooser.itemText(0) == "Sandbox Family Medicine formulary"
            page.chooser.setCurrentIndex(1)
            await until(lambda: page.catalog is not None and "Urgent" in page.catalog.name)
            page.chooser.setCurrentIndex(0)
            await until(lambda: "Famotidine 20 mg Oral Tablet" not in names(page))
            before = len(names(page))

            QTest.keyClicks(page.search_box, "famotidine")
            found = await pick_first(page.results)
            assert found.name == "Famotidine 20 mg Oral Tablet"
            assert page.add_button.isEnabled()
            page.add_button.click()
            await until(lambda: found.name in names(page))
            assert len(names(page)) == before + 1
            await pick_first(page.results)  # the search is run again: now "in this catalog"
            assert "(in this catalog)" in page.results.currentItem().text()
            assert not page.add_button.isEnabled()
            assert "Added Famotidine" in page.message.text()
            first = (await search_treatments(conn.services.catalog, "famotidine"))[0]
            assert (first.treatment.id, first.group) == (found.id, CATALOG)

            removes = writes(sandbox).get("removeFromCatalog", 0)
            select(page, found.name)
            page.remove_button.click()
            await answer("Remove from catalog", "Cancel")
            await settle(0.1)
            assert found.name in names(page)
            assert writes(sandbox).get("removeFromCatalog", 0) == removes

            page.remove_button.click()
            await answer("Remove from catalog", "Remove")
            await until(lambda: found.name not in names(page))
            assert writes(sandbox).get("removeFromCatalog", 0) == removes + 1
            catalog = await conn.services.catalogs.catalog(page.current_id() or "")
            assert found.id not in {t.id for t in catalog.treatments}

    arun(scenario(), timeout=60)


def test_a_second_double_click_while_adding_sends_nothing_more(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """The catalog shown does not list the treatment until the add has answered and the
    catalog is read again: a double-click meanwhile must not send a second addToCatalog."""
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            QTest.keyClicks(page.search_box, "famotidine")
            found = await pick_first(page.results)
            item = page.results.currentItem()
            adds = writes(sandbox).get("addToCatalog", 0)
            sandbox.set_faults(latency_ms=300, operations=["AddToCatalog"])
            page.results.itemDoubleClicked.emit(item)
            await settle(0.05)  # the first add is on its way
            page.results.itemDoubleClicked.emit(item)
            page.add_button.click()
            await until(lambda: found.name in names(page))
            sandbox.reset_faults()
            await settle(0.2)
            assert writes(sandbox).get("addToCatalog", 0) == adds + 1
            assert "Added Famotidine" in page.message.text()

    arun(scenario(), timeout=60)


def test_a_refused_edit_reads_as_a_permission_message_and_changes_nothing(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            page = await opened(conn, widgets)
            before = names(page)
            QTest.keyClicks(page.search_box, "famotidine")
            await pick_first(page.results)
            sandbox.fail_next({"kind": "status", "status": 403})
            page.add_button.click()
            await until(lambda: "did not allow" in page.message.text())
            assert "permission" in page.message.text()
            assert names(page) == before
            assert writes(sandbox).get("addToCatalog", 0) == 0

    arun(scenario(), timeout=60)


def test_catalog_page_screens(
    sandbox: Any, arun: Any, widgets: list[QWidget], theme: Theme
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            QTest.keyClicks(page.search_box, "pantoprazole")
            await pick_first(page.results)
            page.treatments.selectRow(2)
            await settle(0.2)
            assert page.add_button.isEnabled() and page.remove_button.isEnabled()
            assert page.results.currentItem().flags() & Qt.ItemFlag.ItemIsSelectable
            shot(page, f"catalog-{'dark' if theme.dark else 'light'}")

    arun(scenario(), timeout=60)
