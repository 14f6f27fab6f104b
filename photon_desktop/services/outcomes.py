"""Lost writes: when a write's answer never arrived, find out whether it happened.

A write is never sent twice by this layer. If its answer is lost (dropped connection, timeout
after sending, 5xx, unreadable answer), ``settle`` runs a read-only check: the saved record is
returned if the write took effect; the original error is raised if it did not (the UI may offer
to send again); ``WriteOutcomeUnknown`` if the check itself failed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from photon_desktop.api.errors_map import answer_lost
from photon_desktop.errors import PhotonError, WriteOutcomeUnknown

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many list pages a check reads at most before giving up (each page is ``CHECK_PAGE`` long).
CHECK_PAGES = 10
CHECK_PAGE = 100


def new_external_id() -> str:
    """An id the app attaches to each create so a lost answer can be looked up."""
    return f"pd-{uuid.uuid4().hex}"


def unknown(what: str, where: str) -> WriteOutcomeUnknown:
    return WriteOutcomeUnknown(
        f"The connection was lost while saving the {what}, and the app could not confirm "
        f"whether it was saved. Check {where} before sending it again."
    )


async def settle(
    write: Callable[[], Awaitable[T]],
    check: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    where: str,
) -> T:
    """``await write()``; if its answer was lost, ``check()`` whether it happened."""
    try:
        return await write()
    except PhotonError as error:
        if not answer_lost(error):
            raise
        log.warning("answer to a %s write was lost (%s); checking whether it happened", what, error)
        try:
            found = await check()
        except WriteOutcomeUnknown:
            raise
        except PhotonError as check_error:
            raise unknown(what, where) from check_error
        if found is None:
            log.info("the %s was not saved; reporting the original error", what)
            raise
        log.info("the %s was saved although its answer was lost", what)
        return found
