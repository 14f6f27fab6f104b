"""Run a coroutine on a qasync loop over pytest-qt's ``qapp`` (stack guide §4).

Each call gets a fresh ``qasync.QEventLoop``; leftover tasks are cancelled and awaited before the
loop closes, so one test's background work never leaks into the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

T = TypeVar("T")


def run_on_qasync(qapp: QApplication, coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
    """Run ``coro`` to completion (or ``timeout`` s) on a qasync loop; return its result."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.wait_for(coro, timeout))
    finally:
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
        _kill_pending_timers(loop)


def _kill_pending_timers(loop: qasync.QEventLoop) -> None:
    """Kill the Qt timers qasync still holds for handles that never fired.

    qasync's ``close()`` only marks its timer object stopped; a long ``call_later`` (a token's
    expiry, a cancelled ``wait_for``) keeps a live Qt timer. If Python later collects the loop on
    another thread (a ``to_thread`` worker, a keyring thread) Qt warns "Timers cannot be stopped
    from another thread" and can crash. Killing them here, on the loop's own thread, avoids that.
    """
    timer = getattr(loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if timer is None or not isinstance(callbacks, dict):
        return
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()
