from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

# The scripted endpoint and fake TokenSource live beside the API tests.
sys.path.insert(0, str(Path(__file__).parents[1] / "api"))

T = TypeVar("T")


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to completion on a fresh event loop (10 s guard)."""

    def runner(coro: Coroutine[Any, Any, T]) -> T:
        async def guarded() -> T:
            return await asyncio.wait_for(coro, 10)

        return asyncio.run(guarded())

    return runner
