"""Screenshots of the main window, patient list, detail and form in light and dark (saved under
artifacts/screenshots/ and checked non-blank), plus the theme and icon machinery they rely on."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from ui_support import Connection, distinct_colours, next_emission, screenshot

from photon_desktop.auth.environments import EnvironmentKind
from photon_desktop.ui.common import icons
from photon_desktop.ui.common.theme import Theme, is_dark
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def test_forced_schemes_and_icons_follow_the_palette(theme: Theme, qapp: QApplication) -> None:
    assert is_dark() == theme.dark
    ink = qapp.palette().color(QPalette.ColorRole.WindowText)
    image = icons.icon("patients").pixmap(24, 24).toImage()
    painted = {
        image.pixelColor(x, y).rgb()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }
    assert painted == {ink.rgb()}  # drawn in the text colour, nothing else
    assert "patients" in icons.available() and "sign-in" in icons.available()
    theme.force("light" if theme.dark else "dark")
    assert is_dark() == theme.dark
    assert icons.icon("patients").pixmap(24, 24).toImage().pixelColor(12, 4) != QColor(ink)


def test_icons_are_drawn_for_each_connected_screen_s_pixel_ratio(
    theme: Theme, qapp: QApplication, monkeypatch: Any
) -> None:
    """1x, plus each screen's ratio; a 2x screen arriving later has the icons drawn again."""
    assert icons.scales() == tuple(sorted({1.0, *(s.devicePixelRatio() for s in qapp.screens())}))
    emitted: list[bool] = []
    theme.changed.connect(emitted.append)
    monkeypatch.setattr(icons, "scales", lambda: (1.0, 2.0))
    theme._on_screens()  # what screenAdded calls
    assert emitted == [theme.dark]
    sharp = icons.icon("patients").pixmap(QSize(24, 24), 2.0)
    assert sharp.devicePixelRatio() == 2.0 and sharp.width() == 48
    theme._on_screens()  # the same ratios again: nothing to redraw
    assert emitted == [theme.dark]


def test_an_icon_can_be_copied_changed_and_collected_without_crashing(theme: Theme) -> None:
    """A copy of an app icon that gains a pixmap detaches (Qt clones the icon's engine); the
    copy, the original and the cache survive collection. An icon engine written in Python
    segfaulted here (its clone, returned from Python, was not safely owned by Qt): icons are
    plain pixmap icons."""
    original = icons.icon("patients")
    copy = QIcon(original)
    copy.addPixmap(QPixmap(16, 16))
    gc.collect()
    assert copy.pixmap(QSize(24, 24)).width() == 24
    icons.clear_cache()
    del copy
    gc.collect()
    assert original.pixmap(QSize(20, 20)).width() == 20


def _check(widget: QWidget, name: str) -> None:
    image = screenshot(widget, name)
    assert image.width() > 200 and image.height() > 150
    assert distinct_colours(image) > 20, f"{name} looks blank"


def test_screenshots(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            theme.changed.connect(window.on_theme_changed)
            for key, title in (
                ("prescriptions", "Prescriptions"),
                ("orders", "Orders"),
                ("settings", "Settings"),
                ("sign-in", "Sign in"),
            ):
                window.add_page(key, title, key, QLabel(title))
            window.resize(1280, 800)
            window.show()
            widgets.append(window)
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            _check(window, f"main_window_{scheme}")
            _check(window.patients.list, f"patient_list_{scheme}")
            detail = window.patients.detail
            for row in range(20):  # a patient with prescriptions and orders shows every part
                window.patients.list.table.selectRow(row)
                await next_emission(detail.loaded)
                if detail.prescriptions_model.rowCount() and detail.orders_model.rowCount():
                    break
            _check(window.patients.detail, f"patient_detail_{scheme}")
            _check(window, f"main_window_detail_{scheme}")
            window.patients.new_patient()
            form = window.patients.form
            assert form is not None
            form.save_button.click()  # show the validation marks too
            _check(form, f"patient_form_{scheme}")
            form.reject()
        finally:
            await conn.aclose()

    arun(scenario())


def test_switching_scheme_recolours_the_window_live_and_production_screens(
    arun: Run,
    sandbox: Any,
    widgets: list[QWidget],
    ui_settings: Any,
    theme: Theme,
    qapp: QApplication,
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        conn.environment = replace(
            conn.environment, kind=EnvironmentKind.PRODUCTION, name="Photon Production"
        )
        try:
            window = MainWindow(conn.workspace)
            theme.changed.connect(window.on_theme_changed)
            window.resize(1280, 800)
            window.show()
            widgets.append(window)
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            _check(window, f"main_window_production_{scheme}")
            banner = screenshot(window.banner, f"production_banner_{scheme}")
            assert banner.pixelColor(3, 3).name().upper() == "#B3261E"

            def ink(button: Any) -> int:
                image = button.icon().pixmap(20, 20).toImage()
                return max(
                    (image.pixelColor(x, y) for x in range(20) for y in range(20)),
                    key=lambda c: c.alpha(),
                ).rgb()

            before = ink(window.patients.list.refresh_button)
            theme.force("light" if theme.dark else "dark")
            after = ink(window.patients.list.refresh_button)
            text = qapp.palette().color(QPalette.ColorRole.WindowText).rgb()
            assert before != after and after == text
        finally:
            await conn.aclose()

    arun(scenario())


def test_record_lists_are_drawn_by_fusion_itself_and_the_rest_by_the_app_style(
    theme: Theme, qapp: QApplication, widgets: list[QWidget]
) -> None:
    """The application's style outlines check boxes from Python, so every primitive it draws
    calls into Python; record lists have no check boxes and are drawn by Fusion alone."""
    from PySide6.QtWidgets import QCheckBox

    from photon_desktop.ui.common.theme import IndicatorStyle

    window = MainWindow(Workspace())
    widgets.append(window)
    table = window.patients.list.table
    assert isinstance(qapp.style(), IndicatorStyle)
    assert not isinstance(table.style(), IndicatorStyle)
    assert table.style().name().lower() == "fusion"
    assert isinstance(table.horizontalHeader().style(), IndicatorStyle)  # children keep the app's
    box = QCheckBox("Outlined", window)
    assert isinstance(box.style(), IndicatorStyle)
