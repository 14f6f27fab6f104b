"""Cursor- and offset-paged lists: one page and where the next one starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; ``cursor`` is the ``after`` for the next page."""

    items: tuple[T, ...]
    cursor: str | None
    has_more: bool
