"""The Catalog and Templates pages in the composed window, on the demo sandbox: both in the
sidebar, and a treatment removed in the catalog takes its templates off the Templates page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auth_fakes import MemoryKeyring
from ui_support import until
from write_support import answer

from photon_desktop.desktop import Desktop, build_window
from photon_desktop.ui.catalog.page import CatalogPage
from photon_desktop.ui.common import tasks
from photon_desktop.ui.templates.page import TemplatesPage

Run = Callable[..., Any]


def test_removing_a_treatment_takes_its_templates_off_the_templates_page(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            assert window.show_page("catalog") and window.current_key == "catalog"
            formulary = window.page("catalog")
            templates = window.page("templates")
            assert isinstance(formulary, CatalogPage) and isinstance(templates, TemplatesPage)
            await until(lambda: formulary.catalog is not None, within=15)
            await until(lambda: templates.model.rowCount() > 0, within=15)
            catalog = formulary.catalog
            assert catalog is not None
            doomed = catalog.templates[0].treatment
            shown = [templates.model.item(r) for r in range(templates.model.rowCount())]
            assert any(r.template.treatment.id == doomed.id for r in shown)

            removal = tasks.spawn(formulary.remove(catalog, doomed))
            await answer("Remove from catalog", "Remove")
            assert await removal

            def gone() -> bool:
                rows = [templates.model.item(r) for r in range(templates.model.rowCount())]
                return bool(rows) and all(r.template.treatment.id != doomed.id for r in rows)

            await until(gone, within=15)
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())
