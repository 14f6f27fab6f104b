from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T = TypeVar("T")


@pytest.fixture
def on_qt(qapp: Any) -> Callable[[Callable[[httpx.AsyncClient], Awaitable[T]]], T]:
    """Run ``scenario(http)`` on a qasync loop (as the app does) with the app's kind of client."""
    from qasync_helpers import run_on_qasync

    from photon_desktop.api.client import create_http_client

    def runner(scenario: Callable[[httpx.AsyncClient], Awaitable[T]], **client: Any) -> T:
        async def main() -> T:
            async with create_http_client(**client) as http:
                return await scenario(http)

        return run_on_qasync(qapp, main(), timeout=60)

    return runner
