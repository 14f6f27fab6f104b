from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The scripted endpoint and fake TokenSource live beside the API tests.
sys.path.insert(0, str(Path(__file__).parents[1] / "api"))

T = TypeVar("T")


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to completion on a fresh asyncio loop (10 s guard)."""

    def runner(coro: Coroutine[Any, Any, T]) -> T:
        async def guarded() -> T:
            return await asyncio.wait_for(coro, 10)

        return asyncio.run(guarded())

    return runner


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
