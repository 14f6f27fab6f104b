"""``ui.tasks``: the spawn helper the login window (and every view) starts async work with."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from photon_desktop.ui.common import tasks

Run = Callable[..., Any]


def test_a_spawned_task_survives_garbage_collection(arun: Run) -> None:
    """A task awaiting a future nothing else holds is collectable unless someone keeps it."""
    done: list[str] = []
    box: list[weakref.ref[asyncio.Future[None]]] = []

    async def work() -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        box.append(weakref.ref(future))
        await future
        done.append("finished")

    async def go() -> None:
        tasks.spawn(work())  # no reference kept by the caller
        await asyncio.sleep(0)
        gc.collect()
        future = box[0]()
        assert future is not None, "the task was garbage-collected while waiting"
        future.set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)

    arun(go())
    assert done == ["finished"]
    assert tasks.running() == []


def test_a_failure_is_logged_not_lost(arun: Run, caplog: pytest.LogCaptureFixture) -> None:
    async def boom() -> None:
        raise ValueError("the detail a developer needs")

    async def go() -> None:
        task = tasks.spawn(boom(), name="boom-task")
        await asyncio.wait([task])

    arun(go())
    failures = [r for r in caplog.records if r.name == "photon_desktop.ui.common.tasks"]
    assert len(failures) == 1 and "boom-task" in failures[0].getMessage()
    assert failures[0].levelno == logging.ERROR and failures[0].exc_info is not None


def test_cancel_all_stops_only_the_owners_tasks(arun: Run) -> None:
    mine, theirs = object(), object()

    async def go() -> tuple[bool, bool, int]:
        a = tasks.spawn(asyncio.sleep(30), owner=mine)
        b = tasks.spawn(asyncio.sleep(30), owner=theirs)
        await asyncio.sleep(0)
        count = tasks.cancel_all(mine)
        await asyncio.sleep(0)
        result = (a.cancelled(), b.cancelled(), count)
        b.cancel()
        await asyncio.gather(b, return_exceptions=True)
        return result

    assert arun(go()) == (True, False, 1)


def test_latest_cancels_the_older_call(arun: Run) -> None:
    results: list[str] = []

    async def load(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        results.append(name)

    async def go() -> None:
        latest = tasks.Latest()
        first = latest.spawn(load("old", 0.2))
        second = latest.spawn(load("new", 0.01))
        await asyncio.gather(first, second, return_exceptions=True)
        assert first.cancelled() and not latest.busy
        latest.spawn(load("never", 0.2))
        latest.cancel()
        await asyncio.sleep(0.3)

    arun(go())
    assert results == ["new"]
