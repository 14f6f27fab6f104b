"""No write lost, none doubled: what a failed write means; the externalId that makes resends safe.

**The caller owns a submission's externalId.** A form calls ``new_external_id()`` once (when it
opens, or on its first save) and sends that id with the first attempt and with every "try again".
Photon refuses a second record with an externalId already in use, so a resend of a write that was
in fact saved cannot create a second record: the service recognises the refusal, finds the saved
record by the id and returns it. A caller that leaves the id out gets one from ``Submissions``,
which reuses it while a send of the same content is unsettled; services never invent a fresh id
for a resend.

**After a failed write** the service does not guess:

- a definite refusal (invalid input, a missing permission, not found, sign-in required, rate
  limited, a wrong address in Settings, or a request that never reached Photon) is raised as it
  is: nothing was saved;
- anything else (a dropped connection, a timeout, a 5xx, a GraphQL error, an answer the app could
  not read, "externalId already used") may hide a write that took effect, so ``settle`` runs a
  read-only check (by externalId, or by the record's state) and returns the saved record if there
  is one; ``WriteOutcomeUnknown`` (saying what happened) if the check itself failed;
- when the check finds nothing, an error Photon answered with (a 5xx, a GraphQL error, an
  unreadable answer) is raised as it is: the request had run its course, and nothing came of it.
  No answer at all (a timeout, a dropped connection, a gateway's timeout: ``may_land_later``)
  proves nothing yet: Photon may still be running the request and save the record after the
  check, so that is ``WriteOutcomeUnknown`` too, never "not sent" (a user who believed it and
  wrote the record again in a new form would make two).
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from photon_desktop.api.errors_map import TIMED_OUT, answer_lost
from photon_desktop.domain import Page
from photon_desktop.errors import (
    ConfigurationError,
    CredentialsRejected,
    InvalidInput,
    NotFound,
    OfflineError,
    PermissionMissing,
    PhotonError,
    RateLimited,
    ResponseError,
    ServerError,
    SignInRequired,
    WriteOutcomeUnknown,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many list pages a check reads at most before giving up (each page is ``CHECK_PAGE`` long).
CHECK_PAGES = 10
CHECK_PAGE = 100

_REFUSALS = (
    PermissionMissing,
    NotFound,
    SignInRequired,
    RateLimited,
    ConfigurationError,
    CredentialsRejected,
)


async def find_in_pages(
    page_after: Callable[[str | None], Awaitable[Page[T]]], match: Callable[[T], bool]
) -> T | None:
    """The first record ``match`` accepts, reading at most ``CHECK_PAGES`` cursor pages."""
    after: str | None = None
    for _ in range(CHECK_PAGES):
        page = await page_after(after)
        for record in page.items:
            if match(record):
                return record
        if not page.has_more:
            return None
        after = page.cursor
    return None


APP_ID_PREFIX = "pd-"


def new_external_id() -> str:
    """A fresh id for one submission: call it once per form, reuse it for every resend."""
    return f"{APP_ID_PREFIX}{uuid.uuid4().hex}"


def is_app_external_id(value: str | None) -> bool:
    """Whether ``value`` is an id ``new_external_id`` made (not a clinic's own)."""
    return bool(value) and str(value).startswith(APP_ID_PREFIX) and len(str(value)) == 35


def external_id_in_use(error: BaseException) -> bool:
    """Photon refused the write, among other reasons, because its externalId is taken: maybe by
    our own earlier send of this submission (the other reasons may follow from that save, e.g.
    "the prescription has no fills remaining")."""
    if not isinstance(error, InvalidInput):
        return False
    return any(name.rsplit(".", 1)[-1] == "externalId" for name in error.fields)


def definitely_not_saved(error: PhotonError) -> bool:
    """True when the error proves the write did not take effect."""
    if isinstance(error, InvalidInput):
        return not external_id_in_use(error)
    if isinstance(error, _REFUSALS):
        return True
    # Could not connect at all (DNS, refused, connect timeout): the request never left.
    return isinstance(error, OfflineError) and not answer_lost(error)


def may_land_later(error: PhotonError) -> bool:
    """No answer came back from the request's run (a timeout, a dropped connection, a gateway's
    timeout): Photon may still be running it, and save the record after any check."""
    if isinstance(error, OfflineError):
        return answer_lost(error)
    return isinstance(error, ServerError) and error.status == 504


def what_happened(error: PhotonError) -> str:
    """The failure in a few words, to open a sentence."""
    if isinstance(error, OfflineError):
        if error.message == TIMED_OUT:
            return "Photon did not answer in time"
        return "The connection to Photon was lost before its answer arrived"
    if isinstance(error, ServerError):
        if error.status:
            return f"Photon had a problem answering (error {error.status})"
        return "Photon reported an error"
    if isinstance(error, ResponseError):
        return "Photon's answer could not be read"
    if external_id_in_use(error):
        return "Photon reported this as already sent"
    return "The request failed"


def unknown(error: PhotonError, what: str, where: str) -> WriteOutcomeUnknown:
    return WriteOutcomeUnknown(
        f"{what_happened(error)} while saving the {what}, and the app could not check whether "
        f"it was saved. Check {where} before sending it again."
    )


def not_found_yet(error: PhotonError, what: str, where: str) -> WriteOutcomeUnknown:
    """A lost answer whose check found nothing: Photon may still save it."""
    return WriteOutcomeUnknown(
        f"{what_happened(error)} while saving the {what}. It was not in Photon when the app "
        f"checked, but Photon may still save it. Check {where} before sending it again."
    )


async def settle(
    write: Callable[[], Awaitable[T]],
    check: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    where: str,
    recheck: type[PhotonError] | None = None,
) -> T:
    """``await write()``; unless it was definitely refused, ``check()`` whether it happened.

    ``recheck``: a refusal that may mean the change is already there (e.g. "the patient has no
    such allergy" when removing one), so it is checked too.
    """
    try:
        return await write()
    except PhotonError as error:
        if definitely_not_saved(error) and not (recheck and isinstance(error, recheck)):
            raise
        log.warning("the %s write failed (%s); checking whether it happened", what, error)
        try:
            found = await check()
        except WriteOutcomeUnknown:
            raise
        except PhotonError as check_error:
            raise unknown(error, what, where) from check_error
        if found is None and may_land_later(error):
            log.info("the %s was not found yet; its answer was lost, so it may still be", what)
            raise not_found_yet(error, what, where) from error
        if found is None:
            log.info("the %s was not saved; reporting the original error", what)
            raise
        log.info("the %s was saved although the write reported a failure", what)
        return found


class Submissions:
    """The externalIds of sends whose outcome is not settled, by their content.

    ``external_id(given, content)`` is ``given`` when the caller owns one; otherwise the id
    already used for the same content, until ``settled(content)`` (success, or a refusal that
    proves nothing was saved). A deliberate second identical record after a success gets a new id.
    """

    def __init__(self, limit: int = 64) -> None:
        self._ids: OrderedDict[Hashable, str] = OrderedDict()
        self._limit = limit

    def external_id(self, given: str | None, content: Hashable) -> str:
        if given:
            return given
        known = self._ids.get(content)
        if known is None:
            known = self._ids[content] = new_external_id()
            while len(self._ids) > self._limit:
                self._ids.popitem(last=False)
        return known

    def settled(self, content: Hashable) -> None:
        self._ids.pop(content, None)

    async def send(
        self,
        content: Hashable,
        write: Callable[[], Awaitable[T]],
        check: Callable[[], Awaitable[T | None]],
        *,
        what: str,
        where: str,
    ) -> T:
        """``settle`` the write; forget the content's id once the outcome is known."""
        try:
            result = await settle(write, check, what=what, where=where)
        except PhotonError as error:
            if definitely_not_saved(error):
                self.settled(content)
            raise
        self.settled(content)
        return result
