"""The Sign-in page inside the app: a real browser-style sign-in against the bundled sandbox
returns the user to the page they were on, and says who is signed in once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from app_support import sign_in_window, signed_out_on_the_bundled_sandbox
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QLabel
from ui_support import until

from photon_desktop.auth.session import TokenKind

Run = Callable[..., Any]


async def sign_in_as(url: str, email: str) -> None:
    """What the user does in the browser: the sandbox's page, "Continue", back to the app."""
    async with httpx.AsyncClient(timeout=10) as web:
        page = await web.get(url + "&" + urlencode({"login_hint": email}))
        transaction = re.search(r'name="transaction" value="([^"]+)"', page.text)
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert transaction and action, page.text
        base = f"{page.url.scheme}://{page.url.netloc.decode()}"
        decision = await web.post(
            base + action.group(1),
            data={"transaction": transaction.group(1), "user": email, "action": "continue"},
        )
        await web.get(decision.headers["location"])


@pytest.mark.qt_log_ignore("propagateSizeHints", "openUrl")
def test_signing_in_returns_to_the_page_the_user_was_on(isolated: MemoryKeyring, arun: Run) -> None:
    async def scenario() -> None:
        async with signed_out_on_the_bundled_sandbox() as (desktop, window):
            window.show_page("orders")
            window.show_page("sign-in")
            sign_in = sign_in_window(window)
            assert desktop.sandbox_info is not None
            email = next(u["email"] for u in desktop.sandbox_info.users)

            sign_in.start()
            await until(lambda: sign_in.link, within=15)
            await sign_in_as(sign_in.link, email)
            await until(lambda: window.current_key == "orders", within=15)
            assert desktop.workspace.session.kind is TokenKind.USER

            window.show_page("sign-in")
            said = [label.text() for label in sign_in.findChildren(QLabel) if label.isVisible()]
            assert sum("Signed in as" in text for text in said) == 1, said

    arun(scenario(), timeout=90)
