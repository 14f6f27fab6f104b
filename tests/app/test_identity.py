"""Who is signed in, where, is unmistakable: the status bar and the window title say it, and
nothing is drawn over them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auth_fakes import MemoryKeyring

from photon_desktop.desktop import Desktop, build_window

Run = Callable[..., Any]


def test_before_any_environment_the_status_says_not_connected(
    isolated: MemoryKeyring, run: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            window.show()
            assert window.status.connection.text() == "Not connected"
            assert window.status.environment.text() == "Not connected"
            assert " · " not in window.windowTitle()  # nobody is signed in
        finally:
            window.close()
            await desktop.aclose()

    run(scenario())


def test_the_title_and_status_bar_name_the_sign_in_and_environment(
    isolated: MemoryKeyring, run: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            window.show_page("orders")  # the window sets a new title for the page ...
            title = window.windowTitle()
            assert title.startswith("Orders")
            # ... and the identity and environment stay in it.
            assert title.endswith(" · M2M (backend) — Local sandbox"), title
            assert window.status.identity.text() == "M2M (backend)"
            assert "Local sandbox" in window.status.identity.toolTip()
            window.status.set_notice("No secure keyring on this computer.")
            # The notice has its own place: the environment and sign-in stay visible.
            assert window.status.notice.isVisible()
            assert window.status.environment.isVisible() and window.status.identity.isVisible()
            await desktop.workspace.session.sign_out()
            assert " · " not in window.windowTitle()
        finally:
            window.close()
            await desktop.aclose()

    run(scenario())
