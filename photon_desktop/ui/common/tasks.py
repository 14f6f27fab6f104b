"""The one way to start async work from Qt code.

qasync's ``@asyncSlot`` keeps no reference to its task, so a waiting task can be garbage-collected
mid-run ("Task was destroyed but it is pending!"). ``spawn`` keeps every task in a set until it is
done, logs its failure instead of losing it, and lets a window cancel its own tasks from a plain
``closeEvent`` (``@asyncClose`` hangs when ``close()`` comes from a coroutine).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# task -> owner id (or None); strong references keep pending tasks alive.
_running: dict[asyncio.Task[Any], int | None] = {}


def _finished(task: asyncio.Task[Any]) -> None:
    _running.pop(task, None)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error(
            "Background task %s failed",
            task.get_name(),
            exc_info=(type(error), error, error.__traceback__),
        )


def spawn(
    coro: Coroutine[Any, Any, T], *, owner: object | None = None, name: str | None = None
) -> asyncio.Task[T]:
    """Run ``coro`` on the running (qasync) loop; the task is kept until it finishes.

    ``owner`` (usually the widget) lets ``cancel_all(owner)`` stop only that widget's work.
    """
    task = asyncio.get_event_loop().create_task(coro, name=name)
    _running[task] = None if owner is None else id(owner)
    task.add_done_callback(_finished)
    return task


def loop_running() -> bool:
    """Whether async work can start now: Qt may call a slot while the app shuts down (a widget
    being deleted changes its selection), when there is no loop left to run it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def running(owner: object | None = None) -> list[asyncio.Task[Any]]:
    """Tasks still pending (all of them, or those of ``owner``)."""
    return [
        t for t, o in list(_running.items()) if not t.done() and (owner is None or o == id(owner))
    ]


def cancel_all(owner: object | None = None) -> int:
    """Cancel pending tasks (of ``owner``, or all); returns how many. Safe from ``closeEvent``."""
    tasks = running(owner)
    for task in tasks:
        task.cancel()
    return len(tasks)


class Latest:
    """At most one task at a time: a newer ``spawn`` cancels the older one.

    For loads where only the last request matters (typing in a filter, switching records), so a
    slow old answer can never overwrite a newer one.
    """

    def __init__(self, *, owner: object | None = None) -> None:
        self._owner = owner
        self._task: asyncio.Task[Any] | None = None

    @property
    def task(self) -> asyncio.Task[Any] | None:
        return self._task

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        self.cancel()
        task = spawn(coro, owner=self._owner, name=name)
        self._task = task
        return task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
