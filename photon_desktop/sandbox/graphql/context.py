"""What every resolver shares: the request context, record references and paging rules.

Paging: ``first`` defaults to 25; values above 100 (or below 1) are a ``ValidationError`` on
``first`` rather than silently clamped, so a client bug shows up in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.graphql.errors import InputErrors, unauthorized
from photon_desktop.sandbox.records import Org, UserRecord, full_name
from photon_desktop.sandbox.store import Store

DEFAULT_PAGE = 25
MAX_PAGE = 100


@dataclass(slots=True, frozen=True)
class Rx:
    h: int


@dataclass(slots=True, frozen=True)
class Ord:
    h: int


@dataclass(slots=True, frozen=True)
class Fil:
    h: int


@dataclass(slots=True)
class Context:
    """Per-request state; ``now`` is read once so every field sees the same instant."""

    principal: Principal
    now: datetime
    store: Store
    memberships: Callable[[str | None], list[Org]]  # a user's organizations (None: M2M)
    today: int = field(init=False)

    def __post_init__(self) -> None:
        self.today = int(self.now.timestamp() // 86_400)

    @property
    def ts(self) -> float:
        return self.now.timestamp()

    def require(self, permission: str) -> None:
        if permission not in self.principal.permissions:
            raise unauthorized(
                f"Not authorized: this operation requires the {permission} permission"
            )


Resolver = Callable[..., Any]


def name_of(
    first: str, last: str, middle: str | None = None, title: str | None = None
) -> dict[str, Any]:
    return {
        "first": first,
        "last": last,
        "middle": middle,
        "title": title,
        "full": full_name(first, last, middle, title),
    }


def page_size(first: Any, default: int = DEFAULT_PAGE) -> int:
    if first is None:
        return default
    if first < 1 or first > MAX_PAGE:
        raise InputErrors([("first", f"first must be between 1 and {MAX_PAGE}")])
    return first


def take(handles: Iterable[int], n: int) -> list[int]:
    out = []
    for h in handles:
        out.append(h)
        if len(out) == n:
            break
    return out


def after_cursor(handle: Callable[[str], int | None], after: Any, what: str) -> int | None:
    """The record ``after`` names (None: from the start); an unknown id is an input error."""
    if after is None:
        return None
    found = handle(after)
    if found is None:
        raise InputErrors([("after", f"after {after} is not {what}")])
    return found


def after_in(handles: list[int], after: int | None, after_id: Any) -> list[int]:
    """The part of a (small, sorted) list that follows the cursor."""
    if after_id is None:
        return handles
    if after is None or after not in handles:
        raise InputErrors([("after", f"after {after_id} is not an item of this list")])
    return handles[handles.index(after) + 1 :]


def current_user(context: Context) -> UserRecord:
    email = context.principal.user_email
    if email is None:
        raise unauthorized("me requires a signed-in user")
    user = context.store.users.get(email.strip().lower())
    if user is None:
        raise unauthorized(f"{email} is not a user of this organization")
    return user


def cursor_page(items: list, after: Any, size: int) -> list:
    start = 0
    if after is not None:
        index = next((n for n, item in enumerate(items) if item.id == after), None)
        if index is None:
            raise InputErrors([("after", f"after {after} is not an item of this list")])
        start = index + 1
    return items[start : start + size]
